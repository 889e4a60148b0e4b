import { StatusCodes, TeamsActivityHandler, TurnContext } from 'botbuilder';
import type { Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ConversationState, InvokeResponse, SigninStateVerificationQuery, StatePropertyAccessor } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ALL_VERBS, VERBS } from '../../cards/verbs';
import type { Verb } from '../../cards/verbs';
import { recognizeCommand } from '../flows/commands';
import type { Command } from '../flows/commands';
import type { ConversationData, FlowContext, FlowHandler, FlowResult } from '../flows/flowContext';
import type { Flows } from '../flows';
import type { LoaPrincipals } from '../loa/principals';
import { repKey } from '../domain/rep';
import { describeError } from '../logger';
import { SignInRequired } from './identity';
import type { RepIdentityProvider, ResolvedRep } from './identity';
import type { Presenter } from './presenter';
import type { SignIn } from './signIn';
import type { TeamsNotifier } from './teamsNotifier';
import { turnLog } from './turnLog';

const executeAction = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(100),
    data: z.record(z.string(), z.unknown()).optional().nullable(),
  }),
});

/** What Teams says in a signin/failure invoke, e.g. { code: "resourcematchfailed", message: "Resource match failed" }. */
const signInFailure = z.object({ code: z.string().max(200), message: z.string().max(2000).optional() });

const DEFAULT_LOCALE = 'en-US';
const DEFAULT_TIME_ZONE = 'UTC';

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

/** One run of a handler, which may have to wait for the rep to sign in. */
interface FlowRun {
  handler: FlowHandler;
  data: Record<string, unknown>;
  /** What to keep so the task resumes after sign-in; none when this run is the resumed task. */
  resumable: PendingAction | undefined;
  conversation: BotConversationData;
}

export interface LoaBotDeps {
  flows: Flows;
  conversationState: ConversationState;
  identity: RepIdentityProvider;
  principals: LoaPrincipals;
  /** Told when a rep writes, so it posts again in a chat it had given up on. */
  notifier: TeamsNotifier;
  presenter: Presenter;
  /** Teams SSO; absent when the roster identity is used. */
  signIn?: SignIn;
  logger: Logger;
}

/** The Teams layer's entry: maps messages and card verbs to flow handlers, and hands what they return to the presenter. */
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
      await deps.presenter.post(context, result, 'with its card');
      await this.catchUp(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botAdded = context.activity.membersAdded?.some((m) => m.id === context.activity.recipient?.id);
      if (botAdded) {
        const result = await deps.flows.welcome(this.flowContext(context, {}), {});
        await deps.presenter.showCard(context, result.card);
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
    if (!isVerb(verb)) return this.deps.presenter.unknownVerb();
    const data = invokeValue.action.data ?? {};
    if (ACTING_VERBS.has(verb)) context.turnState.set(ACTED, true);
    const result = await this.runFlow(context, this.deps.flows.verbs[verb], data, { verb, data, ...(context.activity.replyToId ? { cardActivityId: context.activity.replyToId } : {}) });
    // The card goes back in the invoke response; the messages are posted.
    await this.deps.presenter.post(context, result, 'messages only');
    await this.catchUp(context);
    this.deps.presenter.handOnFollowUp(context, result, context.activity.replyToId);
    return this.deps.presenter.invokeResponse(result);
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
    await this.deps.presenter.showSignInFailure(context);
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
    await this.deps.presenter.showCard(context, result.card, pending.cardActivityId);
    await this.deps.presenter.post(context, result, 'messages only');
    this.deps.presenter.handOnFollowUp(context, result, pending.cardActivityId);
  }

  /**
   * Runs a handler. An error the rep should hear about becomes the card that tells them; one
   * that is a bug goes on to the turn-error handler.
   */
  private async runFlow(context: TurnContext, handler: FlowHandler, data: Record<string, unknown>, resumable: PendingAction | undefined): Promise<FlowResult> {
    const conversation = await this.conversationData.get(context, {});
    const ctx = this.flowContext(context, conversation);
    try {
      return await handler(ctx, data);
    } catch (err) {
      if (err instanceof SignInRequired && this.deps.signIn) return this.signInFirst(context, err, this.deps.signIn, { handler, data, resumable, conversation });
      const told = this.deps.presenter.failure(err, { log: ctx.log, draftId: conversation.draft?.id });
      if (!told) throw err;
      return told;
    }
  }

  /**
   * The handler needs to know the rep, who must sign in first: the task is kept and sign-in
   * starts; the rep's card says what is happening.
   */
  private async signInFirst(context: TurnContext, err: SignInRequired, signIn: SignIn, run: FlowRun): Promise<FlowResult> {
    const log = turnLog(context, this.deps.logger);
    // Right after a sign-in (nothing left to resume), and the new token is refused too.
    if (!run.resumable) return this.deps.presenter.signInRefused(err, log);
    if (err.afterRefusedToken) log.warn({ err: describeError(err) }, 'The stored sign-in was refused; signing the rep in again');
    run.conversation.pendingAction = run.resumable;
    log.info('Sign-in needed; the task resumes after it');
    if (await signIn.start(context)) return run.handler(this.flowContext(context, run.conversation), run.data);
    return this.deps.presenter.signInNeeded();
  }

  private flowContext(context: TurnContext, conversation: ConversationData): FlowContext {
    let resolved: Promise<ResolvedRep> | undefined;
    const resolve = () => (resolved ??= this.deps.identity.resolve(context));
    const locale = localeOf(context.activity);
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
        locale,
      },
      locale,
      timeZone: timeZoneOf(context.activity),
    };
  }

  /** Shows, in this turn, results promised earlier in this chat that never reached it. */
  private async catchUp(context: TurnContext): Promise<void> {
    const conversation = await this.conversationData.get(context, {});
    if (!conversation.pendingFollowUps?.length) return;
    const ctx = this.flowContext(context, conversation);
    try {
      for (const result of await this.deps.flows.catchUp(ctx)) await this.deps.presenter.post(context, result, 'with its card');
    } catch (err) {
      ctx.log.warn({ err: describeError(err) }, 'Could not show an undelivered result; it stays promised');
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

function isVerb(verb: string): verb is Verb {
  return ALL_VERBS.includes(verb);
}

/** The locale Teams gives the activity, if Intl knows it: a rep's client can send anything here. */
function localeOf(activity: Activity): string {
  const given = activity.locale;
  if (typeof given !== 'string' || given.length > 35) return DEFAULT_LOCALE;
  return remembered(canonicalLocales, given, () => {
    try {
      return Intl.getCanonicalLocales(given)[0] || DEFAULT_LOCALE;
    } catch {
      return DEFAULT_LOCALE;
    }
  });
}

/** The IANA time zone Teams gives the activity (`localTimezone`), if Intl knows it. */
function timeZoneOf(activity: Activity): string {
  const zone = activity.localTimezone;
  if (typeof zone !== 'string' || zone.length > 64) return DEFAULT_TIME_ZONE;
  return remembered(knownTimeZones, zone, () => {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      return DEFAULT_TIME_ZONE;
    }
  });
}

/** Distinct locales and time zones remembered: Teams sends a few dozen; a client sending junk only fills it. */
const MAX_REMEMBERED = 1000;
const canonicalLocales = new Map<string, string>();
const knownTimeZones = new Map<string, string>();

/**
 * Checking a locale or time zone with Intl builds ICU objects, on every turn; the answer for a
 * given string never changes, so it is remembered.
 */
function remembered(answers: Map<string, string>, given: string, check: () => string): string {
  const known = answers.get(given);
  if (known !== undefined) return known;
  const answer = check();
  if (answers.size < MAX_REMEMBERED) answers.set(given, answer);
  return answer;
}
