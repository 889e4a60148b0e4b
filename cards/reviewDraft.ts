import type { AgreementRequest } from '../bot/domain/agreement';
import { defaultRef } from '../bot/domain/agreementRef';
import { formatDate, formatNumber } from '../bot/domain/format';
import type { LoaTemplate, TemplateField } from '../bot/domain/templateCatalog';
import { escapeMarkdown } from '../bot/domain/text';
import { partyText } from './agreementSent';
import { compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './reviewDraft.json';

export interface ReviewDraftCardData {
  draftId: string;
  template: LoaTemplate;
  request: AgreementRequest;
  /** The rep's Teams locale: dates and numbers are shown its way, and sent as typed. */
  locale?: string;
  /** Emails the rep typed while notifications were off: none of them will hear anything. */
  unusedNotifyEmails?: readonly string[];
}

const render = compileCard<{ draftId: string; facts: Array<{ title: string; value: string }>; emailMessage: string; notifyWarning: string }>(template);

export function renderReviewDraftCard({ draftId, template: loaTemplate, request, locale = 'en-US', unusedNotifyEmails = [] }: ReviewDraftCardData): AdaptiveCard {
  const formFacts = loaTemplate.fields
    .map((f) => ({ field: f, value: request.formData.find((d) => d.name === f.name)?.value }))
    .filter((x): x is { field: typeof x.field; value: string } => x.value !== undefined)
    .map(({ field, value }) => ({ title: field.label, value: shownValue(field, value, locale) }));
  const facts = [
    { title: 'Template', value: loaTemplate.name },
    ...(request.previousAgreementId ? [{ title: 'Based on', value: `Your earlier LOA, ref ${defaultRef(request.previousAgreementId)}` }] : []),
    { title: 'Signer', value: partyText(request.signer) },
    { title: 'CC', value: request.cc ? partyText(request.cc) : 'None' },
    ...formFacts,
    { title: 'Notifications', value: request.notification ? request.notification.emails.join(', ') : 'Off' },
    { title: 'Email subject', value: request.emailSubject ?? STANDARD_SUBJECT },
  ];
  const notifyWarning = unusedNotifyEmails.length > 0
    ? `Notifications are off, so nobody gets status emails, not even ${unusedNotifyEmails.join(', ')}. To email them, press Edit and tick "Email status changes".`
    : '';
  return render({
    draftId,
    facts: facts.map((f) => ({ title: escapeMarkdown(f.title), value: escapeMarkdown(f.value) })),
    emailMessage: request.emailMessage ? escapeMarkdown(request.emailMessage) : '',
    notifyWarning: escapeMarkdown(notifyWarning),
  });
}

/** The API does not say its default subject; this says whose it is. */
export const STANDARD_SUBJECT = "The LOA service's standard subject";

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
