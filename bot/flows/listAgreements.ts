import { z } from 'zod';
import { renderAgreementListCard } from '../../cards/agreementList';
import type { ListedAgreement, OpenDraft } from '../../cards/agreementList';
import { isFinalStatus } from '../domain/agreement';
import { shortRefs } from '../domain/agreementRef';
import type { AgreementRecord } from '../domain/agreementRecords';
import type { LoaTemplate } from '../domain/templateCatalog';
import { repKey } from '../domain/rep';
import type { RepIdentity } from '../domain/rep';
import { LOA_ERROR_CODES, LoaServiceError } from '../domain/loaService';
import type { LoaFailure, LoaPrincipal } from '../domain/loaService';
import { FAILURE_CAUSE } from './failureWords';
import { describeError } from '../logger';
import type { Logger } from '../logger';
import type { FlowContext, FlowDeps, FlowHandler } from './flowContext';

export const PAGE_SIZE = 10;

/** How long "my LOAs" waits for fresh statuses before it answers with the stored ones. */
export const STATUS_REFRESH_BUDGET_MS = 2500;

export const listData = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) }).catch({ page: 1 });

/** "my LOAs": the rep's agreements, newest first, a page at a time, with statuses refreshed where the API can. */
export function listAgreements(deps: FlowDeps): FlowHandler<{ page: number }> {
  return async (ctx, data) => {
    const rep = await ctx.rep();
    const key = repKey(rep);
    const all = await deps.records.list(key);
    const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
    const page = Math.min(data.page, pages);
    let shown = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const { refreshed, note, records } = await refreshStatuses(deps, rep, () => ctx.principal(), shown, ctx.log);
    if (records) {
      const byId = new Map(records.map((r) => [r.id, r]));
      shown = shown.map((r) => byId.get(r.id) ?? r);
    }
    const refs = shortRefs(all.map((r) => r.id));
    const items: ListedAgreement[] = shown.map((record) => {
      const template = deps.catalog.get(record.templateId);
      const keyValue = keyValueOf(template, record.formData);
      return {
        record,
        templateName: template?.name ?? 'Unknown template',
        fresh: refreshed.has(record.id) || isFinalStatus(record.status),
        ref: refs.get(record.id)!,
        ...(keyValue ? { keyValue } : {}),
        sentAt: record.createdAt,
      };
    });
    const draft = page === 1 ? await openDraft(deps, ctx) : undefined;
    return { card: renderAgreementListCard({ items, page, pages, note, ...(draft ? { draft } : {}) }) };
  };
}

/**
 * The field that tells one LOA of a template from another (the customer, the project): its
 * first required text field. Undefined when the template has none or the value is empty.
 */
function keyValueOf(template: LoaTemplate | undefined, values: ReadonlyArray<{ name: string; value: string }>): string | undefined {
  const field = template?.fields.find((f) => f.required && f.type === 'text');
  return values.find((v) => v.name === field?.name)?.value.trim() || undefined;
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
  const parts = [keyValue, signer ? `to ${signer}` : undefined].filter(Boolean);
  return { id: draft.id, templateName: template.name, summary: parts.length > 0 ? `${parts.join(', ')}. Press Resume to finish it.` : 'Press Resume to finish it.' };
}

/** Asks the API for the status of each open agreement shown, and writes the answers back in one go. */
async function refreshStatuses(
  deps: FlowDeps,
  rep: RepIdentity,
  principalOf: () => Promise<LoaPrincipal>,
  shown: AgreementRecord[],
  log: Logger,
): Promise<{ refreshed: Set<string>; note: string; records?: AgreementRecord[] }> {
  const refreshed = new Set<string>();
  const open = shown.filter((r) => !r.goneAt && !isFinalStatus(r.status));
  if (open.length === 0) return { refreshed, note: '' };
  if (!deps.loa.canGetAgreement) return { refreshed, note: LAST_KNOWN };
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
      changes.set(id, (r) => ({ ...r, status: result.value.status, statusCheckedAt: checkedAt }));
    } else if (result.reason instanceof LoaServiceError && result.reason.code === LOA_ERROR_CODES.notFound) {
      refreshed.add(id);
      changes.set(id, (r) => ({ ...r, goneAt: checkedAt }));
    } else {
      failures.push(result.reason instanceof LoaServiceError ? result.reason.failure : 'failed');
      log.warn({ agreementId: id, err: describeError(result.reason) }, 'Could not refresh an agreement status');
    }
  });
  const records = changes.size > 0 ? await deps.records.updateMany(repKey(rep), changes) : undefined;
  const note = !deps.loa.canGetAgreement ? LAST_KNOWN : refreshNote(failures);
  return { refreshed, note, ...(records ? { records } : {}) };
}

const LAST_KNOWN = "The LOA service can't report status, so these are the last statuses I know.";

function refreshNote(failures: LoaFailure[]): string {
  if (failures.length === 0) return '';
  const failure = failures.includes('botAccess') ? 'botAccess' : failures.includes('timeout') ? 'timeout' : failures[0]!;
  const after = failure === 'botAccess' ? ' Your admin has been told.' : '';
  return `${FAILURE_CAUSE[failure]}, so the statuses marked "last known" may be out of date.${after}`;
}
