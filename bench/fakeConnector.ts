import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RosterMember } from '../testkit/fakeTeams';
import { firstText } from '../testkit/cards';

/** A card update in place (PUT), as a follow-up delivers it. */
export interface CardUpdate {
  activityId: string;
  /** performance.now() when it arrived. */
  at: number;
  /** The first text on the card: its title. */
  title: string;
}

interface ConversationLog {
  posts: number;
  updates: CardUpdate[];
}

/**
 * A lean stand-in for the Teams Bot Connector, for load: the same v3 paths and shapes as
 * test/helpers/fakeTeams.ts (roster lookups, posts, updates), but it only counts posts and
 * keeps the title of card updates, so that its own cost stays small next to the bot's.
 */
export class FakeConnector {
  private readonly roster = new Map<string, string>();
  private readonly conversations = new Map<string, ConversationLog>();
  private server?: Server;
  private nextId = 1;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addMember(member: RosterMember): void {
    // Serialised once: getMember answers are the same for the whole run.
    this.roster.set(member.id, JSON.stringify({ ...member, givenName: member.name.split(' ')[0], surname: member.name.split(' ').slice(1).join(' '), userRole: 'user' }));
  }

  postsTo(conversationId: string): number {
    return this.conversations.get(conversationId)?.posts ?? 0;
  }

  updatesIn(conversationId: string): readonly CardUpdate[] {
    return this.conversations.get(conversationId)?.updates ?? [];
  }

  private log(conversationId: string): ConversationLog {
    let log = this.conversations.get(conversationId);
    if (!log) {
      log = { posts: 0, updates: [] };
      this.conversations.set(conversationId, log);
    }
    return log;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const parts = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean).map(decodeURIComponent);
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    const [v3, conversations, conversationId = '', collection, itemId] = parts;
    if (v3 !== 'v3' || conversations !== 'conversations') return send(404, '{"error":{"code":"NotFound"}}');
    // v3/conversations/{conversationId}/members/{memberId}
    if (req.method === 'GET' && collection === 'members' && itemId) {
      const member = this.roster.get(itemId);
      return member ? send(200, member) : send(404, '{"error":{"code":"MemberNotFoundInConversation"}}');
    }
    // v3/conversations/{conversationId}/activities[/{activityId}]
    if (collection === 'activities' && req.method === 'POST') {
      this.log(conversationId).posts++;
      return send(200, JSON.stringify({ id: `teams-activity-${this.nextId++}` }));
    }
    if (collection === 'activities' && req.method === 'PUT' && itemId) {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { attachments?: Array<{ content?: unknown }> };
      this.log(conversationId).updates.push({ activityId: itemId, at: performance.now(), title: firstText(body.attachments?.[0]?.content) });
      return send(200, JSON.stringify({ id: itemId }));
    }
    send(404, '{"error":{"code":"NotFound"}}');
  }
}
