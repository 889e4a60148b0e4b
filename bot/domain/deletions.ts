import type { Logger } from 'pino';
import { describeError } from '../logger';
import { API_ERROR_CODES } from '../loa/contract';
import { LoaApiError } from '../loa/loaApiError';
import type { LoaApi, LoaPrincipal } from '../loa/loaClient';
import type { AgreementRecord, AgreementRecords } from './agreementRecords';
import type { Clock } from './clock';
import type { KeyValueStore } from './keyValueStore';

/**
 * deleted: the API deleted it now; gone: the API no longer knew it; forbidden: the API
 * refused (403); failed: it may be tried again; notYours: the bot has no record of this
 * rep creating it, so nothing was asked of the API.
 */
export type DeletionOutcome =
  | { status: 'deleted' | 'gone'; record: AgreementRecord }
  | { status: 'forbidden'; record: AgreementRecord; message: string }
  /** mayHaveDeleted: no answer arrived, or a server error, so the API may have deleted it all the same. */
  | { status: 'failed'; record: AgreementRecord; message: string; mayHaveDeleted: boolean }
  | { status: 'deleting'; record: AgreementRecord }
  | { status: 'notYours' };

interface DeletionClaim {
  status: 'deleting' | 'deleted' | 'gone' | 'failed' | 'forbidden';
  at: string;
  /** An earlier attempt got no clear answer: a later refusal does not prove the LOA still exists. */
  mayHaveDeleted?: boolean;
}

/** Deletes a rep's agreements, once each, however often Delete is confirmed. */
export class AgreementDeleter {
  private readonly inFlight = new Map<string, Promise<DeletionOutcome>>();

  constructor(
    private readonly claims: KeyValueStore<DeletionClaim>,
    private readonly records: AgreementRecords,
    private readonly loa: LoaApi,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async delete(repKey: string, principal: LoaPrincipal, agreementId: string): Promise<DeletionOutcome> {
    const record = await this.records.find(repKey, agreementId);
    if (!record) return { status: 'notYours' };
    const key = `deletion/${agreementId}`;
    let deleting: DeletionClaim = { status: 'deleting', at: this.nowIso() };
    let claim = await this.claims.create(key, deleting);
    if (!claim) {
      const existing = await this.claims.get(key);
      const earlier = existing?.value;
      if (earlier?.status === 'deleting') return this.inFlight.get(agreementId) ?? { status: 'deleting', record };
      if (earlier?.status === 'deleted' || earlier?.status === 'gone') return { status: earlier.status, record };
      // A failed or refused attempt may be confirmed again; only one retry wins the swap.
      if (earlier?.mayHaveDeleted) deleting = { ...deleting, mayHaveDeleted: true };
      claim = existing ? await this.claims.replace(key, deleting, existing.etag) : undefined;
      if (!claim) return this.inFlight.get(agreementId) ?? { status: 'deleting', record };
    }
    const run = this.run(key, claim, repKey, principal, record, deleting.mayHaveDeleted === true).finally(() => this.inFlight.delete(agreementId));
    this.inFlight.set(agreementId, run);
    return run;
  }

  /** `claimEtag` is the version our claim wrote: the outcome replaces exactly that. */
  private async run(key: string, claimEtag: string, repKey: string, principal: LoaPrincipal, record: AgreementRecord, earlierMayHaveDeleted: boolean): Promise<DeletionOutcome> {
    let outcome: DeletionOutcome;
    try {
      await this.loa.deleteAgreement(principal, record.id);
      outcome = { status: 'deleted', record };
    } catch (err) {
      if (!(err instanceof LoaApiError)) {
        await this.settle(key, claimEtag, 'failed', earlierMayHaveDeleted);
        throw err;
      }
      if (err.code === API_ERROR_CODES.notFound || err.status === 404) outcome = { status: 'gone', record };
      else if (err.status === 403) outcome = { status: 'forbidden', record, message: err.message };
      else outcome = { status: 'failed', record, message: err.message, mayHaveDeleted: earlierMayHaveDeleted || err.outcomeUnknown };
      this.log.warn({ agreementId: record.id, status: err.status, code: err.code }, 'Delete did not go through as asked');
    }
    if (outcome.status === 'deleted' || outcome.status === 'gone') {
      const goneAt = this.nowIso();
      const updated = await this.records.update(repKey, record.id, (r) => ({ ...r, goneAt, status: outcome.status === 'deleted' ? 'DELETED' : r.status }));
      if (updated) outcome = { ...outcome, record: updated };
    }
    await this.settle(key, claimEtag, outcome.status, outcome.status === 'failed' ? outcome.mayHaveDeleted : earlierMayHaveDeleted);
    return outcome;
  }

  private async settle(key: string, claimEtag: string, status: DeletionClaim['status'], mayHaveDeleted: boolean): Promise<void> {
    try {
      const settled: DeletionClaim = { status, at: this.nowIso(), ...(mayHaveDeleted ? { mayHaveDeleted: true } : {}) };
      if (await this.claims.replace(key, settled, claimEtag)) return;
      this.log.error({ key }, 'Could not record a deletion outcome');
    } catch (err) {
      this.log.error({ err: describeError(err), key }, 'Could not record a deletion outcome');
    }
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
