/**
 * The whole flow as a rep meets it in Agents Playground: welcome, send, check in the LOA
 * sandbox, delete. Screenshots of every step go to test-artifacts/e2e/; the ones the README
 * shows are copied to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { formatDate } from '../../bot/domain/format';
import { DEV_REP } from '../../deploy/local/dev';
import { DISTRIBUTOR_VALUES, playgroundSuite } from './playgroundSession';
import type { PlaygroundSession } from './playgroundSession';

const DRAFT = {
  ...DISTRIBUTOR_VALUES,
  // Markdown that the cards must show as typed: a numbered list, emphasis and a link-like bracket.
  specialTerms: '1. Prices hold for orders over EUR 5,000\n2. Excludes *spare parts* [see annex]',
};

describe('Agents Playground, end to end', () => {
  const session = playgroundSuite();
  let agreementId: string | undefined;
  const card = (text: string) => session().card(text);
  const chatMessage = (text: string) => session().chatMessage(text);
  const say = (text: string) => session().say(text);
  const screenshot: PlaygroundSession['screenshot'] = (...args) => session().screenshot(...args);
  const sandboxAgreement = (id: string) => session().sandboxAgreement(id);
  const sentAgreementId = (): string => {
    assert.ok(agreementId, 'needs the agreement that the "sends an LOA" test sent');
    return agreementId;
  };


  it('welcomes the rep and answers "send LOA" with the template card', async () => {
    // Opening the page installs the bot in the personal chat: the welcome card.
    await session().open();
    const welcome = card('Send Letters of Agreement from Teams');
    assert.ok(await session().page.getByText(DEV_REP.name, { exact: true }).first().isVisible(), 'the Playground user is the configured rep');
    await screenshot('01-welcome', welcome);

    await say('send LOA');
    const templates = card('Step 1 of 3');
    await templates.waitFor();
    await screenshot('02-template', templates, 'template');
  });

  it('sends an LOA through details, review and send', async () => {
    const templates = card('Step 1 of 3');
    await templates.locator('.ac-container', { hasText: 'Distributor pricing agreement' }).getByRole('button', { name: 'Use this template' }).click();
    const details = card('Step 2 of 3');
    await details.waitFor();
    assert.equal(await session().page.locator('.ac-adaptiveCard', { hasText: 'Step 1 of 3' }).count(), 0, 'the template card is updated in place');

    await session().fillDistributorDetails(details, DRAFT);
    await screenshot('03-details', details, 'details');

    await details.getByRole('button', { name: 'Review' }).click();
    const review = card('Check your LOA before it goes out');
    await review.waitFor();
    const reviewText = await review.innerText();
    // Dates as the rep's date picker shows them (the Playground's locale is en-US).
    const expected = [DRAFT.signerName, DRAFT.signerEmail, DRAFT.customerName, DRAFT.accountNumber, DRAFT.productRange, DRAFT.discount, formatDate(DRAFT.startDate, 'en-US'), formatDate(DRAFT.endDate, 'en-US'), ...DRAFT.specialTerms.split('\n')];
    for (const text of expected) assert.ok(reviewText.includes(text), `the review shows "${text}"; it shows:\n${reviewText}`);
    assert.ok(!reviewText.includes('\\'), `the review shows no Markdown escapes; it shows:\n${reviewText}`);
    await screenshot('04-review', review, 'review');

    await review.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = card('LOA sent');
    await sent.waitFor();
    agreementId = /Agreement ID\s+([0-9a-f-]{36})/.exec(await sent.innerText())?.[1];
    assert.ok(agreementId, 'the confirmation shows the agreement id');
    // The bot also posts a status message to the chat.
    await chatMessage(`ref ${defaultRef(agreementId)}. Sent: waiting for the signer`).waitFor();
    await screenshot('05-sent', sent, 'sent');
    await screenshot('06-chat-after-send', session().page);
  });

  it('created the agreement in the LOA sandbox as the rep', async () => {
    const agreement = await sandboxAgreement(sentAgreementId());
    assert.equal(agreement.owner, DEV_REP.email);
    assert.equal(agreement.status, 'SENT');
    assert.deepEqual(agreement.signer, { name: DRAFT.signerName, email: DRAFT.signerEmail });
    assert.equal(agreement.formData.find((field) => field.name === 'specialTerms')?.value, DRAFT.specialTerms, 'the special terms arrive as typed');
  });

  it('deletes the agreement from "my LOAs"', async () => {
    const id = sentAgreementId();
    await say('my LOAs');
    const list = card('Your LOAs');
    await list.waitFor();
    await screenshot('07-my-loas', list, 'my-loas');

    // The innermost container that names the agreement: its own row.
    const row = list.locator('.ac-container', { hasText: `ref ${defaultRef(id)}` }).last();
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = card('Delete this LOA?');
    await confirm.waitFor();
    await screenshot('08-confirm-delete', confirm);

    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    const deleted = card('LOA deleted');
    await deleted.waitFor();
    assert.ok((await deleted.innerText()).includes(id), 'the card names the deleted agreement');
    await chatMessage(`LOA ${defaultRef(id)} to ${DRAFT.signerName} is deleted`).waitFor();
    await screenshot('09-deleted', deleted, 'deleted');
    await screenshot('10-chat-after-delete', session().page);

    assert.equal((await sandboxAgreement(id)).status, 'DELETED');
  });
});
