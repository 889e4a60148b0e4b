import type { Logger } from 'pino';
import type { AgreementRecord, AgreementRecords } from './agreementRecords';
import type { Clock } from './clock';
import type { KeyValueStore } from './keyValueStore';
import { LOA_ERROR_CODES, LoaServiceError } from './loaService';
import type { LoaFailure, LoaPrincipal, LoaService } from './loaService';
import { writeEventually } from './persistence';
import { claimOnce, settleClaim } from './claims';
import { giveBackAnnouncement, takeAnnouncement } from './announcements';
import type { AnnounceOptions, Announced, Announcement } from './announcements';

/**
 * deleted: the API deleted it now; gone: the API no longer knew it; forbidden: the API
 * refused (403); failed: it may be tried again; notYours: the bot has no record of this
 * rep creating it, so nothing was asked of the API.
 */
export type DeletionOutcome =
  | (OfRecord & { status: 'deleted' | 'gone' })
  | (OfRecord & { status: 'forbidden'; message: string })
  /** mayHaveDeleted: no answer arrived, or a server error, so the API may have deleted it all the same. */
  | (OfRecord & { status: 'failed'; failure: LoaFailure; mayHaveDeleted: boolean })
  | (OfRecord & { status: 'deleting' })
  | { status: 'notYours' };

/** What an outcome about one of the rep's agreements carries. */
interface OfRecord {
  record: AgreementRecord;
  /** Its short ref as the rep reads it, from the same read of their records as `record`. */
  ref: string;
  attempt: number;
}

interface DeletionClaim extends Announced {
  status: 'deleting' | 'deleted' | 'gone' | 'failed' | 'forbidden';
  at: string;
  /** 1 for the first confirmed Delete; each Delete after a failure adds one. */
  attempt?: number;
  /** An earlier attempt got no clear answer: a later refusal does not prove the LOA still exists. */
  mayHaveDeleted?: boolean;
  failure?: LoaFailure;
}

/** How long one delete may keep retrying, so a follow-up comes while the rep still waits for it. */
const DELETE_DEADLINE_MS = 20_000;
/** Beyond the deadline, before a "deleting" claim is taken for one whose instance died. */
const STALE_MARGIN_MS = 40_000;

const keyOf = (agreementId: string) => `deletion/${agreementId}`;

/** One of the rep's records and its ref, as one read of their records found them. */
type Found = Pick<OfRecord, 'record' | 'ref'>;

/** Deletes a rep's agreements, once each, however often Delete is confirmed, and tells the chat once. */
export class AgreementDeleter {
  private readonly inFlight = new Map<string, Promise<DeletionOutcome>>();

  constructor(
    private readonly claims: KeyValueStore<DeletionClaim>,
    private readonly records: AgreementRecords,
    private readonly loa: LoaService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async delete(repKey: string, principal: LoaPrincipal, agreementId: string): Promise<DeletionOutcome> {
    const found = await this.records.findWithRef(repKey, agreementId);
    if (!found) return { status: 'notYours' };
    const first: DeletionClaim = { status: 'deleting', at: this.nowIso(), attempt: 1 };
    const attempt = await claimOnce(this.claims, keyOf(agreementId), first, (earlier) => this.retryOf(earlier, agreementId));
    if (!attempt.claimed) return this.standing(attempt.current, found, agreementId);
    const run = this.run(keyOf(agreementId), attempt.etag, repKey, principal, found, attempt.value).finally(() => this.inFlight.delete(agreementId));
    this.inFlight.set(agreementId, run);
    return run;
  }

  /**
   * The claim a confirmed Delete takes over an earlier one with: after a failed or refused
   * attempt, or one whose instance died mid-delete (which may have gone through).
   */
  private retryOf(earlier: DeletionClaim, agreementId: string): DeletionClaim | undefined {
    if (earlier.status === 'deleting' && (this.inFlight.has(agreementId) || !this.isStale(earlier))) return undefined;
    if (earlier.status === 'deleted' || earlier.status === 'gone') return undefined;
    const mayHaveDeleted = earlier.mayHaveDeleted === true || earlier.status === 'deleting';
    return { status: 'deleting', at: this.nowIso(), attempt: (earlier.attempt ?? 1) + 1, ...(mayHaveDeleted ? { mayHaveDeleted: true } : {}) };
  }

  /** What a Delete that did not get the claim answers: the one running, or the stored outcome. */
  private standing(current: DeletionClaim | undefined, found: Found, agreementId: string): Promise<DeletionOutcome> | DeletionOutcome {
    const attempt = current?.attempt ?? 1;
    if (current?.status === 'deleted' || current?.status === 'gone') return { status: current.status, ...found, attempt };
    return this.inFlight.get(agreementId) ?? { status: 'deleting', ...found, attempt };
  }

  /**
   * The outcome of the rep's last Delete of an agreement, as stored, for a follow-up that
   * another instance (or a later round) delivers: 'pending' while it may still be running.
   * A claim left at "deleting" by an instance that died settles as "may have deleted".
   */
  async settled(repKey: string, agreementId: string): Promise<DeletionOutcome | 'pending' | undefined> {
    const found = await this.records.findWithRef(repKey, agreementId);
    const current = await this.claims.get(keyOf(agreementId));
    if (!found || !current) return undefined;
    const claim = current.value;
    const attempt = claim.attempt ?? 1;
    if (claim.status === 'deleting') {
      if (this.inFlight.has(agreementId) || !this.isStale(claim)) return 'pending';
      const interrupted: DeletionClaim = { ...claim, status: 'failed', at: this.nowIso(), mayHaveDeleted: true, failure: 'failed' };
      if (!(await this.claims.replace(keyOf(agreementId), interrupted, current.etag))) return 'pending';
      this.log.warn({ agreementId }, 'A delete was interrupted; marked as maybe deleted');
      return { status: 'failed', ...found, attempt, failure: 'failed', mayHaveDeleted: true };
    }
    if (claim.status === 'failed') return { status: 'failed', ...found, attempt, failure: claim.failure ?? 'failed', mayHaveDeleted: claim.mayHaveDeleted === true };
    if (claim.status === 'forbidden') return { status: 'forbidden', ...found, attempt, message: '' };
    return { status: claim.status, ...found, attempt };
  }

  /** A "deleting" claim older than any delete can take belongs to an instance that died. */
  private isStale(claim: DeletionClaim): boolean {
    return this.clock.now() - Date.parse(claim.at) > DELETE_DEADLINE_MS + STALE_MARGIN_MS;
  }

  /**
   * 'ours' for exactly one caller per outcome, across turns and instances: that caller tells
   * the chat. Twenty presses of Delete post one message. An outcome whose own write storage
   * failed is stored here with its announcement.
   */
  async announce(outcome: DeletionOutcome, options: AnnounceOptions = { via: 'turn' }): Promise<Announcement> {
    if (outcome.status === 'notYours' || outcome.status === 'deleting') return 'told';
    const settled = this.claimOf(outcome);
    const ours = (stored: DeletionClaim) => ((stored.attempt ?? 1) !== outcome.attempt ? undefined : stored.status === 'deleting' ? { ...stored, ...settled } : stored);
    return takeAnnouncement(this.claims, keyOf(outcome.record.id), outcome.attempt, ours, options, this.clock.now());
  }

  /** The announcement did not reach the chat (Teams refused it): the next to show the outcome tells it. */
  async unannounce(outcome: DeletionOutcome): Promise<void> {
    if (outcome.status === 'notYours' || outcome.status === 'deleting') return;
    await giveBackAnnouncement(this.claims, keyOf(outcome.record.id), outcome.attempt);
  }

  /** `claimEtag` is the version our claim wrote: the outcome replaces exactly that. */
  private async run(key: string, claimEtag: string, repKey: string, principal: LoaPrincipal, { record, ref }: Found, claim: DeletionClaim): Promise<DeletionOutcome> {
    const attempt = claim.attempt ?? 1;
    const earlierMayHaveDeleted = claim.mayHaveDeleted === true;
    let outcome: DeletionOutcome;
    try {
      await this.loa.deleteAgreement(principal, record.id, { deadline: this.clock.now() + DELETE_DEADLINE_MS });
      outcome = { status: 'deleted', record, ref, attempt };
    } catch (err) {
      if (!(err instanceof LoaServiceError)) {
        await this.settle(key, claimEtag, { status: 'failed', attempt, at: this.nowIso(), ...(earlierMayHaveDeleted ? { mayHaveDeleted: true } : {}) });
        throw err;
      }
      if (err.code === LOA_ERROR_CODES.notFound || err.status === 404) outcome = { status: 'gone', record, ref, attempt };
      else if (err.status === 403 && err.operation === 'delete') outcome = { status: 'forbidden', record, ref, attempt, message: err.message };
      else outcome = { status: 'failed', record, ref, attempt, failure: err.failure, mayHaveDeleted: earlierMayHaveDeleted || err.outcomeUnknown };
      this.log.warn({ agreementId: record.id, status: err.status, code: err.code }, 'Delete did not go through as asked');
    }
    if (outcome.status === 'deleted' || outcome.status === 'gone') {
      const goneAt = this.nowIso();
      const gone = (r: AgreementRecord): AgreementRecord => ({ ...r, goneAt, status: outcome.status === 'deleted' ? 'DELETED' : r.status });
      // The delete happened: a storage failure must not turn it into an error, nor lose it.
      await writeEventually(() => this.records.update(repKey, record.id, gone), this.log, { agreementId: record.id, write: 'deleted record' });
      outcome = { ...outcome, record: gone(record) };
    }
    await this.settle(key, claimEtag, { ...this.claimOf(outcome), ...(earlierMayHaveDeleted ? { mayHaveDeleted: true } : {}) });
    return outcome;
  }

  /** How an outcome is stored. */
  private claimOf(outcome: Exclude<DeletionOutcome, { status: 'notYours' | 'deleting' }>): DeletionClaim {
    const mayHaveDeleted = outcome.status === 'failed' && outcome.mayHaveDeleted;
    return { status: outcome.status, at: this.nowIso(), attempt: outcome.attempt, ...(mayHaveDeleted ? { mayHaveDeleted } : {}), ...(outcome.status === 'failed' ? { failure: outcome.failure } : {}) };
  }

  /** Stores the outcome over our own claim, unless an announcement stored it meanwhile. */
  private async settle(key: string, claimEtag: string, settled: DeletionClaim): Promise<void> {
    const isSettled = (stored: DeletionClaim) => (stored.attempt ?? 1) === settled.attempt && stored.status === settled.status;
    await settleClaim(this.claims, key, settled, claimEtag, { isSettled, log: this.log, context: { key } });
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
