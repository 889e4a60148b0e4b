import { renderChooseTemplateCard } from '../../cards/chooseTemplate';
import { emptyValues } from '../domain/draft';
import type { FlowDeps, FlowHandler } from './flowContext';

/** "send LOA": opens a new draft and asks for its template. A draft in progress is replaced. */
export function startSendLoa(deps: FlowDeps): FlowHandler {
  return async (ctx) => {
    const draft = { id: deps.newId(), owner: await ctx.caller(), templateId: '', values: emptyValues() };
    ctx.conversation.draft = draft;
    return { card: renderChooseTemplateCard({ draftId: draft.id, templates: deps.catalog.templates }) };
  };
}
