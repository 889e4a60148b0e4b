import { renderNoticeCard } from '../../cards/simpleCards';
import type { FlowContext, FlowDeps, FlowHandler } from './flowContext';
import { cancelledCard, presentSubmission } from './sendOutcome';

/**
 * Cancel on a card: closes that draft, unless a Send claimed it first. Then the rep is told
 * it is too late, and gets the outcome: an LOA that went out is never called cancelled.
 */
export function cancelDraft(deps: FlowDeps): FlowHandler<{ draftId: string }> {
  return async (ctx, { draftId }) => {
    const draft = ctx.conversation.draft?.id === draftId ? ctx.conversation.draft : undefined;
    const owner = await ctx.caller();
    // A draft that is not open here was sent, cancelled or replaced: the stored record says which.
    const submission = draft ? await deps.sender.cancel({ draftId, owner, templateId: draft.templateId }) : await deps.sender.find(owner, draftId);
    if (!submission) return cancelledCard('Nothing was sent.');
    if (submission.status === 'cancelled') {
      if (draft) delete ctx.conversation.draft;
      return presentSubmission(deps, ctx, deps.sender.follow(submission));
    }
    const shown = await presentSubmission(deps, ctx, deps.sender.follow(submission));
    if (!shown.followUp) return shown;
    return {
      ...shown,
      card: renderNoticeCard({
        title: 'Too late to cancel',
        text: 'This LOA is already being sent. This card updates and I post the result here when it is done.',
        style: 'accent',
      }),
    };
  };
}

/** "cancel" typed in the chat: closes whatever draft is open. */
export function cancelByText(deps: FlowDeps): FlowHandler {
  return async (ctx: FlowContext) => {
    const draft = ctx.conversation.draft;
    if (!draft) return { card: renderNoticeCard({ title: 'Nothing to cancel', text: 'You have no LOA in progress. Type **send LOA** to start one.' }) };
    return cancelDraft(deps)(ctx, { draftId: draft.id });
  };
}
