import { renderNoticeCard } from '../../cards/simpleCards';
import type { NoticeAction } from '../../cards/simpleCards';
import type { Translate } from '../i18n';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { RESTORE_WINDOW_MS, closedDraftCard, draftCard, openDraft, restorable, sendAnLoa, startUnlessWorkOpen, toOpenDraft } from './keepWork';

/**
 * Restore on a cancelled draft's card: its values come back as a new open draft, within
 * the restore window. A draft that was sent is never restored: its card shows the outcome.
 */
export function restoreDraft(deps: FlowDeps): FlowHandler<{ draftId: string }> {
  return async (ctx, { draftId }) => {
    const submission = await deps.sender.find(await ctx.caller(), draftId);
    if (!submission || submission.status !== 'cancelled') return closedDraftCard(ctx, deps, draftId);
    if (!restorable(ctx, deps, draftId)) return tooLate(ctx.t, await toOpenDraft(ctx, deps, draftId));
    return startUnlessWorkOpen(ctx, deps, { restoreId: draftId }, () => restoreKept(deps, ctx, draftId));
  };
}

/** The kept draft, open again under a new id: the cancelled one stays cancelled, so no old card can send it. */
export async function restoreKept(deps: FlowDeps, ctx: FlowContext, draftId: string): Promise<FlowResult> {
  const kept = restorable(ctx, deps, draftId);
  if (!kept) return tooLate(ctx.t, [sendAnLoa(ctx.t)]);
  delete ctx.conversation.cancelled;
  const draft = { ...kept, id: deps.newId() };
  openDraft(ctx, draft);
  return draftCard(deps, ctx, draft);
}

function tooLate(t: Translate, next: NoticeAction[]): FlowResult {
  return {
    card: renderNoticeCard({
      title: t('chat:restore.tooLate.title'),
      text: t('chat:restore.tooLate.text', { count: RESTORE_WINDOW_MS / 60_000 }),
      actions: next,
    }),
  };
}
