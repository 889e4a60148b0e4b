import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { isOpenDraft, openDraftFor } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';
import { ownAddress } from './ownAddress';

/** Step 3 -> 2: back to the details form with every value kept. */
export function editDraft(deps: FlowDeps): FlowHandler<{ draftId: string }> {
  return async (ctx, { draftId }) => {
    const open = await openDraftFor(ctx, deps, draftId);
    if (!isOpenDraft(open)) return open;
    return { card: renderDraftDetailsCard({ template: open.template, draft: open.draft, locale: ctx.locale, notifyPrefill: await ownAddress(ctx) }) };
  };
}
