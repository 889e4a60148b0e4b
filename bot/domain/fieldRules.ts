import { formatNumber } from './format';
import type { LoaTemplate, TemplateField } from './templateCatalog';

/**
 * How each field is named and what it must hold, in the rep's words. The details card's labels,
 * its client-side error messages and the bot's own checks all read from here, so that a
 * rule stated up front is the rule applied.
 */

/** The details card's labels of the fixed inputs, by input id. */
export const FIXED_LABELS = {
  signerName: 'Signer name',
  signerEmail: 'Signer email',
  ccName: 'CC name',
  ccEmail: 'CC email',
  notifyEmails: 'Emails to notify',
  emailSubject: 'Email subject',
  emailMessage: 'Email message',
} as const;

/**
 * A label inside a sentence: "the signer name", "the SE account number". The first letter is
 * lowered unless the first word is an acronym, so messages read alike whatever field they name.
 */
export function fieldNoun(label: string): string {
  const acronym = /^[A-Z]{2,}\b/.test(label);
  return `the ${acronym ? label : label.charAt(0).toLowerCase() + label.slice(1)}`;
}

/** "from 0 to 60", "at least 1", "at most 60"; undefined when the field sets no bound. */
export function rangeOf(field: TemplateField, locale: string): string | undefined {
  const { min, max } = field;
  if (min !== undefined && max !== undefined) return `from ${formatNumber(min, locale)} to ${formatNumber(max, locale)}`;
  if (min !== undefined) return `at least ${formatNumber(min, locale)}`;
  if (max !== undefined) return `at most ${formatNumber(max, locale)}`;
  return undefined;
}

/** The field a date must come after, when it has one in this template. */
export function earlierField(template: LoaTemplate, field: TemplateField): TemplateField | undefined {
  return field.after === undefined ? undefined : template.fields.find((f) => f.name === field.after);
}

/** The rule a field's label states up front ("0 to 60", "after the start date", "6 to 10 digits"). */
export function ruleOf(template: LoaTemplate, field: TemplateField, locale: string): string | undefined {
  if (field.type === 'number') return rangeOf(field, locale)?.replace(/^from /, '');
  const before = earlierField(template, field);
  if (field.type === 'date' && before) return `after ${fieldNoun(before.label)}`;
  return field.patternHint;
}

/**
 * What the rep's Teams shows under the input when its own check (required, pattern) fails
 * before the card is sent: the same rule as the bot's check, never just "Required.".
 */
export function clientMessageOf(template: LoaTemplate, field: TemplateField, locale: string): string {
  const noun = fieldNoun(field.label);
  switch (field.type) {
    case 'number': {
      const range = rangeOf(field, locale);
      return `Enter ${noun} as a number${range ? ` ${range}` : ''}.`;
    }
    case 'date': {
      const before = earlierField(template, field);
      return `Enter ${noun}${before ? `, after ${fieldNoun(before.label)}` : ''}.`;
    }
    case 'choice':
      return `Choose ${noun}.`;
    case 'email':
      return `Enter ${noun} as an address like name@company.com.`;
    default:
      return field.pattern ? `Enter ${noun} ${formatWords(field)}.` : `Enter ${noun}.`;
  }
}

/** "as 6 to 10 digits", "like Q-2026-00123": the pattern in words, after a verb. */
export function formatWords(field: TemplateField): string {
  const hint = field.patternHint;
  if (!hint) return 'in the expected format';
  return /^like\b/.test(hint) ? hint : `as ${hint}`;
}
