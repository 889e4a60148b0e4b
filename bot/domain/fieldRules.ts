import { languageOf, translatorFor } from '../i18n';
import { formatNumber } from './format';
import type { LoaTemplate, TemplateField } from './templateCatalog';

/**
 * How each field is named and what it must hold, in the rep's words. The details card's labels,
 * its client-side error messages and the bot's own checks all read from here, so that a
 * rule stated up front is the rule applied. Template fields are named as the template given
 * is: pass it through `localizedTemplate` for the rep's language.
 */

/** The details card's fixed inputs, by input id, each with its label's catalog key. */
const FIXED_LABEL_KEYS = {
  signerName: 'rules:labels.signerName',
  signerEmail: 'rules:labels.signerEmail',
  ccName: 'rules:labels.ccName',
  ccEmail: 'rules:labels.ccEmail',
  notifyEmails: 'rules:labels.notifyEmails',
  emailSubject: 'rules:labels.emailSubject',
  emailMessage: 'rules:labels.emailMessage',
} as const;

export type FixedInput = keyof typeof FIXED_LABEL_KEYS;

/** The label of one of the details card's fixed inputs, in the rep's language. */
export function fixedLabel(input: FixedInput, locale = 'en-US'): string {
  return translatorFor(locale)(FIXED_LABEL_KEYS[input]);
}

/** The fixed input's label for a draft key, if the key is one of them. */
export function fixedLabelOf(key: string, locale = 'en-US'): string | undefined {
  return key in FIXED_LABEL_KEYS ? fixedLabel(key as FixedInput, locale) : undefined;
}

/**
 * A label inside a sentence: "the signer name", "the SE account number" (in French, the label
 * quoted). In English the first letter is lowered unless the first word is an acronym, so
 * messages read alike whatever field they name.
 */
export function fieldNoun(label: string, locale = 'en-US'): string {
  const acronym = /^[A-Z]{2,}\b/.test(label);
  const lowered = acronym ? label : label.charAt(0).toLowerCase() + label.slice(1);
  return translatorFor(locale)('rules:field.noun', { label: languageOf(locale) === 'en' ? lowered : label });
}

/** A label that starts a sentence: as written in English, quoted in French. */
export function fieldName(label: string, locale = 'en-US'): string {
  return translatorFor(locale)('rules:field.name', { label });
}

/** "from 0 to 60", "at least 1", "at most 60"; undefined when the field sets no bound. */
export function rangeOf(field: TemplateField, locale: string, between: 'from' | 'span' = 'from'): string | undefined {
  const t = translatorFor(locale);
  const { min, max } = field;
  const n = (x: number) => formatNumber(x, locale);
  if (min !== undefined && max !== undefined) return between === 'from' ? t('rules:range.fromTo', { min: n(min), max: n(max) }) : t('rules:range.span', { min: n(min), max: n(max) });
  if (min !== undefined) return t('rules:range.atLeast', { min: n(min) });
  if (max !== undefined) return t('rules:range.atMost', { max: n(max) });
  return undefined;
}

/** The field a date must come after, when it has one in this template. */
export function earlierField(template: LoaTemplate, field: TemplateField): TemplateField | undefined {
  return field.after === undefined ? undefined : template.fields.find((f) => f.name === field.after);
}

/** The rule a field's label states up front ("0 to 60", "after the start date", "6 to 10 digits"). */
export function ruleOf(template: LoaTemplate, field: TemplateField, locale: string): string | undefined {
  if (field.type === 'number') return rangeOf(field, locale, 'span');
  const before = earlierField(template, field);
  if (field.type === 'date' && before) return translatorFor(locale)('rules:rule.after', { field: fieldNoun(before.label, locale) });
  return field.patternHint;
}

/**
 * What the rep's Teams shows under the input when its own check (required, pattern) fails
 * before the card is sent: the same rule as the bot's check, never just "Required.".
 */
export function clientMessageOf(template: LoaTemplate, field: TemplateField, locale: string): string {
  const t = translatorFor(locale);
  const noun = fieldNoun(field.label, locale);
  switch (field.type) {
    case 'number': {
      const range = rangeOf(field, locale);
      return range ? t('rules:check.numberIn', { field: noun, range }) : t('rules:check.number', { field: noun });
    }
    case 'date': {
      const before = earlierField(template, field);
      return before ? t('rules:check.dateAfter', { field: noun, before: fieldNoun(before.label, locale) }) : t('rules:check.enter', { field: noun });
    }
    case 'choice':
      return t('rules:check.choose', { field: noun });
    case 'email':
      return t('rules:check.email', { field: noun });
    default:
      return field.pattern ? t('rules:check.format', { field: noun, format: formatWords(field, locale) }) : t('rules:check.enter', { field: noun });
  }
}

/** "as 6 to 10 digits", "like Q-2026-00123": the pattern in words, after a verb. */
export function formatWords(field: TemplateField, locale = 'en-US'): string {
  const t = translatorFor(locale);
  const hint = field.patternHint;
  if (!hint) return t('rules:format.expected');
  return /^like\b/.test(hint) ? hint : t('rules:format.as', { hint });
}
