import { describeStatus } from '../bot/domain/agreement';
import type { AgreementRecord } from '../bot/domain/agreementRecords';
import { escapeMarkdown } from '../bot/domain/text';
import { cardTimestamp, partyText } from './agreementSent';
import { compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './agreementList.json';
import confirmTemplate from './confirmDelete.json';

export interface ListedAgreement {
  record: AgreementRecord;
  templateName: string;
  /** True when the status shown was just confirmed by the API. */
  fresh: boolean;
  /** Its short ref, unambiguous among the rep's LOAs. */
  ref: string;
  /** The value of the template's key field (the customer or the project), if it has one. */
  keyValue?: string;
  /** When it was sent, already in the rep's locale. */
  sentAt: string;
}

/** The draft the rep has not sent yet, shown first with a Resume button. */
export interface OpenDraft {
  id: string;
  templateName: string;
  /** Who it is for, or the key field, in the rep's words; may be the rep's own text. */
  summary: string;
}

export interface AgreementListCardData {
  items: ListedAgreement[];
  page: number;
  pages: number;
  /** Why statuses may be stale, in the rep's words; empty when they are fresh. */
  note: string;
  draft?: OpenDraft;
  /** The search the list shows the results of: what it filtered by, in words, and as typed (for paging). */
  filter?: { label: string; search: string };
}

const renderList = compileCard<object>(template);
const renderConfirm = compileCard<object>(confirmTemplate);

export function statusLabel(record: AgreementRecord, fresh: boolean): string {
  if (record.goneAt) return record.status === 'DELETED' ? 'Deleted' : 'No longer in the LOA service';
  return fresh ? describeStatus(record.status) : `${describeStatus(record.status)} (last known)`;
}

export function renderAgreementListCard({ items, page, pages, note, draft, filter }: AgreementListCardData): AdaptiveCard {
  return renderList({
    pageLabel: `Newest first · page ${page} of ${pages}`,
    filterLabel: filter ? escapeMarkdown(filter.label) : '',
    search: filter?.search ?? '',
    note: escapeMarkdown(note),
    draft: draft ? { id: draft.id, templateName: escapeMarkdown(draft.templateName), summary: escapeMarkdown(draft.summary) } : null,
    items: items.map(({ record, templateName, fresh, ref, keyValue, sentAt }) => ({
      id: record.id,
      headline: escapeMarkdown(keyValue || templateName),
      templateName: escapeMarkdown(templateName),
      ref,
      signer: escapeMarkdown(partyText(record.signer)),
      sentAt: cardTimestamp(sentAt),
      statusText: escapeMarkdown(statusLabel(record, fresh)),
      canDelete: !record.goneAt,
    })),
    previousPage: page > 1 ? page - 1 : 0,
    nextPage: page < pages ? page + 1 : 0,
  });
}

/** `ref` is the short ref the rep knows it by; the full id stays as a fact, for support. */
export function renderConfirmDeleteCard(record: AgreementRecord, templateName: string, ref: string): AdaptiveCard {
  const facts = [
    { title: 'Ref', value: ref },
    { title: 'Template', value: templateName },
    { title: 'Signer', value: partyText(record.signer) },
    { title: 'CC', value: record.cc ? partyText(record.cc) : 'None' },
    { title: 'Status', value: describeStatus(record.status) },
    { title: 'Agreement ID', value: record.id },
  ];
  return renderConfirm({
    agreementId: record.id,
    createdAt: cardTimestamp(record.createdAt),
    facts: facts.map((f) => ({ title: f.title, value: escapeMarkdown(f.value) })),
  });
}
