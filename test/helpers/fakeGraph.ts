import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import type { FakeEntra } from './fakeEntra';

/** The audience of the tokens FakeEntraOboEndpoint issues for https://graph.microsoft.com/User.Read. */
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

/** A directory entry as Graph's /me shows it; mail is null for an account without a mailbox. */
export interface GraphUser {
  userPrincipalName: string;
  mail: string | null;
}

/**
 * Microsoft Graph's GET /v1.0/me on a local port: it checks the bearer token as Graph would
 * (FakeEntra's signature, Graph's audience, the User.Read scope) and answers the signed-in
 * user's entry by their oid, honouring $select. `delayMs` makes it slow, for timeouts.
 */
export class FakeGraph {
  readonly users = new Map<string, GraphUser>();
  /** Paths and $select of the calls received; never the token. */
  readonly calls: Array<{ path: string; select: string | null }> = [];
  delayMs = 0;
  url = '';
  private server?: Server;

  constructor(private readonly entra: FakeEntra) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1.0`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://graph.local');
    this.calls.push({ path: url.pathname, select: url.searchParams.get('$select') });
    // Not chained: restify, loaded by the bot, patches ServerResponse.writeHead to return nothing.
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (req.method !== 'GET' || url.pathname !== '/v1.0/me') return send(404, graphError('Request_ResourceNotFound', 'Resource not found'));
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    let oid: string;
    try {
      const { payload } = await jwtVerify(token ?? '', this.entra.keys, { audience: GRAPH_AUDIENCE, algorithms: ['RS256'] });
      if (!String(payload.scp).split(' ').includes('User.Read')) return send(403, graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
      oid = String(payload.oid);
    } catch {
      return send(401, graphError('InvalidAuthenticationToken', 'Access token validation failure.'));
    }
    const user = this.users.get(oid);
    if (!user) return send(404, graphError('Request_ResourceNotFound', `Resource '${oid}' does not exist`));
    const entry: Record<string, unknown> = { id: oid, ...user };
    const select = url.searchParams.get('$select')?.split(',');
    send(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', ...(select ? Object.fromEntries(select.map((field) => [field, entry[field] ?? null])) : entry) });
  }
}

function graphError(code: string, message: string): unknown {
  return { error: { code, message } };
}
