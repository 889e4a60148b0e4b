import { translatorFor } from '../i18n';
import { isFinalStatus } from './agreement';
import type { AgreementStatus, FormValue, Party } from './agreement';
import { readPeriod, foldWord } from './datePeriods';
import type { Calendar, Period } from './datePeriods';
import type { LoaTemplate } from './templateCatalog';
import { editDistance } from './text';

/**
 * Search in "my LOAs": the words a rep types after "my LOAs" ("acme", "signed last month",
 * "Q-2026-00123") read into filters, and one agreement tested against them. Every filter
 * must hold; each word may be found in any of the agreement's texts, with small typos.
 */

/** Statuses as a rep names them, each a set of API statuses (see `describeStatus`). */
export type StatusFilter = 'waiting' | 'viewed' | 'signed' | 'declined' | 'expired' | 'deleted';

export interface AgreementSearch {
  /** What the rep typed, kept so a card can run the search again (paging). */
  typed: string;
  /** Words to find in the agreement's texts, as typed. */
  terms: string[];
  /** Any of these; none means any status. */
  statuses: StatusFilter[];
  /** When it was sent. */
  period?: Period;
}

/** What of one agreement a search looks at, in the rep's words. */
export interface SearchableAgreement {
  id: string;
  /** Its short ref, as the list shows it. */
  ref: string;
  templateName: string;
  /** The template's key field: the customer or the project. */
  keyValue?: string;
  signer: Party;
  cc?: Party;
  /** Values of fields with a format, such as quote references and account numbers. */
  references: string[];
  status: AgreementStatus;
  /** Deleted, or no longer known to the LOA service. */
  gone: boolean;
  /** ISO time it was sent. */
  createdAt: string;
}

/** Longest search text kept, on a card or typed. */
export const MAX_SEARCH_LENGTH = 200;

const STATUS_WORDS: Record<string, StatusFilter> = {
  sent: 'waiting', waiting: 'waiting', pending: 'waiting', open: 'waiting', unsigned: 'waiting', outstanding: 'waiting', awaiting: 'waiting',
  viewed: 'viewed', opened: 'viewed', seen: 'viewed',
  signed: 'signed', completed: 'signed', countersigned: 'signed',
  declined: 'declined', rejected: 'declined', refused: 'declined',
  expired: 'expired', lapsed: 'expired',
  deleted: 'deleted', removed: 'deleted',
};

/** Catalog keys of the statuses as a search names them. */
const STATUS_LABELS: Record<StatusFilter, string> = {
  waiting: 'rules:search.status.waiting', viewed: 'rules:search.status.viewed', signed: 'rules:search.status.signed', declined: 'rules:search.status.declined', expired: 'rules:search.status.expired', deleted: 'rules:search.status.deleted',
};

/** Words that say how to search, not what to find. */
const FILLERS = new Set([
  'my', 'all', 'the', 'a', 'an', 'me', 'please', 'pls', 'thanks', 'show', 'find', 'search', 'list', 'get', 'see', 'loa', 'loas', 'agreement', 'agreements',
  'with', 'for', 'to', 'of', 'from', 'by', 'and', 'or', 'in', 'on', 'at', 'that', 'which', 'were', 'was', 'are', 'is', 'i',
  'customer', 'signer', 'template', 'ref', 'reference', 'named', 'called', 'status',
]);

/** After "sent", these say when or to whom: "sent last month" is every LOA sent then, not the waiting ones. */
const AFTER_SENT = new Set(['to', 'by', 'in', 'on', 'since', 'before', 'after', 'between', 'from', 'during', 'this', 'last', 'past', 'today', 'yesterday', 'until', 'till']);

/** Reads what a rep typed into a search. Words it cannot place are searched for as text. */
export function parseSearch(typed: string, calendar: Calendar): AgreementSearch {
  const clipped = typed.slice(0, MAX_SEARCH_LENGTH);
  const raw = clipped.split(/\s+/).map((w) => w.replace(/^["'(]+|["'),;:!?]+$|\.+$/g, '')).filter(Boolean);
  const folded = raw.map(foldWord);
  const search: AgreementSearch = { typed: clipped.trim(), terms: [], statuses: [] };
  for (let i = 0; i < folded.length; ) {
    const found = search.period ? undefined : readPeriod(folded, i, calendar);
    if (found) {
      search.period = found.period;
      i = found.next;
      continue;
    }
    const word = folded[i]!;
    const status = statusOf(word, folded[i + 1]);
    if (status && !search.statuses.includes(status)) search.statuses.push(status);
    else if (!status && !FILLERS.has(word) && word !== 'sent') search.terms.push(raw[i]!);
    i++;
  }
  return search;
}

/** True when the search filters nothing: "my LOAs please" is the whole list. */
export function isEmptySearch(search: AgreementSearch): boolean {
  return search.terms.length === 0 && search.statuses.length === 0 && !search.period;
}

/** The same search, whatever the status: to find the agreements whose status is worth refreshing first. */
export function withoutStatuses(search: AgreementSearch): AgreementSearch {
  return { ...search, statuses: [] };
}

function statusOf(word: string, next: string | undefined): StatusFilter | undefined {
  if (word === 'sent') return next === undefined || !AFTER_SENT.has(next) ? 'waiting' : undefined;
  const exact = STATUS_WORDS[word];
  if (exact || word.length < 6) return exact;
  // "singed", "declned": one slip in a long status word.
  const near = Object.keys(STATUS_WORDS).find((known) => known.length >= 6 && editDistance(word, known) <= 1);
  return near ? STATUS_WORDS[near] : undefined;
}

/** The filters in the rep's words: `LOAs matching "acme" · signed · last month`. The period is as the rep typed it. */
export function describeSearch(search: AgreementSearch, locale = 'en-US'): string {
  const t = translatorFor(locale);
  const parts = [search.terms.length > 0 ? t('rules:search.matching', { terms: search.terms.join(' ') }) : t('rules:search.all')];
  if (search.statuses.length > 0) parts.push(search.statuses.map((s) => t(STATUS_LABELS[s])).reduce((first, second) => t('rules:search.either', { first, second })));
  if (search.period) parts.push(search.period.label);
  return parts.join(' · ');
}

export function matchesSearch(agreement: SearchableAgreement, search: AgreementSearch): boolean {
  if (search.statuses.length > 0 && !search.statuses.some((s) => hasStatus(agreement, s))) return false;
  if (search.period && !within(Date.parse(agreement.createdAt), search.period)) return false;
  if (search.terms.length === 0) return true;
  const texts = textsOf(agreement);
  return search.terms.every((term) => termMatches(term, agreement, texts));
}

function hasStatus(agreement: SearchableAgreement, status: StatusFilter): boolean {
  if (status === 'deleted') return agreement.gone;
  if (agreement.gone) return false;
  if (status === 'waiting') return !isFinalStatus(agreement.status);
  return agreement.status === status.toUpperCase();
}

function within(at: number, period: Period): boolean {
  return (period.from === undefined || at >= period.from) && (period.to === undefined || at < period.to);
}

/** Each text folded, with its words: what terms are compared with. */
function textsOf(agreement: SearchableAgreement): Array<{ text: string; words: string[] }> {
  const { signer, cc } = agreement;
  return [agreement.keyValue, signer.name, signer.email, cc?.name, cc?.email, agreement.templateName, ...agreement.references]
    .filter((t): t is string => !!t)
    .map((t) => {
      const text = fold(t);
      return { text, words: text.split(/[^\p{L}\p{N}]+/u).filter(Boolean) };
    });
}

function termMatches(term: string, agreement: SearchableAgreement, texts: ReadonlyArray<{ text: string; words: string[] }>): boolean {
  const compact = term.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  if (compact.length >= 4 && (agreement.ref.startsWith(compact) || agreement.id.replace(/[^A-Za-z0-9]/g, '').toUpperCase().startsWith(compact))) return true;
  const folded = fold(term);
  if (texts.some((t) => t.text.includes(folded))) return true;
  // Typos are forgiven in words only: a reference or an amount one digit off is another one.
  const typos = /\d/.test(folded) || folded.length < 4 ? 0 : folded.length < 8 ? 1 : 2;
  if (typos === 0 || /[^\p{L}]/u.test(folded)) return false;
  return texts.some((t) => t.words.some((w) => editDistance(w, folded) <= typos || (w.length > folded.length && folded.length >= 5 && editDistance(w.slice(0, folded.length), folded) <= typos)));
}

/** Lower case, no accents: "Société" is found by "societe". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The field that tells one LOA of a template from another (the customer, the project): its
 * first required text field. Undefined when the template has none or the value is empty.
 */
export function keyValueOf(template: LoaTemplate | undefined, values: ReadonlyArray<FormValue>): string | undefined {
  const field = template?.fields.find((f) => f.required && f.type === 'text');
  return values.find((v) => v.name === field?.name)?.value.trim() || undefined;
}

/** Values of the template's fields with a format (quote references, account numbers): what "LOA Q-2026-00123" finds. */
export function referencesOf(template: LoaTemplate | undefined, values: ReadonlyArray<FormValue>): string[] {
  const names = new Set(template?.fields.filter((f) => f.type === 'text' && f.pattern).map((f) => f.name));
  return values.filter((v) => names.has(v.name) && v.value.trim()).map((v) => v.value.trim());
}
