import { describeStatus } from '../bot/domain/agreement';
import type { Agreement } from '../bot/domain/agreement';
import { defaultRef } from '../bot/domain/agreementRef';
import { escapeMarkdown } from '../bot/domain/text';
import { compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './agreementSent.json';

export interface AgreementSentCardData {
  agreement: Agreement;
  templateName: string;
}

interface Model {
  signerName: string;
  facts: Array<{ title: string; value: string }>;
  sentAt: string;
}

const render = compileCard<Model>(template);

/** Adaptive Cards' DATE() and TIME() take RFC 3339 without fractions of a second. */
export function cardTimestamp(iso: string): string {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date(0) : d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function partyText(party: { name: string; email: string }): string {
  return `${party.name} (${party.email})`;
}

export function renderAgreementSentCard({ agreement, templateName }: AgreementSentCardData): AdaptiveCard {
  // Just created, so its own six characters almost surely name it; "delete LOA" asks which if not.
  const facts = [
    { title: 'Ref', value: defaultRef(agreement.id) },
    { title: 'Status', value: describeStatus(agreement.status) },
    { title: 'Template', value: templateName },
    { title: 'Signer', value: partyText(agreement.signer) },
    { title: 'CC', value: agreement.cc ? partyText(agreement.cc) : 'None' },
    { title: 'Agreement ID', value: agreement.id },
  ];
  return render({
    signerName: escapeMarkdown(agreement.signer.name),
    facts: facts.map((f) => ({ title: f.title, value: escapeMarkdown(f.value) })),
    sentAt: cardTimestamp(agreement.createdAt),
  });
}
