import type { Activity, BotAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { ConversationOrigin } from '../domain/agreementRecords';
import { sleep } from '../domain/clock';
import { writeEventually } from '../domain/persistence';
import { ChatGone } from '../domain/statusWatcher';
import type { ChatNotifier } from '../domain/statusWatcher';
import type { FlowResult, FollowUpDelivery } from '../flows/flowContext';
import { describeError } from '../logger';
import { callsShowing, plainText } from './presenter';
import type { AfterTurnPoster, Outbound } from './presenter';

export interface TeamsNotifierOptions {
  log: Logger;
  /**
   * Least time between two calls in one conversation. Teams allows 7 operations a second
   * and 60 in 30 seconds per conversation; a burst of status news is spread out under that.
   */
  minGapMs?: number;
  /**
   * Backoff before each retry of a call that still failed after the Bot Framework client's
   * own retries (which honour Retry-After on 429 and back off on 5xx and lost connections).
   */
  retryDelaysMs?: readonly number[];
  random?: () => number;
}

/** Renews the hold on a stored promise while its delivery goes on. */
type HoldFor = (ms: number) => Promise<void>;

/** How long one try of a delivery holds its stored promise; renewed before each retry. */
const HOLD_MS = 20_000;

/** Storage refused to renew the hold on a stored promise: delivering on could repeat it. */
class HoldLost extends Error {
  override readonly name = 'HoldLost';
  constructor(override readonly cause: unknown) {
    super('Could not hold a promised result');
  }
}

/** Bot Framework error codes that mean the bot can no longer post in a conversation. */
const GONE_CODES = new Set(['BotNotInConversationRoster', 'ConversationNotFound', 'BotDisabledByAdmin']);

/**
 * The one place the bot posts into a chat outside the turn that started the work: the result
 * of a slow Send or Delete (updating the pressed card in place) and status news. Calls in one
 * conversation go one at a time, in order, paced; a call Teams throttles or fails is retried
 * within a bound; a conversation Teams says the bot has left is not called again until the rep
 * writes in it.
 */
export class TeamsNotifier implements ChatNotifier, AfterTurnPoster {
  private readonly pending = new Set<Promise<void>>();
  /** The tail of each conversation's queue. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly lastCallAt = new Map<string, number>();
  private readonly gone = new Set<string>();
  private readonly minGapMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly random: () => number;

  constructor(
    private readonly adapter: BotAdapter,
    private readonly appId: string,
    private readonly options: TeamsNotifierOptions,
  ) {
    this.minGapMs = options.minGapMs ?? 500;
    this.retryDelaysMs = options.retryDelaysMs ?? [2_000, 8_000, 30_000];
    this.random = options.random ?? Math.random;
  }

  /**
   * Delivers a follow-up when it settles; shutdown waits for it (see drain). `delivered` runs
   * once it got through; a follow-up that never does is left to redelivery (see FollowUps).
   */
  deliver(reference: Partial<ConversationReference>, cardActivityId: string | undefined, result: Promise<() => Promise<FlowResult>>, log: Logger, promise?: FollowUpDelivery): void {
    const delivery = result
      .then(async (announce) => {
        // Only a delivery that holds its stored promise may post: without the hold, another
        // instance may deliver the same result after the grace time, and the rep reads it twice.
        const holdFor = async (ms: number) => {
          await promise?.holding(ms).catch((err: unknown) => {
            throw new HoldLost(err);
          });
        };
        // Held before it is announced: a delivery that may not post never takes the announcement.
        await holdFor(HOLD_MS);
        const shown = await announce();
        // Another delivery of the same outcome holds its announcement (it died posting it, or is still at it): redelivery sorts it out.
        if (shown.heldElsewhere) throw new HoldLost(new Error('Another delivery holds the announcement'));
        await this.sendResult(reference, cardActivityId, shown, log, holdFor);
        log.info('Follow-up delivered');
        // It reached the chat: forgetting the promise must not be mistaken for a failed delivery.
        if (promise) await writeEventually(() => promise.delivered(), log, { write: 'follow-up delivered' });
      })
      .catch(async (err: unknown) => {
        if (err instanceof HoldLost) log.warn({ err: describeError(err.cause) }, 'Storage would not let this instance hold a promised result; it is delivered later, or on the rep\'s next turn');
        else log.error({ err: describeError(err) }, "Could not deliver a follow-up; it is delivered later, or on the rep's next turn");
        await promise?.failed().catch((releaseErr: unknown) => log.warn({ err: describeError(releaseErr) }, 'Could not release a follow-up; it is shown again once its lease ends'));
      });
    this.track(delivery);
  }

  /** Delivers a settled result to the chat and card it was promised in; throws if Teams refuses it. */
  async deliverNow(origin: ConversationOrigin, result: FlowResult, log: Logger): Promise<void> {
    const delivery = this.sendResult(origin.reference as Partial<ConversationReference>, origin.cardActivityId, result, log);
    this.track(delivery.catch(() => undefined));
    await delivery;
  }

  /** A result's card and messages; messages that did not get through are given back for whoever shows the result next. */
  private async sendResult(reference: Partial<ConversationReference>, cardActivityId: string | undefined, result: FlowResult, log: Logger, holdFor?: HoldFor): Promise<void> {
    try {
      await this.send(reference, callsShowing(result, cardActivityId), log, holdFor);
    } catch (err) {
      await result.unannounce?.().catch((releaseErr: unknown) => log.warn({ err: describeError(releaseErr) }, 'Could not give back an announcement'));
      throw err;
    }
  }

  /**
   * Activities a turn could not post itself (Teams refused them in the turn), posted in order
   * with retries. If they never get through, `lost` runs: the result gives back its
   * announcement and its promise, for whoever shows it next.
   */
  postLater(reference: Partial<ConversationReference>, activities: Array<Partial<Activity>>, log: Logger, lost: () => Promise<void>): void {
    const posting = this.send(reference, activities.map((activity): Outbound => ({ kind: 'post', activity })), log).catch(async (err: unknown) => {
      log.error({ err: describeError(err) }, "Teams kept refusing a turn's reply; it is shown again later");
      await lost().catch((lostErr: unknown) => log.warn({ err: describeError(lostErr) }, 'Could not give back an announcement'));
    });
    this.track(posting);
  }

  /** Posts status news; throws ChatGone when Teams says the bot is no longer in the chat. */
  async post(origin: ConversationOrigin, text: string): Promise<void> {
    const posting = this.send(origin.reference as Partial<ConversationReference>, [{ kind: 'post', activity: plainText(text) }], this.options.log);
    this.track(posting.catch(() => undefined));
    await posting;
  }

  /** The rep wrote in this conversation: the bot is in it again (they may have reinstalled the app). */
  conversationActive(conversationId: string | undefined): void {
    if (conversationId) this.gone.delete(conversationId);
  }

  /** Waits for undelivered follow-ups and news, for a graceful shutdown. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Queues the calls behind any earlier ones in the same conversation, and waits for them. */
  private send(reference: Partial<ConversationReference>, calls: Outbound[], log: Logger, holdFor?: HoldFor): Promise<void> {
    // An LOA sent from the message extension by a rep whose 1:1 chat with the bot is unknown: nowhere private to tell.
    if (!reference?.conversation?.id) {
      log.info('No chat to post in: this LOA was sent from the message extension, with no 1:1 chat known');
      return Promise.resolve();
    }
    const conversationId = reference.conversation.id;
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const run = previous.then(async () => {
      for (const call of calls) await this.callWithRetries(reference, conversationId, call, log, holdFor);
    });
    const tail = run.catch(() => undefined);
    this.queues.set(conversationId, tail);
    void tail.then(() => {
      if (this.queues.get(conversationId) === tail) this.queues.delete(conversationId);
    });
    return run;
  }

  private async callWithRetries(reference: Partial<ConversationReference>, conversationId: string, call: Outbound, log: Logger, holdFor?: HoldFor): Promise<void> {
    for (let retry = 0; ; retry++) {
      if (this.gone.has(conversationId)) throw new ChatGone(`The bot is no longer in conversation ${conversationId}`);
      await this.pace(conversationId);
      try {
        await this.callOnce(reference, call);
        return;
      } catch (err) {
        const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
        if ((statusCode === 403 || statusCode === 404) && typeof code === 'string' && GONE_CODES.has(code)) {
          if (!this.gone.has(conversationId)) log.warn({ teams: { statusCode, code } }, 'Teams says the bot is no longer in this chat (the app was removed): nothing more is posted there until the rep writes again');
          this.gone.add(conversationId);
          throw new ChatGone(`Teams answered ${code}`);
        }
        const transient = statusCode === undefined || statusCode === 429 || (typeof statusCode === 'number' && statusCode >= 500);
        const delay = this.retryDelaysMs[retry];
        if (!transient || delay === undefined) throw err;
        log.warn({ teams: { statusCode, code, retry: retry + 1 } }, 'Teams refused a post or update; trying again');
        const waitMs = Math.round(delay * (0.5 + this.random()));
        // Still delivering: the stored promise stays ours through the wait and the next try.
        await holdFor?.(waitMs + HOLD_MS);
        await sleep(waitMs);
      }
    }
  }

  /**
   * One call. Its failure is caught inside the turn and rethrown here: the adapter would
   * otherwise hand it to its turn-error handler, which posts "something went wrong" into the
   * very chat that refused the call.
   */
  private async callOnce(reference: Partial<ConversationReference>, call: Outbound): Promise<void> {
    let failure: { err: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      try {
        if (call.kind === 'update') await context.updateActivity(call.activity);
        else await context.sendActivity(call.activity);
      } catch (err) {
        failure = { err };
      }
    });
    if (failure) throw failure.err;
  }

  private async pace(conversationId: string): Promise<void> {
    const last = this.lastCallAt.get(conversationId);
    const wait = last === undefined ? 0 : last + this.minGapMs - Date.now();
    if (wait > 0) await sleep(wait);
    this.lastCallAt.set(conversationId, Date.now());
    // Forget conversations that went quiet, so the map stays as small as the traffic.
    if (this.lastCallAt.size > 10_000) for (const [id, at] of this.lastCallAt) if (Date.now() - at > this.minGapMs) this.lastCallAt.delete(id);
  }
}
