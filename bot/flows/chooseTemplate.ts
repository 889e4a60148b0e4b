import { z } from 'zod';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { emptyValues } from '../domain/draft';
import { closedCard } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';
import { closedDraftCard } from './keepWork';

export const chooseData = z.object({ draftId: z.string().min(1).max(100), templateId: z.string().min(1).max(100) });

/** Step 1 -> 2: the rep picked a template; show its details form. */
export function chooseTemplate(deps: FlowDeps): FlowHandler<z.infer<typeof chooseData>> {
  return async (ctx, { draftId, templateId }) => {
    const draft = ctx.conversation.draft;
    if (!draft || draft.id !== draftId || (await deps.sender.find(await ctx.caller(), draftId))) return closedDraftCard(ctx, deps, draftId);
    const template = deps.catalog.get(templateId);
    if (!template) return closedCard('That template is no longer available. Type **send LOA** to see the current ones.');
    if (draft.templateId !== templateId) {
      // Keep who it goes to, drop the other template's form fields.
      draft.values = { ...draft.values, fields: emptyValues().fields };
      draft.templateId = templateId;
    }
    return { card: renderDraftDetailsCard({ template, draft }) };
  };
}
