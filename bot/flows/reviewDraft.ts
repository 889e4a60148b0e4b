import { z } from 'zod';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { renderReviewDraftCard } from '../../cards/reviewDraft';
import { readDraftInput, toAgreementRequest, validateDraft } from '../domain/draft';
import { draftData, isOpenDraft, openDraftFor } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';

/** The draft id, and everything the rep typed into the details card. */
export const reviewData = draftData.catchall(z.unknown());

/** Step 2 -> 3: check everything the rep entered; back to the form with the errors, or on to review. */
export function reviewDraft(deps: FlowDeps): FlowHandler<z.infer<typeof reviewData>> {
  return async (ctx, data) => {
    const open = await openDraftFor(ctx, deps, data.draftId);
    if (!isOpenDraft(open)) return open;
    const { draft, template } = open;
    const input = readDraftInput(template, data);
    // Kept as typed, valid or not, so nothing the rep entered is lost.
    draft.values = input.values;
    const errors = { ...validateDraft(template, draft.values), ...input.errors };
    if (Object.keys(errors).length > 0) return { card: renderDraftDetailsCard({ template, draft, errors }) };
    return { card: renderReviewDraftCard({ draftId: draft.id, template, request: toAgreementRequest(template, draft) }) };
  };
}
