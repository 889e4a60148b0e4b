/**
 * The baseline: a bare echo bot on the same stack as the LOA bot (the same adapter from
 * bot/teams/adapter.ts's createAdapter, the same restify host from bot/server.ts, the same /api/messages path). It echoes messages as text
 * and answers every card action with a small card, doing no work of its own.
 *
 * With LOA_API_BASE_URL set (to the sandbox) it also makes the LOA bot's outbound calls, and nothing
 * else: a create on Send, a get on "my LOAs", a delete on Delete (plain axios, one token
 * fetched at startup), and a chat message after Send and after Delete. That separates the
 * cost of the HTTP calls the product needs from the cost of the LOA bot's own work.
 *
 * With --draft-state as well, it also keeps the LOA bot's draft in conversation state
 * (see DraftState): the third baseline, so that the state cost is measured apart.
 *
 * With --largest-card as well (`npm run bench -- --cpu --largest-card`), it answers every
 * message and card action with the LOA bot's largest card, the filled details card (about
 * 4.4 KB), rendered once at startup: an upper bound on what the size of the LOA bot's answers
 * costs, as against the small card above.
 *
 * A conversation that starts from a sentence (DISTRIBUTOR_SENTENCE) gets the sentence echoed:
 * the LOA bot's parsing of it is its own work.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import { ActivityHandler, ConversationState, MessageFactory } from 'botbuilder';
import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { loadConfig } from '../bot/config';
import { emptyValues, toAgreementRequest } from '../bot/domain/draft';
import type { Draft, DraftValues } from '../bot/domain/draft';
import { TemplateCatalog } from '../bot/domain/templateCatalog';
import type { LoaTemplate } from '../bot/domain/templateCatalog';
import { createLogger } from '../bot/logger';
import { PATHS, parseTokenResponse, tokenRequestForm } from '../bot/loa/contract';
import { startBotServer } from '../bot/server';
import { createAdapter, requestsThroughCreateAdapter } from '../bot/teams/adapter';
import { createStateStorage } from '../bot/teams/stateStorage';
import { renderDraftDetailsCard } from '../cards/draftDetails';
import type { AdaptiveCard } from '../cards/render';
import { VERBS } from '../cards/verbs';
import { readDraftInput } from '../cards/draftInputs';
import { serveParent } from './processProtocol';
import { DISTRIBUTOR_SENTENCE, DISTRIBUTOR_TEMPLATE_ID, distributorDetails } from '../testkit/fixtures';

/** The LOA API, called the way the LOA bot calls it for one fixed rep. */
interface Outbound {
  http: AxiosInstance;
  /** The create body a Send carries: the distributor template with the bench's details. */
  request: unknown;
  /** The agreement each conversation created, for its get and delete. */
  agreements: Map<string, string>;
  /** The details a review carries, as the LOA bot keeps them in its draft. */
  values: DraftValues;
  template: LoaTemplate;
}

/**
 * The LOA bot's unavoidable state cost: its conversation state, through the same storage,
 * read on every turn and saved when it changed, holding a draft of the same size from the
 * template's choice to Send.
 */
interface DraftState {
  conversationState: ConversationState;
  data: StatePropertyAccessor<{ draft?: Draft }>;
  values: DraftValues;
}

class EchoBot extends ActivityHandler {
  constructor(
    private readonly outbound?: Outbound,
    private readonly state?: DraftState,
    /** Given: the answer to every message and card action, instead of the echo and the small card. */
    private readonly largestCard?: AdaptiveCard,
  ) {
    super();
    this.onMessage(async (context, next) => {
      if (this.outbound && /my LOAs/i.test(context.activity.text ?? '')) {
        const id = this.outbound.agreements.get(context.activity.conversation.id);
        if (id) await this.outbound.http.get(PATHS.agreement(id));
      }
      await context.sendActivity(this.largestCard ? MessageFactory.attachment({ contentType: 'application/vnd.microsoft.card.adaptive', content: this.largestCard }) : MessageFactory.text(`You said: ${context.activity.text ?? ''}`));
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    if (!this.state) return super.run(context);
    const data = await this.state.data.get(context, {});
    const action = (context.activity.value as { action?: { verb?: string; data?: { draftId?: string } } } | undefined)?.action;
    // A draft starts on the template's choice, empty, or on the sentence, with what it filled in.
    const fromSentence = context.activity.type === 'message' && context.activity.text === DISTRIBUTOR_SENTENCE;
    if (fromSentence || action?.verb === VERBS.chooseTemplate) {
      const id = fromSentence ? randomUUID() : (action?.data?.draftId ?? '');
      data.draft = { id, owner: `aad:${context.activity.from.aadObjectId ?? ''}`, templateId: DISTRIBUTOR_TEMPLATE_ID, values: fromSentence ? this.state.values : emptyValues() };
    }
    if (action?.verb === VERBS.reviewDraft && data.draft) data.draft.values = this.state.values;
    if (action?.verb === VERBS.sendDraft) delete data.draft;
    await super.run(context);
    await this.state.conversationState.saveChanges(context, false);
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const verb = invokeValue.action.verb;
    if (this.outbound && verb === 'loa.sendDraft') {
      const created = await this.outbound.http.post<{ id: string }>(PATHS.agreements, this.outbound.request);
      this.outbound.agreements.set(context.activity.conversation.id, created.data.id);
      await context.sendActivity(MessageFactory.text(`Sent: ${created.data.id}`));
    }
    if (this.outbound && verb === 'loa.deleteAgreement') {
      const id = this.outbound.agreements.get(context.activity.conversation.id);
      this.outbound.agreements.delete(context.activity.conversation.id);
      if (id) await this.outbound.http.delete(PATHS.agreement(id));
      await context.sendActivity(MessageFactory.text(`Deleted: ${id ?? 'nothing'}`));
    }
    if (this.largestCard) return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: this.largestCard };
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: `You pressed ${verb}`, wrap: true }],
      },
    };
  }
}

async function outboundFrom(settings: { baseUrl: string | undefined; clientId: string | undefined; clientSecret: string | undefined }): Promise<Outbound | undefined> {
  if (!settings.baseUrl) return undefined;
  const http = axios.create({ baseURL: settings.baseUrl, maxRedirects: 0, timeout: 10_000 });
  const { path, form } = tokenRequestForm({ type: 'user_token', email: 'echo.rep@se.com' }, settings.clientId ?? '', settings.clientSecret ?? '');
  const token = parseTokenResponse((await http.post(path, form.toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).data);
  if (!token) throw new Error('The sandbox gave the echo bot no token');
  http.defaults.headers.common.Authorization = `Bearer ${token.value}`;
  const template = TemplateCatalog.fromFile(resolve(__dirname, '../bot/domain/loaTemplates.json')).get(DISTRIBUTOR_TEMPLATE_ID);
  if (!template) throw new Error('The bundled catalog has no distributor template');
  const { values } = readDraftInput(template, distributorDetails());
  return { http, request: toAgreementRequest(template, { id: 'echo', templateId: template.id, values }), agreements: new Map(), values, template };
}

function draftState(storage: Parameters<typeof createStateStorage>[0], values: DraftValues): DraftState {
  const conversationState = new ConversationState(createStateStorage(storage).conversation);
  return { conversationState, data: conversationState.createProperty('loa'), values };
}

async function main(): Promise<void> {
  // The runner passes LOA_API_BASE_URL and the sandbox credentials only for the outbound variant.
  const config = loadConfig();
  const { loa, http } = config;
  const outbound = await outboundFrom({ baseUrl: loa.baseUrl, clientId: loa.clientId, clientSecret: loa.clientSecret });
  const logger = createLogger({ level: 'warn', name: 'echo-bot' });
  // The LOA bot's own adapter, with its client reuse, and its empty credentials (no MicrosoftAppId):
  // the baseline differs from the LOA bot only in what the bot does with a turn.
  const adapter = createAdapter(config, logger);
  // --draft-state: keep the LOA bot's draft state too, in the storage the config selects.
  const state = outbound && process.argv.includes('--draft-state') ? draftState(config.storage, outbound.values) : undefined;
  // --largest-card: the details card filled with the bench's details, as the LOA bot shows it from the sentence.
  const largestCard =
    state && outbound && process.argv.includes('--largest-card')
      ? renderDraftDetailsCard({ template: outbound.template, draft: { id: randomUUID(), owner: 'aad:echo', templateId: outbound.template.id, values: outbound.values }, locale: 'en-US' })
      : undefined;
  const server = await startBotServer({ port: 0, host: '127.0.0.1', requireBearer: false, ...http }, { adapter, bot: new EchoBot(outbound, state, largestCard), logger, drain: () => Promise.resolve() });
  serveParent(server.url, () => server.close(), requestsThroughCreateAdapter);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
