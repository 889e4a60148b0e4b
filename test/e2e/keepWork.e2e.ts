/**
 * Never losing the rep's work, in Agents Playground: "send LOA" over an open LOA, Cancel then
 * Restore, and New from this on a deleted LOA. The new states are saved to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { defaultRef } from '../../bot/domain/agreementRef';
import { DISTRIBUTOR_VALUES, playgroundSuite } from './playgroundSession';

const SIGNER = { name: 'Kept Signer', email: 'kept.signer@customer.example' };

describe("Agents Playground: the rep's work is never lost", () => {
  const session = playgroundSuite({ open: true });
  const card = (text: string) => session().card(text);


  /** "send LOA", the distributor template: its details card. */
  async function openDetails(): Promise<Locator> {
    await session().say('send LOA');
    const templates = card('Step 1 of 3');
    await templates.waitFor();
    await templates.locator('.ac-container', { hasText: 'Distributor pricing agreement' }).getByRole('button', { name: 'Use this template' }).click();
    const details = card('Step 2 of 3');
    await details.waitFor();
    return details;
  }

  /** Fills the whole details card, as playground.e2e.ts does, and presses Review: the bot now holds every value. */
  async function fillAndReview(details: Locator): Promise<void> {
    await session().fillDistributorDetails(details, { ...DISTRIBUTOR_VALUES, signerName: SIGNER.name, signerEmail: SIGNER.email, customerName: 'Kept Customer SA', discount: '10' });
    await details.getByRole('button', { name: 'Review' }).click();
    await card('Check your LOA before it goes out').waitFor();
  }

  it('asks before "send LOA" replaces an open LOA, and Continue shows what was typed', async () => {
    await fillAndReview(await openDetails());
    await session().say('send LOA');
    const ask = card('You have an LOA in progress');
    await ask.waitFor();
    assert.ok((await ask.innerText()).includes(SIGNER.name));
    await session().screenshot('keep-01-resume-draft', ask, 'resume-draft');

    await ask.getByRole('button', { name: 'Continue my open LOA' }).click();
    const resumed = card('Step 2 of 3');
    await resumed.waitFor();
    assert.equal(await resumed.getByLabel('Signer name').inputValue(), SIGNER.name);
    assert.equal(await resumed.getByLabel('Customer legal name').inputValue(), 'Kept Customer SA');
  });

  it('restores a cancelled LOA with what was typed', async () => {
    const details = card('Step 2 of 3');
    await details.getByRole('button', { name: 'Cancel' }).click();
    const cancelled = card('LOA cancelled');
    await cancelled.waitFor();
    assert.ok((await cancelled.innerText()).includes('Press Restore within 10 minutes'));
    await session().screenshot('keep-02-restore-cancelled', cancelled, 'restore-cancelled');

    await cancelled.getByRole('button', { name: 'Restore' }).click();
    const restored = card('Step 2 of 3');
    await restored.waitFor();
    assert.equal(await restored.getByLabel('Signer email').inputValue(), SIGNER.email);
    assert.equal(await restored.getByLabel('Customer legal name').inputValue(), 'Kept Customer SA');
  });

  it('starts New from this on a deleted LOA without the link, and sends it', async () => {
    await card('Step 2 of 3').getByRole('button', { name: 'Review' }).click();
    const review = card('Check your LOA before it goes out');
    await review.waitFor();
    // As a rep would: the card settles on screen before Send (a click during its re-render is lost).
    await session().screenshot('keep-04-review-restored', review);
    await review.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = card('LOA sent');
    await sent.waitFor();
    const id = /Agreement ID\s+([0-9a-f-]{36})/.exec(await sent.innerText())?.[1];
    assert.ok(id, 'the confirmation shows the agreement id');

    await session().say(`delete LOA ${id}`);
    const confirm = card('Delete this LOA?');
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await card('LOA deleted').waitFor();

    await session().say('my LOAs');
    const list = card('Your LOAs');
    await list.waitFor();
    await list.locator('.ac-container', { hasText: `ref ${defaultRef(id)}` }).last().getByRole('button', { name: 'New from this' }).click();
    const fromDeleted = card("won't be linked to it");
    await fromDeleted.waitFor();
    const text = await fromDeleted.innerText();
    assert.ok(text.includes(`Filled in from your LOA to ${SIGNER.name}. That LOA was deleted`), text);
    assert.ok(!text.includes('previousAgreementId') && !text.includes(id), 'no field name or agreement id as the explanation');
    assert.equal(await fromDeleted.getByLabel('Signer name').inputValue(), SIGNER.name);
    await session().screenshot('keep-03-new-from-deleted', fromDeleted, 'new-from-deleted');

    await fromDeleted.getByRole('button', { name: 'Review' }).click();
    const review2 = card('Check your LOA before it goes out');
    await review2.waitFor();
    await session().screenshot('keep-05-review-unlinked', review2);
    await review2.getByRole('button', { name: 'Send', exact: true }).click();
    // The first LOA's sent card is still in the chat: wait for the one that is not about it.
    const sent2 = session().page.locator('.ac-adaptiveCard', { hasText: 'LOA sent' }).filter({ hasNotText: id }).last();
    await sent2.waitFor();
    const newId = /Agreement ID\s+([0-9a-f-]{36})/.exec(await sent2.innerText())?.[1];
    assert.ok(newId && newId !== id);
    const agreement = await session().sandboxAgreement(newId);
    assert.equal(agreement.previousAgreementId, undefined, 'sent without the link');
    assert.equal(agreement.signer.name, SIGNER.name);
  });
});
