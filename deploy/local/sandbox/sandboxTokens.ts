import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import type { Clock } from '../../../bot/domain/clock';

export type TokenLookup =
  | { state: 'valid'; identity: string }
  | { state: 'expired' }
  | { state: 'unknown' };

interface IssuedToken {
  identity: string;
  expiresAtMs: number;
}

/** Opaque access tokens bound to the identity they were issued for, expiring by the injected clock. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlS: number,
  ) {}

  issue(identity: string): { accessToken: string; expiresInS: number } {
    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, { identity, expiresAtMs: this.clock.now() + this.ttlS * 1000 });
    return { accessToken, expiresInS: this.ttlS };
  }

  lookup(accessToken: string): TokenLookup {
    const issued = this.tokens.get(accessToken);
    if (!issued) return { state: 'unknown' };
    // Expired tokens are kept so that the 401 can say "expired" rather than "unknown".
    if (this.clock.now() >= issued.expiresAtMs) return { state: 'expired' };
    return { state: 'valid', identity: issued.identity };
  }

  clear(): void {
    this.tokens.clear();
  }
}

export type IdTokenResult = { ok: true; identity: string } | { ok: false; reason: string };

/** The issuer of the id_tokens the sandbox's stand-in for cIAM signs. */
export const SANDBOX_CIAM_ISSUER = 'https://ciam.loa-sandbox.invalid';

/**
 * Entra ID tokens the sandbox accepts at /v1/oauth/token, as an LOA API set up to accept them
 * would. Without this setting an Entra ID token is refused: the API's own grant takes a cIAM id_token.
 */
export interface EntraTrust {
  /** Entra ID's signing keys: the key set itself, or where it is published (…/discovery/v2.0/keys). */
  keys: JSONWebKeySet | URL;
  /** The audiences accepted: the app id or App ID URI of the API the token was obtained for. */
  audiences: readonly string[];
  /** Default https://login.microsoftonline.com. */
  authority?: string;
}

const CIAM_IDENTITY_CLAIMS = ['email', 'preferred_username', 'upn', 'sub'] as const;
// Entra ID's email claim is optional and unverified, so an Entra token names its user by sign-in name only.
const ENTRA_IDENTITY_CLAIMS = ['preferred_username', 'upn'] as const;
const ENTRA_AUTHORITY = 'https://login.microsoftonline.com';
/** The issuer of Entra ID's v1.0 tokens, before the tenant id. */
const ENTRA_V1_ISSUER = 'https://sts.windows.net/';

/**
 * Checks the id_token of the id_token grant. The sandbox stands in for cIAM with a signing key
 * of its own, made at start: a cIAM id_token must carry its signature, its issuer and an exp
 * still ahead on the sandbox clock. An Entra ID token passes only when `entra` says to trust it.
 */
export class IdTokenVerifier {
  private readonly ciam = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly ciamKid = randomBytes(8).toString('hex');
  private readonly ciamKey: JWTVerifyGetKey = () => this.ciam.publicKey;
  private readonly entraKeys: JWTVerifyGetKey | undefined;
  private readonly entraAuthority: string;

  constructor(private readonly entra?: EntraTrust) {
    this.entraKeys = entra && (entra.keys instanceof URL ? createRemoteJWKSet(entra.keys) : createLocalJWKSet(entra.keys));
    this.entraAuthority = (entra?.authority ?? ENTRA_AUTHORITY).replace(/\/+$/, '');
  }

  /** A cIAM id_token with these claims (the issuer unless given), signed with the sandbox's cIAM key. */
  mintCiamIdToken(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT({ iss: SANDBOX_CIAM_ISSUER, ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: this.ciamKid }).sign(this.ciam.privateKey);
  }

  async verify(idToken: string, nowMs: number): Promise<IdTokenResult> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(idToken);
    } catch {
      return { ok: false, reason: 'the id_token is not a JWT with a JSON payload' };
    }
    const entraTenant = this.entraTenantOf(unverified.iss);
    if (entraTenant === undefined) return this.verified(idToken, nowMs, this.ciamKey, { issuer: SANDBOX_CIAM_ISSUER, algorithms: ['ES256'] }, CIAM_IDENTITY_CLAIMS);
    if (!this.entra || !this.entraKeys) {
      return { ok: false, reason: 'it was issued by Entra ID, not cIAM, and this sandbox is not set up to accept Entra ID tokens' };
    }
    const issuer = [`${this.entraAuthority}/${entraTenant}/v2.0`, `${ENTRA_V1_ISSUER}${entraTenant}/`];
    const result = await this.verified(idToken, nowMs, this.entraKeys, { issuer, audience: [...this.entra.audiences], algorithms: ['RS256'], requiredClaims: ['aud', 'tid'] }, ENTRA_IDENTITY_CLAIMS);
    if (result.ok && String(unverified.tid).toLowerCase() !== entraTenant) return { ok: false, reason: 'its tid is not the tenant of its issuer' };
    return result;
  }

  /** The tenant of an Entra ID issuer, lowercased; undefined for any other issuer. */
  private entraTenantOf(iss: unknown): string | undefined {
    if (typeof iss !== 'string') return undefined;
    for (const [prefix, suffix] of [[`${this.entraAuthority}/`, '/v2.0'], [ENTRA_V1_ISSUER, '/']] as const) {
      const tenant = iss.startsWith(prefix) && iss.endsWith(suffix) ? iss.slice(prefix.length, iss.length - suffix.length) : '';
      if (/^[^/]+$/.test(tenant)) return tenant.toLowerCase();
    }
    return undefined;
  }

  private async verified(
    idToken: string,
    nowMs: number,
    key: JWTVerifyGetKey,
    options: JWTVerifyOptions,
    identityClaims: readonly string[],
  ): Promise<IdTokenResult> {
    let claims: JWTPayload;
    try {
      const verify = { ...options, currentDate: new Date(nowMs), requiredClaims: ['exp', 'iss', ...(options.requiredClaims ?? [])] };
      ({ payload: claims } = await jwtVerify(idToken, key, verify));
    } catch (err) {
      return { ok: false, reason: refusalOf(err) };
    }
    for (const claim of identityClaims) {
      const value = claims[claim];
      if (typeof value === 'string' && value.trim() !== '') return { ok: true, identity: value.trim().toLowerCase() };
    }
    return { ok: false, reason: `the id_token names no identity (${identityClaims.join(', ')})` };
  }
}

function refusalOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the id_token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `its ${err.claim} claim is wrong (${err.reason})`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) return 'its signature does not verify';
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) return 'it is not signed with an accepted algorithm';
  return 'it is not a well-formed signed JWT';
}
