import type { ConversationOrigin } from '../domain/agreementRecords';
import type { PendingFollowUp } from '../domain/followUps';
import { writeEventually } from '../domain/persistence';
import { sameRep } from '../domain/rep';
import { describeError } from '../logger';
import type { Logger } from '../logger';
import { announcedDeletion } from './deleteAgreement';
import type { FlowContext, FlowDeps, FlowResult } from './flowContext';
import { announced } from './sendOutcome';

type FollowUpKey = Pick<PendingFollowUp, 'kind' | 'id'>;

/** Hints kept per chat; older ones are dropped (the store still has them for redelivery). */
const MAX_HINTS = 20;

/**
 * Records that the rep was promised a result, before the turn answers "Sending…" or
 * "Deleting…": in storage, for any instance to deliver, and in the chat's state, so the rep's
 * next turn can show it. Returns what the Teams layer calls once the follow-up got through.
 */
export async function promiseFollowUp(deps: FlowDeps, ctx: FlowContext, followUp: Omit<PendingFollowUp, 'since' | 'origin'>): Promise<Pick<FlowResult, 'delivery'>> {
  const key: FollowUpKey = { kind: followUp.kind, id: followUp.id };
  try {
    await deps.followUps.add({ ...followUp, origin: ctx.origin });
  } catch (err) {
    // The work is under way whatever storage says: this instance still delivers the result.
    ctx.log.warn({ err: describeError(err) }, 'Could not keep the promised result in storage; only this instance will deliver it');
    return {};
  }
  const hints = (ctx.conversation.pendingFollowUps ?? []).filter((h) => h.kind !== key.kind || h.id !== key.id);
  ctx.conversation.pendingFollowUps = [...hints, key].slice(-MAX_HINTS);
  return {
    delivery: {
      holding: (ms) => deps.followUps.lease(key, ms),
      delivered: () => deps.followUps.remove(key),
      failed: () => deps.followUps.release(key),
    },
  };
}

/** The result to deliver for a promised follow-up; 'pending' while its work may still be running. */
async function outcomeOf(deps: FlowDeps, followUp: PendingFollowUp): Promise<FlowResult | 'pending' | undefined> {
  // Still promised, so its message never confirmed: a follow-up that died holding the announcement gives it up.
  const how = { via: 'followUp', takeOverAfterMs: deps.followUpGraceMs } as const;
  if (followUp.kind === 'send') {
    const submission = await deps.sender.find(followUp.owner, followUp.id);
    if (!submission) return undefined;
    if (submission.status !== 'sending') return announced(deps, submission, how);
    // A claim whose instance died is marked unknown here; a live one is left to run.
    if (!deps.sender.isStale(submission)) return 'pending';
    return announced(deps, await deps.sender.follow(submission).done, how);
  }
  const outcome = await deps.deleter.settled(followUp.owner, followUp.id);
  return outcome === 'pending' || outcome === undefined ? outcome : announcedDeletion(deps, outcome, how);
}

/**
 * Delivers every promised result that its instance has not delivered within the grace time:
 * it died, or Teams kept refusing. Each is forgotten only once it got through.
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
    // Taken first, so that no other instance, nor the rep's own next turn, shows it at the same time.
    const followUp = await deps.followUps.take(each).catch((err: unknown) => void log.warn({ err: describeError(err) }, 'Could not take a promised result; will try again'));
    if (!followUp) continue;
    // Back in the list for the next round; if storage refuses that too, the write is retried.
    const putBack = () => writeEventually(() => deps.followUps.restore(followUp), log, { write: 'promised result', kind: followUp.kind });
    const result = await outcomeOf(deps, followUp).catch(() => 'pending' as const);
    if (result === 'pending') {
      await putBack();
      continue;
    }
    if (!result) continue;
    try {
      await deliver(followUp.origin, result);
      log.info({ followUp: { kind: followUp.kind } }, 'Delivered a result another instance or an earlier try had promised');
    } catch (err) {
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
    if (pending.since > deps.clock.now() - deps.followUpGraceMs || deps.followUps.isLeased(pending)) {
      kept.push(hint);
      continue;
    }
    // Shown in this turn's reply, which cannot be refused: taken for good.
    const taken = await deps.followUps.take(hint);
    if (!taken) continue;
    const result = await outcomeOf(deps, taken);
    if (result === 'pending') {
      await deps.followUps.restore(taken);
      kept.push(hint);
      continue;
    }
    if (result) results.push(result);
  }
  ctx.conversation.pendingFollowUps = kept;
  return results;
}
