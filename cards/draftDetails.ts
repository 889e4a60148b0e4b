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

export function renderDraftDetailsCard({ template: loaTemplate, draft, errors = {}, problem }: DraftDetailsCardData): AdaptiveCard {
  const v = draft.values;
  const error = (id: string) => (errors[id] ? escapeMarkdown(errors[id]) : null);
  const text = (id: string, label: string, value: string, maxLength: number, extra: Partial<InputModel> & Record<string, unknown> = {}) => ({
    id,
    label,
    value,
    error: error(id),
    maxLength,
    placeholder: null,
    style: null,
    required: false,
    requiredMessage: null,
    startsCc: false,
    ...extra,
  });
  const errorCount = Object.keys(errors).length;
  const summary = problem ?? (errorCount > 0 ? `Check the ${errorCount === 1 ? 'highlighted field' : `${errorCount} highlighted fields`} below, then press Review again.` : '');
  return render({
    draftId: draft.id,
    templateName: escapeMarkdown(loaTemplate.name),
    basedOn: draft.previousAgreementId ? escapeMarkdown(`Based on agreement ${draft.previousAgreementId}`) : '',
    problemSummary: escapeMarkdown(summary),
    partyInputs: [
      text(DRAFT_INPUTS.signerName, 'Signer name', v.signerName, LIMITS.nameLength, { required: true, requiredMessage: "Enter the signer's name." }),
      text(DRAFT_INPUTS.signerEmail, 'Signer email', v.signerEmail, LIMITS.emailLength, { required: true, style: 'email', placeholder: 'name@company.com', requiredMessage: "Enter the signer's email.", startsCc: true }),
      text(DRAFT_INPUTS.ccName, 'CC name', v.ccName, LIMITS.nameLength),
      text(DRAFT_INPUTS.ccEmail, 'CC email', v.ccEmail, LIMITS.emailLength, { style: 'email', placeholder: 'name@company.com' }),
    ],
    formInputs: loaTemplate.fields.map((f) => formInput(f, v.fields[f.name] ?? '', error(formFieldId(f.name)))),
    notify: { enabled: v.notifyEnabled ? 'true' : 'false' },
    messageInputs: [
      text(DRAFT_INPUTS.notifyEmails, 'Emails to notify (separate with commas)', v.notifyEmails, 2000, { style: 'email', multiline: false }),
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
    required: field.required,
    requiredMessage: field.required ? `Enter ${field.label}.` : null,
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
