import { defaultRef } from '../bot/domain/agreementRef';
import { DRAFT_INPUTS, LIMITS, formFieldId } from '../bot/domain/draft';
import type { Draft, FieldErrors } from '../bot/domain/draft';
import { maxLengthOf } from '../bot/domain/templateCatalog';
import type { LoaTemplate, TemplateField } from '../bot/domain/templateCatalog';
import { escapeMarkdown } from '../bot/domain/text';
import { compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './draftDetails.json';

export interface DraftDetailsCardData {
  template: LoaTemplate;
  draft: Draft;
  /** Input id -> message, shown under the input. */
  errors?: FieldErrors;
  /** Shown above the form, e.g. when the API refused a field. */
  problem?: string;
}

interface InputModel {
  id: string;
  label: string;
  value: string;
  error: string | null;
  maxLength: number;
  placeholder: string | null;
}

const render = compileCard<object>(template);

/** Longest error shown under an input; API messages can be any length. */
export const MAX_ERROR_CHARS = 200;

function shortened(message: string, max: number): string {
  const chars = [...message];
  return chars.length <= max ? message : `${chars.slice(0, max - 1).join('')}…`;
}

/** Teams refuses a message over 28 KB; the margin leaves room for the activity around the card. */
export const CARD_BUDGET_BYTES = 27 * 1024;

/**
 * The details form, with each error under its input. Should many long errors push the
 * card past what Teams accepts, they are shortened (and at worst reduced to a marker),
 * never the rep's values.
 */
export function renderDraftDetailsCard(data: DraftDetailsCardData): AdaptiveCard {
  let card = renderDetails(data, (m) => shortened(m, MAX_ERROR_CHARS));
  for (const shorten of [(m: string) => shortened(m, 60), () => 'Check this field.']) {
    if (Buffer.byteLength(JSON.stringify(card)) <= CARD_BUDGET_BYTES) break;
    card = renderDetails(data, shorten);
  }
  return card;
}

function renderDetails({ template: loaTemplate, draft, errors = {}, problem }: DraftDetailsCardData, shorten: (message: string) => string): AdaptiveCard {
  const v = draft.values;
  const error = (id: string) => (errors[id] ? escapeMarkdown(shorten(errors[id])) : null);
  const text = (id: string, label: string, value: string, maxLength: number, extra: Partial<InputModel> & Record<string, unknown> = {}) => ({
    id,
    label,
    value,
    error: error(id),
    maxLength,
    placeholder: null,
    style: null,
    required: null,
    requiredMessage: null,
    startsCc: false,
    ...extra,
  });
  const errorCount = Object.keys(errors).length;
  const summary = problem ?? (errorCount > 0 ? `Check the ${errorCount === 1 ? 'highlighted field' : `${errorCount} highlighted fields`} below, then press Review again.` : '');
  return render({
    draftId: draft.id,
    templateName: escapeMarkdown(loaTemplate.name),
    basedOn: draft.previousAgreementId ? escapeMarkdown(`Based on your earlier LOA, ref ${defaultRef(draft.previousAgreementId)}`) : '',
    problemSummary: escapeMarkdown(summary),
    partyInputs: [
      text(DRAFT_INPUTS.signerName, 'Signer name', v.signerName, LIMITS.nameLength, { required: true, requiredMessage: 'Required.' }),
      text(DRAFT_INPUTS.signerEmail, 'Signer email', v.signerEmail, LIMITS.emailLength, { required: true, style: 'email', placeholder: 'name@company.com', requiredMessage: 'Required.', startsCc: true }),
      text(DRAFT_INPUTS.ccName, 'CC name', v.ccName, LIMITS.nameLength),
      text(DRAFT_INPUTS.ccEmail, 'CC email', v.ccEmail, LIMITS.emailLength, { style: 'email', placeholder: 'name@company.com' }),
    ],
    formInputs: loaTemplate.fields.map((f) => formInput(f, v.fields[f.name] ?? '', error(formFieldId(f.name)))),
    notify: { enabled: v.notifyEnabled ? 'true' : 'false' },
    messageInputs: [
      text(DRAFT_INPUTS.notifyEmails, 'Emails to notify (separate with commas)', v.notifyEmails, LIMITS.notifyEmailsLength, { style: 'email', multiline: false }),
      text(DRAFT_INPUTS.emailSubject, 'Email subject (optional, replaces the default)', v.emailSubject, LIMITS.subjectLength, { multiline: false }),
      text(DRAFT_INPUTS.emailMessage, 'Email message (optional, replaces the default)', v.emailMessage, LIMITS.messageLength, { multiline: true }),
    ],
  });
}

function formInput(field: TemplateField, value: string, error: string | null) {
  const numberValue = field.type === 'number' && value !== '' && Number.isFinite(Number(value)) ? Number(value) : null;
  return {
    id: formFieldId(field.name),
    type: field.type,
    label: field.required ? field.label : `${field.label} (optional)`,
    required: field.required || null,
    requiredMessage: field.required ? 'Required.' : null,
    maxLength: maxLengthOf(field),
    // Client-side hint only; the server checks the pattern again.
    regex: field.pattern ?? null,
    style: field.type === 'email' ? 'email' : null,
    placeholder: field.placeholder ?? null,
    min: field.min ?? null,
    max: field.max ?? null,
    choices: (field.choices ?? []).map((c) => ({ title: c.title, value: c.value })),
    value,
    numberValue,
    hint: field.patternHint ? escapeMarkdown(`Format: ${field.patternHint}`) : null,
    error,
  };
}
