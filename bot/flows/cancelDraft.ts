import { renderNoticeCard } from '../../cards/simpleCards';
import type { FlowContext, FlowDeps, FlowHandler } from './flowContext';
import { RESTORE_WINDOW_MS, cancelledDraftCard, hasWork } from './keepWork';
import { presentSubmission } from './sendOutcome';

/**
 * Cancel on a card: closes that draft, unless a Send claimed it first. Then the rep is told
 * it is too late, and gets the outcome: an LOA that went out is never called cancelled.
 * A cancelled draft with work in it is kept for a while, so Restore can bring it back.
 */
export function cancelDraft(deps: FlowDeps): FlowHandler<{ draftId: string }> {
  return async (ctx, { draftId }) => {
    const draft = ctx.conversation.draft?.id === draftId ? ctx.conversation.draft : undefined;
    const owner = await ctx.caller();
    // A draft that is not open here was sent, cancelled or replaced: the stored record says which.
    const submission = draft ? await deps.sender.cancel({ draftId, owner, templateId: draft.templateId }) : await deps.sender.find(owner, draftId);
    if (!submission) return cancelledDraftCard(ctx, deps, draftId);
    if (submission.status === 'cancelled') {
      if (draft && hasWork(draft)) ctx.conversation.cancelled = { draft, until: deps.clock.now() + RESTORE_WINDOW_MS };
      if (draft) delete ctx.conversation.draft;
      return cancelledDraftCard(ctx, deps, draftId);
    }
    const shown = await presentSubmission(deps, ctx, deps.sender.follow(submission));
    if (!shown.followUp) return shown;
    return {
      ...shown,
      card: renderNoticeCard({
        title: ctx.t('chat:cancel.tooLate.title'),
        text: ctx.t('chat:cancel.tooLate.text'),
        style: 'accent',
      }),
    };
  };
}

/** "cancel" typed in the chat: closes whatever draft is open. */
export function cancelByText(deps: FlowDeps): FlowHandler {
  return async (ctx: FlowContext) => {
    const draft = ctx.conversation.draft;
    if (!draft) return { card: renderNoticeCard({ title: ctx.t('chat:cancel.nothing.title'), text: ctx.t('chat:cancel.nothing.text') }) };
    return cancelDraft(deps)(ctx, { draftId: draft.id });
  };
}
