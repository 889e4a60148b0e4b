import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RosterMember } from '../testkit/fakeTeams';
import { button, factValue, firstText } from '../testkit/cards';
import { DISTRIBUTOR_TEMPLATE_ID, distributorDetails, personalChatActivity, rosterMember } from '../testkit/fixtures';
import type { FakeTeams } from '../testkit/fakeTeams';

/** The turns of one conversation, in order. */
export const TURN_KINDS = ['sendLoa', 'chooseTemplate', 'review', 'send', 'myLoas', 'confirmDelete', 'delete'] as const;
export type TurnKind = (typeof TURN_KINDS)[number];

/** Turn latencies in ms, by kind and overall. */
export class LatencyLog {
  readonly all: number[] = [];
  readonly byKind = new Map<TurnKind, number[]>();

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

/** Keep-alive, as the Teams connector keeps its connections to a bot open. */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

interface HttpAnswer {
  status: number;
  body: unknown;
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
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? (JSON.parse(text) as unknown) : undefined;
        } catch {
          // Not JSON: kept as text for the error message.
        }
        resolve({ status: res.statusCode ?? 0, body });
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
 * adaptiveCard/action invokes (the answer's body is the invoke response).
 */
export class Rep {
  readonly member: RosterMember;
  readonly conversationId = `a:1${randomUUID().replace(/-/g, '')}`;
  private readonly endpoint: URL;

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

  /** A typed message; returns the cards among the replies. */
  async says(kind: TurnKind, text: string): Promise<unknown[]> {
    const { status, body } = await this.turn(kind, { ...this.activity('message'), text, deliveryMode: 'expectReplies' });
    if (status !== 200) throw new Error(`"${text}" answered HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    const activities = (body as { activities?: Array<{ attachments?: Array<{ contentType?: string; content?: unknown }>; text?: string }> } | undefined)?.activities ?? [];
    return activities.flatMap((a) => (a.attachments ?? []).filter((x) => x.contentType === 'application/vnd.microsoft.card.adaptive').map((x) => x.content));
  }

  /** A card button; returns the card the invoke answers with. */
  async presses(kind: TurnKind, verb: string, data: Record<string, unknown>, cardId: string): Promise<unknown> {
    const { status, body } = await this.turn(kind, { ...this.activity('invoke'), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' }, replyToId: cardId });
    const answer = body as { type?: string; value?: unknown } | undefined;
    if (status !== 200 || answer?.type !== 'application/vnd.microsoft.card.adaptive') throw new Error(`${verb} answered HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    return answer.value;
  }

  /** Card updates (follow-ups) the bot made to the card with this id. */
  updatesTo(cardId: string) {
    return this.connector.updatesIn(this.conversationId).filter((u) => u.activityId === cardId);
  }

  get chatMessages(): number {
    return this.connector.postsTo(this.conversationId);
  }

  private async turn(kind: TurnKind, activity: Record<string, unknown>): Promise<HttpAnswer> {
    const [min, max] = this.thinkMs;
    if (max > 0) await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
    const payload = JSON.stringify(activity);
    const started = performance.now();
    const answer = await postJson(this.endpoint, payload);
    this.latencies.record(kind, performance.now() - started);
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

/** send LOA, pick the distributor template, review valid details: the review card and its Teams id. */
async function upToReview(rep: Rep): Promise<{ review: unknown; cardId: string }> {
  const [chooser] = await rep.says('sendLoa', 'send LOA');
  const cardId = randomUUID();
  const use = button(chooser, 'Use this template', (a) => a.data.templateId === DISTRIBUTOR_TEMPLATE_ID);
  const details = await rep.presses('chooseTemplate', use.verb, use.data, cardId);
  const review = button(details, 'Review');
  const reviewCard = await rep.presses('review', review.verb, { ...review.data, ...distributorDetails() }, cardId);
  button(reviewCard, 'Send');
  return { review: reviewCard, cardId };
}

/**
 * The whole conversation with the LOA bot: send LOA; template, details, review; Send and
 * its confirmation; my LOAs; Delete and its confirmation. Fails on any unexpected card.
 */
export async function loaConversation(rep: Rep): Promise<void> {
  const { review, cardId } = await upToReview(rep);
  const send = button(review, 'Send');
  const sent = await rep.presses('send', send.verb, send.data, cardId);
  button(sent, 'Send another LOA');
  const agreementId = factValue(sent, 'Agreement ID');
  if (!agreementId) throw new Error(`the confirmation names no agreement id: ${JSON.stringify(sent).slice(0, 300)}`);
  const [list] = await rep.says('myLoas', 'my LOAs');
  const listId = randomUUID();
  const del = button(list, 'Delete', (a) => a.data.agreementId === agreementId);
  const confirm = await rep.presses('confirmDelete', del.verb, del.data, listId);
  const yes = button(confirm, 'Delete');
  const deleted = await rep.presses('delete', yes.verb, yes.data, listId);
  if (firstText(deleted) !== 'LOA deleted') throw new Error(`expected "LOA deleted", got "${firstText(deleted)}"`);
}

/** Up to Send, for the slow-API scenario: what the Send answered, and when. */
export async function sendOnly(rep: Rep): Promise<SendAnswer> {
  const { review, cardId } = await upToReview(rep);
  const send = button(review, 'Send');
  const answer = await rep.presses('send', send.verb, send.data, cardId);
  return { cardId, answeredAt: performance.now(), title: firstText(answer) };
}

/**
 * The same seven turns against the echo bot: the same activities, of the same sizes, with
 * the data the LOA bot's cards would have carried.
 */
export async function echoConversation(rep: Rep): Promise<void> {
  const draftId = randomUUID();
  const cardId = randomUUID();
  await rep.says('sendLoa', 'send LOA');
  await rep.presses('chooseTemplate', 'loa.chooseTemplate', { draftId, templateId: DISTRIBUTOR_TEMPLATE_ID }, cardId);
  await rep.presses('review', 'loa.reviewDraft', { draftId, ...distributorDetails() }, cardId);
  await rep.presses('send', 'loa.sendDraft', { draftId }, cardId);
  const agreementId = randomUUID();
  const listId = randomUUID();
  await rep.says('myLoas', 'my LOAs');
  await rep.presses('confirmDelete', 'loa.confirmDelete', { agreementId }, listId);
  await rep.presses('delete', 'loa.deleteAgreement', { agreementId }, listId);
}
