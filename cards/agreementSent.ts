import { describeStatus } from '../bot/domain/agreement';
import type { Agreement } from '../bot/domain/agreement';
import { defaultRef } from '../bot/domain/agreementRef';
import { escapeMarkdown } from '../bot/domain/text';
import { translatorFor } from '../bot/i18n';
import { cardStrings, compileCard, sentAtText } from './render';
import type { AdaptiveCard } from './render';
import template from './agreementSent.json';

export interface AgreementSentCardData {
  agreement: Agreement;
  /** The template's name, in the rep's language. */
  templateName: string;
  /** The rep's Teams locale: the card's words are in its language. */
  locale?: string;
}

interface Model {
  strings: object;
  signerGets: string;
  facts: Array<{ title: string; value: string }>;
  sentAt: string;
}

const render = compileCard<Model>(template, { holes: ['signerGets', 'value', 'sentAt'] });

/** Adaptive Cards' DATE() and TIME() take RFC 3339 without fractions of a second. */
export function cardTimestamp(iso: string): string {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date(0) : d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function partyText(party: { name: string; email: string }): string {
  return `${party.name} (${party.email})`;
}

export function renderAgreementSentCard({ agreement, templateName, locale = 'en-US' }: AgreementSentCardData): AdaptiveCard {
  const t = translatorFor(locale);
  // Just created, so its own six characters almost surely name it; "delete LOA" asks which if not.
  const facts = [
    { title: t('cards:fact.ref'), value: defaultRef(agreement.id) },
    { title: t('cards:fact.status'), value: describeStatus(agreement.status, locale) },
    { title: t('cards:fact.template'), value: templateName },
    { title: t('cards:fact.signer'), value: partyText(agreement.signer) },
    { title: t('cards:fact.cc'), value: agreement.cc ? partyText(agreement.cc) : t('cards:fact.none') },
    { title: t('cards:fact.agreementId'), value: agreement.id },
  ];
  return render({
    strings: cardStrings({ title: 'cards:sent.title', sendAnother: 'cards:sent.sendAnother', myLoas: 'cards:common.myLoas' }, locale),
    signerGets: t('cards:sent.signerGets', { signer: escapeMarkdown(agreement.signer.name) }),
    facts: facts.map((f) => ({ title: f.title, value: escapeMarkdown(f.value) })),
    sentAt: sentAtText('cards:common.sentAt', cardTimestamp(agreement.createdAt), locale),
  });
}
