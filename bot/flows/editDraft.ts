import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { isOpenDraft, openDraftFor } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';

/** Step 3 -> 2: back to the details form with every value kept. */
export function editDraft(deps: FlowDeps): FlowHandler {
  return async (ctx, data) => {
    const open = await openDraftFor(ctx, deps, data);
    if (!isOpenDraft(open)) return open;
    return { card: renderDraftDetailsCard({ template: open.template, draft: open.draft }) };
  };
}
