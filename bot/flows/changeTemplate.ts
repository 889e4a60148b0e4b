import { renderChooseTemplateCard } from '../../cards/chooseTemplate';
import { isOpenDraft, openDraftFor } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';

/**
 * Step 2 -> 1: back to the template chooser with the draft kept, so that choosing another
 * template carries over what still applies (see chooseTemplate).
 */
export function changeTemplate(deps: FlowDeps): FlowHandler<{ draftId: string }> {
  return async (ctx, { draftId }) => {
    const open = await openDraftFor(ctx, deps, draftId);
    if (!isOpenDraft(open)) return open;
    return { card: renderChooseTemplateCard({ draftId: open.draft.id, templates: deps.catalog.templates, locale: ctx.locale }) };
  };
}
