import type { PendingFollowUp, PromiseRef } from '../domain/followUps';
import { describeError } from '../logger';
import type { FlowContext, FlowDeps, FlowResult } from './flowContext';

/** A promise as the chat's state remembers it, for the rep's next turn. */
export type FollowUpKey = Pick<PendingFollowUp, 'kind' | 'id'>;

/** Hints kept per chat; older ones are dropped (the store still has them for redelivery). */
const MAX_HINTS = 20;

/**
 * Records that the rep was promised a result, before the turn answers "Sending…" or
 * "Deleting…": in storage, for any instance to deliver, and in the chat's state, so the rep's
 * next turn can show it. Returns what the Teams layer calls once the follow-up got through.
 */
export async function promiseFollowUp(deps: FlowDeps, ctx: FlowContext, followUp: Omit<PendingFollowUp, 'since' | 'origin' | 'promiseId'>): Promise<Pick<FlowResult, 'delivery'>> {
  const key: FollowUpKey = { kind: followUp.kind, id: followUp.id };
  let promised: PromiseRef;
  try {
    promised = await deps.followUps.add({ ...followUp, origin: ctx.origin });
  } catch (err) {
    // The work is under way whatever storage says: this instance still delivers the result.
    ctx.log.warn({ err: describeError(err) }, 'Could not keep the promised result in storage; only this instance will deliver it');
    return {};
  }
  const hints = (ctx.conversation.pendingFollowUps ?? []).filter((h) => h.kind !== key.kind || h.id !== key.id);
  ctx.conversation.pendingFollowUps = [...hints, key].slice(-MAX_HINTS);
  return {
    delivery: {
      // Refused once someone else took it, or a later promise replaced it: the delivery is theirs.
      holding: (ms) => deps.followUps.lease(promised, ms),
      delivered: () => deps.followUps.remove(promised),
      failed: () => deps.followUps.release(promised),
    },
  };
}
