/**
 * Validation of POST /loa/v1/agreements as the sandbox enforces it. It is stricter than the
 * real API is known to be, on purpose: a request the bot gets wrong should fail here, locally,
 * with every problem named by field, instead of being half-accepted in production.
 */
import type { FormValue, NotificationSettings, Party } from '../../../bot/domain/agreement';
import type { FieldProblem } from '../../../bot/loa/contract';
import type { LoaTemplate, TemplateCatalog, TemplateField } from '../../../bot/domain/templateCatalog';
import { maxLengthOf } from '../../../bot/domain/templateCatalog';
import type { AcceptedAgreement } from './agreementStore';

export const LIMITS = {
  partyName: 200,
  email: 254,
  notificationEmails: 20,
  emailSubject: 200,
  emailMessage: 5000,
} as const;

// Same pattern as ajv-formats' "email" format, so every address the sandbox accepts also
// passes `format: email` in bot/loa/openapi.yaml.
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

export function isEmail(value: string): boolean {
  return value.length <= LIMITS.email && EMAIL.test(value);
}

const KNOWN_FIELDS = new Set(['templateId', 'signer', 'cc', 'formData', 'notification', 'emailSubject', 'emailMessage', 'previousAgreementId']);
const MULTILINE_WHITESPACE = new Set([0x09, 0x0a, 0x0d]);

/** C0 and C1 control characters; tab, CR and LF only where multi-line text is allowed. */
function hasControlCharacters(value: string, allowMultiline: boolean): boolean {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    if (control && !(allowMultiline && MULTILINE_WHITESPACE.has(code))) return true;
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

export interface ValidationContext {
  catalog: TemplateCatalog;
  /** True when `id` names a live agreement of the caller. */
  ownsAgreement(id: string): boolean;
}

export type ValidationResult = { ok: true; agreement: AcceptedAgreement } | { ok: false; problems: FieldProblem[] };

/** Checks a create body and collects every problem, so the caller can fix them all at once. */
export function validateCreateRequest(body: unknown, context: ValidationContext): ValidationResult {
  if (!isRecord(body)) return { ok: false, problems: [{ field: 'body', message: 'must be a JSON object' }] };
  const problems: FieldProblem[] = [];
  const report: Report = (field, message) => {
    problems.push({ field, message });
    return undefined;
  };

  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) report(key, 'is not a known field');
  }

  const template = checkTemplateId(body.templateId, context.catalog, report);
  const signer = checkParty('signer', body.signer, true, report);
  const cc = body.cc === undefined ? undefined : checkParty('cc', body.cc, false, report);
  const formData = checkFormData(body.formData, template, report);
  const notification = body.notification === undefined ? undefined : checkNotification(body.notification, report);
  const emailSubject = checkText('emailSubject', body.emailSubject, LIMITS.emailSubject, false, report);
  const emailMessage = checkText('emailMessage', body.emailMessage, LIMITS.emailMessage, true, report);
  const previousAgreementId = checkPreviousAgreement(body.previousAgreementId, context, report);

  if (problems.length > 0 || !template || !signer || !formData) return { ok: false, problems };
  return {
    ok: true,
    agreement: {
      templateId: template.id,
      signer,
      ...(cc ? { cc } : {}),
      formData,
      ...(notification ? { notification } : {}),
      ...(emailSubject !== undefined ? { emailSubject } : {}),
      ...(emailMessage !== undefined ? { emailMessage } : {}),
      ...(previousAgreementId !== undefined ? { previousAgreementId } : {}),
    },
  };
}

/** Records a problem; returns undefined so that a check can `return report(...)`. */
type Report = (field: string, message: string) => undefined;

function checkTemplateId(value: unknown, catalog: TemplateCatalog, report: Report): LoaTemplate | undefined {
  if (value === undefined || value === '') return report('templateId', 'is required');
  if (typeof value !== 'string') return report('templateId', 'must be a string');
  const template = catalog.get(value);
  if (!template) report('templateId', 'is not a known template');
  return template;
}

function checkParty(field: 'signer' | 'cc', value: unknown, required: boolean, report: Report): Party | undefined {
  if (value === undefined && required) return report(field, 'is required');
  if (!isRecord(value)) return report(field, 'must be an object with name and email');
  const name = checkPartyName(`${field}.name`, value.name, report);
  const email = checkEmail(`${field}.email`, value.email, report);
  for (const key of Object.keys(value)) {
    if (key !== 'name' && key !== 'email') report(`${field}.${key}`, 'is not a known field');
  }
  return name !== undefined && email !== undefined ? { name, email } : undefined;
}

function checkPartyName(field: string, value: unknown, report: Report): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return report(field, 'is required');
  if (value.length > LIMITS.partyName) return report(field, `must be at most ${LIMITS.partyName} characters`);
  if (hasControlCharacters(value, false)) return report(field, 'must not contain control characters');
  return value;
}

function checkEmail(field: string, value: unknown, report: Report): string | undefined {
  if (typeof value !== 'string' || value === '') return report(field, 'is required');
  if (value.length > LIMITS.email) return report(field, `must be at most ${LIMITS.email} characters`);
  if (!isEmail(value)) return report(field, 'must be a valid email address');
  return value;
}

function checkText(field: string, value: unknown, maxLength: number, multiline: boolean, report: Report): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return report(field, 'must be a string');
  if (value.length > maxLength) return report(field, `must be at most ${maxLength} characters`);
  if (hasControlCharacters(value, multiline)) return report(field, 'must not contain control characters');
  return value;
}

function checkNotification(value: unknown, report: Report): NotificationSettings | undefined {
  if (!isRecord(value)) return report('notification', 'must be an object with isEnabled and emails');
  let valid = true;
  if (typeof value.isEnabled !== 'boolean') {
    report('notification.isEnabled', 'must be true or false');
    valid = false;
  }
  const emails = value.emails;
  if (!Array.isArray(emails) || emails.some((e) => typeof e !== 'string')) {
    report('notification.emails', 'must be an array of email addresses');
    valid = false;
  } else {
    if (emails.length > LIMITS.notificationEmails) {
      report('notification.emails', `must hold at most ${LIMITS.notificationEmails} addresses`);
      valid = false;
    }
    (emails as string[]).forEach((email, index) => {
      if (isEmail(email)) return;
      report('notification.emails', `item ${index + 1} is not a valid email address`);
      valid = false;
    });
  }
  return valid ? { isEnabled: value.isEnabled as boolean, emails: emails as string[] } : undefined;
}

function checkPreviousAgreement(value: unknown, context: ValidationContext, report: Report): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') return report('previousAgreementId', 'must be a non-empty string');
  // Another identity's agreement reads the same as a missing one, so ids cannot be probed.
  if (!context.ownsAgreement(value)) return report('previousAgreementId', 'does not name an existing agreement of yours');
  return value;
}

function checkFormData(value: unknown, template: LoaTemplate | undefined, report: Report): FormValue[] | undefined {
  if (value !== undefined && !Array.isArray(value)) return report('formData', 'must be an array of {name, value}');
  const items: unknown[] = value ?? [];
  const values: FormValue[] = [];
  const seen = new Set<string>();
  let valid = true;
  items.forEach((item, index) => {
    if (!isRecord(item) || typeof item.name !== 'string' || item.name === '') {
      report('formData', `item ${index + 1} must be an object with a string name and value`);
      valid = false;
      return;
    }
    const field = `formData.${item.name}`;
    if (seen.has(item.name)) {
      report(field, 'is given more than once');
      valid = false;
      return;
    }
    seen.add(item.name);
    if (typeof item.value !== 'string') {
      report(field, 'must be a string');
      valid = false;
      return;
    }
    values.push({ name: item.name, value: item.value });
  });

  if (!template) return undefined;
  const fieldsByName = new Map(template.fields.map((f) => [f.name, f]));
  for (const { name, value: fieldValue } of values) {
    const field = fieldsByName.get(name);
    if (!field) {
      report(`formData.${name}`, `is not a field of template "${template.name}"`);
      valid = false;
      continue;
    }
    const problem = problemWithValue(field, fieldValue);
    if (problem) {
      report(`formData.${name}`, problem);
      valid = false;
    }
  }
  for (const field of template.fields) {
    if (field.required && !seen.has(field.name)) {
      report(`formData.${field.name}`, 'is required');
      valid = false;
    }
  }
  return valid ? values : undefined;
}

/** The problem with one template field's value, or undefined when it is acceptable. */
function problemWithValue(field: TemplateField, value: string): string | undefined {
  const maxLength = maxLengthOf(field);
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (hasControlCharacters(value, true)) return 'must not contain control characters';
  if (value.trim() === '') return field.required ? 'is required' : undefined;
  switch (field.type) {
    case 'choice': {
      const allowed = (field.choices ?? []).map((c) => c.value);
      if (!allowed.includes(value)) return `must be one of ${allowed.join(', ')}`;
      break;
    }
    case 'number': {
      if (!DECIMAL.test(value)) return 'must be a number';
      const number = Number(value);
      if (field.min !== undefined && number < field.min) return `must be at least ${field.min}`;
      if (field.max !== undefined && number > field.max) return `must be at most ${field.max}`;
      break;
    }
    case 'date':
      if (!isCalendarDate(value)) return 'must be a date in the form YYYY-MM-DD';
      break;
    case 'email':
      if (!isEmail(value)) return 'must be a valid email address';
      break;
    case 'text':
    case 'multiline':
      break;
  }
  if (field.pattern && !new RegExp(field.pattern, 'u').test(value)) {
    return field.patternHint ? `must be ${field.patternHint}` : `must match ${field.pattern}`;
  }
  return undefined;
}
