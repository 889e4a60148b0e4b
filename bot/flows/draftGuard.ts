import { z } from 'zod';
import { renderNoticeCard } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { Draft } from '../domain/draft';
import type { LoaTemplate } from '../domain/templateCatalog';
import type { Translate } from '../i18n';
import type { FlowContext, FlowDeps, FlowResult } from './flowContext';
import { closedDraftCard } from './keepWork';

/** The data of every card that acts on a draft. */
export const draftData = z.object({ draftId: z.string().min(1).max(100) });

export type OpenDraft = { draft: Draft; template: LoaTemplate };

/**
 * Finds the open draft a card action refers to. A card whose draft was sent, cancelled
 * or replaced gets a read-only answer instead, so a stale button can never send again.
 */
export async function openDraftFor(ctx: FlowContext, deps: FlowDeps, draftId: string): Promise<OpenDraft | FlowResult> {
  const submission = await deps.sender.find(await ctx.caller(), draftId);
  const draft = ctx.conversation.draft;
  if ((submission && submission.status !== 'failed') || !draft || draft.id !== draftId) return closedDraftCard(ctx, deps, draftId);
  const template = deps.catalog.get(draft.templateId);
  if (!template) return closedCard(ctx.t, ctx.t('chat:closed.chooseTemplate'));
  return { draft, template };
}

export function isOpenDraft(x: OpenDraft | FlowResult): x is OpenDraft {
  return 'draft' in x;
}

/** "Nothing to do here", and why (`text`, in the rep's words). */
export function closedCard(t: Translate, text: string): FlowResult {
  return {
    card: renderNoticeCard({
      title: t('chat:closed.title'),
      text,
      actions: [{ title: t('chat:action.sendLoa'), verb: VERBS.start, data: {} }],
    }),
  };
}
