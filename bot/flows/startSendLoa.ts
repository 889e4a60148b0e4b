import { renderChooseTemplateCard } from '../../cards/chooseTemplate';
import { emptyValues } from '../domain/draft';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { openDraft, startUnlessWorkOpen } from './keepWork';

/** "send LOA": opens a new draft and asks for its template. An open draft with work in it is not dropped without asking. */
export function startSendLoa(deps: FlowDeps): FlowHandler {
  return (ctx) => startUnlessWorkOpen(ctx, deps, {}, () => startBlankDraft(deps, ctx));
}

/** A new, empty draft in place of whatever was open. */
export async function startBlankDraft(deps: FlowDeps, ctx: FlowContext): Promise<FlowResult> {
  const draft = { id: deps.newId(), owner: await ctx.caller(), templateId: '', values: emptyValues() };
  openDraft(ctx, draft);
  return { card: renderChooseTemplateCard({ draftId: draft.id, templates: deps.catalog.templates, locale: ctx.locale }) };
}
