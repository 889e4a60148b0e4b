import type { Logger } from 'pino';
import { describeError } from '../logger';
import type { Agreement, AgreementRequest } from './agreement';
import { recordFromAgreement } from './agreementRecords';
import type { AgreementRecords, ConversationOrigin } from './agreementRecords';
import { sleep } from './clock';
import type { Clock } from './clock';
import { giveBackAnnouncement, takeAnnouncement } from './announcements';
import { claimOnce, settleClaim } from './claims';
import type { AnnounceOptions, Announced, Announcement } from './announcements';
import type { KeyValueStore } from './keyValueStore';
import { LoaServiceError } from './loaService';
import type { FieldProblem, LoaCallSettings, LoaOperation, LoaPrincipal, LoaService } from './loaService';
import { writeEventually } from './persistence';
import { repKey, sameRep } from './rep';
import type { RepIdentity } from './rep';

/**
 * sending: claimed, the create call is under way (or its instance died);
 * created: the API created the agreement; failed: the API refused, nothing was created;
 * unknown: no answer arrived, so an agreement may exist and nothing is resent by itself;
 * cancelled: the rep cancelled the draft before any Send claimed it, or after one failed.
 */
export type SubmissionStatus = 'sending' | 'created' | 'failed' | 'unknown' | 'cancelled';

export interface SubmissionError {
  /** The LOA API call that failed: a token call means the rep's sign-in was refused, not the LOA. */
  operation?: LoaOperation;
  code: string;
  message: string;
  status?: number;
  details: FieldProblem[];
  retryable: boolean;
}

/** What became of one draft's Send. At most one agreement is ever created per draft. */
export interface Submission extends Announced {
  draftId: string;
  status: SubmissionStatus;
  /** 1 for the first Send; each accepted Retry adds one. */
  attempt: number;
  templateId: string;
  repKey: string;
  startedAt: string;
  finishedAt?: string;
  agreement?: Agreement;
  error?: SubmissionError;
  /** An earlier attempt ended unknown: it may exist even if a later one was refused. */
  earlierMayExist?: boolean;
}

/** A Send of a draft, before anything slow (the rep's identity, a token) has happened. */
export interface ClaimRequest {
  draftId: string;
  /** The rep key of whoever pressed Send: the submission is theirs alone. */
  owner: string;
  templateId: string;
  /** The attempt a Retry button was showing; absent for the first Send. */
  retryOfAttempt?: number;
}

/** What the create needs once the draft is claimed. */
export interface SendRequest {
  rep: RepIdentity;
  principal: LoaPrincipal;
  request: AgreementRequest;
  /** The chat to tell about later status changes. */
  origin: ConversationOrigin;
}

/** A draft this call claimed: it must be sent or released. */
export interface SubmissionTicket {
  readonly submission: Submission;
  /** The version the claim wrote: the outcome replaces exactly that, without reading it back. */
  readonly etag: string;
}

/** Either this call holds the draft now, or someone already did: their outcome. */
export type ClaimResult = { claimed: true; ticket: SubmissionTicket } | { claimed: false; result: SubmitResult };

/** Told about every agreement created, e.g. to watch its status. */
export type CreatedListener = (rep: RepIdentity, agreement: Agreement) => Promise<void>;

export interface SubmitResult {
  /** The submission as it stands now. */
  submission: Submission;
  /** Settles when the submission reaches created, failed or unknown; never rejects. */
  done: Promise<Submission>;
}

export interface AgreementSenderOptions {
  store: KeyValueStore<Submission>;
  loa: LoaService;
  /** How the create call is bounded: a claim still "sending" after the longest send is from an instance that died. */
  loaCalls: LoaCallSettings;
  records: AgreementRecords;
  clock: Clock;
  log: Logger;
  onCreated?: CreatedListener;
  /** How often a send that another instance claimed is read back from storage. */
  pollMs?: number;
}

const keyOf = (draftId: string) => `submission/${draftId}`;

/**
 * Sends drafts exactly once, and tells the chat each outcome once. A Send first claims the
 * draft with a create-only write, before anything slow;
 * a second Send of the same draft (double click, Teams retry, stale card) gets the
 * first one's outcome instead of a second agreement.
 */
export class AgreementSender {
  private readonly inFlight = new Map<string, Promise<Submission>>();
  private readonly store: KeyValueStore<Submission>;
  private readonly loa: LoaService;
  private readonly records: AgreementRecords;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly onCreated: CreatedListener;
  /** A claim older than this is from an instance that died mid-send. */
  private readonly staleAfterMs: number;
  private readonly pollMs: number;

  constructor(options: AgreementSenderOptions) {
    this.store = options.store;
    this.loa = options.loa;
    this.records = options.records;
    this.clock = options.clock;
    this.log = options.log;
    this.onCreated = options.onCreated ?? (() => Promise.resolve());
    this.staleAfterMs = longestSendMs(options.loaCalls);
    this.pollMs = options.pollMs ?? 250;
  }

  /** The rep's submission of a draft; another rep's is never returned. */
  async find(owner: string, draftId: string): Promise<Submission | undefined> {
    const submission = (await this.store.get(keyOf(draftId)))?.value;
    return submission && sameRep(submission.repKey, owner) ? submission : undefined;
  }

  /** Whose draft this was, once it has been sent. */
  async ownerOf(draftId: string): Promise<string | undefined> {
    return (await this.store.get(keyOf(draftId)))?.value.repKey;
  }

  /**
   * Claims a draft for sending with a conditional write. A Cancel or a second press that
   * comes later sees it is being sent; a second Send of the same draft (double click, Teams
   * retry, stale card) gets the first one's outcome.
   */
  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const first: Submission = { draftId: req.draftId, status: 'sending', attempt: 1, templateId: req.templateId, repKey: req.owner, startedAt: this.nowIso() };
    const attempt = await claimOnce(this.store, keyOf(req.draftId), first, (existing) => this.resendOf(existing, req));
    if (attempt.claimed) return { claimed: true, ticket: { submission: attempt.value, etag: attempt.etag } };
    if (!attempt.current) throw new Error(`Submission ${req.draftId} vanished while it was being claimed`);
    return { claimed: false, result: this.follow(attempt.current) };
  }

  /** The claim a Send takes over an earlier one with, or undefined when the earlier one stands. */
  private resendOf(existing: Submission, req: ClaimRequest): Submission | undefined {
    if (!sameRep(existing.repKey, req.owner)) throw new Error(`Submission ${req.draftId} belongs to another rep`);
    if (!this.mayResend(existing, req.retryOfAttempt)) return undefined;
    const next: Submission = {
      ...existing,
      status: 'sending',
      attempt: existing.attempt + 1,
      startedAt: this.nowIso(),
      templateId: req.templateId,
      ...(existing.status === 'unknown' || existing.earlierMayExist ? { earlierMayExist: true } : {}),
    };
    delete next.error;
    delete next.finishedAt;
    return next;
  }

  /**
   * Cancels a draft with the same conditional writes a Send claims it with, so exactly one
   * of a Cancel and a Send racing each other wins. Returns the submission as it now stands:
   * cancelled, or the Send that got there first.
   */
  async cancel(req: Omit<ClaimRequest, 'retryOfAttempt'>): Promise<Submission> {
    const key = keyOf(req.draftId);
    const cancelled: Submission = { draftId: req.draftId, status: 'cancelled', attempt: 1, templateId: req.templateId, repKey: req.owner, startedAt: this.nowIso(), finishedAt: this.nowIso() };
    for (let tries = 0; tries < 5; tries++) {
      if (await this.store.create(key, cancelled)) return cancelled;
      const current = await this.store.get(key);
      if (!current) continue;
      const existing = current.value;
      if (!sameRep(existing.repKey, req.owner)) throw new Error(`Submission ${req.draftId} belongs to another rep`);
      if (existing.status !== 'failed' && existing.status !== 'unknown') return existing;
      const closed: Submission = { ...existing, status: 'cancelled', finishedAt: this.nowIso(), ...(existing.status === 'unknown' ? { earlierMayExist: true } : {}) };
      if (await this.store.replace(key, closed, current.etag)) return closed;
    }
    throw new Error(`Could not cancel draft ${req.draftId}: too many concurrent writes`);
  }

  /** The announcement did not reach the chat (Teams refused it): the next to show the outcome tells it. */
  async unannounce(outcome: Submission): Promise<void> {
    await giveBackAnnouncement(this.store, keyOf(outcome.draftId), outcome.attempt);
  }

  /** Starts the create for a claimed draft. */
  send(ticket: SubmissionTicket, req: SendRequest): SubmitResult {
    const { submission } = ticket;
    const done = this.create(keyOf(submission.draftId), submission, ticket.etag, req).finally(() => this.inFlight.delete(submission.draftId));
    this.inFlight.set(submission.draftId, done);
    return { submission, done };
  }

  /**
   * Gives a claim back when the send could not start (the rep must sign in first, or the
   * identity lookup failed): nothing was sent, so the next Send may go.
   */
  async release(ticket: SubmissionTicket): Promise<void> {
    const released: Submission = {
      ...ticket.submission,
      status: 'failed',
      finishedAt: this.nowIso(),
      error: { code: 'NOT_STARTED', message: 'The send did not start', details: [], retryable: true },
    };
    await this.record(keyOf(released.draftId), released, ticket.etag);
  }

  /**
   * 'ours' for exactly one caller per outcome, across turns and instances: that caller tells
   * the chat. A double press, a Teams retry or a stale card shows the outcome and posts nothing.
   * An outcome whose own write storage failed is stored here with its announcement.
   */
  async announce(outcome: Submission, options: AnnounceOptions = { via: 'turn' }): Promise<Announcement> {
    if (outcome.status === 'sending') return 'told';
    const ours = (stored: Submission) => (stored.attempt !== outcome.attempt ? undefined : stored.status === 'sending' ? outcome : stored);
    return takeAnnouncement(this.store, keyOf(outcome.draftId), outcome.attempt, ours, options, this.clock.now());
  }

  /** A refused Send may go again; an unknown one only when the rep pressed Retry on it. */
  private mayResend(s: Submission, retryOfAttempt: number | undefined): boolean {
    if (s.status === 'failed') return retryOfAttempt === undefined || retryOfAttempt === s.attempt;
    if (s.status === 'unknown') return retryOfAttempt === s.attempt;
    return false;
  }

  /** A claim still "sending" after any send could take: its instance died mid-send. */
  isStale(submission: Submission): boolean {
    return submission.status === 'sending' && !this.inFlight.has(submission.draftId) && this.clock.now() - Date.parse(submission.startedAt) > this.staleAfterMs;
  }

  /** Where a submission stands, and its outcome once it settles (followed here or from storage). */
  follow(submission: Submission): SubmitResult {
    if (submission.status !== 'sending') return { submission, done: Promise.resolve(submission) };
    const running = this.inFlight.get(submission.draftId);
    // Claimed by another instance, or by one that died: follow the stored record.
    return { submission, done: running ?? this.followStored(submission) };
  }

  /**
   * Waits for another instance's send to settle. A claim older than any send can take
   * belongs to an instance that died mid-send: it becomes unknown, so the rep can check
   * and decide, and nothing is resent by itself.
   */
  private async followStored(claimed: Submission): Promise<Submission> {
    const key = keyOf(claimed.draftId);
    for (;;) {
      const current = await this.store.get(key);
      if (!current || current.value.status !== 'sending') return current?.value ?? claimed;
      if (this.clock.now() - Date.parse(current.value.startedAt) > this.staleAfterMs) {
        const interrupted: Submission = {
          ...current.value,
          status: 'unknown',
          finishedAt: this.nowIso(),
          error: { code: 'INTERRUPTED', message: 'The bot stopped while it was sending this LOA', details: [], retryable: false },
        };
        if (await this.store.replace(key, interrupted, current.etag)) {
          this.log.warn({ draftId: claimed.draftId, attempt: claimed.attempt }, 'A send was interrupted; marked unknown');
          return interrupted;
        }
        continue;
      }
      await sleep(this.pollMs);
    }
  }

  private async create(key: string, claimed: Submission, claimEtag: string, req: SendRequest): Promise<Submission> {
    let result: Submission;
    try {
      const agreement = await this.loa.createAgreement(req.principal, req.request);
      result = { ...claimed, status: 'created', agreement, finishedAt: this.nowIso() };
      this.log.info({ draftId: claimed.draftId, agreementId: agreement.id, attempt: claimed.attempt }, 'Agreement created');
      await this.remember(req, agreement);
    } catch (err) {
      const error = toSubmissionError(err);
      const unknown = !(err instanceof LoaServiceError) || err.outcomeUnknown;
      result = { ...claimed, status: unknown ? 'unknown' : 'failed', error, finishedAt: this.nowIso() };
      this.log.warn({ draftId: claimed.draftId, attempt: claimed.attempt, status: result.status, error: { code: error.code, status: error.status } }, 'Agreement not created');
      if (!(err instanceof LoaServiceError)) this.log.error({ err: describeError(err) }, 'Unexpected error while creating an agreement');
    }
    await this.record(key, result, claimEtag);
    return result;
  }

  /**
   * Records the agreement for "my LOAs" and status news. The agreement exists regardless, so a
   * storage failure does not hold up the rep's answer: the write goes on in the background.
   */
  private async remember(req: SendRequest, agreement: Agreement): Promise<void> {
    await writeEventually(() => this.records.add(repKey(req.rep), recordFromAgreement(agreement, req.origin)), this.log, { agreementId: agreement.id, write: 'agreement record' });
    await writeEventually(() => this.onCreated(req.rep, agreement), this.log, { agreementId: agreement.id, write: 'status watch' });
  }

  /** Stores the outcome over our own claim, unless another instance marked it interrupted meanwhile. */
  private async record(key: string, result: Submission, claimEtag: string): Promise<void> {
    const isSettled = (stored: Submission) => stored.attempt === result.attempt && stored.status === result.status;
    await settleClaim(this.store, key, result, claimEtag, { isSettled, log: this.log, context: { draftId: result.draftId, attempt: result.attempt } });
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

/**
 * The longest a send can take: a token call and the create, each again after a 401 refresh,
 * every attempt timing out with the longest wait between them.
 */
function longestSendMs({ timeoutMs, maxRetries, maxRetryWaitMs }: LoaCallSettings): number {
  const longestCallMs = timeoutMs * (maxRetries + 1) + maxRetryWaitMs * maxRetries;
  return 4 * longestCallMs + 10_000;
}

function toSubmissionError(err: unknown): SubmissionError {
  if (err instanceof LoaServiceError) {
    return { operation: err.operation, code: err.code, message: err.message, ...(err.status !== undefined ? { status: err.status } : {}), details: [...err.details], retryable: err.retryable };
  }
  return { code: 'INTERNAL', message: 'Unexpected error in the bot', details: [], retryable: false };
}
