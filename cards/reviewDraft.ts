import type { AgreementRequest } from '../bot/domain/agreement';
import { defaultRef } from '../bot/domain/agreementRef';
import { formatDate, formatNumber } from '../bot/domain/format';
import { localizedTemplate } from '../bot/domain/templateCatalog';
import type { LoaTemplate, TemplateField } from '../bot/domain/templateCatalog';
import { escapeMarkdown } from '../bot/domain/text';
import { partyText } from './agreementSent';
import { translatorFor } from '../bot/i18n';
import { cardStrings, compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './reviewDraft.json';

export interface ReviewDraftCardData {
  draftId: string;
  template: LoaTemplate;
  request: AgreementRequest;
  /** The rep's Teams locale: the card's words, dates and numbers are shown its way; values are sent as typed. */
  locale?: string;
  /** Emails the rep typed while notifications were off: none of them will hear anything. */
  unusedNotifyEmails?: readonly string[];
}

// What the rep typed (the facts' values, the message) and the draft id fill a card expanded once per template and language.
const render = compileCard<{ strings: object; draftId: string; facts: Array<{ title: string; value: string }>; emailMessage: string; notifyWarning: string }>(template, { holes: ['draftId', 'value', 'emailMessage'] });

export function renderReviewDraftCard({ draftId, template: catalogTemplate, request, locale = 'en-US', unusedNotifyEmails = [] }: ReviewDraftCardData): AdaptiveCard {
  const loaTemplate = localizedTemplate(catalogTemplate, locale);
  const t = translatorFor(locale);
  const formFacts = loaTemplate.fields
    .map((f) => ({ field: f, value: request.formData.find((d) => d.name === f.name)?.value }))
    .filter((x): x is { field: typeof x.field; value: string } => x.value !== undefined)
    .map(({ field, value }) => ({ title: field.label, value: shownValue(field, value, locale) }));
  const facts = [
    { title: t('cards:fact.template'), value: loaTemplate.name },
    ...(request.previousAgreementId ? [{ title: t('cards:review.basedOn'), value: t('cards:review.basedOnValue', { ref: defaultRef(request.previousAgreementId) }) }] : []),
    { title: t('cards:fact.signer'), value: partyText(request.signer) },
    { title: t('cards:fact.cc'), value: request.cc ? partyText(request.cc) : t('cards:fact.none') },
    ...formFacts,
    { title: t('cards:review.notifications'), value: request.notification ? request.notification.emails.join(', ') : t('cards:review.off') },
    { title: t('cards:review.emailSubject'), value: request.emailSubject ?? standardSubject(locale) },
  ];
  const notifyWarning = unusedNotifyEmails.length > 0 ? t('cards:review.notifyWarning', { emails: unusedNotifyEmails.join(', ') }) : '';
  return render({
    strings: cardStrings({ title: 'cards:review.title', step: 'cards:review.step', emailMessage: 'cards:review.emailMessage', send: 'cards:review.send', edit: 'cards:review.edit', cancel: 'cards:common.cancel' }, locale),
    draftId,
    facts: facts.map((f) => ({ title: escapeMarkdown(f.title), value: escapeMarkdown(f.value) })),
    emailMessage: request.emailMessage ? escapeMarkdown(request.emailMessage) : '',
    notifyWarning: escapeMarkdown(notifyWarning),
  });
}

/** The API does not say its default subject; this says whose it is. */
export function standardSubject(locale = 'en-US'): string {
  return translatorFor(locale)('cards:review.standardSubject');
}

/** The standard subject as an English rep reads it. */
export const STANDARD_SUBJECT = standardSubject();

function shownValue(field: TemplateField, value: string, locale: string): string {
  switch (field.type) {
    case 'choice':
      return field.choices?.find((c) => c.value === value)?.title ?? value;
    case 'date':
      return formatDate(value, locale);
    case 'number':
      return formatNumber(value, locale);
    default:
      return value;
  }
}
