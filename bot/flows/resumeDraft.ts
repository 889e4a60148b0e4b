import type { FlowDeps, FlowHandler } from './flowContext';
import { closedDraftCard, draftCard, openDraftOf } from './keepWork';

/** "Continue my open LOA" / "Go to my open LOA": the open draft's card, as the rep left it. */
export function resumeDraft(deps: FlowDeps): FlowHandler<{ draftId: string }> {
  return async (ctx, { draftId }) => {
    const open = await openDraftOf(ctx, deps);
    if (!open || open.id !== draftId) return closedDraftCard(ctx, deps, draftId);
    return draftCard(deps, ctx, open);
  };
}
