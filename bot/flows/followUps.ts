import type { ConversationOrigin } from '../domain/agreementRecords';
import type { PendingFollowUp } from '../domain/followUps';
import { writeEventually } from '../domain/persistence';
import { sameRep } from '../domain/rep';
import { ChatGone } from '../domain/statusWatcher';
import { translatorFor } from '../i18n';
import { describeError } from '../logger';
import type { Logger } from '../logger';
import { announcedDeletion, notDeletedForStorage } from './deleteAgreement';
import type { FlowContext, FlowDeps, FlowResult } from './flowContext';
import type { FollowUpKey } from './promises';
import { announced } from './sendOutcome';

/** A Delete's claim is written within storage's time bound, or never: after this, a missing one was never written. */
const UNCLAIMED_AFTER_MS = 30_000;

/** Announces a settled follow-up and renders what to show. */
type Settled = () => Promise<FlowResult>;

/**
 * Whether a promised follow-up's work has settled, read without taking it: 'pending' while it
 * may still be running, undefined when there is nothing left to show. Nothing is announced yet.
 */
async function settledOf(deps: FlowDeps, followUp: PendingFollowUp, log: Logger): Promise<Settled | 'pending' | undefined> {
  // Still promised, so its message never confirmed: a follow-up that died holding the announcement gives it up.
  const how = { via: 'followUp', takeOverAfterMs: deps.followUpGraceMs } as const;
  // Told later, perhaps by another instance: in the language of the turn that promised it.
  const t = translatorFor(followUp.origin.locale);
  if (followUp.kind === 'send') {
    const submission = await deps.sender.find(followUp.owner, followUp.id);
    if (!submission) return undefined;
    const view = followUp.origin.locale ? { locale: followUp.origin.locale } : {};
    if (submission.status !== 'sending') return () => announced(deps, log, submission, how, view);
    // A claim whose instance died is marked unknown here; a live one is left to run.
    if (!deps.sender.isStale(submission)) return 'pending';
    return async () => announced(deps, log, await deps.sender.follow(submission).done, how, view);
  }
  const outcome = await deps.deleter.settled(followUp.owner, followUp.id);
  if (outcome === undefined) {
    // No claim: storage failed it, so no DELETE was sent. Its own instance says so; if that died, this does.
    return deps.clock.now() - followUp.since < UNCLAIMED_AFTER_MS ? 'pending' : () => Promise.resolve(notDeletedForStorage(t));
  }
  return outcome === 'pending' ? outcome : () => announcedDeletion(deps, log, outcome, how, t);
}

/**
 * Delivers every promised result that its instance has not delivered within the grace time:
 * it died, or Teams kept refusing. Each is taken only once its work settled, so that the
 * instance still working on it keeps its hold; it is forgotten only once it got through.
 */
export async function redeliverDue(deps: FlowDeps, deliver: (origin: ConversationOrigin, result: FlowResult) => Promise<void>, log: Logger): Promise<void> {
  let due: PendingFollowUp[];
  try {
    due = await deps.followUps.due(deps.followUpGraceMs);
  } catch (err) {
    log.warn({ err: describeError(err) }, 'Could not read the promised results; will try again');
    return;
  }
  for (const each of due) {
    const settled = await settledOf(deps, each, log).catch(() => 'pending' as const);
    if (settled === 'pending') continue;
    // Taken first, so that no other instance, nor the rep's own next turn, shows it at the same time.
    const followUp = await deps.followUps.take(each).catch((err: unknown) => void log.warn({ err: describeError(err) }, 'Could not take a promised result; will try again'));
    if (!followUp || !settled) continue;
    // Back in the list for the next round; if storage refuses that too, the write is retried.
    const putBack = (parked: Partial<PendingFollowUp> = {}) => writeEventually(() => deps.followUps.restore({ ...followUp, ...parked }), log, { write: 'promised result', kind: followUp.kind });
    try {
      const result = await settled();
      // The instance that promised it is posting it right now: left to that one, and looked at again next round.
      if (result.heldElsewhere) {
        await putBack();
        continue;
      }
      await deliver(followUp.origin, result);
      log.info({ followUp: { kind: followUp.kind } }, 'Delivered a result another instance or an earlier try had promised');
    } catch (err) {
      if (err instanceof ChatGone) {
        // Kept for the rep's next message there (they may reinstall the app); not tried again before.
        log.info({ followUp: { kind: followUp.kind } }, 'A promised result waits for the rep: the bot is no longer in their chat');
        await putBack({ chatGone: true });
        continue;
      }
      log.warn({ err: describeError(err), followUp: { kind: followUp.kind } }, 'Could not deliver a promised result yet; will try again');
      await putBack();
    }
  }
}

/**
 * The results promised in this chat that are settled but were never delivered (Teams kept
 * refusing, or the instance died): shown in the rep's next turn instead.
 */
export async function catchUp(deps: FlowDeps, ctx: FlowContext): Promise<FlowResult[]> {
  const hints = ctx.conversation.pendingFollowUps;
  if (!hints?.length) return [];
  const caller = await ctx.caller();
  const results: FlowResult[] = [];
  const kept: FollowUpKey[] = [];
  for (const hint of hints) {
    const pending = await deps.followUps.get(hint);
    if (!pending || !sameRep(pending.owner, caller)) continue;
    // Still within its instance's own delivery, retries included: leave it to that.
    const settled = pending.since > deps.clock.now() - deps.followUpGraceMs || deps.followUps.isLeased(pending) ? 'pending' : await settledOf(deps, pending, ctx.log);
    if (settled === 'pending') {
      kept.push(hint);
      continue;
    }
    // Shown in this turn's reply: taken, so that nobody else shows it at the same time.
    const taken = await deps.followUps.take(hint);
    if (!taken) continue;
    if (!settled) continue;
    const active = { ...taken };
    delete active.chatGone;
    // If Teams refuses the reply after all, the promise goes back for redelivery.
    const putBack = async () => writeEventually(() => deps.followUps.restore(active), ctx.log, { write: 'promised result', kind: taken.kind });
    const result = await settled();
    if (result.heldElsewhere) {
      await putBack();
      kept.push(hint);
      continue;
    }
    results.push({ ...result, delivery: { holding: () => Promise.resolve(), delivered: () => Promise.resolve(), failed: putBack } });
  }
  ctx.conversation.pendingFollowUps = kept;
  return results;
}
