import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AdaptiveCard } from '../cards/render';
import { VERBS } from '../cards/verbs';
import { CardIds, actionsOf, button, factValue, firstText, inputsOf, readableText } from '../testkit/cards';
import type { CardAction } from '../testkit/cards';
import type { FakeTeams, RosterMember } from '../testkit/fakeTeams';
import { DISTRIBUTOR_SENTENCE, DISTRIBUTOR_TEMPLATE_ID, distributorDetails, personalChatActivity, rosterMember } from '../testkit/fixtures';
import { reviewDistributorDraft } from '../testkit/loaFlow';
import type { CardChat } from '../testkit/loaFlow';

/** The turns of one conversation, in order. */
export const TURN_KINDS = ['sendLoa', 'sentence', 'chooseTemplate', 'review', 'send', 'myLoas', 'confirmDelete', 'delete'] as const;
export type TurnKind = (typeof TURN_KINDS)[number];

/** The kind of turn each message and card action is, for the latency log. */
const KIND_OF_TEXT: Readonly<Record<string, TurnKind>> = { 'send LOA': 'sendLoa', [DISTRIBUTOR_SENTENCE]: 'sentence', 'my LOAs': 'myLoas' };
const KIND_OF_VERB: Readonly<Record<string, TurnKind>> = {
  [VERBS.chooseTemplate]: 'chooseTemplate',
  [VERBS.reviewDraft]: 'review',
  [VERBS.sendDraft]: 'send',
  [VERBS.confirmDelete]: 'confirmDelete',
  [VERBS.deleteAgreement]: 'delete',
};

function kindOf(table: Readonly<Record<string, TurnKind>>, key: string): TurnKind {
  const kind = table[key];
  if (!kind) throw new Error(`the bench has no turn kind for "${key}"`);
  return kind;
}

/** Turn latencies in ms, by kind and overall. */
export class LatencyLog {
  readonly all: number[] = [];
  readonly byKind = new Map<TurnKind, number[]>();
  /**
   * Sends and deletes answered "Sending…" or "Deleting…" (the bot acknowledged before the LOA
   * API answered): how long each rep then waited for the card to update with the result.
   * Not a turn, not a failure.
   */
  readonly followUpWaits: Array<{ turn: TurnKind; ms: number; delivered: boolean }> = [];
  /** Turns whose HTTP exchange failed: not in `all`, though the bot may have served them. */
  failedTurns = 0;
  /** Bytes of the bot's answers to the turns in `all` (HTTP bodies; chat messages and card updates go to the connector instead). */
  answerBytes = 0;

  record(kind: TurnKind, ms: number): void {
    this.all.push(ms);
    let list = this.byKind.get(kind);
    if (!list) {
      list = [];
      this.byKind.set(kind, list);
    }
    list.push(ms);
  }
}

/** How often a rep looks for the follow-up to a "Sending…" card. */
const FOLLOW_UP_POLL_MS = 25;

/**
 * How long a rep waits for that follow-up before moving on to "my LOAs", as the card suggests:
 * the bot's LOA_HTTP_TIMEOUT_MS (10 s by default), with room for a saturated machine.
 */
export const FOLLOW_UP_TIMEOUT_MS = 30_000;

/** The titles Send and Delete answer with when the LOA API has not answered within SEND_ACK_AFTER_MS. */
const PENDING_TITLE = /^(Sending|Deleting)\b/;

/** Keep-alive, as the Teams connector keeps its connections to a bot open. */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

interface HttpAnswer {
  status: number;
  body: unknown;
  /** The body's size on the wire. */
  bytes: number;
}

/**
 * Posts once more when a kept-alive socket turns out to have been closed by the server while
 * idle (Node's documented race: the request never reached the bot).
 */
async function postJson(url: URL, payload: string): Promise<HttpAnswer> {
  try {
    return await postOnce(url, payload);
  } catch (err) {
    if (err instanceof StaleSocketError) return postOnce(url, payload);
    throw err;
  }
}

class StaleSocketError extends Error {}

function postOnce(url: URL, payload: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let body: unknown = text;
        try {
          body = text ? (JSON.parse(text) as unknown) : undefined;
        } catch {
          // Not JSON: kept as text for the error message.
        }
        resolve({ status: res.statusCode ?? 0, body, bytes: raw.length });
      });
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE') ? new StaleSocketError(err.message) : err));
    req.end(payload);
  });
}

/**
 * A rep in a 1:1 chat with a bot, talking to it over HTTP the way Teams does: messages
 * with deliveryMode expectReplies (the replies come back in the answer) and card buttons as
 * adaptiveCard/action invokes (the answer's body is the invoke response). Unlike the tests'
 * RepSession it checks no card and uses a bare keep-alive HTTP client, so that the runner's
 * own cost stays small; each turn's latency goes to `latencies` under its kind.
 */
export class Rep implements CardChat {
  readonly member: RosterMember;
  readonly conversationId = `a:1${randomUUID().replace(/-/g, '')}`;
  private readonly endpoint: URL;
  /** The Teams activity id of each card the rep has seen; updates in place keep it. */
  private readonly cardIds = new CardIds();
  private conversationsStarted = 0;

  constructor(
    botUrl: string,
    private readonly connector: FakeTeams,
    readonly latencies: LatencyLog,
    label: string,
    /** Pause before each turn, in ms, drawn uniformly from [min, max]: a rep reading and typing. */
    private readonly thinkMs: readonly [number, number] = [0, 0],
  ) {
    this.endpoint = new URL('/api/messages', botUrl);
    const slug = `bench.${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${randomUUID().slice(0, 8)}`;
    this.member = rosterMember(`Bench Rep ${label}`, slug);
    connector.addMember(this.member);
  }

  /**
   * Starts the rep's next conversation and tells how it begins: every other one from one typed
   * sentence rather than "send LOA" and a template, so both ways in are measured, the sentence
   * parser's cost included. The LOA bot and the echo bots get the same mix.
   */
  nextConversationFromSentence(): boolean {
    return this.conversationsStarted++ % 2 === 1;
  }

  /** A typed message; the cards among the replies. */
  async says(text: string): Promise<{ cards: AdaptiveCard[]; texts: string[] }> {
    const { status, body } = await this.turn(kindOf(KIND_OF_TEXT, text), { ...this.activity('message'), text, deliveryMode: 'expectReplies' });
    if (status !== 200) throw new Error(`"${text}" answered HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    const activities = (body as { activities?: Array<{ attachments?: Array<{ contentType?: string; content?: AdaptiveCard }>; text?: string }> } | undefined)?.activities ?? [];
    return {
      cards: activities.flatMap((a) => (a.attachments ?? []).filter((x) => x.contentType === 'application/vnd.microsoft.card.adaptive').flatMap((x) => (x.content ? [x.content] : []))),
      texts: activities.flatMap((a) => (typeof a.text === 'string' ? [a.text] : [])),
    };
  }

  async press(card: AdaptiveCard, title: string, inputs: Record<string, unknown> = {}, pick: (a: CardAction) => boolean = () => true): Promise<AdaptiveCard> {
    const action = button(card, title, pick);
    const cardId = this.cardIdOf(card);
    const answer = await this.invoke(action.verb, { ...action.data, ...inputs }, cardId);
    this.cardIds.set(answer, cardId);
    return answer;
  }

  /** A card action with the given verb and data, from the card with Teams id `cardId`; the card it answers with. */
  async invoke(verb: string, data: Record<string, unknown>, cardId: string): Promise<AdaptiveCard> {
    const { status, body } = await this.turn(kindOf(KIND_OF_VERB, verb), { ...this.activity('invoke'), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' }, replyToId: cardId });
    const answer = body as { type?: string; value?: AdaptiveCard } | undefined;
    if (status !== 200 || answer?.type !== 'application/vnd.microsoft.card.adaptive' || !answer.value) throw new Error(`${verb} answered HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    return answer.value;
  }

  /** The Teams activity id of a card the rep has seen; a new one for a card it has not. */
  cardIdOf(card: AdaptiveCard): string {
    return this.cardIds.of(card);
  }

  /** Card updates (follow-ups) the bot made to the card with this id. */
  updatesTo(cardId: string) {
    return this.connector.updatesIn(this.conversationId).filter((u) => u.activityId === cardId);
  }

  /**
   * The card that replaced the card with Teams id `cardId` in a follow-up, as a rep sees
   * "Sending…" turn into the result; undefined if none came within `timeoutMs`, when a rep
   * would move on and look at "my LOAs".
   */
  async followUpTo(turn: TurnKind, cardId: string, timeoutMs: number): Promise<AdaptiveCard | undefined> {
    const started = performance.now();
    for (;;) {
      const update = this.updatesTo(cardId).at(-1);
      const waited = performance.now() - started;
      if (update || waited > timeoutMs) {
        this.latencies.followUpWaits.push({ turn, ms: waited, delivered: update !== undefined });
        if (update) this.cardIds.set(update.card as AdaptiveCard, cardId);
        return update?.card as AdaptiveCard | undefined;
      }
      await new Promise((r) => setTimeout(r, FOLLOW_UP_POLL_MS));
    }
  }

  get chatMessages(): number {
    return this.connector.postsTo(this.conversationId);
  }

  private async turn(kind: TurnKind, activity: Record<string, unknown>): Promise<HttpAnswer> {
    const [min, max] = this.thinkMs;
    if (max > 0) await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
    const payload = JSON.stringify(activity);
    const started = performance.now();
    let answer: HttpAnswer;
    try {
      answer = await postJson(this.endpoint, payload);
    } catch (err) {
      // Sent, but the connection failed (e.g. the bot's request timeout on a saturated machine).
      this.latencies.failedTurns++;
      throw err;
    }
    this.latencies.record(kind, performance.now() - started);
    this.latencies.answerBytes += answer.bytes;
    return answer;
  }

  private activity(type: string): Record<string, unknown> {
    return personalChatActivity(type, { member: this.member, conversationId: this.conversationId, serviceUrl: this.connector.url });
  }
}

/** What a Send answered, for the slow-API scenario. */
export interface SendAnswer {
  cardId: string;
  /** performance.now() when the Send was answered. */
  answeredAt: number;
  title: string;
}

/**
 * The whole conversation with the LOA bot: send LOA and the template, or every other time one
 * sentence naming them; details, review; Send and its confirmation (testkit/loaFlow.ts, as the
 * tests hold it); my LOAs; Delete and its confirmation. Fails on any unexpected card.
 */
export async function loaConversation(rep: Rep): Promise<void> {
  const sent = await sendAndConfirm(rep);
  const agreementId = sent && factValue(sent, 'Agreement ID');
  if (sent && !agreementId) throw new Error(`the confirmation names no agreement id: ${JSON.stringify(sent).slice(0, 300)}`);
  const answer = await rep.says('my LOAs');
  const [list] = answer.cards;
  if (!list) throw new Error(`"my LOAs" answered with no card${answer.texts.length > 0 ? `, only: ${answer.texts.join(' | ').slice(0, 200)}` : ', and no text'}`);
  // Without the Send's result the rep deletes whichever LOA the list offers, if any.
  const ours = (a: CardAction) => a.title === 'Delete' && (!agreementId || a.data.agreementId === agreementId);
  if (!agreementId && !actionsOf(list).some(ours)) return;
  const confirm = await rep.press(list, 'Delete', {}, ours);
  const deleted = await resultOf(rep, 'delete', await rep.press(confirm, 'Delete'));
  if (deleted && firstText(deleted) !== 'LOA deleted') throw new Error(`expected "LOA deleted", got "${firstText(deleted)}"`);
}

/**
 * The card a turn answered with or, when it answered "Sending…" or "Deleting…", the result that
 * replaced it; undefined when that result did not come in time (counted, not a failure).
 */
async function resultOf(rep: Rep, turn: TurnKind, answer: AdaptiveCard): Promise<AdaptiveCard | undefined> {
  return PENDING_TITLE.test(firstText(answer)) ? rep.followUpTo(turn, rep.cardIdOf(answer), FOLLOW_UP_TIMEOUT_MS) : answer;
}

/**
 * Review and Send; the confirmation card. When Send answers "Sending…" (on a busy machine the
 * create can take longer than SEND_ACK_AFTER_MS), the rep waits for the card to turn into the
 * result, as a rep in Teams would.
 */
async function sendAndConfirm(rep: Rep): Promise<AdaptiveCard | undefined> {
  const review = rep.nextConversationFromSentence() ? await reviewFromSentence(rep) : await reviewDistributorDraft(rep);
  const sent = await resultOf(rep, 'send', await rep.press(review, 'Send'));
  if (sent && !actionsOf(sent).some((a) => a.title === 'Send another LOA')) throw new Error(`expected the confirmation, got: ${oneLine(sent)}`);
  return sent;
}

/** What a rep reads on a card, on one line: how a failed conversation is named in the report. */
function oneLine(card: AdaptiveCard): string {
  return readableText(card).replace(/\n/g, ' ');
}

/** The sentence, the details card it prefilled, Review: the review card. */
async function reviewFromSentence(rep: Rep): Promise<AdaptiveCard> {
  const { cards, texts } = await rep.says(DISTRIBUTOR_SENTENCE);
  const [details] = cards;
  if (!details) throw new Error(`the sentence answered with no card${texts.length > 0 ? `, only: ${texts.join(' | ').slice(0, 200)}` : ''}`);
  // The parser must have read it: a details card with the signer filled from the sentence.
  if (inputsOf(details).signerEmail !== 'jane.doe@acme.example') throw new Error(`expected the details card filled from the sentence, got: ${oneLine(details)}`);
  const review = await rep.press(details, 'Review', distributorDetails());
  if (!actionsOf(review).some((a) => a.title === 'Send')) throw new Error(`expected the review card, got: ${oneLine(review)}`);
  return review;
}

/** Up to Send, for the slow-API scenario: what the Send answered, and when. */
export async function sendOnly(rep: Rep): Promise<SendAnswer> {
  const review = await reviewDistributorDraft(rep);
  const answer = await rep.press(review, 'Send');
  return { cardId: rep.cardIdOf(answer), answeredAt: performance.now(), title: firstText(answer) };
}

/**
 * The same turns against the echo bot (seven, or six from a sentence, in the same mix): the
 * same activities, of the same sizes, with the data the LOA bot's cards would have carried.
 */
export async function echoConversation(rep: Rep): Promise<void> {
  const draftId = randomUUID();
  const cardId = randomUUID();
  if (rep.nextConversationFromSentence()) {
    await rep.says(DISTRIBUTOR_SENTENCE);
  } else {
    await rep.says('send LOA');
    await rep.invoke(VERBS.chooseTemplate, { draftId, templateId: DISTRIBUTOR_TEMPLATE_ID }, cardId);
  }
  await rep.invoke(VERBS.reviewDraft, { draftId, ...distributorDetails() }, cardId);
  await rep.invoke(VERBS.sendDraft, { draftId }, cardId);
  const agreementId = randomUUID();
  const listId = randomUUID();
  await rep.says('my LOAs');
  await rep.invoke(VERBS.confirmDelete, { agreementId }, listId);
  await rep.invoke(VERBS.deleteAgreement, { agreementId }, listId);
}
