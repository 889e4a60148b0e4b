import { randomUUID } from 'node:crypto';
import axios from 'axios';
import type { Env } from '../bot/config';
import { loadConfig } from '../bot/config';
import { startBot } from '../bot/index';
import type { BotOverrides, RunningBot } from '../bot/index';
import type { AdaptiveCard } from '../cards/render';
import { LANGUAGES, translatorFor } from '../bot/i18n';
import { assertValidCard } from './cardChecks';
import { CardIds, button } from './cards';
import type { CardAction } from './cards';
import { FakeTeams } from './fakeTeams';
import type { RosterMember } from './fakeTeams';
import { TENANT_ID, personalChatActivity, rosterMember } from './fixtures';

/** What a rep sees after a turn: the cards and the plain messages, in order. */

/** The "Sending your LOA…" title in every language the bot speaks: a rep of any locale waits for its update. */
const SENDING_TITLES = LANGUAGES.map((language) => translatorFor(language)('chat:send.sending.title'));

export interface Reply {
  cards: AdaptiveCard[];
  texts: string[];
}

/**
 * A rep in a 1:1 chat with the bot, talking over the bot's real HTTP endpoint the way
 * Teams does: messages with expectReplies, card buttons as adaptiveCard/action invokes.
 */
export class RepSession {
  readonly conversationId: string = `a:1${randomUUID().replace(/-/g, '')}`;
  /** The locale this rep's Teams client sends on every activity (BCP 47). */
  locale = 'en-US';
  private cardIds = new CardIds();

  constructor(
    private readonly harness: ConversationHarness,
    readonly member: RosterMember,
    conversationId?: string,
  ) {
    if (conversationId) this.conversationId = conversationId;
  }

  /**
   * The same rep in the same chat, reaching another bot instance (as behind a load
   * balancer). Cards keep their Teams activity ids.
   */
  via(other: ConversationHarness): RepSession {
    other.teams.addMember(this.member);
    const session = new RepSession(other, this.member, this.conversationId);
    session.cardIds = this.cardIds;
    return session;
  }

  async says(text: string, extra: Record<string, unknown> = {}): Promise<Reply> {
    const res = await this.harness.post({ ...this.activity('message'), text, deliveryMode: 'expectReplies', ...extra });
    const activities = ((res.data as { activities?: Array<Record<string, unknown>> })?.activities ?? []);
    return this.collect(activities);
  }

  /** Presses the button titled `title` on `card`, typing `inputs` into the card first. */
  async press(card: AdaptiveCard, title: string, inputs: Record<string, unknown> = {}, pick: (a: CardAction) => boolean = () => true): Promise<AdaptiveCard> {
    const action = button(card, title, pick);
    return this.invoke(action.verb, { ...action.data, ...inputs }, card);
  }

  /** Sends an adaptiveCard/action invoke as Teams would, and returns the card it answers with. */
  async invoke(verb: string, data: Record<string, unknown>, fromCard?: AdaptiveCard): Promise<AdaptiveCard> {
    const res = await this.rawInvoke({ action: { type: 'Action.Execute', verb, data }, trigger: 'manual' }, fromCard);
    if (res.status !== 200) throw new Error(`Invoke ${verb} answered HTTP ${res.status}: ${JSON.stringify(res.data)}`);
    const body = res.data as { statusCode: number; type: string; value: AdaptiveCard };
    if (body.type !== 'application/vnd.microsoft.card.adaptive') throw new Error(`Invoke ${verb} answered ${JSON.stringify(body)}`);
    // Every card the bot sends in any conversation test passes the same card checks.
    assertValidCard(body.value);
    this.cardIds.set(body.value, fromCard ? this.cardIdOf(fromCard) : randomUUID());
    return body.value;
  }

  async rawInvoke(value: unknown, fromCard?: AdaptiveCard) {
    return this.harness.post({ ...this.activity('invoke'), name: 'adaptiveCard/action', value, replyToId: fromCard ? this.cardIdOf(fromCard) : randomUUID() });
  }

  /**
   * The card as the rep sees it once a "Sending…" card was updated in place by its follow-up
   * (a slow API, or a busy machine); any other card as it is.
   */
  async settled(card: AdaptiveCard, timeoutMs = 30_000): Promise<AdaptiveCard> {
    const json = JSON.stringify(card);
    if (!SENDING_TITLES.some((title) => json.includes(`"${title}"`))) return card;
    const id = this.cardIdOf(card);
    const update = () => this.harness.teams.updated(this.conversationId).filter((c) => c.activityId === id).at(-1);
    await this.harness.teams.waitFor(() => update() !== undefined, timeoutMs);
    const attachments = update()!.body.attachments as Array<{ content: AdaptiveCard }> | undefined;
    const updated = attachments?.[0]?.content;
    if (!updated) throw new Error('The "Sending…" card was updated without a card');
    this.cardIds.set(updated, id);
    return updated;
  }

  /** The Teams activity id of a card the rep has seen; updates in place keep it. */
  cardIdOf(card: AdaptiveCard): string {
    return this.cardIds.of(card);
  }

  activity(type: string): Record<string, unknown> {
    return { ...personalChatActivity(type, { member: this.member, conversationId: this.conversationId, serviceUrl: this.harness.teams.url }), locale: this.locale };
  }

  private collect(activities: Array<Record<string, unknown>>): Reply {
    const reply: Reply = { cards: [], texts: [] };
    for (const a of activities) {
      const attachments = (a.attachments ?? []) as Array<{ contentType: string; content: AdaptiveCard }>;
      for (const x of attachments.filter((y) => y.contentType === 'application/vnd.microsoft.card.adaptive')) {
        assertValidCard(x.content);
        reply.cards.push(x.content);
      }
      if (typeof a.text === 'string' && a.text) reply.texts.push(a.text);
    }
    return reply;
  }
}

export interface HarnessOptions {
  /** Extra configuration, as environment variables. */
  env?: Env;
  overrides?: BotOverrides;
}

/** The real bot on a real HTTP port, pointed at a given LOA API, with a fake Teams connector. */
export class ConversationHarness {
  readonly teams = new FakeTeams();
  bot!: RunningBot;

  static async start(loaBaseUrl: string, credentials: { clientId: string; clientSecret: string }, options: HarnessOptions = {}): Promise<ConversationHarness> {
    const h = new ConversationHarness();
    await h.teams.start();
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      LOA_API_BASE_URL: loaBaseUrl,
      LOA_CLIENT_ID: credentials.clientId,
      LOA_CLIENT_SECRET: credentials.clientSecret,
      LOA_HTTP_TIMEOUT_MS: '2000',
      ...options.env,
    });
    h.bot = await startBot(config, { host: '127.0.0.1', ...options.overrides });
    return h;
  }

  /** A harness for a bot that is already running, e.g. in a child process. */
  static async attach(bot: RunningBot): Promise<ConversationHarness> {
    const h = new ConversationHarness();
    await h.teams.start();
    h.bot = bot;
    return h;
  }

  async stop(): Promise<void> {
    await this.bot.close();
    await this.teams.stop();
  }

  /** A new rep with a 1:1 chat, known to the Teams roster; of our tenant unless told otherwise. */
  rep(name = 'Ana Rep', tenantId = TENANT_ID): RepSession {
    const slug = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${randomUUID().slice(0, 6)}`;
    const member = rosterMember(name, slug, tenantId);
    this.teams.addMember(member);
    return new RepSession(this, member);
  }

  /** The Authorization header Teams would send with an activity, when the bot checks one. */
  authorization?: (activity: Record<string, unknown>) => Promise<string>;

  async post(activity: Record<string, unknown>) {
    const headers = this.authorization ? { Authorization: await this.authorization(activity) } : {};
    return axios.post(`${this.bot.url}/api/messages`, activity, { headers, validateStatus: () => true });
  }
}
