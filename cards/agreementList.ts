import { describeStatus } from '../bot/domain/agreement';
import type { AgreementRecord } from '../bot/domain/agreementRecords';
import { escapeMarkdown } from '../bot/domain/text';
import { cardTimestamp, partyText } from './agreementSent';
import { translatorFor } from '../bot/i18n';
import { cardStrings, compileCard, sentAtText } from './render';
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
  /** The rep's Teams locale: the card's words and statuses are in its language. Template names come in it already. */
  locale?: string;
}

/** Expanded once per page shape (items, buttons, words) and filled with each page's lines and ids. */
const renderList = compileCard<object>(template, { holes: ['headline', 'templateRef', 'signerLine', 'statusLine', 'id', 'summary', 'note', 'pageLabel', 'search'] });
const renderConfirm = compileCard<object>(confirmTemplate, { holes: ['agreementId', 'createdAt', 'value'] });

export function statusLabel(record: AgreementRecord, fresh: boolean, locale = 'en-US'): string {
  const t = translatorFor(locale);
  if (record.goneAt) return record.status === 'DELETED' ? describeStatus('DELETED', locale) : t('cards:list.gone');
  return fresh ? describeStatus(record.status, locale) : t('cards:list.lastKnown', { status: describeStatus(record.status, locale) });
}

export function renderAgreementListCard({ items, page, pages, note, draft, filter, locale = 'en-US' }: AgreementListCardData): AdaptiveCard {
  const t = translatorFor(locale);
  return renderList({
    strings: cardStrings(
      {
        title: 'cards:list.title',
        resume: 'cards:list.resume',
        empty: 'cards:list.empty',
        noMatch: 'cards:list.noMatch',
        newFrom: 'cards:list.newFrom',
        delete: 'cards:common.delete',
        newer: 'cards:list.newer',
        older: 'cards:list.older',
        showAll: 'cards:list.showAll',
        sendLoa: 'cards:common.sendLoa',
      },
      locale,
    ),
    pageLabel: t('cards:list.page', { page, pages }),
    filterLabel: filter ? escapeMarkdown(filter.label) : '',
    search: filter?.search ?? '',
    note: escapeMarkdown(note),
    draft: draft ? { id: draft.id, headline: t('cards:list.notSentYet', { template: escapeMarkdown(draft.templateName) }), summary: escapeMarkdown(draft.summary) } : null,
    items: items.map(({ record, templateName, fresh, ref, keyValue, sentAt }) => ({
      id: record.id,
      headline: escapeMarkdown(keyValue || templateName),
      templateRef: t('cards:list.templateRef', { template: escapeMarkdown(templateName), ref }),
      signerLine: t('cards:list.to', { signer: escapeMarkdown(partyText(record.signer)) }),
      statusLine: sentAtText('cards:list.statusSent', cardTimestamp(sentAt), locale, { status: escapeMarkdown(statusLabel(record, fresh, locale)) }),
      canDelete: !record.goneAt,
    })),
    previousPage: page > 1 ? page - 1 : 0,
    nextPage: page < pages ? page + 1 : 0,
  });
}

/** `ref` is the short ref the rep knows it by; the full id stays as a fact, for support. */
export function renderConfirmDeleteCard(record: AgreementRecord, templateName: string, ref: string, locale = 'en-US'): AdaptiveCard {
  const t = translatorFor(locale);
  const facts = [
    { title: t('cards:fact.ref'), value: ref },
    { title: t('cards:fact.template'), value: templateName },
    { title: t('cards:fact.signer'), value: partyText(record.signer) },
    { title: t('cards:fact.cc'), value: record.cc ? partyText(record.cc) : t('cards:fact.none') },
    { title: t('cards:fact.status'), value: describeStatus(record.status, locale) },
    { title: t('cards:fact.agreementId'), value: record.id },
  ];
  return renderConfirm({
    strings: cardStrings({ title: 'cards:confirmDelete.title', warning: 'cards:confirmDelete.warning', delete: 'cards:common.delete', backToList: 'cards:common.backToList' }, locale),
    agreementId: record.id,
    createdAt: sentAtText('cards:common.sentAt', cardTimestamp(record.createdAt), locale),
    facts: facts.map((f) => ({ title: f.title, value: escapeMarkdown(f.value) })),
  });
}
