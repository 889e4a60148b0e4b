import { escapeMarkdown } from '../bot/domain/text';
import { translatorFor } from '../bot/i18n';
import { cardStrings, compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './agreementStatus.json';

/** What a rep shares about one of their LOAs: no email, no agreement id, nothing to press. */
export interface AgreementStatusCardData {
  signerName: string;
  /** The status in words, e.g. "Waiting for signature". */
  status: string;
  templateName: string;
  /** The customer or project (the template's key field), when it has one. */
  keyValue?: string;
  /** The date it was sent, in the rep's locale. */
  sentOn: string;
  ref: string;
  /** The sharing rep's Teams locale: the card speaks their language. */
  locale?: string;
}

interface Model {
  strings: Record<'title' | 'sharedBy', string>;
  signerName: string;
  status: string;
  facts: Array<{ title: string; value: string }>;
}

const render = compileCard<Model>(template);

/**
 * The read-only status card a rep inserts into a chat or channel from the message extension.
 * It carries no buttons, so nobody in that conversation can act on the LOA through it.
 */
export function renderAgreementStatusCard(data: AgreementStatusCardData): AdaptiveCard {
  const t = translatorFor(data.locale);
  const facts = [
    { title: t('cards:status.template'), value: data.templateName },
    ...(data.keyValue ? [{ title: t('cards:status.keyValue'), value: data.keyValue }] : []),
    { title: t('cards:status.sent'), value: data.sentOn },
    { title: t('cards:status.ref'), value: data.ref },
  ];
  return render({
    strings: cardStrings({ title: 'cards:status.title', sharedBy: 'cards:status.sharedBy' }, data.locale),
    signerName: escapeMarkdown(data.signerName),
    status: escapeMarkdown(data.status),
    facts: facts.map((f) => ({ title: f.title, value: escapeMarkdown(f.value) })),
  });
}
