import { CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import type { Activity, AdaptiveCardInvokeResponse, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AdaptiveCard } from '../../cards/render';
import { renderNoticeCard } from '../../cards/simpleCards';
import type { NoticeAction, NoticeCardData } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import { StorageUnavailable } from '../domain/keyValueStore';
import type { FlowResult, FollowUpDelivery } from '../flows/flowContext';
import { translatorFor } from '../i18n';
import type { Translate } from '../i18n';
import { describeError } from '../logger';
import { IdentityError, PersonalChatRequired } from './identity';
import type { SignInRequired } from './identity';
import { correlationIdOf, turnLog } from './turnLog';

const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** One call to the Teams connector: update a card in place, or post an activity. */
export type Outbound = { kind: 'update'; activity: Partial<Activity> } | { kind: 'post'; activity: Partial<Activity> };

/**
 * What the presenter hands on to be shown after the turn (the TeamsNotifier). Declared here,
 * in the presenter's terms, so that the notifier can use the presenter's rendering without
 * the two importing each other.
 */
export interface AfterTurnPoster {
  /** Shows a follow-up once its work settles: its card over `cardActivityId` (or posted), then its messages. */
  deliver(reference: Partial<ConversationReference>, cardActivityId: string | undefined, followUp: Promise<() => Promise<FlowResult>>, log: Logger, delivery?: FollowUpDelivery): void;
  /** Posts what Teams refused in the turn, with retries; `lost` runs if it never gets through. */
  postLater(reference: Partial<ConversationReference>, activities: Array<Partial<Activity>>, log: Logger, lost: () => Promise<void>): void;
}

export interface PresenterDeps {
  notifier: AfterTurnPoster;
  /** For the deep link to a 1:1 chat with the bot. */
  botAppId: string;
  logger: Logger;
}

/** What a failed turn knows that the rep's card can offer a way back to. */
export interface FailedTurn {
  log: Logger;
  /** The rep's draft, kept through the failure. */
  draftId?: string;
  /** The rep's words; English when not given. */
  t?: Translate;
}

/**
 * The one place a flow's result becomes what Teams shows: an invoke response, a card updated
 * or posted, chat messages, and a follow-up handed to the notifier. It also holds the cards for
 * a flow that could not run (sign-in, storage, identity, a button from an older card), so the
 * Teams layer's own words to the rep are in one file rather than in its routing.
 */
export class Presenter {
  constructor(private readonly deps: PresenterDeps) {}

  /** The answer to a card's Action.Execute: Teams shows this card in place of the pressed one. */
  invokeResponse(result: Pick<FlowResult, 'card'>): AdaptiveCardInvokeResponse {
    return cardResponse(result.card);
  }

  /** Shows a card in this turn, over the card `cardActivityId` or as a new message. A refusal fails the turn. */
  async showCard(context: TurnContext, card: AdaptiveCard, cardActivityId?: string): Promise<void> {
    const activity = cardActivity(card);
    if (cardActivityId) await context.updateActivity({ ...activity, id: cardActivityId });
    else await context.sendActivity(activity);
  }

  /**
   * Posts a result in this turn: its card (unless it is shown elsewhere), then its messages.
   * What Teams refuses here is posted again by the notifier, so a refused message neither
   * fails a turn whose work is done nor gets lost.
   */
  async post(context: TurnContext, result: FlowResult, what: 'with its card' | 'messages only'): Promise<void> {
    const activities = [...(what === 'with its card' ? [cardActivity(result.card)] : []), ...messageActivities(result)];
    for (const [i, activity] of activities.entries()) {
      try {
        await context.sendActivity(activity);
      } catch (err) {
        const log = turnLog(context, this.deps.logger);
        log.warn({ err: describeError(err) }, 'Teams refused a reply in the turn; posting it again in the background');
        this.deps.notifier.postLater(TurnContext.getConversationReference(context.activity), activities.slice(i), log, async () => {
          await result.unannounce?.();
          await result.delivery?.failed();
        });
        return;
      }
    }
  }

  /** Hands the result's follow-up, if it has one, to the notifier: it replaces the card `cardActivityId` once its work settles. */
  handOnFollowUp(context: TurnContext, result: FlowResult, cardActivityId: string | undefined): void {
    if (!result.followUp) return;
    this.deps.notifier.deliver(TurnContext.getConversationReference(context.activity), cardActivityId, result.followUp, turnLog(context, this.deps.logger), result.delivery);
  }

  /**
   * What the rep is told when a flow could not run for a reason that is not a bug, logged for
   * whoever must act on it; undefined for anything else, which the turn-error handler reports.
   */
  failure(err: unknown, turn: FailedTurn): FlowResult | undefined {
    const t = turn.t ?? translatorFor(undefined);
    if (err instanceof StorageUnavailable) return storageUnavailable(err, turn, t);
    if (err instanceof PersonalChatRequired) return this.personalChatRequired(t);
    if (err instanceof IdentityError && err.tenantRefused) {
      turn.log.warn({ err: describeError(err) }, 'A rep from a tenant the bot does not serve');
      return notice({
        title: t('chat:teams.tenantRefused.title'),
        text: t('chat:teams.tenantRefused.text'),
        style: 'attention',
      });
    }
    if (err instanceof IdentityError) {
      // Signing out and in again does not change what Teams or the roster says about a rep: only IT can.
      turn.log.error({ err: describeError(err), operatorError: true }, 'Could not tell who a rep is: check the SSO connection, the app registration and the rep\'s Entra account');
      return notice({
        title: t('chat:teams.unknownRep.title'),
        text: t('chat:teams.unknownRep.text'),
        style: 'attention',
      });
    }
    return undefined;
  }

  /** A sign-in Teams has just completed gave a token the bot refuses too: a setup problem, not the rep's. */
  signInRefused(err: SignInRequired, log: Logger, t: Translate): FlowResult {
    log.error({ err: describeError(err), operatorError: true }, 'A fresh Teams sign-in gave a token the bot refuses: check the SSO connection and the app registration');
    return notice({
      title: t('chat:teams.signInRefused.title'),
      text: t('chat:teams.signInRefused.text'),
      style: 'attention',
    });
  }

  /** The task waits for the sign-in prompt this turn posted. */
  signInNeeded(t: Translate): FlowResult {
    return notice({
      title: t('chat:teams.signInNeeded.title'),
      text: t('chat:teams.signInNeeded.text'),
      style: 'accent',
    });
  }

  /** Teams could not sign the rep in at all (a signin/failure invoke); nothing the rep can fix. */
  async showSignInFailure(context: TurnContext): Promise<void> {
    const t = translatorFor(context.activity.locale);
    const { card } = notice({
      title: t('chat:teams.signInRefused.title'),
      text: t('chat:teams.signInRefused.setup'),
      style: 'attention',
    });
    await this.showCard(context, card);
  }

  /** A button on a card from an older version of the bot, whose verb no longer exists. */
  unknownVerb(t: Translate): AdaptiveCardInvokeResponse {
    return this.invokeResponse(notice({ title: t('chat:teams.unknownVerb.title'), text: t('chat:teams.unknownVerb.text') }));
  }

  private personalChatRequired(t: Translate): FlowResult {
    return notice({
      title: t('chat:teams.personalChat.title'),
      text: t('chat:teams.personalChat.text'),
      links: [{ title: t('chat:action.openChat'), url: `https://teams.microsoft.com/l/chat/0/0?users=28:${encodeURIComponent(this.deps.botAppId)}` }],
    });
  }
}

function storageUnavailable(err: StorageUnavailable, turn: FailedTurn, t: Translate): FlowResult {
  turn.log.error({ err: describeError(err) }, 'Storage failed before anything was sent or changed');
  return notice(storageNotice(t, turn.draftId));
}

/** Storage did not answer, nothing was sent or changed: the way back to the draft when there is one. */
function storageNotice(t: Translate, draftId: string | undefined): NoticeCardData {
  return {
    title: t('chat:teams.storage.title'),
    text: t('chat:teams.storage.text', { next: draftId ? t('chat:teams.storage.draftKept') : t('chat:teams.storage.tryAgain') }),
    style: 'attention',
    actions: backToDraft(t, draftId),
  };
}

function notice(data: NoticeCardData): FlowResult {
  return { card: renderNoticeCard(data) };
}

function backToDraft(t: Translate, draftId: string | undefined): NoticeAction[] {
  return draftId ? [{ title: t('chat:action.backToDraft'), verb: VERBS.editDraft, data: { draftId } }] : [];
}

/** The calls that show a result after its turn: its card over `cardActivityId` (or posted when there is none), then its messages. */
export function callsShowing(result: FlowResult, cardActivityId: string | undefined): Outbound[] {
  const card = cardActivity(result.card);
  return [cardActivityId ? { kind: 'update', activity: { ...card, id: cardActivityId } } : { kind: 'post', activity: card }, ...messageActivities(result).map((activity): Outbound => ({ kind: 'post', activity }))];
}

/** A chat message Teams shows as typed, so rep-supplied text in it is never Markdown. */
export function plainText(text: string): Partial<Activity> {
  return { ...MessageFactory.text(text), textFormat: 'plain' };
}

function messageActivities(result: FlowResult): Array<Partial<Activity>> {
  return (result.messages ?? []).map(plainText);
}

function cardActivity(card: AdaptiveCard): Partial<Activity> {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}

function cardResponse(card: AdaptiveCard): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
}

/**
 * The invoke response for a turn that failed, so the pressed card says so instead of spinning.
 * Storage that did not answer (the chat state could not be read or kept) is named as such:
 * the rep can do something about that, try again in a minute, which "something went wrong" does not say.
 * A free function: the adapter's turn-error handler needs it before any bot exists.
 */
export function failedTurnInvokeResponse(context: TurnContext, error?: unknown): Partial<Activity> | undefined {
  if (context.activity.type !== 'invoke' || context.activity.name !== 'adaptiveCard/action') return undefined;
  const parsed = z.object({ action: z.object({ data: z.object({ draftId: z.string().max(100) }) }) }).safeParse(context.activity.value);
  const draftId = parsed.success ? parsed.data.action.data.draftId : undefined;
  const t = translatorFor(context.activity.locale);
  const card = renderNoticeCard(
    error instanceof StorageUnavailable
      ? storageNotice(t, draftId)
      : {
          title: t('chat:teams.turnFailed.title'),
          text: t('chat:teams.turnFailed.text', { next: draftId ? t('chat:teams.turnFailed.draftKept') : t('chat:teams.turnFailed.startAgain'), reference: correlationIdOf(context) }),
          style: 'attention',
          actions: backToDraft(t, draftId),
        },
  );
  return { type: 'invokeResponse', value: { status: 200, body: cardResponse(card) } };
}

/** The chat message for a typed message whose turn failed; storage that did not answer is named, as on a card. */
export function failedTurnMessage(context: TurnContext, error?: unknown): string {
  const t = translatorFor(context.activity.locale);
  if (error instanceof StorageUnavailable) return t('chat:teams.storage.text', { next: t('chat:teams.storage.tryAgain') });
  return t('chat:teams.turnFailed.message', { reference: correlationIdOf(context) });
}
