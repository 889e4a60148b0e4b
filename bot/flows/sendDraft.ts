import { z } from 'zod';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { toAgreementRequest, validateDraft } from '../domain/draft';
import type { LoaPrincipal } from '../domain/loaService';
import type { RepIdentity } from '../domain/rep';
import { closedCard } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';
import { closedDraftCard } from './keepWork';
import { presentSubmission } from './sendOutcome';

export const sendData = z.object({
  draftId: z.string().min(1).max(100),
  attempt: z.coerce.number().int().positive().optional(),
});

/**
 * Send (and Retry): creates the agreement exactly once per draft. The draft is claimed
 * before anything slow (the rep's identity, a token), so a Cancel that comes after it is
 * told the truth. If the API is slow, answers "Sending…" at once and follows up.
 */
export function sendDraft(deps: FlowDeps): FlowHandler<z.infer<typeof sendData>> {
  return async (ctx, { draftId, attempt }) => {
    const owner = await ctx.caller();
    const draft = ctx.conversation.draft?.id === draftId ? ctx.conversation.draft : undefined;
    if (!draft) return closedDraftCard(ctx, deps, draftId);
    const template = deps.catalog.get(draft.templateId);
    if (!template) return closedCard(ctx.t, ctx.t('chat:closed.chooseTemplateToSend'));
    const errors = validateDraft(template, draft.values, ctx.locale);
    if (Object.keys(errors).length > 0) return { card: renderDraftDetailsCard({ template, draft, errors, locale: ctx.locale }) };

    const claim = await deps.sender.claim({ draftId, owner, templateId: template.id, ...(attempt !== undefined ? { retryOfAttempt: attempt } : {}) });
    if (!claim.claimed) return presentSubmission(deps, ctx, claim.result, draft);
    let sending: { rep: RepIdentity; principal: LoaPrincipal };
    try {
      sending = { rep: await ctx.rep(), principal: await ctx.principal() };
    } catch (err) {
      // Sign-in first, or no identity: nothing was sent, and the Send may go again.
      await deps.sender.release(claim.ticket);
      throw err;
    }
    const started = deps.sender.send(claim.ticket, { ...sending, request: toAgreementRequest(template, draft), origin: ctx.origin });
    const shown = await presentSubmission(deps, ctx, started, draft);
    if (shown.followUp) ctx.log.info({ draftId }, 'LOA API is slow; acknowledged with a Sending card');
    return shown;
  };
}
