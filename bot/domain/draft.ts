import type { AgreementRequest, Party } from './agreement';
import { translatorFor } from '../i18n';
import { earlierField, fieldName, fieldNoun, fixedLabel, fixedLabelOf, formatWords, rangeOf } from './fieldRules';
import { formatDate, formatNumber } from './format';
import { localizedTemplate, maxLengthOf } from './templateCatalog';
import type { LoaTemplate, TemplateField } from './templateCatalog';
import { CONTROL_CHARACTERS } from './text';

export const LIMITS = {
  nameLength: 200,
  emailLength: 254,
  subjectLength: 200,
  messageLength: 1000,
  notificationEmails: 20,
  /** The typed list of notification emails. */
  notifyEmailsLength: 1000,
} as const;

/** The draft's own values that are typed as text, in the order a form shows them. */
export const TEXT_VALUES = ['signerName', 'signerEmail', 'ccName', 'ccEmail', 'notifyEmails', 'emailSubject', 'emailMessage'] as const;
export type TextValue = (typeof TEXT_VALUES)[number];

/** The most characters kept of each text value; template fields have their own `maxLength`. */
export const VALUE_MAX_LENGTH: Record<TextValue, number> = {
  signerName: LIMITS.nameLength,
  signerEmail: LIMITS.emailLength,
  ccName: LIMITS.nameLength,
  ccEmail: LIMITS.emailLength,
  notifyEmails: LIMITS.notifyEmailsLength,
  emailSubject: LIMITS.subjectLength,
  emailMessage: LIMITS.messageLength,
};

/** How a template field is named where problems are keyed: as the agreement's `formData` path. */
export function formFieldKey(name: string): string {
  return `formData.${name}`;
}

/** Where the API's field path for a problem lands in the draft: a text value or a template field, if any. */
export function draftKeyOfApiField(field: string): string | undefined {
  const fixed: Record<string, TextValue> = {
    'signer.name': 'signerName',
    'signer.email': 'signerEmail',
    signer: 'signerEmail',
    'cc.name': 'ccName',
    'cc.email': 'ccEmail',
    cc: 'ccEmail',
    'notification.emails': 'notifyEmails',
    emailSubject: 'emailSubject',
    emailMessage: 'emailMessage',
  };
  if (fixed[field]) return fixed[field];
  const form = /^formData\.([A-Za-z][A-Za-z0-9_]*)/.exec(field);
  return form?.[1] ? formFieldKey(form[1]) : undefined;
}

/** What the rep calls a draft value or template field, in their language, for messages that name it. */
export function labelOfField(template: LoaTemplate, key: string, locale = 'en-US'): string {
  return fixedLabelOf(key, locale) ?? localizedTemplate(template, locale).fields.find((f) => formFieldKey(f.name) === key)?.label ?? key;
}

/** What the rep typed, exactly as typed, so a card can show it again. */
export interface DraftValues {
  signerName: string;
  signerEmail: string;
  ccName: string;
  ccEmail: string;
  notifyEnabled: boolean;
  notifyEmails: string;
  emailSubject: string;
  emailMessage: string;
  /** Template field name -> value. */
  fields: Record<string, string>;
}

/**
 * What a draft started from one typed sentence was given, so that its details card marks each
 * value "from your message" until the rep reviews it. Kept per candidate template, so that a
 * template chosen afterwards still gets its fields.
 */
export interface SentencePrefill {
  /** Candidate template id -> its fields the sentence filled, in DraftValues form. */
  fieldsByTemplate: Record<string, Record<string, string>>;
  /** Candidate template id -> the parts of the sentence that template could not place. */
  notUnderstoodByTemplate: Record<string, string[]>;
  /** Parts no template could place; shown when the sentence named no template. */
  notUnderstood: string[];
  /** How ambiguous or partial dates were read, in the rep's words. */
  readings: string[];
  /** The draft's own values the sentence filled (signerName, ccEmail, …). */
  filled: TextValue[];
}

/** An LOA being prepared in a conversation. */
export interface Draft {
  id: string;
  /** The rep key of the rep who started it: only they may act on its cards. */
  owner?: string;
  templateId: string;
  values: DraftValues;
  previousAgreementId?: string;
  /** Started from a typed sentence: what it filled, until the rep first reviews. */
  fromMessage?: SentencePrefill;
}

/** Problem -> message for the rep, keyed by text value (`signerName`) or by `formFieldKey(name)`. */
export type FieldErrors = Record<string, string>;

export function emptyValues(): DraftValues {
  return { signerName: '', signerEmail: '', ccName: '', ccEmail: '', notifyEnabled: false, notifyEmails: '', emailSubject: '', emailMessage: '', fields: {} };
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/u;
const NUMBER = /^-?\d+(\.\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isEmail(value: string): boolean {
  // EMAIL excludes white space but not NUL, BEL or other control codes.
  return value.length <= LIMITS.emailLength && EMAIL.test(value) && !CONTROL_CHARACTERS.test(value);
}

function isRealDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** Splits a typed list of emails on commas, semicolons and white space. */
export function splitEmails(value: string): string[] {
  return value.split(/[\s,;]+/u).filter((e) => e.length > 0);
}

/**
 * Every problem with the draft, keyed as `FieldErrors` are; empty when it can be sent. Each message
 * names its field and says what to enter; numbers and dates in it are written for `locale`.
 */
export function validateDraft(loaTemplate: LoaTemplate, values: DraftValues, locale = 'en-US'): FieldErrors {
  const template = localizedTemplate(loaTemplate, locale);
  const t = translatorFor(locale);
  const label = (input: Parameters<typeof fixedLabel>[0]) => fixedLabel(input, locale);
  const errors: FieldErrors = {};
  const check = (id: string, message: string | undefined) => {
    if (message && !errors[id]) errors[id] = message;
  };
  check('signerName', requiredText(label('signerName'), values.signerName, LIMITS.nameLength, locale));
  check('signerEmail', emailProblem(label('signerEmail'), values.signerEmail, true, locale));
  if (values.ccName !== '' || values.ccEmail !== '') {
    const ccName = fieldNoun(label('ccName'), locale);
    const ccEmail = fieldNoun(label('ccEmail'), locale);
    check('ccName', values.ccName ? optionalText(label('ccName'), values.ccName, LIMITS.nameLength, false, locale) : t('rules:problem.alsoEnter', { field: ccName, other: ccEmail }));
    check('ccEmail', values.ccEmail ? emailProblem(label('ccEmail'), values.ccEmail, true, locale) : t('rules:problem.alsoEnter', { field: ccEmail, other: ccName }));
  }
  if (values.notifyEnabled) check('notifyEmails', notifyProblem(values.notifyEmails, locale));
  check('emailSubject', optionalText(label('emailSubject'), values.emailSubject, LIMITS.subjectLength, false, locale));
  check('emailMessage', optionalText(label('emailMessage'), values.emailMessage, LIMITS.messageLength, true, locale));
  for (const field of template.fields) {
    check(formFieldKey(field.name), fieldProblem(field, values.fields[field.name] ?? '', locale));
  }
  for (const field of template.fields) {
    const before = earlierField(template, field);
    const value = values.fields[field.name] ?? '';
    const beforeValue = before ? (values.fields[before.name] ?? '') : '';
    // ISO dates compare correctly as strings; only real dates reach here without an error.
    if (before && isRealDate(value) && isRealDate(beforeValue) && value <= beforeValue) {
      check(formFieldKey(field.name), t('rules:problem.notAfter', { label: fieldName(field.label, locale), before: fieldNoun(before.label, locale), date: formatDate(beforeValue, locale) }));
    }
  }
  return errors;
}

function notifyProblem(typed: string, locale: string): string | undefined {
  const t = translatorFor(locale);
  const emails = splitEmails(typed);
  if (emails.length === 0) return t('rules:problem.notifyNone');
  if (emails.length > LIMITS.notificationEmails) return t('rules:problem.notifyTooMany', { max: LIMITS.notificationEmails });
  const bad = emails.find((e) => !isEmail(e));
  return bad === undefined ? undefined : t('rules:problem.notifyNotEmail', { email: bad });
}

function requiredText(label: string, value: string, max: number, locale: string): string | undefined {
  if (value === '') return translatorFor(locale)('rules:check.enter', { field: fieldNoun(label, locale) });
  return optionalText(label, value, max, false, locale);
}

function optionalText(label: string, value: string, max: number, multiline: boolean, locale: string): string | undefined {
  const t = translatorFor(locale);
  const length = [...value].length;
  if (length > max) return t('rules:problem.tooLong', { label: fieldName(label, locale), max, length });
  if (CONTROL_CHARACTERS.test(value) || (!multiline && /[\r\n\t]/u.test(value))) return t('rules:problem.badCharacters', { label: fieldName(label, locale) });
  return undefined;
}

function emailProblem(label: string, value: string, required: boolean, locale: string): string | undefined {
  const t = translatorFor(locale);
  if (value === '') return required ? t('rules:check.enter', { field: fieldNoun(label, locale) }) : undefined;
  if (!isEmail(value)) return t('rules:check.email', { field: fieldNoun(label, locale) });
  return undefined;
}

function fieldProblem(field: TemplateField, value: string, locale: string): string | undefined {
  const t = translatorFor(locale);
  const { label } = field;
  const noun = fieldNoun(label, locale);
  if (value === '') {
    if (!field.required) return undefined;
    return field.type === 'choice' ? t('rules:check.choose', { field: noun }) : t('rules:check.enter', { field: noun });
  }
  const tooLong = optionalText(label, value, maxLengthOf(field), field.type === 'multiline', locale);
  if (tooLong) return tooLong;
  switch (field.type) {
    case 'email':
      return emailProblem(label, value, false, locale);
    case 'number': {
      if (!NUMBER.test(value)) return t('rules:problem.notNumber', { field: noun, example: formatNumber('12.5', locale) });
      const n = Number(value);
      const outside = (field.min !== undefined && n < field.min) || (field.max !== undefined && n > field.max);
      // The typed value stays as typed: the rep sees it, and this message, and decides.
      if (outside) return t('rules:problem.outOfRange', { label: fieldName(label, locale), range: rangeOf(field, locale) ?? '', value: formatNumber(value, locale) });
      break;
    }
    case 'date':
      if (!isRealDate(value)) return t('rules:problem.notDate', { field: noun });
      break;
    case 'choice':
      if (!field.choices?.some((c) => c.value === value)) return t('rules:problem.notChoice', { field: noun });
      break;
    default:
      break;
  }
  if (field.pattern && !new RegExp(field.pattern, 'u').test(value)) return t('rules:problem.notPattern', { field: noun, format: formatWords(field, locale), value });
  return undefined;
}

/** The API request for a draft that passed validation. */
export function toAgreementRequest(template: LoaTemplate, draft: Draft): AgreementRequest {
  const v = draft.values;
  const cc: Party | undefined = v.ccEmail ? { name: v.ccName, email: v.ccEmail } : undefined;
  return {
    templateId: template.id,
    signer: { name: v.signerName, email: v.signerEmail },
    ...(cc ? { cc } : {}),
    formData: template.fields.filter((f) => (v.fields[f.name] ?? '') !== '').map((f) => ({ name: f.name, value: v.fields[f.name] ?? '' })),
    ...(v.notifyEnabled ? { notification: { isEnabled: true, emails: splitEmails(v.notifyEmails) } } : {}),
    ...(v.emailSubject ? { emailSubject: v.emailSubject } : {}),
    ...(v.emailMessage ? { emailMessage: v.emailMessage } : {}),
    ...(draft.previousAgreementId ? { previousAgreementId: draft.previousAgreementId } : {}),
  };
}
