import type { AgreementRequest } from '../bot/domain/agreement';
import { defaultRef } from '../bot/domain/agreementRef';
import type { LoaTemplate } from '../bot/domain/templateCatalog';
import { escapeMarkdown } from '../bot/domain/text';
import { partyText } from './agreementSent';
import { compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './reviewDraft.json';

export interface ReviewDraftCardData {
  draftId: string;
  template: LoaTemplate;
  request: AgreementRequest;
}

const render = compileCard<{ draftId: string; facts: Array<{ title: string; value: string }>; emailMessage: string }>(template);

export function renderReviewDraftCard({ draftId, template: loaTemplate, request }: ReviewDraftCardData): AdaptiveCard {
  const formFacts = loaTemplate.fields
    .map((f) => ({ field: f, value: request.formData.find((d) => d.name === f.name)?.value }))
    .filter((x): x is { field: typeof x.field; value: string } => x.value !== undefined)
    .map(({ field, value }) => ({ title: field.label, value: field.type === 'choice' ? (field.choices?.find((c) => c.value === value)?.title ?? value) : value }));
  const facts = [
    { title: 'Template', value: loaTemplate.name },
    ...(request.previousAgreementId ? [{ title: 'Based on', value: `Your earlier LOA, ref ${defaultRef(request.previousAgreementId)}` }] : []),
    { title: 'Signer', value: partyText(request.signer) },
    { title: 'CC', value: request.cc ? partyText(request.cc) : 'None' },
    ...formFacts,
    { title: 'Notifications', value: request.notification ? request.notification.emails.join(', ') : 'Off' },
    { title: 'Email subject', value: request.emailSubject ?? 'Default subject' },
  ];
  return render({
    draftId,
    facts: facts.map((f) => ({ title: escapeMarkdown(f.title), value: escapeMarkdown(f.value) })),
    emailMessage: request.emailMessage ? escapeMarkdown(request.emailMessage) : '',
  });
}
