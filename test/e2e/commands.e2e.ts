/**
 * Near-misses and the list as a rep meets them in Agents Playground: a typo gets "Did you
 * mean", whose button works; "my LOAs" shows an LOA's status in words and its short ref.
 */
import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { playgroundSuite } from './playgroundSession';

describe('Agents Playground, commands and my LOAs', () => {
  const session = playgroundSuite({ open: true });


  it('answers a typo with "Did you mean send LOA?", and its button starts one', async () => {
    await session().say('snd lao');
    const guess = session().card('Did you mean');
    await guess.waitFor();
    assert.match(await guess.innerText(), /Did you mean send LOA\?/);
    await session().screenshot('11-did-you-mean', guess, 'did-you-mean');
    await guess.getByRole('button', { name: 'Send an LOA' }).click();
    await session().card('Step 1 of 3').waitFor();
  });

  it('lists a sent LOA with its status in words and its short ref', async () => {
    const templates = session().card('Step 1 of 3');
    await templates.locator('.ac-container', { hasText: 'Distributor pricing agreement' }).getByRole('button', { name: 'Use this template' }).click();
    const details = session().card('Step 2 of 3');
    await details.waitFor();
    await session().fillDistributorDetails(details, {
      signerName: 'Maria Rossi',
      signerEmail: 'maria.rossi@customer.example',
      customerName: 'Rossi Impianti S.r.l.',
      accountNumber: '7654321',
      productRange: 'Secure power (APC)',
      discount: '8',
      startDate: '2026-12-01',
      endDate: '2027-05-31',
    });
    await details.getByRole('button', { name: 'Review' }).click();
    const review = session().card('Check your LOA before it goes out');
    await review.waitFor();
    // As a rep would: the card settles on screen before Send (a click during its re-render is lost).
    await session().screenshot('commands-review', review);
    await review.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = session().card('LOA sent');
    await sent.waitFor();
    const id = /Agreement ID\s+([0-9a-f-]{36})/.exec(await sent.innerText())?.[1];
    assert.ok(id, 'the confirmation keeps the agreement id for support');

    await session().say('my loas please');
    const list = session().card('Your LOAs');
    await list.waitFor();
    const row = list.locator('.ac-container', { hasText: `ref ${defaultRef(id)}` }).last();
    const text = await row.innerText();
    assert.match(text, /Rossi Impianti S\.r\.l\./);
    // Rendered by the client in the rep's locale and time zone, as the sent card is.
    assert.match(text, /Sent: waiting for the signer · sent \S.* at \d/);
    assert.ok(!text.includes(id), 'the row shows the short ref, not the GUID');
    await session().screenshot('12-my-loas-rows', list, 'my-loas-rows');
  });
});
