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
}

export interface AgreementListCardData {
  items: ListedAgreement[];
  page: number;
  pages: number;
  /** Why statuses may be stale, in the rep's words; empty when they are fresh. */
  note: string;
}

const renderList = compileCard<object>(template);
const renderConfirm = compileCard<object>(confirmTemplate);

export function statusLabel(record: AgreementRecord, fresh: boolean): string {
  if (record.goneAt) return record.status === 'DELETED' ? 'Deleted' : 'No longer in the LOA service';
  return fresh ? `Status: ${record.status}` : `Status: ${record.status} (last known)`;
}

export function renderAgreementListCard({ items, page, pages, note }: AgreementListCardData): AdaptiveCard {
  return renderList({
    pageLabel: `Newest first · page ${page} of ${pages}`,
    note: escapeMarkdown(note),
    items: items.map(({ record, templateName, fresh }) => ({
      id: record.id,
      templateName: escapeMarkdown(templateName),
      signer: escapeMarkdown(partyText(record.signer)),
      createdAt: cardTimestamp(record.createdAt),
      statusText: escapeMarkdown(statusLabel(record, fresh)),
      canDelete: !record.goneAt,
    })),
    previousPage: page > 1 ? page - 1 : 0,
    nextPage: page < pages ? page + 1 : 0,
  });
}

export function renderConfirmDeleteCard(record: AgreementRecord, templateName: string): AdaptiveCard {
  const facts = [
    { title: 'Template', value: templateName },
    { title: 'Signer', value: partyText(record.signer) },
    { title: 'CC', value: record.cc ? partyText(record.cc) : 'None' },
    { title: 'Status', value: record.status },
    { title: 'Agreement ID', value: record.id },
  ];
  return renderConfirm({
    agreementId: record.id,
    createdAt: cardTimestamp(record.createdAt),
    facts: facts.map((f) => ({ title: f.title, value: escapeMarkdown(f.value) })),
  });
}
