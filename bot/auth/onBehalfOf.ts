import { createPrivateKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { OnBehalfOfCredential } from '@azure/identity';
import type { OnBehalfOfCredentialOptions, TokenCredential } from '@azure/identity';
import { SignJWT } from 'jose';

/** How the bot's app registration proves itself to Entra ID in the on-behalf-of exchange. */
export type AppCredential =
  | { readonly kind: 'secret'; readonly clientSecret: string }
  /** The bot certificate: its SHA-1 thumbprint in hex and its PEM private key. */
  | { readonly kind: 'certificate'; readonly thumbprint: string; readonly privateKeyPem: string };

/** A rep who has signed in: their validated Teams SSO token and the tenant (tid) it names. */
export interface SignedInRep {
  readonly tenantId: string;
  readonly ssoToken: string;
}

/**
 * Trades a rep's Teams SSO token, whose audience is the bot, for an Entra access token for
 * another API, on the rep's behalf (OAuth 2.0 on-behalf-of). The SSO token itself is never
 * sent anywhere but to Entra ID.
 */
export interface OnBehalfOf {
  accessTokenFor(rep: SignedInRep, scope: string): Promise<string>;
}

export type EntraHttpClient = NonNullable<OnBehalfOfCredentialOptions['httpClient']>;

export interface OnBehalfOfOptions {
  /** The bot's app registration, which the SSO token was issued to. */
  clientId: string;
  credential: AppCredential;
  /** e.g. https://login.microsoftonline.com (SSO_AUTHORITY). */
  authorityHost: string;
  /** Builds the credential; tests look at the options it is given. */
  credentialFor?: (options: OnBehalfOfCredentialOptions) => TokenCredential;
  /** The transport to Entra ID; tests put a fake token endpoint here. */
  httpClient?: EntraHttpClient;
}

/** Why the exchange failed. Entra ID's answer is not kept: it may quote the assertion. */
export class OnBehalfOfError extends Error {
  override readonly name = 'OnBehalfOfError';
}

/** Lifetime of a client assertion; Entra ID takes up to 10 minutes. */
const ASSERTION_LIFETIME_S = 5 * 60;

/**
 * On-behalf-of with @azure/identity's OnBehalfOfCredential, in the rep's own tenant (the tid
 * of their validated token), never 'organizations': a guest or a rep of another allowed tenant
 * gets a token from the tenant that signed them in. The app proves itself with its client
 * secret or, with the bot certificate, with a client assertion signed by its private key.
 */
export class EntraOnBehalfOf implements OnBehalfOf {
  private readonly privateKey: KeyObject | undefined;
  private readonly authorityHost: string;

  constructor(private readonly o: OnBehalfOfOptions) {
    this.authorityHost = o.authorityHost.replace(/\/+$/, '');
    this.privateKey = o.credential.kind === 'certificate' ? parsePrivateKey(o.credential.privateKeyPem) : undefined;
    if (o.credential.kind === 'certificate') thumbprintBytes(o.credential.thumbprint);
  }

  async accessTokenFor(rep: SignedInRep, scope: string): Promise<string> {
    if (!rep.tenantId) throw new OnBehalfOfError('The rep\'s token names no tenant');
    const options = this.credentialOptions(rep);
    const credential = (this.o.credentialFor ?? newCredential)(options);
    let token: Awaited<ReturnType<TokenCredential['getToken']>>;
    try {
      token = await credential.getToken(scope);
    } catch (err) {
      // @azure/identity's errors carry Entra ID's answer; only its type is safe to pass on.
      throw new OnBehalfOfError(`Entra ID refused the on-behalf-of exchange for ${scope} (${err instanceof Error ? err.name : 'Error'})`);
    }
    if (!token?.token) throw new OnBehalfOfError(`The on-behalf-of exchange for ${scope} returned no token`);
    return token.token;
  }

  private credentialOptions(rep: SignedInRep): OnBehalfOfCredentialOptions {
    const common = {
      tenantId: rep.tenantId,
      clientId: this.o.clientId,
      userAssertionToken: rep.ssoToken,
      authorityHost: this.authorityHost,
      ...(this.o.httpClient ? { httpClient: this.o.httpClient } : {}),
    };
    const credential = this.o.credential;
    if (credential.kind === 'secret') return { ...common, clientSecret: credential.clientSecret };
    return { ...common, getAssertion: () => this.clientAssertion(rep.tenantId, credential.thumbprint) };
  }

  /** The JWT a confidential client signs with its certificate instead of sending a secret. */
  private clientAssertion(tenantId: string, thumbprint: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: thumbprintBytes(thumbprint).toString('base64url') })
      .setIssuer(this.o.clientId)
      .setSubject(this.o.clientId)
      .setAudience(`${this.authorityHost}/${tenantId}/oauth2/v2.0/token`)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_S)
      .sign(this.privateKey!);
  }
}

function newCredential(options: OnBehalfOfCredentialOptions): TokenCredential {
  // The constructor's overloads each take one kind of options, not their union.
  return new OnBehalfOfCredential(options as ConstructorParameters<typeof OnBehalfOfCredential>[0]);
}

function parsePrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new OnBehalfOfError('CertificatePrivateKey is not a PEM private key');
  }
}

/** The certificate's SHA-1 thumbprint, as Entra ID expects it in the assertion's x5t header. */
function thumbprintBytes(thumbprint: string): Buffer {
  const hex = thumbprint.replace(/[\s:]/g, '');
  if (!/^[0-9a-f]{40}$/i.test(hex)) throw new OnBehalfOfError('CertificateThumbprint must be the certificate\'s SHA-1 thumbprint in hex (40 digits)');
  return Buffer.from(hex, 'hex');
}

/** The bot's own settings that say how its app registration proves itself. */
export interface BotAppSettings {
  readonly appPassword: string;
  readonly certificateThumbprint: string | undefined;
  readonly certificatePrivateKey: string | undefined;
}

/** The bot certificate when it has one, as for its own Bot Framework credential; otherwise its client secret. */
export function appCredentialOf(bot: BotAppSettings): AppCredential {
  if (bot.certificateThumbprint && bot.certificatePrivateKey) return { kind: 'certificate', thumbprint: bot.certificateThumbprint, privateKeyPem: bot.certificatePrivateKey };
  return { kind: 'secret', clientSecret: bot.appPassword };
}
