import { z } from 'zod';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { toAgreementRequest, validateDraft } from '../domain/draft';
import type { Submission } from '../domain/submissions';
import { closedCard } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';
import { renderSubmission } from './sendOutcome';

const sendData = z.object({
  draftId: z.string().min(1).max(100),
  attempt: z.coerce.number().int().positive().optional(),
});

/**
 * Send (and Retry): creates the agreement exactly once per draft. If the API is slow,
 * answers "Sending…" at once and delivers the result as a follow-up.
 */
export function sendDraft(deps: FlowDeps): FlowHandler {
  return async (ctx, data) => {
    const parsed = sendData.safeParse(data);
    if (!parsed.success) return closedCard('This card is missing its draft. Type **send LOA** to start again.');
    const { draftId, attempt } = parsed.data;
    const draft = ctx.conversation.draft?.id === draftId ? ctx.conversation.draft : undefined;
    if (!draft) {
      const earlier = await deps.sender.find(draftId);
      return earlier ? renderSubmission(earlier, deps) : closedCard('This LOA is no longer open: it was cancelled or replaced by a newer one.');
    }
    const template = deps.catalog.get(draft.templateId);
    if (!template) return closedCard('Choose a template first. Type **send LOA** to start again.');
    const errors = validateDraft(template, draft.values);
    if (Object.keys(errors).length > 0) return { card: renderDraftDetailsCard({ template, draft, errors }) };

    const rep = await ctx.rep();
    const { submission, done } = await deps.sender.submit({
      draftId,
      ...(attempt !== undefined ? { retryOfAttempt: attempt } : {}),
      rep,
      principal: await ctx.principal(),
      request: toAgreementRequest(template, draft),
      origin: ctx.origin,
    });
    if (submission.status !== 'sending') return renderSubmission(submission, deps, draft);
    const settled = await settledWithin(done, deps.sendAckAfterMs);
    if (settled) return renderSubmission(settled, deps, draft);
    ctx.log.info({ draftId }, 'LOA API is slow; acknowledged with a Sending card');
    return { ...renderSubmission(submission, deps, draft), followUp: done.then((s) => renderSubmission(s, deps, draft)) };
  };
}

function settledWithin(done: Promise<Submission>, ms: number): Promise<Submission | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void done.then((s) => {
      clearTimeout(timer);
      resolve(s);
    });
  });
}
