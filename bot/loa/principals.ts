import type { RepIdentity } from '../domain/rep';
import { repKey } from '../domain/rep';
import type { LoaPrincipal } from './loaClient';

/**
 * The LOA principal for a rep in `impersonate` mode: the API acts as the rep's verified
 * UPN. The address comes from the identity provider only, never from card data.
 */
export function impersonationPrincipal(rep: RepIdentity): LoaPrincipal {
  return {
    // The token is bound to the impersonated address, so a changed UPN must not reuse it.
    key: `${repKey(rep)}:${rep.upn}`,
    grant: () => Promise.resolve({ type: 'user_token', email: rep.upn }),
  };
}
