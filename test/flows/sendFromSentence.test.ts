import assert from 'node:assert/strict';
import type { AdaptiveCard } from '../../cards/render';
import { actionsOf, inputsOf, readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { distributorDetails } from '../../testkit/fixtures';
import { openDistributorDraft } from '../../testkit/loaFlow';
import { botWithSandbox } from '../helpers/botWithSandbox';

/** The label of each input on a card, by input id. */
function labels(card: AdaptiveCard): Record<string, string> {
  const found: Record<string, string> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.type === 'string' && n.type.startsWith('Input.') && typeof n.id === 'string' && typeof n.label === 'string') found[n.id] = n.label;
    Object.values(n).forEach(visit);
  };
  visit(card);
  return found;
}

const FROM_MESSAGE = / \(from your message\)$/;
const titles = (card: AdaptiveCard) => actionsOf(card).map((a) => a.title);

describe('send LOA from one sentence', () => {
  const bot = botWithSandbox();
  const owned = async (rep: RepSession) => (await bot.loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
  const marked = (card: AdaptiveCard) => Object.entries(labels(card)).filter(([, label]) => FROM_MESSAGE.test(label)).map(([id]) => id).sort();

  it('opens the named template with the signer filled and marked, and sends only after review', async () => {
    const rep = bot.h.rep();
    const details = (await rep.says('send the distributor pricing LOA to Jane Doe jane.doe@acme.example')).cards[0]!;
    assert.match(readableText(details), /^Distributor pricing agreement$/m);
    assert.equal(inputsOf(details).signerName, 'Jane Doe');
    assert.equal(inputsOf(details).signerEmail, 'jane.doe@acme.example');
    assert.deepEqual(marked(details), ['signerEmail', 'signerName']);
    assert.match(readableText(details), /I filled 2 fields from your message, marked "from your message"\. Check them, then press Review\./);
    assert.equal((await owned(rep)).length, 0, 'nothing is sent from a sentence alone');

    const review = await rep.press(details, 'Review', distributorDetails({ signerName: 'Jane Doe', signerEmail: 'jane.doe@acme.example' }));
    assert.match(readableText(await rep.press(review, 'Send')), /LOA sent/);
    const [agreement] = await owned(rep);
    assert.deepEqual(agreement!.signer, { name: 'Jane Doe', email: 'jane.doe@acme.example' });
  });

  it('fills the cc and every typed field it can place, and says how it read the dates', async () => {
    const rep = bot.h.rep();
    const details = (await rep.says('send LOA to jane@acme.example cc bob@acme.example for Acme Industrial, 12.5% discount on low voltage, from 1 January to 31 December 2027')).cards[0]!;
    const inputs = inputsOf(details);
    assert.equal(inputs.signerEmail, 'jane@acme.example');
    assert.equal(inputs.ccEmail, 'bob@acme.example');
    assert.equal(inputs.f_customerName, 'Acme Industrial');
    assert.equal(inputs.f_discountPercent, 12.5);
    assert.equal(inputs.f_productRange, 'LV');
    assert.equal(inputs.f_startDate, '2027-01-01');
    assert.equal(inputs.f_endDate, '2027-12-31');
    assert.deepEqual(marked(details), ['ccEmail', 'f_customerName', 'f_discountPercent', 'f_endDate', 'f_productRange', 'f_startDate', 'signerEmail']);
    assert.match(readableText(details), /"1 January to 31 December 2027" read as January 1, 2027 to December 31, 2027/);
    assert.equal(inputs.signerName, '', 'no name was given, so none is made up');
  });

  it('reads a special bid with its quote, amount and a relative date', async () => {
    const rep = bot.h.rep();
    const details = (await rep.says('new LOA: project special bid, signer Marc Martin marc.martin@contractor.example, quote Q-2026-00123, 250k EUR, valid until end of March')).cards[0]!;
    assert.match(readableText(details), /^Project special bid$/m);
    const inputs = inputsOf(details);
    assert.equal(inputs.signerName, 'Marc Martin');
    assert.equal(inputs.f_quoteReference, 'Q-2026-00123');
    assert.equal(inputs.f_totalValueEur, 250000);
    assert.match(String(inputs.f_validUntil), /^\d{4}-03-31$/);
    assert.match(readableText(details), /"end of March" read as March 31, \d{4}/);
  });

  it('takes a template named by its alias', async () => {
    const details = (await bot.h.rep().says('LOA for Acme using the service plan template')).cards[0]!;
    assert.match(readableText(details), /^EcoStruxure service plan$/m);
    assert.equal(inputsOf(details).f_customerName, 'Acme');
  });

  it('asks which template when several fit, keeping what it understood for the one chosen', async () => {
    const rep = bot.h.rep();
    const chooser = (await rep.says('send LOA for Acme to Jane Doe jane@acme.example')).cards[0]!;
    assert.match(readableText(chooser), /Your message fits more than one template \(an LOA to Jane Doe \(jane@acme\.example\)\)\. Choose one; I keep what I understood\./);
    const offered = actionsOf(chooser).filter((a) => a.title === 'Use this template');
    assert.equal(offered.length, 2, 'only the templates with a customer field: Acme can only be a customer');
    assert.doesNotMatch(readableText(chooser), /Project special bid/);
    const details = await rep.press(chooser, 'Use this template', {}, (a) => a.data.templateId === offered[0]!.data.templateId);
    assert.equal(inputsOf(details).signerName, 'Jane Doe');
    assert.equal(inputsOf(details).f_customerName, 'Acme');
    assert.ok(marked(details).includes('f_customerName'));
  });

  it('reads "1/2/2027" the way the rep\'s locale writes dates, and says so', async () => {
    const read = async (locale: string) => {
      const rep = bot.h.rep();
      rep.locale = locale;
      const details = (await rep.says('send the distributor pricing LOA to Jane Doe jane@acme.example from 1/2/2027 to 30/11/2027')).cards[0]!;
      return { start: inputsOf(details).f_startDate, text: readableText(details) };
    };
    const french = await read('fr-FR');
    assert.equal(french.start, '2027-02-01');
    assert.match(french.text, /« 1\/2\/2027 » lu comme 1 février 2027/);
    const american = await read('en-US');
    assert.equal(american.start, '2027-01-02');
  });

  it('asks before a sentence replaces an open LOA with work in it, and Discard starts from the sentence', async () => {
    const rep = bot.h.rep();
    await rep.press(await openDistributorDraft(rep), 'Review', { signerName: 'Half Done' });
    const ask = (await rep.says('send the distributor pricing LOA to Jane Doe jane@acme.example')).cards[0]!;
    assert.match(readableText(ask), /You have an LOA in progress/);
    const details = await rep.press(ask, 'Discard it and start new');
    assert.equal(inputsOf(details).signerName, 'Jane Doe');
    assert.ok(titles(details).includes('Review'));
  });

  it('drops the marks once the rep reviews', async () => {
    const rep = bot.h.rep();
    const details = (await rep.says('send the distributor pricing LOA to Jane Doe jane@acme.example')).cards[0]!;
    const again = await rep.press(details, 'Review', { ...inputsOf(details), f_customerName: '' });
    assert.match(readableText(again), /Fix these/);
    assert.deepEqual(marked(again), []);
    assert.doesNotMatch(readableText(again), /from your message/);
  });

  it('shows what it could not place as typed, and treats markup as text', async () => {
    const rep = bot.h.rep();
    const details = (await rep.says('send the distributor pricing LOA to Jane Doe jane@acme.example, account 12345, **[click](https://evil.example)**')).cards[0]!;
    const text = readableText(details);
    assert.match(text, /Not understood: /);
    assert.doesNotMatch(JSON.stringify(details), /\[click\]\(https:\/\/evil\.example\)/, 'no live Markdown link from typed text');
    assert.equal(inputsOf(details).f_accountNumber, '', 'a value that breaks the field\'s format is not filled');
  });
});
