import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { firstText } from './cards';

/** One refused post or update; status 0 drops the connection without an answer. */
export interface TeamsFault {
  status: number;
  retryAfterS?: number;
  /** The Bot Framework error code, e.g. BotNotInConversationRoster with 403. */
  code?: string;
  /** Held this long before the answer, or before the connection drops: a gateway timing out. */
  delayMs?: number;
}

/** The kinds of refusal `faultRates` rolls for. */
export type TeamsFaultKind = '429' | '500' | 'timeout' | 'drop';

/** Refusals rolled for every post and update, with a seeded random so that a campaign repeats. */
export interface TeamsFaultRates {
  /** Probability of each kind per call; rolled cumulatively. */
  rates: Partial<Record<TeamsFaultKind, number>>;
  random: () => number;
  /** Retry-After on a 429, in seconds. */
  retryAfterS: number;
  /** How long a 'timeout' holds the call before its connection drops without an answer. */
  timeoutMs: number;
}

/** A member of the fake Teams roster, as TeamsInfo.getMember returns it. */
export interface RosterMember {
  id: string;
  name: string;
  aadObjectId: string;
  userPrincipalName: string;
  email: string;
  tenantId: string;
}

export interface RecordedCall {
  /** When it arrived, in epoch ms. */
  at: number;
  method: string;
  path: string;
  conversationId: string;
  activityId?: string;
  body: Record<string, unknown>;
}

/** A card update in place (PUT), as a follow-up delivers it. */
export interface CardUpdate {
  activityId: string;
  /** performance.now() when it arrived. */
  at: number;
  /** The first text on the card: its title. */
  title: string;
  /** The card itself, as the update carried it. */
  card: unknown;
}

export interface FakeTeamsOptions {
  /**
   * For load (bench/), so that the fake's own cost stays small next to the bot's: posted
   * activities are not parsed, `calls` stays empty (only the per-chat tallies, postsTo and
   * updatesIn, are kept), each roster answer is serialised once when the member is added,
   * and the bot's connections are kept alive for 30 s.
   */
  lean?: boolean;
}

/**
 * A stand-in for the Teams Bot Connector service: the only part of Teams a bot calls.
 * It serves roster lookups and records every activity the bot posts or updates, with
 * the same paths and shapes as the real service (v3 REST API).
 */
export class FakeTeams {
  readonly roster = new Map<string, RosterMember>();
  /** Every post and update, in full (empty when lean). */
  readonly calls: RecordedCall[] = [];
  /** Roster lookups (GET …/members/{id}) served so far. */
  rosterLookups = 0;
  /** How long a roster lookup takes, as Teams sometimes does (300 ms is enough to race). */
  rosterDelayMs = 0;
  /**
   * Answers for the next posts and updates, in order, before any is recorded: Teams' throttling
   * (429 with Retry-After, counted per conversation and app), its 5xx minutes, and 403
   * BotNotInConversationRoster once a rep has uninstalled the app.
   */
  readonly faults: TeamsFault[] = [];
  /** Rolled for each post and update that `faults` and `removedFrom` leave alone. */
  faultRates?: TeamsFaultRates;
  /**
   * Chats the rep removed the app from: every post and update there is answered 403
   * BotNotInConversationRoster, as Teams does.
   */
  readonly removedFrom = new Set<string>();
  /** Posts and updates refused by a fault, for counting attempts. */
  readonly refused: Array<{ at: number; method: string; conversationId: string; status: number }> = [];
  private readonly lean: boolean;
  /** Roster answers serialised in advance (lean only). */
  private readonly rosterAnswers = new Map<string, string>();
  private readonly tallies = new Map<string, { posts: number; updates: CardUpdate[] }>();
  private server?: Server;
  private nextId = 1;
  url = '';

  constructor(options: FakeTeamsOptions = {}) {
    this.lean = options.lean ?? false;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    if (this.lean) this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addMember(member: RosterMember): void {
    this.roster.set(member.id, member);
    if (this.lean) this.rosterAnswers.set(member.id, JSON.stringify(rosterAnswer(member)));
  }

  /** How many activities the bot posted to a conversation (not updates). */
  postsTo(conversationId: string): number {
    return this.tallies.get(conversationId)?.posts ?? 0;
  }

  /** The cards the bot updated in place in a conversation, in order. */
  updatesIn(conversationId: string): readonly CardUpdate[] {
    return this.tallies.get(conversationId)?.updates ?? [];
  }

  /** Activities posted to a conversation (not updates). */
  posted(conversationId: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.conversationId === conversationId && c.method === 'POST').map((c) => c.body);
  }

  /** The plain chat messages posted to a conversation, matching `pattern`. */
  messages(conversationId: string, pattern: RegExp = /./): string[] {
    return this.posted(conversationId)
      .map((a) => a.text)
      .filter((t): t is string => typeof t === 'string' && pattern.test(t));
  }

  /** Activities updated in place in a conversation. */
  updated(conversationId: string): RecordedCall[] {
    return this.calls.filter((c) => c.conversationId === conversationId && c.method === 'PUT');
  }

  /** Resolves when `predicate` holds over the recorded calls, or fails after `timeoutMs`. */
  async waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.calls)) {
      if (Date.now() > deadline) throw new Error(`FakeTeams: condition not met within ${timeoutMs} ms; calls: ${JSON.stringify(this.calls.map((c) => `${c.method} ${c.path}`))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const sendText = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    const send = (status: number, body?: unknown) => sendText(status, body === undefined ? '' : JSON.stringify(body));
    // v3/conversations/{conversationId}/members/{memberId}
    if (req.method === 'GET' && parts[0] === 'v3' && parts[1] === 'conversations' && parts[3] === 'members' && parts[4]) {
      this.rosterLookups++;
      if (this.rosterDelayMs > 0) await new Promise((r) => setTimeout(r, this.rosterDelayMs));
      const member = this.roster.get(parts[4]);
      if (!member) return send(404, { error: { code: 'MemberNotFoundInConversation', message: 'The member is not in the roster' } });
      return sendText(200, this.rosterAnswers.get(member.id) ?? JSON.stringify(rosterAnswer(member)));
    }
    // v3/conversations/{conversationId}/activities[/{activityId}]
    if (parts[0] === 'v3' && parts[1] === 'conversations' && parts[3] === 'activities' && (req.method === 'POST' || req.method === 'PUT')) {
      const fault = this.faults.shift() ?? this.faultFor(parts[2] ?? '');
      if (fault) {
        this.refused.push({ at: Date.now(), method: req.method, conversationId: parts[2] ?? '', status: fault.status });
        if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (fault.status === 0) return void req.socket.destroy();
        res.writeHead(fault.status, { 'Content-Type': 'application/json', ...(fault.retryAfterS !== undefined ? { 'Retry-After': String(fault.retryAfterS) } : {}) });
        return void res.end(JSON.stringify({ error: { code: fault.code ?? 'ServiceError', message: `Injected ${fault.status}` } }));
      }
      const conversationId = parts[2] ?? '';
      const tally = this.tallyOf(conversationId);
      if (req.method === 'POST') tally.posts++;
      // Lean, a post is only counted; an update is read for its card's title.
      const body = this.lean && req.method === 'POST' ? {} : jsonBody(chunks);
      if (req.method === 'PUT' && parts[4]) {
        const card = (body.attachments as Array<{ content?: unknown }> | undefined)?.[0]?.content;
        tally.updates.push({ activityId: parts[4], at: performance.now(), title: firstText(card), card });
      }
      if (!this.lean) this.calls.push({ at: Date.now(), method: req.method, path: url.pathname, conversationId, ...(parts[4] ? { activityId: parts[4] } : {}), body });
      return send(200, { id: req.method === 'PUT' ? parts[4] : `teams-activity-${this.nextId++}` });
    }
    send(404, { error: { code: 'NotFound', message: `No fake for ${req.method} ${url.pathname}` } });
  }

  private tallyOf(conversationId: string): { posts: number; updates: CardUpdate[] } {
    let tally = this.tallies.get(conversationId);
    if (!tally) {
      tally = { posts: 0, updates: [] };
      this.tallies.set(conversationId, tally);
    }
    return tally;
  }

  private faultFor(conversationId: string): TeamsFault | undefined {
    if (this.removedFrom.has(conversationId)) return { status: 403, code: 'BotNotInConversationRoster' };
    if (!this.faultRates) return undefined;
    const { rates, random, retryAfterS, timeoutMs } = this.faultRates;
    let roll = random();
    for (const [kind, rate] of Object.entries(rates) as Array<[TeamsFaultKind, number]>) {
      if (roll < rate) return TEAMS_FAULTS[kind](retryAfterS, timeoutMs);
      roll -= rate;
    }
    return undefined;
  }
}

function jsonBody(chunks: Buffer[]): Record<string, unknown> {
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** What TeamsInfo.getMember gets for a member. */
function rosterAnswer(member: RosterMember): Record<string, unknown> {
  return { ...member, givenName: member.name.split(' ')[0], surname: member.name.split(' ').slice(1).join(' '), userRole: 'user' };
}

const TEAMS_FAULTS: Record<TeamsFaultKind, (retryAfterS: number, timeoutMs: number) => TeamsFault> = {
  '429': (retryAfterS) => ({ status: 429, retryAfterS, code: 'TooManyRequests' }),
  '500': () => ({ status: 500 }),
  timeout: (_retryAfterS, timeoutMs) => ({ status: 0, delayMs: timeoutMs }),
  drop: () => ({ status: 0 }),
};
