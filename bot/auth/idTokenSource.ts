import { OnBehalfOfCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';

/** Turns a rep's Teams SSO token into the id_token the LOA API's /v1/oauth/token takes. */
export interface IdTokenSource {
  idTokenFor(ssoToken: string): Promise<string>;
}

/** Sends the SSO token itself. Only when the config says so (LOA_ID_TOKEN_SOURCE=sso). */
export const rawSsoToken: IdTokenSource = { idTokenFor: (ssoToken) => Promise.resolve(ssoToken) };

export interface OnBehalfOfOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  authorityHost?: string;
  /** Builds the credential for one user assertion; tests inject a fake Entra here. */
  credentialFor?: (userAssertionToken: string) => TokenCredential;
}

/** Exchanges the SSO token on the rep's behalf (OAuth 2.0 OBO) for a token of the configured scope. */
export class OnBehalfOfIdTokens implements IdTokenSource {
  constructor(private readonly o: OnBehalfOfOptions) {}

  async idTokenFor(ssoToken: string): Promise<string> {
    const credential =
      this.o.credentialFor?.(ssoToken) ??
      new OnBehalfOfCredential({
        tenantId: this.o.tenantId,
        clientId: this.o.clientId,
        clientSecret: this.o.clientSecret,
        userAssertionToken: ssoToken,
        ...(this.o.authorityHost ? { authorityHost: this.o.authorityHost } : {}),
      });
    const token = await credential.getToken(this.o.scope);
    if (!token?.token) throw new Error('The on-behalf-of exchange returned no token');
    return token.token;
  }
}
