import { randomBytes } from 'node:crypto';
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

const IDENTITY_CLAIMS = ['email', 'preferred_username', 'upn', 'sub'] as const;

/**
 * Reads the identity out of a cIAM id_token. The signature is deliberately not checked:
 * the sandbox stands in for cIAM, and tests mint their own unsigned tokens.
 */
export function identityFromIdToken(idToken: string, nowMs: number): IdTokenResult {
  const parts = idToken.split('.');
  if (parts.length !== 3 || !parts[1]) return { ok: false, reason: 'the id_token is not a JWT' };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the id_token payload is not JSON' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, reason: 'the id_token payload is not a JSON object' };
  }
  const claims = payload as Record<string, unknown>;
  if (typeof claims.exp !== 'number') return { ok: false, reason: 'the id_token has no exp claim' };
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'the id_token has expired' };
  for (const claim of IDENTITY_CLAIMS) {
    const value = claims[claim];
    if (typeof value === 'string' && value.trim() !== '') return { ok: true, identity: value.trim().toLowerCase() };
  }
  return { ok: false, reason: `the id_token names no identity (${IDENTITY_CLAIMS.join(', ')})` };
}
