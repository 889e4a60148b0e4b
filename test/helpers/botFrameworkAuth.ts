/**
 * A local stand-in for the Bot Framework channel service's token authority, so inbound
 * authentication can be tested offline: it publishes an OpenID configuration and a signing
 * key the way login.botframework.com does, and signs channel tokens the way Teams does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { ServiceClientCredentials } from 'botframework-connector';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

/** The claims of a Bot Framework channel token; `serviceurl` must equal the activity's serviceUrl. */
export interface ChannelTokenClaims {
  serviceurl: string;
  iss?: string;
  aud?: string;
  /** Seconds since the epoch, like every JWT time claim. */
  exp?: number;
  nbf?: number;
  iat?: number;
  [claim: string]: unknown;
}

export interface SignOptions {
  /** Signs with this key instead of the published one, still naming the published key id (a forgery). */
  privateKey?: CryptoKey;
}

/** The channels the published key may sign for, as in the real key set. */
const ENDORSED_CHANNELS = ['msteams'];

const OPENID_PATH = '/v1/.well-known/openidconfiguration';
const KEYS_PATH = '/v1/.well-known/keys';
const EMULATOR_OPENID_PATH = '/emulator/.well-known/openid-configuration';
const EMULATOR_KEYS_PATH = '/emulator/.well-known/keys';

const nowS = () => Math.floor(Date.now() / 1000);

/** The Bot Framework token authority on a free local port, with one RSA signing key. */
export class BotFrameworkAuthority {
  /** The path of every request it served, in order. */
  readonly requests: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly appId: string,
    readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  static async start(appId: string): Promise<BotFrameworkAuthority> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, kty: 'RSA', use: 'sig', alg: 'RS256', endorsements: ENDORSED_CHANNELS };
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const authority = new BotFrameworkAuthority(server, url, appId, kid, privateKey, publicJwk);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => authority.handle(req, res));
    return authority;
  }

  /** The `iss` of every channel token; the real one is https://api.botframework.com. */
  get issuer(): string {
    return this.url;
  }

  /**
   * Settings for ConfigurationBotFrameworkAuthentication (BotOverrides.auth) that make the bot
   * trust this authority and nothing else. They are set together: once any of them is set,
   * botbuilder stops using its public-cloud defaults for all of them.
   */
  authOptions(): Partial<ConfigurationBotFrameworkAuthenticationOptions> {
    return {
      ToBotFromChannelOpenIdMetadataUrl: `${this.url}${OPENID_PATH}`,
      ToBotFromChannelTokenIssuer: this.issuer,
      // Publishes no keys: no token can pass as one from the Emulator.
      ToBotFromEmulatorOpenIdMetadataUrl: `${this.url}${EMULATOR_OPENID_PATH}`,
      // Outbound (bot -> channel) token settings. Turns with expectReplies answer in the HTTP body and
      // never fetch a token; MSAL refuses a plain-http authority, so a fetch would fail the turn loudly.
      ToChannelFromBotLoginUrl: `${this.url}/botframework.com`,
      ToChannelFromBotOAuthScope: this.issuer,
      ValidateAuthority: false,
      OAuthUrl: `${this.url}/oauth`,
      CallerId: 'urn:botframework:azure',
      ChannelService: '',
    };
  }

  /** A channel token as the Bot Framework signs it: RS256, the published kid, valid for an hour. */
  async signChannelToken(claims: ChannelTokenClaims, options: SignOptions = {}): Promise<string> {
    return new SignJWT(this.channelClaims(claims))
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .sign(options.privateKey ?? this.privateKey);
  }

  /**
   * A channel token naming the published kid but carrying no valid signature: `none` declares
   * alg "none" with an empty signature, `garbage` declares RS256 with random bytes as the signature.
   */
  unsignedChannelToken(claims: ChannelTokenClaims, signature: 'none' | 'garbage'): string {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = { alg: signature === 'none' ? 'none' : 'RS256', typ: 'JWT', kid: this.kid };
    const sig = signature === 'none' ? '' : randomBytes(256).toString('base64url');
    return `${encode(header)}.${encode(this.channelClaims(claims))}.${sig}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private channelClaims(claims: ChannelTokenClaims): Record<string, unknown> {
    const now = nowS();
    return { iss: this.issuer, aud: this.appId, iat: now, nbf: now, exp: now + 3600, ...claims };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.url).pathname;
    this.requests.push(path);
    // Not chained: restify, loaded by the bot, patches ServerResponse.writeHead to return nothing.
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return void send(405, { error: 'method_not_allowed' });
    switch (path) {
      case OPENID_PATH:
        return void send(200, this.openIdConfiguration(KEYS_PATH));
      case KEYS_PATH:
        return void send(200, { keys: [this.publicJwk] });
      case EMULATOR_OPENID_PATH:
        return void send(200, this.openIdConfiguration(EMULATOR_KEYS_PATH));
      case EMULATOR_KEYS_PATH:
        return void send(200, { keys: [] });
      default:
        return void send(404, { error: 'not_found' });
    }
  }

  private openIdConfiguration(keysPath: string): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.url}/v1/auth`,
      jwks_uri: `${this.url}${keysPath}`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    };
  }
}

/**
 * Stands in for Microsoft Entra ID issuing the bot its own token: every call the bot makes
 * to Bot Framework (the Teams connector, the token service) carries this bearer token, as
 * it would carry the one MSAL obtains with the bot's secret.
 */
export class StaticBotCredentials extends ServiceClientCredentialsFactory {
  readonly token = `entra-token-for-the-bot-${randomUUID()}`;

  constructor(private readonly appId: string) {
    super();
  }

  isValidAppId(appId: string): Promise<boolean> {
    return Promise.resolve(appId === this.appId);
  }

  isAuthenticationDisabled(): Promise<boolean> {
    return Promise.resolve(false);
  }

  createCredentials(): Promise<ServiceClientCredentials> {
    return Promise.resolve({
      signRequest: (webResource) => {
        webResource.headers.set('Authorization', `Bearer ${this.token}`);
        return Promise.resolve(webResource);
      },
    });
  }
}
