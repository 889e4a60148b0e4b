import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { renderReviewDraftCard } from '../../cards/reviewDraft';
import { readDraftInput, toAgreementRequest, validateDraft } from '../domain/draft';
import { isOpenDraft, openDraftFor } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';

/** Step 2 -> 3: check everything the rep entered; back to the form with the errors, or on to review. */
export function reviewDraft(deps: FlowDeps): FlowHandler {
  return async (ctx, data) => {
    const open = await openDraftFor(ctx, deps, data);
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
