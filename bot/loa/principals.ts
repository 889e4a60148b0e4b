import type { IdTokenSource } from '../auth/idTokenSource';
import type { RepIdentity } from '../domain/rep';
import { repKey } from '../domain/rep';
import type { LoaPrincipal } from './loaClient';

/** A principal can only get a new token while the rep is taking a turn (it needs their SSO token). */
export class NoTokenSourceError extends Error {
  override readonly name = 'NoTokenSourceError';
}

/**
 * Builds the LOA API principal for a rep, in the configured mode. The identity always
 * comes from the identity provider (roster or validated SSO token), never from card data.
 */
export class LoaPrincipals {
  constructor(
    private readonly mode: 'impersonate' | 'id_token',
    private readonly idTokens?: IdTokenSource,
  ) {}

  /** For the rep taking this turn; `ssoToken` is their validated Teams SSO token, if any. */
  forTurn(rep: RepIdentity, ssoToken?: string): LoaPrincipal {
    if (this.mode === 'impersonate') {
      return {
        // The LOA token is bound to the impersonated address, so a changed UPN must not reuse it.
        key: `${repKey(rep)}:impersonate:${rep.upn}`,
        grant: () => Promise.resolve({ type: 'user_token', email: rep.upn }),
      };
    }
    const idTokens = this.idTokens;
    return {
      key: `${repKey(rep)}:id_token`,
      grant: async () => {
        if (!ssoToken || !idTokens) throw new NoTokenSourceError('A new LOA token needs the rep to be signed in');
        return { type: 'id_token', idToken: await idTokens.idTokenFor(ssoToken) };
      },
    };
  }

  /** For work outside a turn (status polling): uses a cached LOA token, and cannot get a new one in id_token mode. */
  forBackground(rep: RepIdentity): LoaPrincipal {
    return this.forTurn(rep);
  }
}
