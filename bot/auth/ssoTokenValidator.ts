import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { RepIdentity } from '../domain/rep';

export interface SsoTokenValidatorOptions {
  /** The bot's app id: SSO tokens are issued for it or for api://botid-{appId}. */
  appId: string;
  /** e.g. https://login.microsoftonline.com; its /common/discovery/v2.0/keys serves the signing keys. */
  authority: string;
  allowedTenants: readonly string[];
  /** Injected key set, for tests; otherwise the authority's JWKS, fetched and cached. */
  keys?: JWTVerifyGetKey;
  clockToleranceS?: number;
}

/** Why a token was refused. The message never includes the token. */
export class SsoTokenError extends Error {
  override readonly name: string = 'SsoTokenError';
}

/** A well-formed token from an organisation the bot does not serve. */
export class TenantNotAllowed extends SsoTokenError {
  override readonly name = 'TenantNotAllowed';
}

const REQUIRED_SCOPE = 'access_as_user';

/**
 * Checks a Teams SSO token the way Entra ID issued it: signature against the tenant's
 * published keys, issuer, audience, expiry, the access_as_user scope, and the tenant
 * against an allow-list. Only then does it say who the rep is.
 */
export class SsoTokenValidator {
  private readonly keys: JWTVerifyGetKey;
  private readonly allowed: Set<string>;

  constructor(private readonly o: SsoTokenValidatorOptions) {
    // createRemoteJWKSet caches the key set and refetches only for an unknown key id.
    this.keys = o.keys ?? createRemoteJWKSet(new URL(`${o.authority}/common/discovery/v2.0/keys`), { cacheMaxAge: 6 * 3_600_000, cooldownDuration: 30_000 });
    this.allowed = new Set(o.allowedTenants.map((t) => t.toLowerCase()));
  }

  async validate(token: string): Promise<RepIdentity> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new SsoTokenError('The SSO token is not a JWT');
    }
    const tenantId = typeof unverified.tid === 'string' ? unverified.tid.toLowerCase() : '';
    if (!this.allowed.has(tenantId)) throw new TenantNotAllowed(`Tenant ${tenantId || '(none)'} is not allowed to use this bot`);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: [`${this.o.authority}/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`],
        audience: [this.o.appId, `api://botid-${this.o.appId}`],
        algorithms: ['RS256'],
        clockTolerance: this.o.clockToleranceS ?? 60,
        requiredClaims: ['exp', 'iss', 'aud', 'oid', 'tid'],
      }));
    } catch (err) {
      throw new SsoTokenError(`The SSO token was refused: ${describeJoseError(err)}`);
    }
    // Entra ID's v2.0 tokens always name the API by its client id; an App ID URI comes only in v1.0 tokens.
    if (payload.iss === `${this.o.authority}/${tenantId}/v2.0` && payload.aud !== this.o.appId) {
      throw new SsoTokenError('The SSO token pairs a v2.0 issuer with an App ID URI audience, which Entra ID never issues');
    }
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(REQUIRED_SCOPE)) throw new SsoTokenError(`The SSO token lacks the ${REQUIRED_SCOPE} scope`);
    const upn = [payload.preferred_username, payload.upn].find((v): v is string => typeof v === 'string' && v.includes('@'));
    if (!upn) throw new SsoTokenError('The SSO token names no user principal');
    return {
      objectId: String(payload.oid),
      tenantId,
      upn: upn.toLowerCase(),
      name: typeof payload.name === 'string' ? payload.name : upn,
    };
  }
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'it has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim ${err.claim} is wrong (${err.reason})`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no published key matches it';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'its algorithm is not allowed';
  return err instanceof Error ? err.message : String(err);
}
