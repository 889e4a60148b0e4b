import { z } from 'zod';
import { draftData } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';
import { startUnlessWorkOpen } from './keepWork';
import type { NextStart } from './keepWork';
import { startFromAgreement } from './newFromAgreement';
import { restoreKept } from './restoreDraft';
import { MAX_SENTENCE_CHARS, startFromSentenceAgain } from './startFromSentence';
import { startBlankDraft } from './startSendLoa';

/** The open draft to discard, and what the rep wanted to start instead. */
export const discardData = draftData.extend({
  agreementId: z.string().min(1).max(100).optional(),
  restoreId: z.string().min(1).max(100).optional(),
  sentence: z.string().min(1).max(MAX_SENTENCE_CHARS).optional(),
});

/**
 * "Discard it and start new": closes the open draft as a Cancel does (so a Send racing it
 * still wins or loses cleanly), then starts what the rep asked for.
 */
export function discardAndStart(deps: FlowDeps): FlowHandler<z.infer<typeof discardData>> {
  return async (ctx, { draftId, agreementId, restoreId, sentence }) => {
    const draft = ctx.conversation.draft;
    if (draft?.id === draftId) {
      await deps.sender.cancel({ draftId, owner: await ctx.caller(), templateId: draft.templateId });
      delete ctx.conversation.draft;
    }
    const next: NextStart = { ...(agreementId ? { agreementId } : {}), ...(restoreId ? { restoreId } : {}), ...(sentence ? { sentence } : {}) };
    // Should another draft have been opened since this card was shown, the rep is asked again.
    return startUnlessWorkOpen(ctx, deps, next, () => {
      if (restoreId) return restoreKept(deps, ctx, restoreId);
      if (agreementId) return startFromAgreement(deps, ctx, agreementId);
      if (sentence) return startFromSentenceAgain(deps, ctx, sentence);
      return startBlankDraft(deps, ctx);
    });
  };
}
