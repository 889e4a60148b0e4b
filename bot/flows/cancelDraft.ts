import { z } from 'zod';
import { renderNoticeCard } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { renderSubmission } from './sendOutcome';

const cancelData = z.object({ draftId: z.string().min(1).max(100) });

function cancelled(text: string): FlowResult {
  return {
    card: renderNoticeCard({ title: 'LOA cancelled', text, actions: [{ title: 'Send an LOA', verb: VERBS.start, data: {} }] }),
  };
}

/** Cancel on a card: closes that draft, unless it was already sent. */
export function cancelDraft(deps: FlowDeps): FlowHandler {
  return async (ctx, data) => {
    const parsed = cancelData.safeParse(data);
    const draftId = parsed.success ? parsed.data.draftId : undefined;
    const submission = draftId ? await deps.sender.find(draftId) : undefined;
    if (submission && (submission.status === 'created' || submission.status === 'sending')) return renderSubmission(submission, deps);
    if (draftId && ctx.conversation.draft?.id === draftId) delete ctx.conversation.draft;
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
