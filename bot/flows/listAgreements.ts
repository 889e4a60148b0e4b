import { templateNameOf } from './templateName';
import { z } from 'zod';
import { renderAgreementListCard } from '../../cards/agreementList';
import type { ListedAgreement, OpenDraft } from '../../cards/agreementList';
import { isFinalStatus } from '../domain/agreement';
import { shortRefs } from '../domain/agreementRef';
import type { AgreementRecord } from '../domain/agreementRecords';
import { describeSearch, isEmptySearch, keyValueOf, matchesSearch, MAX_SEARCH_LENGTH, parseSearch, referencesOf, withoutStatuses } from '../domain/agreementSearch';
import type { AgreementSearch, SearchableAgreement } from '../domain/agreementSearch';
import { repKey } from '../domain/rep';
import type { RepIdentity } from '../domain/rep';
import { LOA_ERROR_CODES, LoaServiceError } from '../domain/loaService';
import type { LoaFailure, LoaPrincipal } from '../domain/loaService';
import type { Translate } from '../i18n';
import { failureCause } from './failureWords';
import { describeError } from '../logger';
import type { Logger } from '../logger';
import type { FlowContext, FlowDeps, FlowHandler } from './flowContext';

export const PAGE_SIZE = 10;

/** How long "my LOAs" waits for fresh statuses before it answers with the stored ones. */
export const STATUS_REFRESH_BUDGET_MS = 2500;

export const listData = z
  .object({
    page: z.coerce.number().int().min(1).max(10_000).catch(1),
    /** What the rep searched for, carried by the card's paging buttons; empty for the whole list. */
    search: z.string().max(MAX_SEARCH_LENGTH).optional().catch(undefined),
  })
  .catch({ page: 1 });

export type ListData = z.infer<typeof listData>;

/** In a search by status, how many of the other matches get fresh statuses first: the newest, within the refresh budget. */
export const STATUS_SEARCH_REFRESH_LIMIT = 25;

/**
 * "my LOAs": the rep's agreements, newest first, a page at a time, with statuses refreshed
 * where the API can; with `search`, only those that match it (only the rep's own, as ever).
 */
export function listAgreements(deps: FlowDeps): FlowHandler<ListData> {
  return async (ctx, data) => {
    const rep = await ctx.rep();
    const all = await deps.records.list(repKey(rep));
    const refs = shortRefs(all.map((r) => r.id));
    const parsed = data.search ? parseSearch(data.search, { now: deps.clock.now(), locale: ctx.locale, timeZone: ctx.timeZone }) : undefined;
    const search = parsed && !isEmptySearch(parsed) ? parsed : undefined;
    const matches = (s: AgreementSearch) => (r: AgreementRecord) => matchesSearch(searchableOf(deps, r, refs), s);
    // A status may have changed since it was stored: a search by status refreshes before it filters.
    const byStatus = !!search && search.statuses.length > 0;
    const pool = search ? all.filter(matches(byStatus ? withoutStatuses(search) : search)) : all;
    const toRefresh = byStatus ? pool.slice(0, STATUS_SEARCH_REFRESH_LIMIT) : pageOf(pool, data.page).shown;
    const { refreshed, note, records } = await refreshStatuses(deps, rep, () => ctx.principal(), toRefresh, ctx.log, ctx.t);
    const byId = new Map((records ?? []).map((r) => [r.id, r]));
    const fresh = pool.map((r) => byId.get(r.id) ?? r);
    const { shown, page, pages } = pageOf(byStatus ? fresh.filter(matches(search)) : fresh, data.page);
    const items: ListedAgreement[] = shown.map((record) => {
      const template = deps.catalog.get(record.templateId);
      const keyValue = keyValueOf(template, record.formData);
      return {
        record,
        templateName: templateNameOf(template, ctx.t),
        fresh: refreshed.has(record.id) || isFinalStatus(record.status),
        ref: refs.get(record.id)!,
        ...(keyValue ? { keyValue } : {}),
        sentAt: record.createdAt,
      };
    });
    const draft = page === 1 && !search ? await openDraft(deps, ctx) : undefined;
    const filter = search ? { label: describeSearch(search, ctx.locale), search: search.typed } : undefined;
    return { card: renderAgreementListCard({ items, page, pages, note, ...(draft ? { draft } : {}), ...(filter ? { filter } : {}), locale: ctx.locale }) };
  };
}

function pageOf(records: AgreementRecord[], wanted: number): { shown: AgreementRecord[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(records.length / PAGE_SIZE));
  const page = Math.min(wanted, pages);
  return { shown: records.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), page, pages };
}

/** What a search looks at in one record, in the words the list shows it with. */
export function searchableOf(deps: FlowDeps, record: AgreementRecord, refs: ReadonlyMap<string, string>): SearchableAgreement {
  const template = deps.catalog.get(record.templateId);
  const keyValue = keyValueOf(template, record.formData);
  return {
    id: record.id,
    ref: refs.get(record.id) ?? record.id,
    templateName: template?.name ?? '',
    ...(keyValue ? { keyValue } : {}),
    signer: record.signer,
    ...(record.cc ? { cc: record.cc } : {}),
    references: referencesOf(template, record.formData),
    status: record.status,
    gone: !!record.goneAt,
    createdAt: record.createdAt,
  };
}

/** The rep's draft in this chat, if a template is chosen and it was not sent: shown first, to resume. */
async function openDraft(deps: FlowDeps, ctx: FlowContext): Promise<OpenDraft | undefined> {
  const draft = ctx.conversation.draft;
  const template = draft?.templateId ? deps.catalog.get(draft.templateId) : undefined;
  if (!draft || !template) return undefined;
  const submission = await deps.sender.find(await ctx.caller(), draft.id);
  if (submission && submission.status !== 'failed') return undefined;
  const keyValue = keyValueOf(template, Object.entries(draft.values.fields).map(([name, value]) => ({ name, value })));
  const signer = draft.values.signerName.trim();
  const parts = [keyValue, signer ? ctx.t('chat:common.toSigner', { signer }) : undefined].filter(Boolean);
  return { id: draft.id, templateName: template.name, summary: parts.length > 0 ? ctx.t('chat:list.resumeAbout', { about: parts.join(', ') }) : ctx.t('chat:list.resume') };
}

/** Asks the API for the status of each open agreement shown, and writes the answers back in one go. */
async function refreshStatuses(
  deps: FlowDeps,
  rep: RepIdentity,
  principalOf: () => Promise<LoaPrincipal>,
  shown: AgreementRecord[],
  log: Logger,
  t: Translate,
): Promise<{ refreshed: Set<string>; note: string; records?: AgreementRecord[] }> {
  const refreshed = new Set<string>();
  const open = shown.filter((r) => !r.goneAt && !isFinalStatus(r.status));
  if (open.length === 0) return { refreshed, note: '' };
  if (!deps.loa.canGetAgreement) return { refreshed, note: t('chat:list.lastKnown') };
  const principal = await principalOf();
  const checkedAt = new Date(deps.clock.now()).toISOString();
  // Past the budget the calls give up, and the rep sees the stored statuses marked as such.
  const deadline = deps.clock.now() + STATUS_REFRESH_BUDGET_MS;
  const results = await Promise.allSettled(open.map((r) => deps.loa.getAgreement(principal, r.id, { deadline })));
  const changes = new Map<string, (r: AgreementRecord) => AgreementRecord>();
  const failures: LoaFailure[] = [];
  results.forEach((result, i) => {
    const id = open[i]!.id;
    if (result.status === 'fulfilled') {
      refreshed.add(id);
      // Written only when it moved: rewriting the rep's whole list (a download and an upload on
      // Blob Storage) on every look, to stamp an unchanged status, cost a storage round trip each time.
      if (result.value.status !== open[i]!.status) changes.set(id, (r) => ({ ...r, status: result.value.status, statusCheckedAt: checkedAt }));
    } else if (result.reason instanceof LoaServiceError && result.reason.code === LOA_ERROR_CODES.notFound) {
      refreshed.add(id);
      changes.set(id, (r) => ({ ...r, goneAt: checkedAt }));
    } else {
      failures.push(result.reason instanceof LoaServiceError ? result.reason.failure : 'failed');
      log.warn({ agreementId: id, err: describeError(result.reason) }, 'Could not refresh an agreement status');
    }
  });
  const records = changes.size > 0 ? await deps.records.updateMany(repKey(rep), changes) : undefined;
  const note = !deps.loa.canGetAgreement ? t('chat:list.lastKnown') : refreshNote(t, failures);
  return { refreshed, note, ...(records ? { records } : {}) };
}

function refreshNote(t: Translate, failures: LoaFailure[]): string {
  if (failures.length === 0) return '';
  const failure = failures.includes('botAccess') ? 'botAccess' : failures.includes('timeout') ? 'timeout' : failures[0]!;
  const note = t('chat:list.mayBeOutOfDate', { cause: failureCause(t, failure) });
  return failure === 'botAccess' ? t('chat:list.adminTold', { note }) : note;
}
