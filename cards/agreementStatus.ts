import { escapeMarkdown } from '../bot/domain/text';
import { compileCard } from './render';
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
}

interface Model {
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
  const facts = [
    { title: 'Template', value: data.templateName },
    ...(data.keyValue ? [{ title: 'Customer or project', value: data.keyValue }] : []),
    { title: 'Sent', value: data.sentOn },
    { title: 'Ref', value: data.ref },
  ];
  return render({
    signerName: escapeMarkdown(data.signerName),
    status: escapeMarkdown(data.status),
    facts: facts.map((f) => ({ title: f.title, value: escapeMarkdown(f.value) })),
  });
}
