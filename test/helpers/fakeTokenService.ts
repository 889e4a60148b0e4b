/**
 * A local stand-in for the Bot Framework token service (api.botframework.com's OAuth API),
 * with the paths, query parameters and answers that botframework-connector's UserTokenClient
 * uses, so single sign-on runs through CloudAdapter exactly as it does against Azure Bot:
 *
 * - GET  api/usertoken/GetToken: the stored token, or 404 when there is none; with a magic
 *   `code`, the token the sign-in page produced for it;
 * - POST api/usertoken/exchange: the SSO token for a Teams token the rep has consented to;
 *   otherwise 400, which the SSO middleware turns into a 412 for Teams;
 * - GET  api/botsignin/GetSignInResource: a sign-in link and the token exchange resource;
 * - DELETE api/usertoken/SignOut: forgets the stored token.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocally, listenLocally } from './localServer';

export interface TokenServiceCall {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Whether the bot sent its own Bearer token, as the real service requires. */
  authorized: boolean;
}

const storeKey = (userId: string, connectionName: string, channelId: string) => JSON.stringify([userId, connectionName, channelId]);

export class FakeTokenService {
  readonly calls: TokenServiceCall[] = [];
  private readonly stored = new Map<string, string>();
  /** Teams client token -> the SSO token Entra would issue for it (the rep consented). */
  private readonly exchangeable = new Map<string, string>();
  /** Magic code -> the token the sign-in page obtained. */
  private readonly magicCodes = new Map<string, string>();
  private server?: Server;
  url = '';

  /** The OAuth connections configured on the Azure Bot, by name (names are case-insensitive). */
  private readonly connections: Set<string>;

  constructor(
    private readonly appId: string,
    connections: string[] = [],
  ) {
    this.connections = new Set(connections.map((c) => c.toLowerCase()));
  }

  async start(): Promise<this> {
    ({ server: this.server, url: this.url } = await listenLocally((req, res) => void this.handle(req, res)));
    return this;
  }

  stop(): Promise<void> {
    return closeLocally(this.server);
  }

  /** The rep consented: Teams' token for the bot can be exchanged for `ssoToken`. */
  allowExchange(teamsToken: string, ssoToken: string): void {
    this.exchangeable.set(teamsToken, ssoToken);
  }

  /** The rep finished the sign-in page; Teams will send `code` in signin/verifyState. */
  issueMagicCode(code: string, ssoToken: string): void {
    this.magicCodes.set(code, ssoToken);
  }

  /** A token already in the rep's store, e.g. one that has since expired. */
  storeToken(userId: string, connectionName: string, ssoToken: string, channelId = 'msteams'): void {
    this.stored.set(storeKey(userId, connectionName, channelId), ssoToken);
  }

  storedToken(userId: string, connectionName: string, channelId = 'msteams'): string | undefined {
    return this.stored.get(storeKey(userId, connectionName, channelId));
  }

  callsTo(path: string): TokenServiceCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname.replace(/^\/+/, '');
    const query = Object.fromEntries(url.searchParams);
    const authorized = /^Bearer \S+$/.test(req.headers.authorization ?? '');
    this.calls.push({ method: req.method ?? '', path, query, authorized });
    // Not chained: restify, loaded by the bot, patches ServerResponse.writeHead to return nothing.
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string) => send(status, { error: { code, message } });
    if (!authorized) return error(401, 'Unauthorized', 'The bot did not authenticate');
    const { userId = '', connectionName = '', channelId = '' } = query;
    const key = storeKey(userId, connectionName, channelId);
    const tokenResponse = (token: string) => ({ channelId, connectionName, token, expiration: new Date(Date.now() + 3_600_000).toISOString() });

    if (req.method === 'GET' && path === 'api/usertoken/GetToken') {
      if (query.code !== undefined && query.code === '') return error(400, 'BadArgument', 'code must not be empty');
      const fromCode = query.code ? this.magicCodes.get(query.code) : undefined;
      if (fromCode) {
        this.magicCodes.delete(query.code!);
        this.stored.set(key, fromCode);
      }
      const token = this.stored.get(key);
      return token ? send(200, tokenResponse(token)) : send(404);
    }
    if (req.method === 'POST' && path === 'api/usertoken/exchange') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { token?: string; uri?: string };
      const ssoToken = body.token ? this.exchangeable.get(body.token) : undefined;
      if (!ssoToken) return error(400, 'ServiceError', 'Token exchange failed: consent required');
      this.stored.set(key, ssoToken);
      return send(200, tokenResponse(ssoToken));
    }
    if (req.method === 'GET' && path === 'api/botsignin/GetSignInResource') {
      const state = JSON.parse(Buffer.from(query.state ?? '', 'base64').toString('utf8') || '{}') as { connectionName?: string; msAppId?: string };
      if (state.msAppId !== this.appId) return error(400, 'BadArgument', 'The state names another bot');
      if (this.connections.size > 0 && !this.connections.has((state.connectionName ?? '').toLowerCase())) {
        return error(404, 'NotFound', `No OAuth connection named ${state.connectionName ?? ''} on this bot`);
      }
      const id = randomUUID();
      return send(200, {
        signInLink: `${this.url}/api/oauth/signin?signin=${id}`,
        tokenExchangeResource: { id, uri: `api://botid-${this.appId}`, providerId: randomUUID() },
        tokenPostResource: { sasUrl: `${this.url}/api/sas/${id}` },
      });
    }
    if (req.method === 'DELETE' && path === 'api/usertoken/SignOut') {
      this.stored.delete(key);
      return send(200, {});
    }
    error(404, 'NotFound', `No fake for ${req.method} ${path}`);
  }
}
