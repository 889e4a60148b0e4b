import type { Logger } from 'pino';
import { describeError } from '../logger';
import type { Agreement } from './agreement';
import { isFinalStatus } from './agreement';
import type { AgreementRecord, AgreementRecords, ConversationOrigin } from './agreementRecords';
import type { Clock } from './clock';
import { updateWithRetry } from './keyValueStore';
import type { KeyValueStore } from './keyValueStore';
import { LOA_ERROR_CODES, LoaServiceError } from './loaService';
import type { LoaPrincipal, LoaService } from './loaService';
import { Periodic } from './periodic';
import { repKey } from './rep';
import type { RepIdentity } from './rep';
import type { TemplateCatalog } from './templateCatalog';

/** Posts a message into the chat an agreement was sent from. */
export interface ChatNotifier {
  /** Throws ChatGone when the chat no longer takes messages from the bot. */
  post(origin: ConversationOrigin, text: string): Promise<void>;
}

/** The chat no longer takes the bot's messages: the rep removed the app, or the chat is gone. */
export class ChatGone extends Error {
  override readonly name = 'ChatGone';
}

export interface WatchEntry {
  agreementId: string;
  rep: RepIdentity;
  startedAt: number;
  nextPollAt: number;
  intervalMs: number;
}

export interface WatchList {
  entries: WatchEntry[];
}

export interface StatusWatcherOptions {
  store: KeyValueStore<WatchList>;
  records: AgreementRecords;
  loa: LoaService;
  principalFor: (rep: RepIdentity) => LoaPrincipal;
  notifier: ChatNotifier;
  catalog: TemplateCatalog;
  clock: Clock;
  log: Logger;
  /** Delay before the first poll; 0 turns polling off. */
  firstPollMs: number;
  maxIntervalMs: number;
  /** Polling stops this long after creation, whatever the status. */
  stopAfterMs: number;
  /** Most agreements polled in one tick, to bound the load on the API. */
  batchSize?: number;
}

/**
 * The watch list is split over WATCH_SHARDS documents by agreement id, so that a Send rewrites
 * one small document instead of a list of every open agreement (which made each Send cost
 * O(open agreements) and would outgrow a Cosmos DB item).
 */
const WATCH_KEY_PREFIX = 'status-watch';
const WATCH_SHARDS = 32;
const WATCH_KEYS: readonly string[] = Array.from({ length: WATCH_SHARDS }, (_, i) => `${WATCH_KEY_PREFIX}/${i}`);

/** FNV-1a: a stable spread of agreement ids, whatever their format. */
function watchKeyOf(agreementId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < agreementId.length; i++) hash = Math.imul(hash ^ agreementId.charCodeAt(i), 0x01000193);
  return `${WATCH_KEY_PREFIX}/${(hash >>> 0) % WATCH_SHARDS}`;
}

const STATUS_WORDS: Record<string, string> = {
  SIGNED: 'signed',
  DECLINED: 'declined',
  EXPIRED: 'expired',
  VIEWED: 'opened by the signer',
  SENT: 'sent',
};

export function statusInWords(status: string): string {
  return STATUS_WORDS[status] ?? status.toLowerCase();
}

type Outcome = { keep: true; entry: WatchEntry } | { keep: false };

/**
 * Polls the LOA API for status changes of agreements that have not reached a final
 * status, backing off after each poll, and tells the rep in the chat the LOA came from.
 * Polling pauses while the API says it has no GET (`canGetAgreement`), keeping the watch
 * list, and stops at a final status or after `stopAfterMs`. The watch list is stored, so it
 * survives a restart.
 */
export class StatusWatcher {
  private readonly rounds: Periodic;
  private pausedForUnsupportedGet = false;
  /** Where the next round starts, so a backlog in one document cannot starve the others. */
  private nextKey = 0;

  constructor(private readonly o: StatusWatcherOptions) {
    this.rounds = new Periodic(() => this.pollDue(), Math.max(50, Math.min(o.firstPollMs / 2, 15_000)), o.log);
  }

  get enabled(): boolean {
    return this.o.firstPollMs > 0;
  }

  async watch(rep: RepIdentity, agreement: Agreement): Promise<void> {
    // Watched even while GET is refused: the API is asked again later, and polling resumes.
    if (!this.enabled || isFinalStatus(agreement.status)) return;
    const now = this.o.clock.now();
    const entry: WatchEntry = { agreementId: agreement.id, rep, startedAt: now, nextPollAt: now + this.o.firstPollMs, intervalMs: this.o.firstPollMs };
    await this.modify(watchKeyOf(agreement.id), (entries) => [...entries.filter((e) => e.agreementId !== agreement.id), entry]);
  }

  start(): void {
    if (this.enabled) this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** One round of polling; overlapping calls share the round in progress. */
  tick(): Promise<void> {
    return this.rounds.tick();
  }

  private async pollDue(): Promise<void> {
    try {
      if (!this.o.loa.canGetAgreement) return this.pauseForUnsupportedGet();
      const now = this.o.clock.now();
      let budget = this.o.batchSize ?? 20;
      for (let visited = 0; visited < WATCH_KEYS.length && budget > 0; visited++) {
        const key = WATCH_KEYS[this.nextKey]!;
        const entries = (await this.o.store.get(key))?.value.entries ?? [];
        const due = entries.filter((e) => e.nextPollAt <= now).slice(0, budget);
        // A document that used up the budget is visited first next round, for its remaining entries.
        budget -= due.length;
        if (budget > 0) this.nextKey = (this.nextKey + 1) % WATCH_KEYS.length;
        if (due.length === 0) continue;
        const outcomes = new Map<string, Outcome>();
        for (const entry of due) outcomes.set(entry.agreementId, await this.poll(entry, now));
        await this.modify(key, (current) =>
          current.flatMap((e) => {
            const outcome = outcomes.get(e.agreementId);
            if (!outcome) return [e];
            return outcome.keep ? [outcome.entry] : [];
          }),
        );
      }
    } catch (err) {
      this.o.log.error({ err: describeError(err) }, 'Status polling failed; it will try again');
    }
  }

  private async poll(entry: WatchEntry, now: number): Promise<Outcome> {
    const key = repKey(entry.rep);
    const record = await this.o.records.find(key, entry.agreementId);
    if (!record || record.goneAt) return { keep: false };
    let agreement: Agreement;
    try {
      agreement = await this.o.loa.getAgreement(this.o.principalFor(entry.rep), entry.agreementId);
    } catch (err) {
      return this.afterFailure(entry, record, err, now);
    }
    this.resumeAfterUnsupportedGet();
    const checkedAt = new Date(now).toISOString();
    // The record is written compare-and-swap: of the instances that polled the same change,
    // only the one whose write moved the status announces it.
    let before: AgreementRecord | undefined;
    await this.o.records.update(key, record.id, (r) => {
      before = r;
      return { ...r, status: agreement.status, statusCheckedAt: checkedAt };
    });
    if (before && !before.goneAt && agreement.status !== before.status) {
      this.o.log.info({ agreementId: record.id, from: before.status, to: agreement.status }, 'Agreement status changed');
      if (!(await this.tell(entry, record, await this.statusMessage(record, agreement.status)))) return { keep: false };
    }
    if (isFinalStatus(agreement.status)) return { keep: false };
    return this.reschedule(entry, now);
  }

  private async afterFailure(entry: WatchEntry, record: AgreementRecord, err: unknown, now: number): Promise<Outcome> {
    if (err instanceof LoaServiceError && err.code === LOA_ERROR_CODES.notFound) {
      let alreadyGone = true;
      await this.o.records.update(repKey(entry.rep), record.id, (r) => {
        alreadyGone = Boolean(r.goneAt);
        return alreadyGone ? r : { ...r, goneAt: new Date(now).toISOString() };
      });
      // Deleted from Teams meanwhile, or announced by another instance: nothing to say.
      if (!alreadyGone) await this.tell(entry, record, `Your LOA to ${record.signer.name} (ref ${await this.o.records.refOf(record.id)}) no longer exists in the LOA service. It may have been deleted outside Teams.`);
      return { keep: false };
    }
    if (err instanceof LoaServiceError && err.status === 403) return { keep: false };
    // Kept, so that its polling resumes when the API offers GET again.
    if (err instanceof LoaServiceError && err.code === LOA_ERROR_CODES.notSupported) return this.reschedule(entry, now);
    this.o.log.warn({ err: describeError(err), agreementId: entry.agreementId }, 'Could not poll an agreement status; will try later');
    return this.reschedule(entry, now);
  }

  /**
   * Posts news to the rep's chat. False when the chat is gone (the rep removed the app): then
   * nothing of theirs is polled any more, and their records stay as they are.
   */
  private async tell(entry: WatchEntry, record: AgreementRecord, text: string): Promise<boolean> {
    try {
      await this.o.notifier.post(record.origin, text);
      return true;
    } catch (err) {
      if (!(err instanceof ChatGone)) throw err;
      await this.forgetRep(repKey(entry.rep));
      return false;
    }
  }

  /** Stops polling every agreement of a rep whose chat with the bot is gone. */
  private async forgetRep(key: string): Promise<void> {
    const theirs = (e: WatchEntry) => repKey(e.rep) === key;
    for (const watchKey of WATCH_KEYS) {
      if ((await this.o.store.get(watchKey))?.value.entries.some(theirs)) await this.modify(watchKey, (entries) => entries.filter((e) => !theirs(e)));
    }
    this.o.log.warn("The rep's chat with the bot is gone: their agreements are no longer polled; their records are kept");
  }

  private reschedule(entry: WatchEntry, now: number): Outcome {
    if (now - entry.startedAt >= this.o.stopAfterMs) return { keep: false };
    const intervalMs = Math.min(this.o.maxIntervalMs, entry.intervalMs * 2);
    return { keep: true, entry: { ...entry, intervalMs, nextPollAt: now + intervalMs } };
  }

  private async statusMessage(record: AgreementRecord, status: string): Promise<string> {
    const template = this.o.catalog.get(record.templateId)?.name ?? 'LOA';
    return `Update: your LOA to ${record.signer.name} (${template}), ref ${await this.o.records.refOf(record.id)}, was ${statusInWords(status)}. Type "my LOAs" to see all of them.`;
  }

  private pauseForUnsupportedGet(): void {
    if (this.pausedForUnsupportedGet) return;
    this.pausedForUnsupportedGet = true;
    this.o.log.warn('The LOA API cannot report agreement status: status polling is paused, and the API is asked again from time to time');
  }

  private resumeAfterUnsupportedGet(): void {
    if (!this.pausedForUnsupportedGet) return;
    this.pausedForUnsupportedGet = false;
    this.o.log.info('The LOA API reports agreement status again: status polling resumes');
  }

  private modify(key: string, change: (entries: WatchEntry[]) => WatchEntry[]): Promise<void> {
    return updateWithRetry(this.o.store, key, (current) => ({ entries: change(current?.entries ?? []) }));
  }
}
