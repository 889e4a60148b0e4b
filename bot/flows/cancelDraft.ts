import { renderNoticeCard } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { presentSubmission } from './sendOutcome';

function cancelled(text: string): FlowResult {
  return {
    card: renderNoticeCard({ title: 'LOA cancelled', text, actions: [{ title: 'Send an LOA', verb: VERBS.start, data: {} }] }),
  };
}

/**
 * Cancel on a card: closes that draft, unless it was already sent or is being sent. Then
 * the rep is told so, and gets the outcome: an LOA that went out is never called cancelled.
 */
export function cancelDraft(deps: FlowDeps): FlowHandler<{ draftId: string }> {
  return async (ctx, { draftId }) => {
    const submission = await deps.sender.find(await ctx.caller(), draftId);
    if (submission?.status === 'sending') {
      const shown = await presentSubmission(deps, deps.sender.follow(submission));
      if (!shown.followUp) return shown;
      return {
        ...shown,
        card: renderNoticeCard({
          title: 'Too late to cancel',
          text: 'This LOA is already being sent. This card updates and I post the result here when it is done.',
          style: 'accent',
        }),
      };
    }
    if (submission?.status === 'created') return presentSubmission(deps, deps.sender.follow(submission));
    if (ctx.conversation.draft?.id === draftId) delete ctx.conversation.draft;
    return cancelled(submission?.status === 'unknown' ? 'I will not retry it. If the LOA service did create it, the signer already has the email.' : 'Nothing was sent.');
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
