import { z } from 'zod';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import type { DraftValues } from '../domain/draft';
import type { LoaTemplate } from '../domain/templateCatalog';
import { closedCard } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';
import { closedDraftCard } from './keepWork';
import { ownAddress } from './ownAddress';

export const chooseData = z.object({ draftId: z.string().min(1).max(100), templateId: z.string().min(1).max(100) });

/** Step 1 -> 2: the rep picked a template; show its details form. */
export function chooseTemplate(deps: FlowDeps): FlowHandler<z.infer<typeof chooseData>> {
  return async (ctx, { draftId, templateId }) => {
    const draft = ctx.conversation.draft;
    if (!draft || draft.id !== draftId || (await deps.sender.find(await ctx.caller(), draftId))) return closedDraftCard(ctx, deps, draftId);
    const template = deps.catalog.get(templateId);
    if (!template) return closedCard(ctx.t, ctx.t('chat:closed.templateGone'));
    if (draft.templateId !== templateId) {
      // Keep who it goes to, and each value the new template has a field of the same name and type for.
      // A template chosen after a typed sentence gets what the sentence gave for it.
      const fromMessage = draft.fromMessage?.fieldsByTemplate[templateId] ?? {};
      draft.values = { ...draft.values, fields: { ...carriedOver(deps.catalog.get(draft.templateId), template, draft.values.fields), ...fromMessage } };
      draft.templateId = templateId;
    }
    return { card: renderDraftDetailsCard({ template, draft, locale: ctx.locale, notifyPrefill: await ownAddress(ctx) }) };
  };
}

/** The values of `from` that mean the same in `to`: a field of the same name and type. */
function carriedOver(from: LoaTemplate | undefined, to: LoaTemplate, fields: DraftValues['fields']): DraftValues['fields'] {
  const kept: DraftValues['fields'] = {};
  for (const field of to.fields) {
    const same = from?.fields.find((f) => f.name === field.name && f.type === field.type);
    const value = fields[field.name];
    if (same && value) kept[field.name] = value;
  }
  return kept;
}
