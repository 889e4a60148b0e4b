import { CardFactory, MessageFactory, StatusCodes, TeamsActivityHandler, TurnContext } from 'botbuilder';
import type { Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ConversationState, InvokeResponse, SigninStateVerificationQuery, StatePropertyAccessor } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AdaptiveCard } from '../../cards/render';
import { renderNoticeCard } from '../../cards/simpleCards';
import { ALL_VERBS, VERBS } from '../../cards/verbs';
import type { Verb } from '../../cards/verbs';
import { recognizeCommand } from '../flows/commands';
import type { Command } from '../flows/commands';
import type { ConversationData, FlowContext, FlowHandler, FlowResult } from '../flows/flowContext';
import type { Flows } from '../flows';
import type { LoaPrincipals } from '../loa/principals';
import { repKey } from '../domain/rep';
import { describeError } from '../logger';
import { StorageUnavailable } from '../domain/keyValueStore';
import { IdentityError, PersonalChatRequired, SignInRequired } from './identity';
import type { RepIdentityProvider, ResolvedRep } from './identity';
import type { SignIn } from './signIn';
import type { TeamsNotifier } from './teamsNotifier';
import { correlationIdOf, turnLog } from './turnLog';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const executeAction = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(100),
    data: z.record(z.string(), z.unknown()).optional().nullable(),
  }),
});

/** What Teams says in a signin/failure invoke, e.g. { code: "resourcematchfailed", message: "Resource match failed" }. */
const signInFailure = z.object({ code: z.string().max(200), message: z.string().max(2000).optional() });

/** Turn state: this turn acted (claimed a Send, a Cancel or a Delete), whatever happens to the chat state after. */
const ACTED = Symbol('acted');
const ACTING_VERBS: ReadonlySet<string> = new Set([VERBS.sendDraft, VERBS.cancelDraft, VERBS.deleteAgreement]);

/** A task that waited for sign-in, resumed once the rep is signed in. */
interface PendingAction {
  verb?: Verb;
  command?: Command;
  data: Record<string, unknown>;
  /** The card to update with the result, when the task came from a card. */
  cardActivityId?: string;
}

interface BotConversationData extends ConversationData {
  pendingAction?: PendingAction;
}

export interface LoaBotDeps {
  flows: Flows;
  conversationState: ConversationState;
  identity: RepIdentityProvider;
  principals: LoaPrincipals;
  notifier: TeamsNotifier;
  /** Teams SSO; absent when the roster identity is used. */
  signIn?: SignIn;
  /** For the deep link to a 1:1 chat with the bot. */
  botAppId: string;
  logger: Logger;
}

/** The Teams layer: maps messages and card verbs to flow handlers and renders what they return. */
export class LoaBot extends TeamsActivityHandler {
  private readonly conversationData: StatePropertyAccessor<BotConversationData>;

  constructor(private readonly deps: LoaBotDeps) {
    super();
    this.conversationData = deps.conversationState.createProperty<BotConversationData>('loa');

    this.onMessage(async (context, next) => {
      const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
      const recognized = recognizeCommand(typeof text === 'string' ? text : '');
      turnLog(context, deps.logger).info({ command: recognized?.command ?? 'unknown' }, 'Message');
      const data = recognized?.argument ? { argument: recognized.argument } : {};
      const handler = recognized ? deps.flows.commands[recognized.command] : deps.flows.unknownText;
      const result = await this.runFlow(context, handler, data, recognized ? { command: recognized.command, data } : undefined);
      await this.reply(context, result, 'with its card');
      await this.catchUp(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botAdded = context.activity.membersAdded?.some((m) => m.id === context.activity.recipient?.id);
      if (botAdded) {
        const result = await deps.flows.welcome(this.flowContext(context, {}), {});
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(result.card)));
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    this.deps.notifier.conversationActive(context.activity.conversation?.id);
    await super.run(context);
    try {
      await this.deps.conversationState.saveChanges(context, false);
    } catch (err) {
      // After a Send, Cancel or Delete the claim in storage holds the truth, and the rep's card
      // already says what happened: failing the turn now would tell them nothing was done.
      if (!context.turnState.get(ACTED)) throw err;
      turnLog(context, this.deps.logger).warn({ err: describeError(err) }, 'Could not save the chat state after an action; the action stands');
    }
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === 'signin/failure') return this.signInFailed(context);
    if (context.activity.name === 'adaptiveCard/action' && !executeAction.safeParse(context.activity.value).success) {
      turnLog(context, this.deps.logger).warn('Malformed adaptiveCard/action invoke');
      return { status: StatusCodes.BAD_REQUEST, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'This card action is malformed.' } } };
    }
    return super.onInvokeActivity(context);
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const verb = invokeValue.action.verb;
    const log = turnLog(context, this.deps.logger);
    log.info({ verb }, 'Card action');
    if (!isVerb(verb)) {
      return cardResponse(renderNoticeCard({ title: 'This button no longer works', text: 'Type **help** to see what I can do.' }));
    }
    const data = invokeValue.action.data ?? {};
    if (ACTING_VERBS.has(verb)) context.turnState.set(ACTED, true);
    const result = await this.runFlow(context, this.deps.flows.verbs[verb], data, { verb, data, ...(context.activity.replyToId ? { cardActivityId: context.activity.replyToId } : {}) });
    // The card goes back in the invoke response; the messages are posted.
    await this.reply(context, result, 'messages only');
    await this.catchUp(context);
    if (result.followUp) {
      this.deps.notifier.deliver(TurnContext.getConversationReference(context.activity), context.activity.replyToId, result.followUp, log, result.delivery);
    }
    return cardResponse(result.card);
  }

  protected override handleTeamsSigninTokenExchange(context: TurnContext, _query: SigninStateVerificationQuery): Promise<void> {
    return this.continueSignIn(context);
  }

  protected override handleTeamsSigninVerifyState(context: TurnContext, _query: SigninStateVerificationQuery): Promise<void> {
    return this.continueSignIn(context);
  }

  /**
   * Teams could not sign the rep in silently, e.g. the app registration's App ID URI does not
   * match the connection's token exchange URL (code "resourcematchfailed"). Nothing the rep
   * can fix: the operator is told in the log, the rep in plain words.
   */
  private async signInFailed(context: TurnContext): Promise<InvokeResponse> {
    const parsed = signInFailure.safeParse(context.activity.value);
    const failure = parsed.success ? parsed.data : { code: 'unreadable', message: 'The failure carried no code' };
    turnLog(context, this.deps.logger).error({ signInFailure: failure, operatorError: true }, 'Teams could not sign a rep in: check the SSO connection, the App ID URI and the manifest webApplicationInfo');
    await context.sendActivity(
      MessageFactory.attachment(
        CardFactory.adaptiveCard(
          renderNoticeCard({
            title: "I couldn't sign you in",
            text: 'Teams could not sign you in to the LOA bot because of a setup problem on our side, so nothing was sent. Your admin has been told; try again later.',
            style: 'attention',
          }),
        ),
      ),
    );
    return { status: StatusCodes.OK };
  }

  /** Passes a sign-in invoke to the prompt; once signed in, runs the task that was waiting. */
  private async continueSignIn(context: TurnContext): Promise<void> {
    const log = turnLog(context, this.deps.logger);
    if (!this.deps.signIn || !(await this.deps.signIn.continue(context))) return;
    log.info('Rep signed in');
    const conversation = await this.conversationData.get(context, {});
    const pending = conversation.pendingAction;
    delete conversation.pendingAction;
    if (!pending) return;
    const handler = pending.verb ? this.deps.flows.verbs[pending.verb] : pending.command ? this.deps.flows.commands[pending.command] : undefined;
    if (!handler) return;
    const result = await this.runFlow(context, handler, pending.data, undefined);
    const card = MessageFactory.attachment(CardFactory.adaptiveCard(result.card));
    if (pending.cardActivityId) await context.updateActivity({ ...card, id: pending.cardActivityId });
    else await context.sendActivity(card);
    await this.reply(context, result, 'messages only');
    if (result.followUp) this.deps.notifier.deliver(TurnContext.getConversationReference(context.activity), pending.cardActivityId, result.followUp, log, result.delivery);
  }

  /**
   * Runs a handler. When it needs to know the rep and they must sign in first, the task is
   * kept and sign-in starts; the rep's card says what is happening.
   */
  private async runFlow(context: TurnContext, handler: FlowHandler, data: Record<string, unknown>, resumable: PendingAction | undefined): Promise<FlowResult> {
    const conversation = await this.conversationData.get(context, {});
    const ctx = this.flowContext(context, conversation);
    try {
      return await handler(ctx, data);
    } catch (err) {
      if (err instanceof SignInRequired && this.deps.signIn && !resumable) {
        // Right after a sign-in, and the new token is refused too: a setup problem, not the rep's.
        ctx.log.error({ err: describeError(err), operatorError: true }, 'A fresh Teams sign-in gave a token the bot refuses: check the SSO connection and the app registration');
        return {
          card: renderNoticeCard({
            title: "I couldn't sign you in",
            text: 'Teams signed you in, but passed on a sign-in I cannot accept, so nothing was sent. Your admin has been told; try again later.',
            style: 'attention',
          }),
        };
      }
      if (err instanceof SignInRequired && this.deps.signIn && resumable) {
        if (err.afterRefusedToken) ctx.log.warn({ err: describeError(err) }, 'The stored sign-in was refused; signing the rep in again');
        conversation.pendingAction = resumable;
        ctx.log.info('Sign-in needed; the task resumes after it');
        if (await this.deps.signIn.start(context)) return handler(this.flowContext(context, conversation), data);
        return {
          card: renderNoticeCard({
            title: 'Sign in to continue',
            text: 'I need to know it is you before I act for you with the LOA service. Use the sign-in button below; I carry on as soon as you are signed in.',
            style: 'accent',
          }),
        };
      }
      if (err instanceof StorageUnavailable) {
        ctx.log.error({ err: describeError(err) }, 'Storage failed before anything was sent or changed');
        const draftId = conversation.draft?.id;
        return {
          card: renderNoticeCard({
            title: "I couldn't save that",
            text: `My storage did not answer just now, so nothing was sent or changed. ${draftId ? 'Your draft is kept: press Back to my draft, then try again in a minute.' : 'Try again in a minute.'}`,
            style: 'attention',
            actions: draftId ? [{ title: 'Back to my draft', verb: VERBS.editDraft, data: { draftId } }] : [],
          }),
        };
      }
      if (err instanceof PersonalChatRequired) {
        return {
          card: renderNoticeCard({
            title: "Let's continue in our 1:1 chat",
            text: 'LOAs are sent in your name, so I only handle them in a private chat with you. Open the chat and type **send LOA** or **my LOAs** there.',
            links: [{ title: 'Open a 1:1 chat', url: `https://teams.microsoft.com/l/chat/0/0?users=28:${encodeURIComponent(this.deps.botAppId)}` }],
          }),
        };
      }
      if (err instanceof IdentityError && err.tenantRefused) {
        ctx.log.warn({ err: describeError(err) }, 'A rep from a tenant the bot does not serve');
        return {
          card: renderNoticeCard({
            title: 'This bot is not open to your organisation',
            text: 'The LOA bot serves Schneider Electric accounts only, so nothing was sent. If you work for Schneider Electric, sign in to Teams with that account and try again.',
            style: 'attention',
          }),
        };
      }
      if (err instanceof IdentityError) {
        ctx.log.warn({ err: describeError(err) }, 'Could not identify the rep');
        return {
          card: renderNoticeCard({
            title: "I couldn't tell who you are",
            text: 'Your Teams sign-in did not give me an identity I can act for, so nothing was sent. Sign out of Teams and in again; if it keeps happening, ask IT to check your account.',
            style: 'attention',
          }),
        };
      }
      throw err;
    }
  }

  private flowContext(context: TurnContext, conversation: ConversationData): FlowContext {
    let resolved: Promise<ResolvedRep> | undefined;
    const resolve = () => (resolved ??= this.deps.identity.resolve(context));
    return {
      log: turnLog(context, this.deps.logger),
      conversation,
      caller: async () => callerKey(context.activity) ?? repKey((await resolve()).rep),
      rep: async () => (await resolve()).rep,
      principal: async () => {
        const { rep, ssoToken } = await resolve();
        return this.deps.principals.forTurn(rep, ssoToken);
      },
      origin: {
        reference: TurnContext.getConversationReference(context.activity),
        ...(context.activity.type === 'invoke' && context.activity.replyToId ? { cardActivityId: context.activity.replyToId } : {}),
      },
    };
  }

  /** Shows, in this turn, results promised earlier in this chat that never reached it. */
  private async catchUp(context: TurnContext): Promise<void> {
    const conversation = await this.conversationData.get(context, {});
    if (!conversation.pendingFollowUps?.length) return;
    const ctx = this.flowContext(context, conversation);
    try {
      for (const result of await this.deps.flows.catchUp(ctx)) await this.reply(context, result, 'with its card');
    } catch (err) {
      ctx.log.warn({ err: describeError(err) }, 'Could not show an undelivered result; it stays promised');
    }
  }

  /**
   * Posts a result in this turn: its card (unless the invoke response carries it), then its
   * messages. What Teams refuses here is posted again by the notifier, so a refused message
   * neither fails a turn whose work is done nor gets lost.
   */
  private async reply(context: TurnContext, result: FlowResult, what: 'with its card' | 'messages only'): Promise<void> {
    const activities = [...(what === 'with its card' ? [MessageFactory.attachment(CardFactory.adaptiveCard(result.card))] : []), ...(result.messages ?? []).map(plainText)];
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
}

/**
 * The rep key of the sender as Teams asserts it on the (authenticated) activity: their Entra
 * object id and tenant. Undefined on channels that do not say.
 */
function callerKey(activity: Activity): string | undefined {
  const objectId = activity.from?.aadObjectId;
  const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return objectId && tenantId ? repKey({ tenantId, objectId }) : undefined;
}

/** A chat message Teams shows as typed, so rep-supplied text in it is never Markdown. */
export function plainText(text: string): Partial<Activity> {
  return { ...MessageFactory.text(text), textFormat: 'plain' };
}

function isVerb(verb: string): verb is Verb {
  return ALL_VERBS.includes(verb);
}

export function cardResponse(card: AdaptiveCard): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
}

/** The invoke response for a turn that failed, so the pressed card says so instead of spinning. */
export function failedTurnInvokeResponse(context: TurnContext): Partial<Activity> | undefined {
  if (context.activity.type !== 'invoke' || context.activity.name !== 'adaptiveCard/action') return undefined;
  const parsed = z.object({ action: z.object({ data: z.object({ draftId: z.string().max(100) }) }) }).safeParse(context.activity.value);
  const draftId = parsed.success ? parsed.data.action.data.draftId : undefined;
  const card = renderNoticeCard({
    title: 'Something went wrong on my side',
    text: `Nothing new was sent. ${draftId ? 'Your draft is kept: press Back to my draft to carry on.' : 'Type **send LOA** to start again.'} Reference: ${correlationIdOf(context)}`,
    style: 'attention',
    actions: draftId ? [{ title: 'Back to my draft', verb: VERBS.editDraft, data: { draftId } }] : [],
  });
  return { type: 'invokeResponse', value: { status: 200, body: cardResponse(card) } };
}
