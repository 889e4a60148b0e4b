import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { Agreement } from '../../bot/domain/agreement';
import { LIMITS, TEXT_VALUES, emptyValues, formFieldKey, toAgreementRequest, validateDraft } from '../../bot/domain/draft';
import { DRAFT_INPUTS, formFieldId } from '../../cards/draftInputs';
import type { Draft, DraftValues, FieldErrors } from '../../bot/domain/draft';
import type { Submission, SubmissionError } from '../../bot/domain/submissions';
import { FIELD_TYPES, TemplateCatalog } from '../../bot/domain/templateCatalog';
import type { FieldType, LoaTemplate } from '../../bot/domain/templateCatalog';
import { renderSubmission } from '../../bot/flows/sendOutcome';
import { API_ERROR_CODES } from '../../bot/loa/contract';
import type { FieldProblem } from '../../bot/loa/contract';
import { renderAgreementSentCard } from '../../cards/agreementSent';
import { templatesTooLargeForTeams } from '../../cards/cardBudget';
import { renderChooseTemplateCard } from '../../cards/chooseTemplate';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import type { AdaptiveCard } from '../../cards/render';
import { renderReviewDraftCard } from '../../cards/reviewDraft';
import { renderHelpCard, renderNoticeCard, renderWelcomeCard } from '../../cards/simpleCards';
import { ALL_VERBS, VERBS } from '../../cards/verbs';
import {
  MAX_CARD_BYTES,
  activeMarkdown,
  assertValidCard,
  cardBytes,
  cardProblems,
  executeActions,
  inputValues,
  markdownTexts,
  minimalFlowDeps,
  readableText,
  stringsOf,
  verbsWithHandlers,
} from '../../testkit/cardChecks';

const CATALOG = TemplateCatalog.fromFile(resolve(__dirname, '../../bot/domain/loaTemplates.json'));
const DEPS = minimalFlowDeps(CATALOG);
const DISTRIBUTOR = templateNamed('Distributor pricing agreement');
const SERVICE_PLAN = templateNamed('EcoStruxure service plan');

function templateNamed(name: string): LoaTemplate {
  const found = CATALOG.templates.find((t) => t.name === name);
  assert.ok(found, `the bundled catalog has "${name}"`);
  return found;
}

function draftOf(template: LoaTemplate, values: Partial<DraftValues> = {}, extra: Partial<Draft> = {}): Draft {
  return { id: 'draft-1', templateId: template.id, values: { ...emptyValues(), ...values }, ...extra };
}

const DISTRIBUTOR_VALUES: Partial<DraftValues> = {
  signerName: 'Jane Customer',
  signerEmail: 'jane.customer@acme.example',
  fields: {
    customerName: 'Acme Distribution SAS',
    accountNumber: '1234567',
    productRange: 'LV',
    discountPercent: '12.5',
    startDate: '2026-04-01',
    endDate: '2027-03-31',
  },
};

const FULL_VALUES: Partial<DraftValues> = {
  ...DISTRIBUTOR_VALUES,
  ccName: 'Carl Copy',
  ccEmail: 'carl.copy@acme.example',
  notifyEnabled: true,
  notifyEmails: 'ana.rep@se.com, sales.ops@se.com',
  emailSubject: 'Your distributor pricing for 2026',
  emailMessage: 'Hello Jane,\nplease sign the attached pricing agreement.',
  fields: { ...DISTRIBUTOR_VALUES.fields, specialTerms: 'Free freight above EUR 10,000 per order.' },
};

function agreementOf(overrides: Partial<Agreement> = {}): Agreement {
  return {
    id: 'AGR-2026-000123',
    templateId: DISTRIBUTOR.id,
    status: 'SENT',
    createdAt: '2026-03-02T09:00:01.234Z',
    signer: { name: 'Jane Customer', email: 'jane.customer@acme.example' },
    cc: { name: 'Carl Copy', email: 'carl.copy@acme.example' },
    formData: [],
    ...overrides,
  };
}

function submissionOf(status: Submission['status'], error?: Partial<SubmissionError>): Submission {
  return {
    draftId: 'draft-1',
    status,
    attempt: 2,
    templateId: DISTRIBUTOR.id,
    repKey: 'tenant:rep',
    startedAt: '2026-03-02T09:00:00.000Z',
    ...(status === 'created' ? { agreement: agreementOf() } : {}),
    ...(error ? { error: { code: 'INTERNAL_ERROR', message: 'Something failed', details: [], retryable: false, ...error } } : {}),
  };
}

interface CardCase {
  name: string;
  render: () => AdaptiveCard;
  /** Text the rep must read on it, proving the variant really rendered. */
  shows: string[];
}

const EVERY_CARD: CardCase[] = [
  { name: 'welcome', render: renderWelcomeCard, shows: ['Send Letters of Agreement from Teams'] },
  { name: 'help without an intro', render: () => renderHelpCard(), shows: ['What you can type', 'send LOA: Start a new Letter of Agreement'] },
  { name: 'help with an intro', render: () => renderHelpCard("I didn't catch that. Here is what I can do."), shows: ["I didn't catch that."] },
  { name: 'notice with a title only', render: () => renderNoticeCard({ title: 'Nothing to cancel' }), shows: ['Nothing to cancel'] },
  {
    name: 'notice with facts and actions',
    render: () =>
      renderNoticeCard({
        title: 'Your LOA was not sent',
        text: 'The LOA service is busy. Press **Retry** in a minute.',
        style: 'attention',
        facts: [{ title: 'Template', value: 'Distributor pricing agreement' }],
        actions: [
          { title: 'Retry', verb: VERBS.sendDraft, data: { draftId: 'draft-1', attempt: '2' } },
          { title: 'Send an LOA', verb: VERBS.start, data: {} },
        ],
      }),
    shows: ['Template: Distributor pricing agreement', 'Press **Retry** in a minute'],
  },
  { name: 'choose template (bundled catalog)', render: () => renderChooseTemplateCard({ draftId: 'draft-1', templates: CATALOG.templates }), shows: CATALOG.templates.map((t) => t.name) },
  ...CATALOG.templates.map((t) => ({ name: `details, empty, for "${t.name}"`, render: () => renderDraftDetailsCard({ template: t, draft: draftOf(t) }), shows: [t.name, 'Step 2 of 3'] })),
  {
    name: 'details with errors',
    render: () => renderDraftDetailsCard({ template: DISTRIBUTOR, draft: draftOf(DISTRIBUTOR), errors: validateDraft(DISTRIBUTOR, emptyValues()) }),
    shows: ['Enter the signer name.', 'Enter the customer legal name.', 'Choose the product range.', 'Fix these 8 fields, then press Review again: Signer name, Signer email'],
  },
  {
    name: 'details with a problem summary',
    render: () =>
      renderDraftDetailsCard({
        template: DISTRIBUTOR,
        draft: draftOf(DISTRIBUTOR, DISTRIBUTOR_VALUES),
        errors: { [formFieldKey('accountNumber')]: 'Unknown account.' },
        problem: 'The LOA service refused some details, and nothing was sent.',
      }),
    shows: ['The LOA service refused some details', 'Unknown account.'],
  },
  {
    name: 'details based on an earlier agreement',
    render: () => renderDraftDetailsCard({ template: DISTRIBUTOR, draft: draftOf(DISTRIBUTOR, FULL_VALUES, { previousAgreementId: 'AGR-2025-000042' }) }),
    shows: ['Based on your earlier LOA, ref AGR202'],
  },
  {
    name: 'review with cc, notifications and an email message',
    render: () => renderReviewDraftCard({ draftId: 'draft-1', template: DISTRIBUTOR, request: toAgreementRequest(DISTRIBUTOR, draftOf(DISTRIBUTOR, FULL_VALUES, { previousAgreementId: 'AGR-2025-000042' })) }),
    shows: ['CC: Carl Copy (carl.copy@acme.example)', 'Notifications: ana.rep@se.com, sales.ops@se.com', 'please sign the attached', 'Based on: Your earlier LOA, ref AGR202'],
  },
  {
    name: 'review without cc, notifications or an email message',
    render: () => renderReviewDraftCard({ draftId: 'draft-1', template: DISTRIBUTOR, request: toAgreementRequest(DISTRIBUTOR, draftOf(DISTRIBUTOR, DISTRIBUTOR_VALUES)) }),
    shows: ['CC: None', 'Notifications: Off', "Email subject: The LOA service's standard subject", 'Product range: Low voltage (Acti9, ComPacT)'],
  },
  {
    name: 'agreement sent',
    render: () => renderAgreementSentCard({ agreement: agreementOf(), templateName: DISTRIBUTOR.name }),
    shows: ['LOA sent', 'Agreement ID: AGR-2026-000123', 'Jane Customer gets an email'],
  },
  { name: 'outcome: created', render: () => renderSubmission(submissionOf('created'), DEPS).card, shows: ['LOA sent'] },
  { name: 'outcome: sending', render: () => renderSubmission(submissionOf('sending'), DEPS).card, shows: ['Sending your LOA…'] },
  {
    name: 'outcome: failed with a 503',
    render: () => renderSubmission(submissionOf('failed', { code: API_ERROR_CODES.unavailable, status: 503, retryable: true }), DEPS).card,
    shows: ['Your LOA was not sent', 'The LOA service is busy'],
  },
  {
    name: 'outcome: unknown',
    render: () => renderSubmission(submissionOf('unknown', { code: 'TIMEOUT' }), DEPS).card,
    shows: ["I couldn't confirm your LOA was sent"],
  },
  {
    name: 'outcome: failed with VALIDATION_ERROR details (the details card again)',
    render: () =>
      renderSubmission(
        submissionOf('failed', {
          code: API_ERROR_CODES.validation,
          status: 400,
          details: [
            { field: 'signer.email', message: 'This domain does not accept email.' },
            { field: 'formData.discountPercent', message: 'Above your approval limit.' },
          ],
        }),
        DEPS,
        { draft: draftOf(DISTRIBUTOR, DISTRIBUTOR_VALUES) },
      ).card,
    shows: ['The LOA service refused some details', 'This domain does not accept email.', 'Above your approval limit.'],
  },
  {
    name: 'outcome: failed with VALIDATION_ERROR details it cannot place on a field',
    render: () =>
      renderSubmission(
        submissionOf('failed', { code: API_ERROR_CODES.validation, status: 400, details: [{ field: 'territory', message: 'Not your territory.' }] }),
        DEPS,
        { draft: draftOf(DISTRIBUTOR, DISTRIBUTOR_VALUES) },
      ).card,
    shows: ['The LOA service refused a detail that is not on this card: Not your territory.'],
  },
  {
    name: 'outcome: refused details for a rep in fr-FR (the card writes numbers their way)',
    render: () =>
      renderSubmission(
        { ...submissionOf('failed', { code: API_ERROR_CODES.validation, status: 400, details: [{ field: 'formData.assetCount', message: 'Above your contract.' }] }), templateId: SERVICE_PLAN.id },
        DEPS,
        { draft: draftOf(SERVICE_PLAN, {}), locale: 'fr-FR' },
      ).card,
    shows: ['Above your contract.'],
  },
  {
    name: 'outcome: failed because the earlier LOA it links to is gone',
    render: () =>
      renderSubmission(
        submissionOf('failed', { code: API_ERROR_CODES.validation, status: 400, details: [{ field: 'previousAgreementId', message: 'does not name an existing agreement of yours' }] }),
        DEPS,
        { draft: draftOf(DISTRIBUTOR, DISTRIBUTOR_VALUES) },
      ).card,
    shows: ['The earlier LOA is gone', "so the two can't be linked. Nothing was sent"],
  },
  {
    name: 'details of a draft started from a deleted LOA',
    render: () => renderDraftDetailsCard({ template: DISTRIBUTOR, draft: draftOf(DISTRIBUTOR, FULL_VALUES), note: 'Filled in from your LOA to *Jane*. That LOA was deleted.' }),
    shows: ['Filled in from your LOA to *Jane*. That LOA was deleted.'],
  },
];

/**
 * A template as large as a catalog may reasonably get: every field type, long labels,
 * patterns, 10 choices, with limits a 40-field form can afford in every language (French cards are the longer).
 */
const FIELD_MAX_LENGTH: Record<FieldType, number> = { text: 60, multiline: 200, email: 100, number: 15, date: 10, choice: 200 };
/** Generous limits that a 40-field template cannot afford within 28 KB. */
const GENEROUS_MAX_LENGTH: Record<FieldType, number> = { text: 100, multiline: 500, email: 254, number: 15, date: 10, choice: 200 };

function generatedTemplate(fieldCount: number, maxLength: Record<FieldType, number> = FIELD_MAX_LENGTH): LoaTemplate {
  const fields = Array.from({ length: fieldCount }, (_, i) => {
    const type = FIELD_TYPES[i % FIELD_TYPES.length]!;
    const label = `${String(i + 1).padStart(2, '0')} ${type} condition agreed with the customer for this project site`.slice(0, 60);
    const patterned = type === 'text' && i % 12 === 0;
    return {
      name: `field${i + 1}`,
      label,
      type,
      required: i % 2 === 0,
      maxLength: maxLength[type],
      ...(patterned ? { pattern: '^[A-Z]{2}-[0-9]{4,10}$', patternHint: 'two capital letters, a dash and 4 to 10 digits, like FR-0012345' } : {}),
      ...(type === 'text' || type === 'email' ? { placeholder: `e.g. the value written on page ${i + 1} of the signed quote` } : {}),
      ...(type === 'number' ? { min: 0, max: 1_000_000_000 } : {}),
      ...(type === 'choice'
        ? { choices: Array.from({ length: 10 }, (_c, k) => ({ title: `Option ${k + 1}: low-voltage range`, value: `OPTION_${k + 1}` })) }
        : {}),
    };
  });
  const catalog = TemplateCatalog.fromJson({
    templates: [{ id: 'generated-40', name: 'Generated template with every field type and long labels', description: 'Size test.'.padEnd(500, '.'), fields }],
  });
  return catalog.templates[0]!;
}

function longText(length: number): string {
  return 'Acme Distribution SAS, 12 rue de la Paix, 75002 Paris, France. '.repeat(Math.ceil(length / 60)).slice(0, length);
}

function longEmail(length: number, n = 0): string {
  const domain = `@example${n}.com`;
  return `${'a'.repeat(length - domain.length)}${domain}`;
}

function maximumValue(template: LoaTemplate, name: string): string {
  const field = template.fields.find((f) => f.name === name)!;
  const max = field.maxLength!;
  switch (field.type) {
    case 'email':
      return longEmail(max);
    case 'number':
      return '9'.repeat(max);
    case 'date':
      return '2026-12-31';
    case 'choice':
      return field.choices!.at(-1)!.value;
    default:
      return longText(max);
  }
}

/** A draft with every value at its longest and an error under every input. */
function largestDraft(template: LoaTemplate): { draft: Draft; errors: FieldErrors } {
  const notifyEmails: string[] = [];
  for (let n = 0; notifyEmails.length < LIMITS.notificationEmails; n++) notifyEmails.push(longEmail(97, n));
  const values: DraftValues = {
    signerName: longText(LIMITS.nameLength),
    signerEmail: longEmail(LIMITS.emailLength),
    ccName: longText(LIMITS.nameLength),
    ccEmail: longEmail(LIMITS.emailLength, 1),
    notifyEnabled: true,
    notifyEmails: notifyEmails.join(', ').slice(0, LIMITS.notifyEmailsLength),
    emailSubject: longText(LIMITS.subjectLength),
    emailMessage: longText(LIMITS.messageLength),
    fields: Object.fromEntries(template.fields.map((f) => [f.name, maximumValue(template, f.name)])),
  };
  const keys = [...TEXT_VALUES, ...template.fields.map((f) => formFieldKey(f.name))];
  const errors = Object.fromEntries(keys.map((key) => [key, `${key} can be at most 200 characters (it has 2000). Shorten it, then press Review again.`]));
  return { draft: draftOf(template, values, { previousAgreementId: 'AGR-2025-000042-LONG-REFERENCE' }), errors };
}

const HOSTILE_VALUES = [
  { name: 'a Markdown link', value: '[x](https://evil.example)' },
  { name: 'bold Markdown', value: '**bold**' },
  { name: 'a template binding', value: '${$root.verbs.sendDraft}' },
  { name: 'a DATE function', value: '{{DATE(2017-02-14T06:08:39Z, SHORT)}}' },
  { name: 'an HTML script', value: '<script>alert(1)</script>' },
  { name: 'JSON-breaking quotes and brackets', value: 'O"Brien"}]}, {"type": "Action.OpenUrl", "url": "https://evil.example"}' },
  { name: 'emoji and right-to-left text', value: 'Zoë 👩🏽‍💼 שלום مرحبا' },
  { name: 'line-start Markdown', value: 'Line one\n# Heading\n- item\n1. numbered\n> quote' },
];

/**
 * Markup that must never take effect when it came from a rep or the API. The DATE pattern
 * names the hostile value's 2017 timestamp: the sent card's own "Sent {{DATE(...)}}" is meant.
 */
const ACTIVE_MARKUP: Array<{ what: string; pattern: RegExp }> = [
  { what: 'a link', pattern: /\[x\]\(/ },
  { what: 'a DATE function', pattern: /\{\{DATE\(2017/ },
  { what: 'bold', pattern: /\*\*bold\*\*/ },
  { what: 'an HTML tag', pattern: /<script/ },
  { what: 'a template binding', pattern: /\$\{/ },
  { what: 'a heading, list or quote', pattern: /^\s*(#|-|\+|>|\d+\.)\s/m },
];

function hostileCards(value: string): Array<{ name: string; card: AdaptiveCard }> {
  const fields = Object.fromEntries(DISTRIBUTOR.fields.map((f) => [f.name, value]));
  const values: DraftValues = {
    signerName: value,
    signerEmail: value,
    ccName: value,
    ccEmail: value,
    notifyEnabled: true,
    notifyEmails: value,
    emailSubject: value,
    emailMessage: value,
    fields,
  };
  const draft = draftOf(DISTRIBUTOR, values, { previousAgreementId: value });
  const errors = { ...validateDraft(DISTRIBUTOR, values), [DRAFT_INPUTS.signerName]: `"${value}" is not a name I can send.` };
  const party = { name: value, email: value };
  const refused = (details: FieldProblem[]) =>
    submissionOf('failed', { code: API_ERROR_CODES.validation, status: 400, message: value, details });
  return [
    { name: 'details', card: renderDraftDetailsCard({ template: DISTRIBUTOR, draft, errors, problem: `The LOA service refused: ${value}` }) },
    { name: 'review', card: renderReviewDraftCard({ draftId: draft.id, template: DISTRIBUTOR, request: toAgreementRequest(DISTRIBUTOR, draft) }) },
    { name: 'sent', card: renderAgreementSentCard({ agreement: agreementOf({ id: value, status: value, signer: party, cc: party }), templateName: value }) },
    { name: 'notice', card: renderNoticeCard({ title: 'Your LOA was not sent', text: 'Nothing was sent.', facts: [{ title: 'Template', value }] }) },
    { name: 'failed outcome', card: renderSubmission(refused([]), DEPS).card },
    // The API's own sentence is quoted on the card, and it may repeat what the rep typed.
    { name: 'refused-details outcome', card: renderSubmission(refused([{ field: value, message: `Refused: ${value}` }]), DEPS, { draft }).card },
  ];
}

describe('cards', () => {
  describe('the card checks', () => {
    const card = (body: unknown[], actions: unknown[] = [], version = '1.5'): AdaptiveCard => ({ type: 'AdaptiveCard', version, body, actions });
    const text = { type: 'TextBlock', text: 'Hello', wrap: true };

    it('pass a plain card', () => {
      assert.deepEqual(cardProblems(card([text], [{ type: 'Action.Execute', title: 'Go', verb: VERBS.start, data: {} }])), []);
    });

    it('reject an element the official parser does not know', () => {
      assert.match(cardProblems(card([{ type: 'Bogus' }])).join('\n'), /UnknownElementType/);
    });

    it('reject an action type the official parser does not know', () => {
      assert.match(cardProblems(card([], [{ type: 'Action.Bogus', title: 'x' }])).join('\n'), /UnknownActionType/);
    });

    it('reject a value the parser reports as invalid', () => {
      assert.match(cardProblems(card([{ ...text, size: 'Huge' }])).join('\n'), /InvalidPropertyValue/);
    });

    it('reject a required input without a label or error message', () => {
      const problems = cardProblems(card([{ type: 'Input.Text', id: 'a', isRequired: true }])).join('\n');
      assert.match(problems, /RequiredInputsShouldHaveLabel/);
      assert.match(problems, /RequiredInputsShouldHaveErrorMessage/);
    });

    it('reject two inputs with the same id', () => {
      assert.match(cardProblems(card([{ type: 'Input.Text', id: 'a' }, { type: 'Input.Text', id: 'a' }])).join('\n'), /DuplicateId/);
    });

    it('reject a property the parser silently ignores', () => {
      assert.match(cardProblems(card([{ type: 'Input.Text', id: 'a', isMultiLine: true }])).join('\n'), /isMultiLine = true is ignored/);
      assert.match(cardProblems(card([{ type: 'Input.Text', id: 'a', maxLength: '20' }])).join('\n'), /maxLength = "20" is ignored/);
    });

    it('reject a string that still holds a template binding', () => {
      assert.match(cardProblems(card([{ ...text, text: 'Hello ${signerName}' }])).join('\n'), /binding: \$\.body\[0\]\.text/);
    });

    it('accept a binding-like string only when it is a value the rep typed', () => {
      const input = card([{ type: 'Input.Text', id: 'a', value: '${x}' }]);
      assert.notDeepEqual(cardProblems(input), []);
      assert.deepEqual(cardProblems(input, { literalValues: ['${x}'] }), []);
    });

    for (const version of ['1.6', '1.10', '2.0', 'latest']) {
      it(`reject version ${version}`, () => {
        assert.match(cardProblems(card([text], [], version)).join('\n'), /version:/);
      });
    }

    it('accept version 1.4, compared as numbers', () => {
      assert.deepEqual(cardProblems(card([text], [], '1.4')), []);
    });

    it(`reject a card of ${MAX_CARD_BYTES} bytes or more`, () => {
      assert.match(cardProblems(card([{ ...text, text: 'x'.repeat(MAX_CARD_BYTES) }])).join('\n'), /size: \d+ bytes/);
    });

    it('reject an Action.Execute whose verb is not one of VERBS', () => {
      assert.match(cardProblems(card([], [{ type: 'Action.Execute', title: 'Go', verb: 'loa.bogus', data: { draftId: 'd' } }])).join('\n'), /not in VERBS/);
    });

    it('reject an Action.Execute whose verb has no handler', () => {
      const withoutSend = new Set(ALL_VERBS.filter((v) => v !== VERBS.sendDraft));
      const send = card([], [{ type: 'Action.Execute', title: 'Send', verb: VERBS.sendDraft, data: { draftId: 'd' } }]);
      assert.match(cardProblems(send, { handledVerbs: withoutSend }).join('\n'), /no flow handles/);
    });

    it('reject a draft action without a draftId, also inside an action set', () => {
      const problems = cardProblems(card([{ type: 'ActionSet', actions: [{ type: 'Action.Execute', title: 'Edit', verb: VERBS.editDraft, data: {} }] }])).join('\n');
      assert.match(problems, /acts on a draft but its data carries no draftId/);
    });
  });

  it('has a flow handler for every verb', () => {
    assert.deepEqual([...verbsWithHandlers()].sort(), [...ALL_VERBS].sort());
  });

  describe('every card the bot can send', () => {
    for (const c of EVERY_CARD) {
      it(`renders the ${c.name} card so the official parser accepts it and the bot answers its buttons`, () => {
        const card = c.render();
        assertValidCard(card);
        const shown = readableText(card);
        for (const s of c.shows) assert.ok(shown.includes(s), `expected "${s}" on the card; it reads:\n${shown}`);
      });
    }

    it('offers one button per bundled template, each naming its template', () => {
      const card = renderChooseTemplateCard({ draftId: 'draft-1', templates: CATALOG.templates });
      const picks = executeActions(card).filter((a) => a.verb === VERBS.chooseTemplate);
      assert.deepEqual(
        picks.map((a) => a.data),
        CATALOG.templates.map((t) => ({ draftId: 'draft-1', templateId: t.id })),
      );
    });

    it("writes the rules on a refused-details card in the rep's locale, as the details card does", () => {
      const refusal = { ...submissionOf('failed', { code: API_ERROR_CODES.validation, status: 400, details: [{ field: 'formData.assetCount', message: 'Above your contract.' }] }), templateId: SERVICE_PLAN.id };
      const labelIn = (locale: string, label: string) => {
        const card = renderSubmission(refusal, DEPS, { draft: draftOf(SERVICE_PLAN, {}), locale }).card;
        return JSON.stringify(card).match(new RegExp(`${label} \u2014[^"]*`))?.[0];
      };
      assert.equal(labelIn('fr-FR', 'Nombre d’équipements couverts'), 'Nombre d’équipements couverts \u2014 1 à 10\u202f000');
      assert.equal(labelIn('en-US', 'Number of covered assets'), 'Number of covered assets \u2014 1 to 10,000');
    });

    it('keeps the failed outcome retryable on the attempt it showed', () => {
      const card = renderSubmission(submissionOf('failed', { code: API_ERROR_CODES.unavailable, status: 503, retryable: true }), DEPS).card;
      const retry = executeActions(card).find((a) => a.title === 'Retry');
      assert.deepEqual(retry?.data, { draftId: 'draft-1', attempt: '2' });
    });
  });

  describe('a 40-field template', () => {
    const template = generatedTemplate(40);
    const { draft, errors } = largestDraft(template);

    it('uses every field type, long labels, patterns and 10 choices', () => {
      assert.equal(template.fields.length, 40);
      assert.deepEqual(new Set(template.fields.map((f) => f.type)), new Set(FIELD_TYPES));
      assert.ok(template.fields.every((f) => f.label.length === 60));
      assert.ok(template.fields.some((f) => f.pattern && f.patternHint));
      assert.ok(template.fields.filter((f) => f.type === 'choice').every((f) => f.choices?.length === 10));
      for (const f of template.fields.filter((x) => x.type !== 'date' && x.type !== 'choice')) {
        assert.equal([...(draft.values.fields[f.name] ?? '')].length, f.maxLength, `${f.name} holds as much as the bot accepts`);
      }
    });

    it('keeps the details card for a 40-field template under 28 KB', () => {
      const card = renderDraftDetailsCard({ template, draft, errors });
      const errorLines = JSON.stringify(card).match(/"color":"attention"/g) ?? [];
      assert.equal(errorLines.length, Object.keys(errors).length, 'an error under every input');
      assert.ok(cardBytes(card) < MAX_CARD_BYTES, `the details card is ${cardBytes(card)} bytes of JSON; Teams refuses ${MAX_CARD_BYTES} or more`);
      assertValidCard(card);
    });

    it('keeps the review card for a 40-field template under 28 KB', () => {
      const card = renderReviewDraftCard({ draftId: draft.id, template, request: toAgreementRequest(template, draft) });
      assert.equal(markdownTexts(card).filter((t) => /^\d\d /.test(t.text)).length, 40, 'a fact for every field');
      assert.ok(cardBytes(card) < MAX_CARD_BYTES, `the review card is ${cardBytes(card)} bytes of JSON; Teams refuses ${MAX_CARD_BYTES} or more`);
      assertValidCard(card);
    });

    it('shortens long errors, never the values, when every input has one', () => {
      const long = Object.fromEntries(Object.keys(errors).map((id) => [id, `${'This value is wrong in a long-winded way. '.repeat(5)}`]));
      const card = renderDraftDetailsCard({ template, draft, errors: long });
      assert.ok(cardBytes(card) < MAX_CARD_BYTES, `${cardBytes(card)} bytes`);
      const inputs = JSON.stringify(card);
      for (const f of template.fields.filter((x) => x.type === 'text' || x.type === 'multiline')) {
        assert.ok(inputs.includes(JSON.stringify(draft.values.fields[f.name])), `${f.name} keeps its whole value`);
      }
    });

    it('lets a 40-field template with these limits through the startup check', () => {
      assert.deepEqual(templatesTooLargeForTeams(new TemplateCatalog([template])), []);
    });

    it('refuses at startup a template whose cards could outgrow what Teams accepts, saying what to change', () => {
      const generous = generatedTemplate(40, GENEROUS_MAX_LENGTH);
      const problems = templatesTooLargeForTeams(new TemplateCatalog([generous]));
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /template "Generated template with every field type and long labels" .* KB card, over the 27 KB Teams allows: lower its fields' maxLength/);
    });

    it('passes the bundled catalog through the startup check', () => {
      assert.deepEqual(templatesTooLargeForTeams(TemplateCatalog.fromFile(resolve(__dirname, '../../bot/domain/loaTemplates.json'))), []);
    });
  });

  describe('rep-supplied text', () => {
    for (const hostile of HOSTILE_VALUES) {
      describe(`with ${hostile.name}`, () => {
        for (const { name, card } of hostileCards(hostile.value)) {
          it(`shows it on the ${name} card as text, never as markup`, () => {
            assertValidCard(card, { literalValues: [hostile.value] });
            for (const t of markdownTexts(card)) {
              for (const markup of ACTIVE_MARKUP) {
                assert.doesNotMatch(activeMarkdown(t.text), markup.pattern, `${t.path} makes ${markup.what} of rep text: ${JSON.stringify(t.text)}`);
              }
            }
            assert.ok(readableText(card).includes(hostile.value), `the rep reads the value as typed; the card reads:\n${readableText(card)}`);
            const verbs = new Set<string>(ALL_VERBS);
            const expanded = stringsOf(card).filter((s) => !s.path.endsWith('.verb') && [...verbs].some((v) => s.text.includes(v)));
            assert.deepEqual(expanded, [], 'no rep text expands to a verb');
          });
        }

        it('keeps the raw value in every input of the details card', () => {
          const details = hostileCards(hostile.value).find((c) => c.name === 'details')!.card;
          const inputs = inputValues(details);
          const textInputs = [
            DRAFT_INPUTS.signerName,
            DRAFT_INPUTS.signerEmail,
            DRAFT_INPUTS.ccName,
            DRAFT_INPUTS.ccEmail,
            DRAFT_INPUTS.notifyEmails,
            DRAFT_INPUTS.emailSubject,
            DRAFT_INPUTS.emailMessage,
            ...DISTRIBUTOR.fields.filter((f) => f.type !== 'number').map((f) => formFieldId(f.name)),
          ];
          for (const id of textInputs) assert.equal(inputs.get(id)?.value, hostile.value, `input ${id}`);
          for (const f of DISTRIBUTOR.fields.filter((x) => x.type === 'number')) {
            assert.equal(inputs.get(formFieldId(f.name))?.value, undefined, `number input ${f.name} shows no value it cannot hold`);
          }
        });
      });
    }
  });
});
