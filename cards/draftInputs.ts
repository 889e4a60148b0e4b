import { z } from 'zod';
import { TEXT_VALUES, VALUE_MAX_LENGTH, formFieldKey } from '../bot/domain/draft';
import type { DraftValues, FieldErrors, TextValue } from '../bot/domain/draft';
import { maxLengthOf } from '../bot/domain/templateCatalog';
import type { LoaTemplate } from '../bot/domain/templateCatalog';
import { translatorFor } from '../bot/i18n';

/**
 * How the details card's inputs are named, and how what it submits becomes a draft. Problems
 * are keyed by the draft's names (`FieldErrors`); only the card knows its input ids.
 */

/** Input ids of the details card's own inputs. Template fields use `formFieldId(name)`. */
export const DRAFT_INPUTS = {
  signerName: 'signerName',
  signerEmail: 'signerEmail',
  ccName: 'ccName',
  ccEmail: 'ccEmail',
  notifyEnabled: 'notifyEnabled',
  notifyEmails: 'notifyEmails',
  emailSubject: 'emailSubject',
  emailMessage: 'emailMessage',
} as const satisfies Record<TextValue | 'notifyEnabled', string>;

/** The input id of a template field: apart from the card's own inputs, whatever the field is named. */
export function formFieldId(name: string): string {
  return `f_${name}`;
}

/** The most characters each of the card's own text inputs takes. */
export const INPUT_MAX_LENGTH: Record<string, number> = Object.fromEntries(TEXT_VALUES.map((v) => [DRAFT_INPUTS[v], VALUE_MAX_LENGTH[v]]));

const inputValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Reads the inputs a details card submitted. Anything that is not a string, number or
 * boolean is reported against its field, and unknown keys are ignored. Values over their
 * limit are cut, and said so (in the rep's language), so that the card showing them again always fits in Teams.
 */
export function readDraftInput(template: LoaTemplate, data: Record<string, unknown>, locale = 'en-US'): { values: DraftValues; errors: FieldErrors } {
  const t = translatorFor(locale);
  const errors: FieldErrors = {};
  const text = (inputId: string, key: string, max: number): string => {
    const raw = data[inputId];
    if (raw === undefined || raw === null) return '';
    const parsed = inputValue.safeParse(raw);
    if (!parsed.success) {
      errors[key] = t('cards:input.plainText');
      return '';
    }
    const value = String(parsed.data).trim();
    const chars = [...value];
    if (chars.length <= max) return value;
    errors[key] = t('cards:input.cut', { max, length: chars.length });
    return chars.slice(0, max).join('');
  };
  const own = (v: TextValue) => text(DRAFT_INPUTS[v], v, VALUE_MAX_LENGTH[v]);
  const notify = data[DRAFT_INPUTS.notifyEnabled];
  return {
    values: {
      ...(Object.fromEntries(TEXT_VALUES.map((v) => [v, own(v)])) as Record<TextValue, string>),
      notifyEnabled: notify === true || notify === 'true',
      fields: Object.fromEntries(template.fields.map((f) => [f.name, text(formFieldId(f.name), formFieldKey(f.name), maxLengthOf(f))])),
    },
    errors,
  };
}

/** The input a problem shows under: keyed as `FieldErrors` are. */
export function inputIdOf(key: string): string {
  return key.startsWith('formData.') ? formFieldId(key.slice('formData.'.length)) : key;
}

/**
 * What the rep is told about a refused API field that no input on the details card shows:
 * their words, never the field's path. One sentence each, without the final stop; catalog keys.
 */
const UNPLACED_FIELD_WORDS: Record<string, string> = {
  previousAgreementId: 'cards:input.previousAgreementId',
  templateId: 'cards:input.templateId',
  formData: 'cards:input.formData',
  notification: 'cards:input.notification',
};

/**
 * A refused API field without an input of its own, in the rep's words. The service's own
 * message is quoted only when it reads as a sentence: a bare predicate needs the field's name.
 */
export function describeUnplacedApiField(field: string, message = '', locale = 'en-US'): string {
  const t = translatorFor(locale);
  const top = field.split(/[.[]/)[0] ?? field;
  // Own keys only: a field the API names "constructor" is not one of ours.
  const known = [field, top].map((f) => (Object.hasOwn(UNPLACED_FIELD_WORDS, f) ? UNPLACED_FIELD_WORDS[f] : undefined)).find(Boolean);
  if (known) return t(known);
  // The service's own words, quoted as it wrote them (in English).
  return /^[A-Z]/.test(message) ? t('cards:input.otherFieldSaying', { message: message.trim().replace(/\.+$/, '') }) : t('cards:input.otherField');
}

/** The API field that links an LOA to the one it was started from. */
export const LINK_API_FIELD = 'previousAgreementId';
