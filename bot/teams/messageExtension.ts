import { BotState, CardFactory, StatusCodes, TurnContext } from 'botbuilder';
import type { ConversationReference, InvokeResponse, MessagingExtensionActionResponse, MessagingExtensionResponse, StatePropertyAccessor, Storage } from 'botbuilder';
import type { UserTokenClient } from 'botframework-connector';
import { z } from 'zod';
import { toDialogCard } from '../../cards/dialogCard';
import type { AdaptiveCard } from '../../cards/render';
import type { AgreementRecords, ConversationOrigin } from '../domain/agreementRecords';
import { MAX_SEARCH_LENGTH } from '../domain/agreementSearch';
import type { ConversationData, FlowContext } from '../flows/flowContext';
import type { DialogResult, MessageExtensionFlows } from '../flows/messageExtension';
import { describeError } from '../logger';
import { SignInRequired } from './identity';
import type { Presenter } from './presenter';
import type { TeamsNotifier } from './teamsNotifier';
import { translatorFor } from '../i18n';
import { callerKey, flowContextOf, localeOf } from './turnFlowContext';
import type { TurnIdentity } from './turnFlowContext';
import { turnLog } from './turnLog';

/** The manifest's command ids (manifest/manifest.json › composeExtensions). */
export const ME_COMMANDS = { sendLoa: 'sendLoa', searchLoas: 'searchLoas' } as const;

const INVOKES = new Set(['composeExtension/fetchTask', 'composeExtension/submitAction', 'composeExtension/query']);
/** The longest message a dialog is prefilled from; longer ones open blank. */
const MAX_MESSAGE_CHARS = 4000;

const invokeValue = z.object({
  commandId: z.string().max(64),
  /** The magic code Teams sends back after the sign-in link ('auth'). */
  state: z.string().max(200).optional(),
  /** The SSO token Teams sends back after 'silentAuth'. */
  authentication: z.object({ token: z.string().max(20_000) }).optional(),
  messagePayload: z.object({ body: z.object({ content: z.string().optional(), contentType: z.string().optional() }).optional() }).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  parameters: z.array(z.object({ name: z.string().max(64), value: z.unknown() })).max(5).optional(),
  queryOptions: z.object({ skip: z.coerce.number().int().min(0).optional() }).optional(),
});
type InvokeValue = z.infer<typeof invokeValue>;

export interface MessageExtensionDeps extends TurnIdentity {
  flows: MessageExtensionFlows;
  /** Where each rep's dialog draft lives: the bot's state storage. */
  storage: Storage;
  /** To find the rep's 1:1 chat with the bot, for the confirmation and status news. */
  records: AgreementRecords;
  notifier: TeamsNotifier;
  presenter: Presenter;
  /** The SSO connection; absent with the roster identity (local runs). */
  connectionName?: string;
}

/**
 * The message extension: "Send an LOA" (a dialog with the chat flow's steps) and "LOAs" (a
 * search of the rep's own LOAs). A dialog's draft is kept per rep and conversation, never in
 * the conversation's shared state, so two reps in one group chat never see each other's.
 */
export class MessageExtension {
  private readonly state: BotState;
  private readonly dialog: StatePropertyAccessor<ConversationData>;

  constructor(private readonly deps: MessageExtensionDeps) {
    this.state = new BotState(deps.storage, (context) => Promise.resolve(`${context.activity.channelId}/conversations/${context.activity.conversation?.id ?? ''}/messageExtension/${context.activity.from?.id ?? ''}`));
    this.dialog = this.state.createProperty<ConversationData>('dialog');
  }

  handles(name: string | undefined): boolean {
    return name !== undefined && INVOKES.has(name);
  }

  async invoke(context: TurnContext): Promise<InvokeResponse> {
    const name = context.activity.name ?? '';
    const parsed = invokeValue.safeParse(context.activity.value);
    const log = turnLog(context, this.deps.logger);
    log.info({ invoke: name, commandId: parsed.success ? parsed.data.commandId : undefined }, 'Message extension');
    if (!parsed.success) return answer(message(`This request is malformed: ${describeIssue(parsed.error)}.`));
    const value = parsed.data;
    const expected = name === 'composeExtension/query' ? ME_COMMANDS.searchLoas : ME_COMMANDS.sendLoa;
    if (value.commandId !== expected) return answer(message(`Unknown command "${value.commandId.slice(0, 64)}": this app has "Send an LOA" (${ME_COMMANDS.sendLoa}) and "LOAs" (${ME_COMMANDS.searchLoas}).`));
    if (name === 'composeExtension/query') return this.authenticated(context, value, () => this.query(context, value));
    return this.authenticated(context, value, () => this.dialogTurn(context, value));
  }

  /** Runs a task as the signed-in rep; a rep not signed in gets Teams' sign-in, and nothing else. */
  private async authenticated(context: TurnContext, value: InvokeValue, run: () => Promise<MessagingExtensionActionResponse>): Promise<InvokeResponse> {
    const connection = this.deps.connectionName;
    if (connection && !(await this.redeem(context, connection, value))) return { status: StatusCodes.PRECONDITION_FAILED };
    try {
      const body = await run();
      await this.state.saveChanges(context);
      return answer(body);
    } catch (err) {
      if (err instanceof SignInRequired && connection) return answer(await signInResponse(context, connection));
      const told = this.deps.presenter.failure(err, { log: turnLog(context, this.deps.logger) });
      if (!told) throw err;
      return answer(context.activity.name === 'composeExtension/query' ? message(titleOf(told.card)) : dialogCard(told.card, localeOf(context.activity)));
    }
  }

  /**
   * Stores the token Teams brought back: an SSO token to exchange ('silentAuth'), or the
   * magic code of the sign-in page ('auth'). False when the exchange is refused: Teams then
   * shows the sign-in page (HTTP 412).
   */
  private async redeem(context: TurnContext, connection: string, value: InvokeValue): Promise<boolean> {
    if (!value.authentication && !value.state) return true;
    const client = tokenClientOf(context);
    const userId = context.activity.from?.id ?? '';
    try {
      if (!value.authentication) {
        // A wrong or spent code stores nothing: the identity check then asks for sign-in again.
        await client.getUserToken(userId, connection, context.activity.channelId, value.state ?? '');
        return true;
      }
      // The token service answers a refused exchange without a token rather than with an error.
      const exchanged = await client.exchangeToken(userId, connection, context.activity.channelId, { token: value.authentication.token });
      if (exchanged?.token) return true;
      turnLog(context, this.deps.logger).info('The message extension token exchange was refused; Teams shows the sign-in page');
      return false;
    } catch (err) {
      turnLog(context, this.deps.logger).info({ err: describeError(err) }, 'The message extension token exchange was refused; Teams shows the sign-in page');
      return false;
    }
  }

  private async dialogTurn(context: TurnContext, value: InvokeValue): Promise<MessagingExtensionActionResponse> {
    const ctx = await this.flowContext(context);
    const result = context.activity.name === 'composeExtension/fetchTask'
      ? await this.deps.flows.openDialog(ctx, messageTextOf(value))
      : await this.deps.flows.dialogStep(ctx, value.data ?? {});
    this.tellPersonalChat(ctx, result);
    if (result.insert) return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [CardFactory.adaptiveCard(result.insert)] } };
    return result.card ? dialogCard(result.card, localeOf(context.activity)) : {};
  }

  private async query(context: TurnContext, value: InvokeValue): Promise<MessagingExtensionResponse> {
    const words = searchWordsOf(value);
    if (typeof words !== 'string') return message(words.problem);
    // One page: the ten best matches are the answer, so Teams asking for more gets nothing new.
    const hits = (value.queryOptions?.skip ?? 0) > 0 ? [] : await this.deps.flows.search(await this.flowContext(context), words);
    const attachments = hits.map((hit) => ({ ...CardFactory.adaptiveCard(hit.card), preview: CardFactory.thumbnailCard(hit.preview.title, hit.preview.text) }));
    return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments } };
  }

  /** The confirmation, and a slow send's outcome, go to the rep's 1:1 chat with the bot, never to the chat the dialog came from. */
  private tellPersonalChat(ctx: FlowContext, result: DialogResult): void {
    const reference = ctx.origin.reference as Partial<ConversationReference> | undefined;
    if (result.later?.followUp) this.deps.notifier.deliver(reference ?? {}, undefined, result.later.followUp, ctx.log, result.later.delivery);
    if (!result.messages?.length) return;
    if (!reference) {
      ctx.log.info('No 1:1 chat with this rep is known: the LOA was sent from the message extension without a chat confirmation');
      return;
    }
    for (const text of result.messages) this.deps.notifier.post(ctx.origin, text).catch((err: unknown) => ctx.log.warn({ err: describeError(err) }, 'Could not post the confirmation in the 1:1 chat'));
  }

  /** The turn as the flows see it, once the rep is known: nothing is shown or prefilled for a rep who has not signed in. */
  private async flowContext(context: TurnContext): Promise<FlowContext> {
    const conversation = await this.dialog.get(context, {});
    const ctx = flowContextOf(context, conversation, this.deps, await this.personalChat(context));
    await ctx.rep();
    return ctx;
  }

  /** The rep's 1:1 chat with the bot: this one, or the one their last LOA was sent from. */
  private async personalChat(context: TurnContext): Promise<ConversationOrigin> {
    const locale = localeOf(context.activity);
    if (context.activity.conversation?.conversationType === 'personal') {
      return { reference: TurnContext.getConversationReference(context.activity), locale };
    }
    const key = callerKey(context.activity);
    const records = key ? await this.deps.records.list(key) : [];
    const personal = records.map((r) => r.origin).find((o) => (o.reference as Partial<ConversationReference> | undefined)?.conversation?.conversationType === 'personal');
    return { reference: personal?.reference, locale };
  }
}

function answer(body: unknown): InvokeResponse {
  return { status: StatusCodes.OK, body };
}

function message(text: string): MessagingExtensionResponse {
  return { composeExtension: { type: 'message', text } };
}

function dialogCard(card: AdaptiveCard, locale: string): MessagingExtensionActionResponse {
  return { task: { type: 'continue', value: { title: translatorFor(locale)('chat:extension.dialogTitle'), width: 'medium', height: 'large', card: CardFactory.adaptiveCard(toDialogCard(card)) } } };
}

/** Teams' sign-in for a message extension: single sign-on where the connection offers it, else the sign-in page. */
async function signInResponse(context: TurnContext, connection: string): Promise<MessagingExtensionResponse> {
  const resource = await tokenClientOf(context).getSignInResource(connection, context.activity, '');
  return {
    composeExtension: {
      type: resource.tokenExchangeResource ? 'silentAuth' : 'auth',
      suggestedActions: { actions: [{ type: 'openUrl', value: resource.signInLink ?? '', title: 'Sign in to LOA' }] },
    },
  };
}

function tokenClientOf(context: TurnContext): UserTokenClient {
  const adapter = context.adapter as { UserTokenClientKey?: symbol };
  const client = adapter.UserTokenClientKey ? context.turnState.get<UserTokenClient | undefined>(adapter.UserTokenClientKey) : undefined;
  if (!client) throw new Error('This adapter offers no Bot Framework token store');
  return client;
}

/** The words of a search, or what is wrong with its parameters, naming the one at fault. */
function searchWordsOf(value: InvokeValue): string | { problem: string } {
  let words = '';
  for (const parameter of value.parameters ?? []) {
    if (parameter.name === 'initialRun') continue;
    if (parameter.name !== 'query') return { problem: `Unknown search parameter "${parameter.name}": the LOAs search takes "query", words to look for.` };
    if (typeof parameter.value !== 'string') return { problem: 'The search parameter "query" must be text.' };
    if (parameter.value.length > MAX_SEARCH_LENGTH) return { problem: `The search parameter "query" is too long: at most ${MAX_SEARCH_LENGTH} characters.` };
    words = parameter.value;
  }
  return words;
}

/** The text of the message the dialog was opened on, without its HTML. */
function messageTextOf(value: InvokeValue): string {
  const body = value.messagePayload?.body;
  const content = (body?.content ?? '').slice(0, MAX_MESSAGE_CHARS);
  if (body?.contentType !== 'html') return content;
  return content.replace(/<br\s*\/?>|<\/p>|<\/div>/gi, ' ').replace(/<[^>]*>/g, '').replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the value'} ${issue.message.toLowerCase()}` : 'unreadable';
}

function titleOf(card: AdaptiveCard): string {
  const found = JSON.stringify(card).match(/"text":"((?:[^"\\]|\\.)*)"/);
  return found ? (JSON.parse(`"${found[1]}"`) as string) : 'Something went wrong.';
}
