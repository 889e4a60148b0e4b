import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocally, listenLocally } from './localServer';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import type { JWK, JWTVerifyGetKey } from 'jose';

/** A private signing key as jose makes it. */
export type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export const AUTHORITY = 'https://login.microsoftonline.com';

/** A user as Entra ID knows them. */
export interface EntraUser {
  oid: string;
  tid: string;
  upn: string;
  name: string;
}

/**
 * Stands in for Microsoft Entra ID: signs Teams SSO tokens with a local key and publishes
 * that key the way the tenant's JWKS does, so validation runs exactly as in production.
 */
export class FakeEntra {
  private constructor(
    private readonly privateKey: SigningKey,
    /** The published key set, as JSON. */
    readonly jwks: { keys: JWK[] },
    readonly kid: string,
  ) {
    this.keys = createLocalJWKSet(jwks);
  }

  /** The key set as a verifier, for code that takes injected keys. */
  readonly keys: JWTVerifyGetKey;

  static async create(): Promise<FakeEntra> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    return new FakeEntra(privateKey, { keys: [jwk] }, kid);
  }

  user(tid: string, name = 'Ana Rep'): EntraUser {
    const slug = name.toLowerCase().replace(/[^a-z]+/g, '.');
    return { oid: randomUUID(), tid, upn: `${slug}.${randomUUID().slice(0, 6)}@se.com`, name };
  }

  /**
   * A Teams SSO token for the bot as Entra ID issues it when the app registration accepts
   * v2.0 tokens: the v2.0 issuer, and the app's client id as the audience. `claims` overrides any claim.
   */
  async ssoToken(user: EntraUser, appId: string, claims: Record<string, unknown> = {}, key?: SigningKey): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: `${AUTHORITY}/${user.tid}/v2.0`,
      aud: appId,
      oid: user.oid,
      tid: user.tid,
      preferred_username: user.upn,
      name: user.name,
      scp: 'access_as_user',
      iat: now,
      nbf: now,
      exp: now + 3600,
      ver: '2.0',
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .sign(key ?? this.privateKey);
  }

  /**
   * The same token as Entra ID issues it by default (accessTokenAcceptedVersion null or 1):
   * the v1.0 issuer, the App ID URI as the audience, and `upn` instead of `preferred_username`.
   */
  ssoTokenV1(user: EntraUser, appId: string, claims: Record<string, unknown> = {}): Promise<string> {
    return this.ssoToken(user, appId, { iss: `https://sts.windows.net/${user.tid}/`, aud: `api://botid-${appId}`, preferred_username: undefined, upn: user.upn, ver: '1.0', ...claims });
  }
}

/**
 * Entra ID's two HTTP endpoints the bot calls, on a local port: the published signing keys
 * (`/common/discovery/v2.0/keys`) and the token endpoint's client credentials grant
 * (`/{tenant}/oauth2/v2.0/token`), which answers 401 invalid_client to a wrong secret.
 */
export class FakeEntraServer {
  readonly tokenRequests: Array<{ tenant: string; clientId: string; scope: string }> = [];
  private server?: Server;
  url = '';

  constructor(
    private readonly entra: FakeEntra,
    /** App id -> client secret of the registrations Entra knows. */
    private readonly clients: ReadonlyMap<string, string>,
  ) {}

  async start(): Promise<this> {
    ({ server: this.server, url: this.url } = await listenLocally((req, res) => void this.handle(req, res)));
    return this;
  }

  stop(): Promise<void> {
    return closeLocally(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', this.url).pathname;
    // Not chained: restify, loaded by the bot, patches ServerResponse.writeHead to return nothing.
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/common/discovery/v2.0/keys') return send(200, this.entra.jwks);
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (req.method === 'POST' && token) {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const clientId = form.get('client_id') ?? '';
      this.tokenRequests.push({ tenant: token[1]!, clientId, scope: form.get('scope') ?? '' });
      if (form.get('grant_type') !== 'client_credentials') return send(400, { error: 'unsupported_grant_type' });
      const secret = this.clients.get(clientId);
      if (!secret || form.get('client_secret') !== secret) return send(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      return send(200, { token_type: 'Bearer', expires_in: 3599, access_token: `entra-app-token-${randomUUID()}` });
    }
    send(404, { error: 'not_found' });
  }
}
