import { renderChooseTemplateCard } from '../../cards/chooseTemplate';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { renderNoticeCard } from '../../cards/simpleCards';
import type { NoticeAction } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { Draft } from '../domain/draft';
import { escapeMarkdown } from '../domain/text';
import type { Translate } from '../i18n';
import type { FlowContext, FlowDeps, FlowResult } from './flowContext';
import { ownAddress } from './ownAddress';
import { presentSubmission } from './sendOutcome';

/** How long a cancelled draft can be restored with everything typed. */
export const RESTORE_WINDOW_MS = 10 * 60 * 1000;
/** How many replaced drafts a chat remembers, so their cards can say what happened. */
const REPLACED_REMEMBERED = 20;

/** The "Send an LOA" button, in the rep's words. */
export function sendAnLoa(t: Translate): NoticeAction {
  return { title: t('chat:action.sendLoa'), verb: VERBS.start, data: {} };
}

/** What the rep was about to start when an open draft got in the way; carried by "Discard it and start new". */
export interface NextStart {
  /** "New from this" on this agreement. */
  agreementId?: string;
  /** Restore of this cancelled draft. */
  restoreId?: string;
  /** A typed sentence to start from, read again once the open draft is discarded. */
  sentence?: string;
}

/** Whether replacing the draft would lose something the rep chose or typed. */
export function hasWork(draft: Draft): boolean {
  const { fields, notifyEnabled, ...texts } = draft.values;
  return draft.templateId !== '' || notifyEnabled || Object.values(texts).some((v) => v !== '') || Object.values(fields).some((v) => v !== '');
}

/** The caller's draft in this chat, while it can still be sent: not sent, sending or cancelled. */
export async function openDraftOf(ctx: FlowContext, deps: FlowDeps): Promise<Draft | undefined> {
  const draft = ctx.conversation.draft;
  const caller = await ctx.caller();
  if (!draft || (draft.owner && draft.owner !== caller)) return undefined;
  const submission = await deps.sender.find(caller, draft.id);
  return !submission || submission.status === 'failed' ? draft : undefined;
}

/**
 * Starts something new in place of the open draft, unless that draft holds work: then the
 * rep chooses between it and the new start, so nothing typed is lost without asking.
 */
export async function startUnlessWorkOpen(ctx: FlowContext, deps: FlowDeps, next: NextStart, start: () => Promise<FlowResult>): Promise<FlowResult> {
  const open = await openDraftOf(ctx, deps);
  if (!open || !hasWork(open)) return start();
  const template = deps.catalog.get(open.templateId);
  const { t } = ctx;
  const about = [template ? template.name : '', open.values.signerName ? t('chat:common.toSigner', { signer: open.values.signerName }) : ''].filter((x) => x).join(', ');
  return {
    card: renderNoticeCard({
      title: t('chat:openWork.title'),
      text: about ? t('chat:openWork.textAbout', { about: escapeMarkdown(about) }) : t('chat:openWork.text'),
      style: 'warning',
      actions: [
        { title: t('chat:action.continueOpen'), verb: VERBS.resumeDraft, data: { draftId: open.id } },
        { title: t('chat:action.discardAndStart'), verb: VERBS.discardAndStart, data: { draftId: open.id, ...next } },
      ],
    }),
  };
}

/** Makes `draft` the chat's open draft, remembering the one it replaces so that one's cards can say so. */
export function openDraft(ctx: FlowContext, draft: Draft): void {
  const previous = ctx.conversation.draft;
  if (previous && previous.id !== draft.id) ctx.conversation.replacedDraftIds = [...(ctx.conversation.replacedDraftIds ?? []), previous.id].slice(-REPLACED_REMEMBERED);
  ctx.conversation.draft = draft;
}

/** The card a draft is shown with: its details once a template is chosen, the template list before. */
export async function draftCard(deps: FlowDeps, ctx: FlowContext, draft: Draft, note?: string): Promise<FlowResult> {
  const template = deps.catalog.get(draft.templateId);
  if (!template) return { card: renderChooseTemplateCard({ draftId: draft.id, templates: deps.catalog.templates, locale: ctx.locale }) };
  return { card: renderDraftDetailsCard({ template, draft, locale: ctx.locale, notifyPrefill: await ownAddress(ctx), ...(note ? { note } : {}) }) };
}

/** "Go to my open LOA", when the caller has one other than `draftId`; else "Send an LOA". */
export async function toOpenDraft(ctx: FlowContext, deps: FlowDeps, draftId: string): Promise<NoticeAction[]> {
  const open = await openDraftOf(ctx, deps);
  return open && open.id !== draftId ? [{ title: ctx.t('chat:action.goToOpen'), verb: VERBS.resumeDraft, data: { draftId: open.id } }] : [sendAnLoa(ctx.t)];
}

/** Whether Restore can still bring back this cancelled draft. */
export function restorable(ctx: FlowContext, deps: FlowDeps, draftId: string): Draft | undefined {
  const kept = ctx.conversation.cancelled;
  return kept && kept.draft.id === draftId && deps.clock.now() <= kept.until ? kept.draft : undefined;
}

/** The card of a cancelled draft: Restore while its values are kept, and the way to the open draft. */
export async function cancelledDraftCard(ctx: FlowContext, deps: FlowDeps, draftId: string): Promise<FlowResult> {
  const kept = restorable(ctx, deps, draftId);
  const minutes = RESTORE_WINDOW_MS / 60_000;
  const restore: NoticeAction[] = kept ? [{ title: ctx.t('chat:action.restore'), verb: VERBS.restoreDraft, data: { draftId } }] : [];
  return {
    card: renderNoticeCard({
      title: ctx.t('chat:cancel.cancelled.title'),
      text: kept ? ctx.t('chat:cancel.cancelled.restorable', { count: minutes }) : ctx.t('chat:cancel.cancelled.nothingSent'),
      actions: [...restore, ...(await toOpenDraft(ctx, deps, draftId))],
    }),
  };
}

/**
 * What a card of a draft that is no longer open answers: the outcome of a Send, that it was
 * cancelled (with Restore), or that a newer LOA replaced it; never a button that could send it.
 */
export async function closedDraftCard(ctx: FlowContext, deps: FlowDeps, draftId: string): Promise<FlowResult> {
  const submission = await deps.sender.find(await ctx.caller(), draftId);
  if (submission?.status === 'cancelled') return cancelledDraftCard(ctx, deps, draftId);
  if (submission && submission.status !== 'failed') return presentSubmission(deps, ctx, deps.sender.follow(submission));
  const replaced = ctx.conversation.replacedDraftIds?.includes(draftId) ?? false;
  return {
    card: renderNoticeCard({
      title: ctx.t('chat:closedDraft.title'),
      text: replaced ? ctx.t('chat:closedDraft.replaced') : ctx.t('chat:closedDraft.closed'),
      actions: await toOpenDraft(ctx, deps, draftId),
    }),
  };
}
