import { defaultRef } from '../bot/domain/agreementRef';
import { LIMITS, TEXT_VALUES, formFieldKey, labelOfField } from '../bot/domain/draft';
import { clientMessageOf, fieldNoun, fixedLabel, ruleOf } from '../bot/domain/fieldRules';
import type { Draft, FieldErrors, TextValue } from '../bot/domain/draft';
import { localizedTemplate, maxLengthOf } from '../bot/domain/templateCatalog';
import type { LoaTemplate, TemplateField } from '../bot/domain/templateCatalog';
import { escapeMarkdown } from '../bot/domain/text';
import { DRAFT_INPUTS, formFieldId } from './draftInputs';
import { translatorFor } from '../bot/i18n';
import type { Translate } from '../bot/i18n';
import { cardStrings, compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './draftDetails.json';

export interface DraftDetailsCardData {
  template: LoaTemplate;
  draft: Draft;
  /** Problems, shown under their inputs. */
  errors?: FieldErrors;
  /** Shown above the form, e.g. when the API refused a field. */
  problem?: string;
  /** Shown under the title instead of "Based on agreement …", e.g. why a link to an earlier LOA was left out. Plain text. */
  note?: string;
  /** The rep's Teams locale: the card's words, and numbers and dates in labels and messages, are in its language. */
  locale?: string;
  /** Offered in the empty "Emails to notify" input: the rep's own address. */
  notifyPrefill?: string;
  /** Opened from a row of "my LOAs": the card keeps a way back to the list (the draft stays open there). */
  fromList?: boolean;
}

interface InputModel {
  id: string;
  label: string;
  value: string;
  error: string | null;
  maxLength: number;
  placeholder: string | null;
}

// What the rep typed and the draft id fill a card expanded once per template, language, problems and marks.
const render = compileCard<object>(template, { holes: ['value', 'numberValue', 'draftId'] });

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
  // Only errors can be shortened: without any, measuring the card (about 4.4 KB of JSON, on
  // every render of the commonest card) could change nothing.
  if (!Object.values(data.errors ?? {}).some(Boolean)) return card;
  const checkField = translatorFor(data.locale)('cards:details.checkField');
  for (const shorten of [(m: string) => shortened(m, 60), () => checkField]) {
    if (Buffer.byteLength(JSON.stringify(card)) <= CARD_BUDGET_BYTES) break;
    card = renderDetails(data, shorten);
  }
  return card;
}

function renderDetails({ template: catalogTemplate, draft, errors = {}, problem, note, locale = 'en-US', notifyPrefill, fromList = false }: DraftDetailsCardData, shorten: (message: string) => string): AdaptiveCard {
  const loaTemplate = localizedTemplate(catalogTemplate, locale);
  const t = translatorFor(locale);
  const v = draft.values;
  const error = (key: string) => (errors[key] ? escapeMarkdown(shorten(errors[key])) : null);
  const text = (key: TextValue, value: string, maxLength: number, extra: Partial<InputModel> & Record<string, unknown> = {}) => ({
    id: DRAFT_INPUTS[key],
    label: mark(fixedLabel(key, locale), key),
    value,
    error: error(key),
    maxLength,
    placeholder: null,
    style: null,
    required: null,
    clientMessage: null,
    startsCc: false,
    ...extra,
  });
  const fix = fixSummary(loaTemplate, errors, locale);
  const emailPlaceholder = t('cards:details.emailPlaceholder');
  const { mark, summary } = fromMessageMarks(loaTemplate, draft, locale);
  return render({
    strings: detailsStrings(locale),
    draftId: draft.id,
    fromList,
    templateName: escapeMarkdown(loaTemplate.name),
    basedOn: escapeMarkdown(note ?? (draft.previousAgreementId ? t('cards:details.basedOn', { ref: defaultRef(draft.previousAgreementId) }) : '')),
    problemSummary: escapeMarkdown([problem, fix].filter((x) => x).join(' ')),
    fixSummary: escapeMarkdown(fix || (problem ?? '')),
    partyInputs: [
      text('signerName', v.signerName, LIMITS.nameLength, { required: true, clientMessage: t('rules:check.enter', { field: fieldNoun(fixedLabel('signerName', locale), locale) }) }),
      text('signerEmail', v.signerEmail, LIMITS.emailLength, { required: true, style: 'email', placeholder: emailPlaceholder, clientMessage: t('rules:check.email', { field: fieldNoun(fixedLabel('signerEmail', locale), locale) }), startsCc: true }),
      text('ccName', v.ccName, LIMITS.nameLength),
      text('ccEmail', v.ccEmail, LIMITS.emailLength, { style: 'email', placeholder: emailPlaceholder }),
    ],
    fromMessage: escapeMarkdown(summary),
    formInputs: loaTemplate.fields.map((f) => {
      const input = formInput(loaTemplate, f, v.fields[f.name] ?? '', error(formFieldKey(f.name)), locale, t);
      return { ...input, label: mark(input.label, formFieldKey(f.name)) };
    }),
    notify: { enabled: v.notifyEnabled ? 'true' : 'false' },
    messageInputs: [
      // Offered, not switched on: the rep's own address, ready for when they tick the box.
      text('notifyEmails', v.notifyEmails || notifyPrefill || '', LIMITS.notifyEmailsLength, { label: t('cards:details.notifyEmails'), style: 'email', multiline: false }),
      text('emailSubject', v.emailSubject, LIMITS.subjectLength, { label: t('cards:details.emailSubject'), multiline: false }),
      text('emailMessage', v.emailMessage, LIMITS.messageLength, { label: t('cards:details.emailMessage'), multiline: true }),
    ],
  });
}

/** The values still as the rep's sentence gave them: the draft's own and the template's. */
function markedFromMessage(loaTemplate: LoaTemplate, draft: Draft): Set<string> {
  const prefill = draft.fromMessage;
  if (!prefill) return new Set();
  const fields = prefill.fieldsByTemplate[loaTemplate.id] ?? {};
  const own = prefill.filled.filter((key) => draft.values[key] !== '');
  const form = loaTemplate.fields.filter((f) => fields[f.name] !== undefined && fields[f.name] === draft.values.fields[f.name]).map((f) => formFieldKey(f.name));
  return new Set<string>([...own, ...form]);
}

/** The card's own words, in the rep's language. */
function detailsStrings(locale: string) {
  return cardStrings(
    {
      step: 'cards:details.step',
      changeTemplate: 'cards:details.changeTemplate',
      backToList: 'cards:common.backToList',
      signer: 'cards:details.signer',
      copy: 'cards:details.copy',
      agreementDetails: 'cards:details.agreementDetails',
      choose: 'cards:details.choose',
      notifications: 'cards:details.notifications',
      notifyToggle: 'cards:details.notifyToggle',
      review: 'cards:details.review',
      cancel: 'cards:common.cancel',
    },
    locale,
  );
}

/** How a card marks what a typed sentence filled: each label, and a summary above the form. */
function fromMessageMarks(loaTemplate: LoaTemplate, draft: Draft, locale: string): { mark: (label: string, key: string) => string; summary: string } {
  const marked = markedFromMessage(loaTemplate, draft);
  const suffix = translatorFor(locale)('cards:details.fromMessage.mark');
  return { mark: (label, key) => (marked.has(key) ? `${label}${suffix}` : label), summary: fromMessageSummary(loaTemplate, draft, marked.size, locale) };
}

/** What the sentence gave, what it could not place, and how it read its dates. Plain text. */
function fromMessageSummary(loaTemplate: LoaTemplate, draft: Draft, filled: number, locale: string): string {
  const prefill = draft.fromMessage;
  if (!prefill) return '';
  const t = translatorFor(locale);
  const notUnderstood = prefill.notUnderstoodByTemplate[loaTemplate.id] ?? prefill.notUnderstood;
  return [
    filled > 0 ? t('cards:details.fromMessage.filled', { count: filled }) : t('cards:details.fromMessage.nothingFilled'),
    notUnderstood.length > 0 ? t('cards:details.fromMessage.notUnderstood', { parts: notUnderstood.map((part) => `"${part}"`).join(', ') }) : '',
    prefill.readings.length > 0 ? `${prefill.readings.join('; ')}.` : '',
  ].filter((x) => x).join(' ');
}

/** What to fix, naming each field in card order: shown at the top and again next to Review. */
function fixSummary(loaTemplate: LoaTemplate, errors: FieldErrors, locale: string): string {
  const t = translatorFor(locale);
  const keys = Object.keys(errors);
  if (keys.length === 0) return '';
  const order = [...TEXT_VALUES, ...loaTemplate.fields.map((f) => formFieldKey(f.name))];
  const named = [...keys].sort((a, b) => rank(order, a) - rank(order, b)).map((key) => labelOfField(loaTemplate, key, locale));
  const shown = named.length > 6 ? [...named.slice(0, 5), t('cards:details.more', { number: named.length - 5 })] : named;
  return t('cards:details.fix', { count: keys.length, fields: shown.join(', ') });
}

function withRule(label: string, rule: string | undefined, t: Translate): string {
  return rule ? t('cards:details.withRule', { label, rule }) : label;
}

function rank(order: readonly string[], key: string): number {
  const i = order.indexOf(key);
  return i < 0 ? order.length : i;
}

function formInput(loaTemplate: LoaTemplate, field: TemplateField, value: string, error: string | null, locale: string, t: Translate) {
  const numberValue = field.type === 'number' && value !== '' && Number.isFinite(Number(value)) ? Number(value) : null;
  const rule = ruleOf(loaTemplate, field, locale);
  // A placeholder that repeats the rule in the label would look like a value already typed.
  const placeholder = field.placeholder && !(rule ?? '').includes(field.placeholder) ? field.placeholder : null;
  return {
    id: formFieldId(field.name),
    type: field.type,
    label: withRule(field.required ? field.label : t('cards:details.optional', { label: field.label }), rule, t),
    required: field.required || null,
    // Teams checks only required inputs and patterns before sending; nothing else shows this message.
    clientMessage: field.required || field.pattern ? clientMessageOf(loaTemplate, field, locale) : null,
    maxLength: maxLengthOf(field),
    // Teams checks the pattern before sending; the bot checks it again, with the same message.
    regex: field.pattern ?? null,
    style: field.type === 'email' ? 'email' : null,
    placeholder,
    choices: (field.choices ?? []).map((c) => ({ title: c.title, value: c.value })),
    value,
    // No min or max on the input: Teams clamps a number to them without a word. The label states the range and the bot checks it.
    numberValue,
    error,
  };
}
