/**
 * One sentence to a sent LOA, as a rep does it in Agents Playground: the sentence becomes the
 * details card, prefilled and marked; the rep checks it, reviews and sends.
 */
import assert from 'node:assert/strict';
import { playgroundSuite } from './playgroundSession';

describe('Agents Playground, an LOA from one sentence', () => {
  const session = playgroundSuite({ open: true });

  it('turns the sentence into a prefilled details card, then a sent LOA', async () => {
    await session().say('send the distributor pricing LOA to Jane Doe jane@acme.example for Acme Industrial, account 1234567, 12.5% discount on low voltage, from 1 January to 31 December 2027');
    const details = session().card('from your message');
    await details.waitFor();
    const text = await details.innerText();
    assert.match(text, /I filled 8 fields from your message/);
    assert.match(text, /read as January 1, 2027 to December 31, 2027/);
    const input = (label: string) => details.getByLabel(new RegExp(`^${label.replace(/[()%]/g, '\\$&')}`));
    assert.equal(await input('Signer name').inputValue(), 'Jane Doe');
    assert.equal(await input('Customer legal name').inputValue(), 'Acme Industrial');
    assert.equal(await input('SE account number').inputValue(), '1234567');
    await session().screenshot('13-from-a-sentence', details, 'from-a-sentence');

    await details.getByRole('button', { name: 'Review' }).click();
    const review = session().card('Check your LOA before it goes out');
    await review.waitFor();
    await session().screenshot('sentence-review', review);
    await review.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = session().card('LOA sent');
    await sent.waitFor();
    const id = /Agreement ID\s+([0-9a-f-]{36})/.exec(await sent.innerText())?.[1];
    assert.ok(id);
    const agreement = await session().sandboxAgreement(id);
    assert.deepEqual(agreement.signer, { name: 'Jane Doe', email: 'jane@acme.example' });
    const form = Object.fromEntries(agreement.formData.map((f) => [f.name, f.value]));
    assert.equal(form.customerName, 'Acme Industrial');
    assert.equal(form.productRange, 'LV');
    assert.equal(form.startDate, '2027-01-01');
    assert.equal(form.endDate, '2027-12-31');
  });
});
