import { emptyValues, toAgreementRequest } from '../bot/domain/draft';
import { LANGUAGES } from '../bot/i18n';
import { INPUT_MAX_LENGTH } from './draftInputs';
import type { Draft, FieldErrors } from '../bot/domain/draft';
import { maxLengthOf } from '../bot/domain/templateCatalog';
import type { LoaTemplate, TemplateCatalog } from '../bot/domain/templateCatalog';
import { CARD_BUDGET_BYTES, renderDraftDetailsCard } from './draftDetails';
import { renderReviewDraftCard } from './reviewDraft';

/** Room kept free in the details card for one short error under every input. */
const ERROR_RESERVE_BYTES_PER_INPUT = 70;

/**
 * The largest draft a rep can make with a template: every input at its longest kept value,
 * made of a character that escaping doubles.
 */
function largestDraft(template: LoaTemplate): Draft {
  const fill = (n: number) => '*'.repeat(n);
  const email = (n: number) => `${'a'.repeat(Math.max(1, n - 12))}@example.com`.slice(0, n);
  const values = {
    ...emptyValues(),
    signerName: fill(INPUT_MAX_LENGTH.signerName ?? 0),
    signerEmail: email(INPUT_MAX_LENGTH.signerEmail ?? 0),
    ccName: fill(INPUT_MAX_LENGTH.ccName ?? 0),
    ccEmail: email(INPUT_MAX_LENGTH.ccEmail ?? 0),
    notifyEnabled: true,
    notifyEmails: fill(INPUT_MAX_LENGTH.notifyEmails ?? 0),
    emailSubject: fill(INPUT_MAX_LENGTH.emailSubject ?? 0),
    emailMessage: fill(INPUT_MAX_LENGTH.emailMessage ?? 0),
    fields: Object.fromEntries(template.fields.map((f) => [f.name, f.type === 'choice' ? (f.choices?.at(-1)?.value ?? '') : fill(maxLengthOf(f))])),
  };
  return { id: '00000000-0000-0000-0000-000000000000', templateId: template.id, values, previousAgreementId: '00000000-0000-0000-0000-000000000000' };
}

/**
 * Bytes of the largest details and review cards a template can produce, in whichever language
 * makes them largest, and the details card's error reserve.
 */
export function largestCardBytes(template: LoaTemplate): { details: number; review: number; errorReserve: number } {
  const draft = largestDraft(template);
  const noErrors: FieldErrors = {};
  const bytes = (card: object) => Buffer.byteLength(JSON.stringify(card));
  const details = Math.max(...LANGUAGES.map((locale) => bytes(renderDraftDetailsCard({ template, draft, errors: noErrors, locale }))));
  const review = Math.max(...LANGUAGES.map((locale) => bytes(renderReviewDraftCard({ draftId: draft.id, template, request: toAgreementRequest(template, draft), locale }))));
  const inputs = Object.keys(INPUT_MAX_LENGTH).length + template.fields.length;
  return { details, review, errorReserve: inputs * ERROR_RESERVE_BYTES_PER_INPUT };
}

/**
 * Templates whose cards could outgrow what Teams accepts, each with what to change.
 * Checked at startup, so a rep never meets a card Teams refuses.
 */
export function templatesTooLargeForTeams(catalog: TemplateCatalog): string[] {
  return catalog.templates.flatMap((t) => {
    const { details, review, errorReserve } = largestCardBytes(t);
    const worst = Math.max(details + errorReserve, review);
    if (worst <= CARD_BUDGET_BYTES) return [];
    return [`template "${t.name}" (${t.id}) can produce a ${Math.ceil(worst / 1024)} KB card, over the ${CARD_BUDGET_BYTES / 1024} KB Teams allows: lower its fields' maxLength, remove fields or split it`];
  });
}
