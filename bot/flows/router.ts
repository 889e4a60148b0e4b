import type { z } from 'zod';
import { renderNoticeCard } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import { sameRep } from '../domain/rep';
import type { Translate } from '../i18n';
import { closedCard } from './draftGuard';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';

/** What a card's ids refer to: its owner alone may press it. */
export type CardSubject = { draftId: string } | { agreementId: string };

/** One card verb: the data its card carries, what that data refers to, and the handler. */
export interface VerbRoute<T> {
  readonly data: z.ZodType<T>;
  /** The draft or agreement the card names; absent for cards anyone may press (help, start). */
  readonly subject?: (data: T) => CardSubject;
  /** The catalog key of what the rep reads when the card's data is missing or malformed. */
  readonly malformed?: string;
  readonly handle: FlowHandler<T>;
}

/**
 * The one place a card press is checked before its handler runs: the data is parsed, and the
 * rep pressing it is compared with the owner of the draft, submission or agreement it names.
 * Anyone else (a forwarded card, another tenant, a guessed id) gets a neutral card: nothing
 * of the owner's LOA is shown, nothing is posted and nothing is called.
 */
export function routeVerb<T>(deps: FlowDeps, route: VerbRoute<T>): FlowHandler {
  return async (ctx, raw) => {
    const parsed = route.data.safeParse(raw);
    if (!parsed.success) return closedCard(ctx.t, ctx.t(route.malformed ?? 'chat:closed.missingData'));
    const subject = route.subject?.(parsed.data);
    if (subject) {
      const owner = await ownerOf(ctx, deps, subject);
      if (owner && !sameRep(owner, await ctx.caller())) {
        ctx.log.warn({ subject: 'draftId' in subject ? 'draft' : 'agreement' }, 'A card was pressed by someone other than its owner; refused');
        return notYourCard(ctx.t);
      }
    }
    return route.handle(ctx, parsed.data);
  };
}

async function ownerOf(ctx: FlowContext, deps: FlowDeps, subject: CardSubject): Promise<string | undefined> {
  if ('agreementId' in subject) return deps.records.ownerOf(subject.agreementId);
  const draft = ctx.conversation.draft;
  if (draft?.id === subject.draftId && draft.owner) return draft.owner;
  const cancelled = ctx.conversation.cancelled?.draft;
  if (cancelled?.id === subject.draftId && cancelled.owner) return cancelled.owner;
  return deps.sender.ownerOf(subject.draftId);
}

export function notYourCard(t: Translate): FlowResult {
  return {
    card: renderNoticeCard({
      title: t('chat:notYours.title'),
      text: t('chat:notYours.text'),
      actions: [{ title: t('chat:action.sendLoa'), verb: VERBS.start, data: {} }],
    }),
  };
}
