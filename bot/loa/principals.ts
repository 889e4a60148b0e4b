import type { MailboxLookup } from '../auth/graphMailbox';
import type { OnBehalfOf } from '../auth/onBehalfOf';
import type { RepIdentity } from '../domain/rep';
import { repKey } from '../domain/rep';
import type { LoaPrincipal } from './loaClient';

/** A principal can only get a new token while the rep is taking a turn (it needs their SSO token). */
export class NoTokenSourceError extends Error {
  override readonly name = 'NoTokenSourceError';
}

/** The rep's account has no mailbox address, so the LOA API cannot be told one (LOA_IMPERSONATE_AS=mail). */
export class NoMailboxError extends Error {
  override readonly name = 'NoMailboxError';
}

/**
 * How the bot proves to the LOA API who the rep is:
 * - impersonate: POST /v1/oauth-impersonate/token with an address, the rep's sign-in name (upn)
 *   or their mailbox address as Microsoft Graph has it (mail);
 * - id_token: POST /v1/oauth/token with an Entra access token for `scope`, obtained on the rep's
 *   behalf. It is not a cIAM id_token: the LOA side must be set up to accept Entra tokens.
 */
export type LoaSignIn =
  | { readonly mode: 'impersonate'; readonly impersonateAs: 'upn' }
  | { readonly mode: 'impersonate'; readonly impersonateAs: 'mail'; readonly mailbox: MailboxLookup }
  | { readonly mode: 'id_token'; readonly onBehalfOf: OnBehalfOf; readonly scope: string };

/**
 * Builds the LOA API principal for a rep, in the configured mode. The identity always
 * comes from the identity provider (roster or validated SSO token), never from card data.
 * The rep's records are keyed by their Entra object id whatever the LOA API is told.
 */
export class LoaPrincipals {
  constructor(private readonly signIn: LoaSignIn) {}

  /** For the rep taking this turn; `ssoToken` is their validated Teams SSO token, if any. */
  forTurn(rep: RepIdentity, ssoToken?: string): LoaPrincipal {
    const signIn = this.signIn;
    const key = repKey(rep);
    const signedIn = ssoToken ? { tenantId: rep.tenantId, ssoToken } : undefined;
    if (signIn.mode === 'impersonate' && signIn.impersonateAs === 'upn') {
      return {
        // The LOA token is bound to the impersonated address, so a changed UPN must not reuse it.
        key: `${key}:impersonate:${rep.upn}`,
        grant: () => Promise.resolve({ type: 'user_token', email: rep.upn }),
      };
    }
    if (signIn.mode === 'impersonate') {
      return {
        // The address is known only once Graph has been asked: a changed mailbox applies when this LOA token expires.
        key: `${key}:impersonate:mail`,
        grant: async () => {
          const mail = signedIn ? await signIn.mailbox.mailOf(key, signedIn) : signIn.mailbox.cachedMailOf(key);
          if (!signedIn && !mail) throw new NoTokenSourceError('Reading the rep\'s mailbox address needs them to be signed in');
          if (!mail) throw new NoMailboxError('The rep\'s account has no mailbox address (Microsoft Graph /me has no mail)');
          return { type: 'user_token', email: mail };
        },
      };
    }
    return {
      key: `${key}:id_token`,
      grant: async () => {
        if (!signedIn) throw new NoTokenSourceError('A new LOA token needs the rep to be signed in');
        return { type: 'id_token', idToken: await signIn.onBehalfOf.accessTokenFor(signedIn, signIn.scope) };
      },
    };
  }

  /** For work outside a turn (status polling): uses a cached LOA token, and cannot get a new one when that needs the rep's SSO token. */
  forBackground(rep: RepIdentity): LoaPrincipal {
    return this.forTurn(rep);
  }
}
