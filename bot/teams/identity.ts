import { TeamsInfo } from 'botbuilder';
import { decodeJwt } from 'jose';
import type { TurnContext } from 'botbuilder';
import { SsoTokenError, TenantNotAllowed } from '../auth/ssoTokenValidator';
import type { SsoTokenValidator } from '../auth/ssoTokenValidator';
import type { RepIdentity } from '../domain/rep';

/** Who is taking a turn, and (with SSO) the token that proved it. */
export interface ResolvedRep {
  rep: RepIdentity;
  /** The validated Teams SSO token; only for the LOA token exchange, never logged or stored. */
  ssoToken?: string;
  /** Epoch ms after which this identity must be resolved again (the SSO token's expiry, less a margin). */
  expiresAt?: number;
}

/** An SSO identity is resolved again this long before its token expires, so an exchange never gets a dying token. */
const SSO_EXPIRY_MARGIN_MS = 5 * 60_000;

/** Establishes who is taking a turn. Never reads anything the rep typed or any card data. */
export interface RepIdentityProvider {
  resolve(context: TurnContext): Promise<ResolvedRep>;
}

/** A rep the bot cannot identify; the turn ends with a message saying why. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  /** The rep's organisation is not one this bot serves: signing in again cannot help. */
  readonly tenantRefused: boolean;

  constructor(message: string, options: { tenantRefused?: boolean } = {}) {
    super(message);
    this.tenantRefused = options.tenantRefused ?? false;
  }
}

/** The rep has not signed in yet (or consent is missing): the bot starts sign-in and resumes after it. */
export class SignInRequired extends Error {
  override readonly name = 'SignInRequired';
  /** The store held a token the bot refused; it was signed out so a new sign-in can replace it. */
  readonly afterRefusedToken: boolean;

  constructor(message: string, options: { afterRefusedToken?: boolean } = {}) {
    super(message);
    this.afterRefusedToken = options.afterRefusedToken ?? false;
  }
}

/** Identity is only established in a 1:1 chat: LOAs are personal. */
export class PersonalChatRequired extends Error {
  override readonly name = 'PersonalChatRequired';
}

function requirePersonalChat(context: TurnContext): void {
  // A message extension's dialog and search results are shown to the rep alone, wherever it is opened.
  if (context.activity.type === 'invoke' && context.activity.name?.startsWith('composeExtension/')) return;
  const type = context.activity.conversation?.conversationType;
  if (type && type !== 'personal') throw new PersonalChatRequired(`Conversation type ${type}`);
}

/**
 * Identity from the rep's Teams roster entry (TeamsInfo.getMember). For local runs with
 * the Agents Playground only: the config refuses it once inbound authentication is on.
 */
export class RosterIdentityProvider implements RepIdentityProvider {
  async resolve(context: TurnContext): Promise<ResolvedRep> {
    requirePersonalChat(context);
    const from = context.activity.from;
    if (!from?.id) throw new IdentityError('The activity names no sender');
    const member = await TeamsInfo.getMember(context, from.id);
    const upn = member.userPrincipalName || member.email;
    const objectId = member.aadObjectId || from.aadObjectId;
    const tenantId = member.tenantId || context.activity.conversation?.tenantId;
    if (!upn || !objectId || !tenantId) throw new IdentityError('The Teams roster gave no email, object id or tenant for this rep');
    return { rep: { objectId, tenantId, upn: upn.toLowerCase(), name: member.name || from.name || upn } };
  }
}

/** The part of botframework-connector's UserTokenClient that CloudAdapter puts in turn state. */
interface UserTokenClient {
  getUserToken(userId: string, connectionName: string, channelId: string, magicCode?: string): Promise<{ token?: string } | undefined>;
  signOutUser(userId: string, connectionName: string, channelId: string): Promise<void>;
}

/** The rep's Bot Framework token store, as CloudAdapter offers it for this turn. */
function tokenStore(context: TurnContext, connectionName: string) {
  const adapter = context.adapter as { UserTokenClientKey?: symbol };
  const client = adapter.UserTokenClientKey ? context.turnState.get<UserTokenClient | undefined>(adapter.UserTokenClientKey) : undefined;
  if (!client) throw new IdentityError('This adapter offers no Bot Framework token store');
  const userId = context.activity.from?.id ?? '';
  const channelId = context.activity.channelId;
  return {
    // No magic code: this reads what the store holds; OAuthPrompt redeems codes itself.
    token: async () => (await client.getUserToken(userId, connectionName, channelId))?.token || undefined,
    signOut: () => client.signOutUser(userId, connectionName, channelId),
  };
}

/**
 * Identity from Teams single sign-on: the token the Bot Service holds for the rep after
 * the SSO exchange, validated (signature, issuer, audience, expiry, scope, tenant).
 */
export class SsoIdentityProvider implements RepIdentityProvider {
  constructor(
    private readonly connectionName: string,
    private readonly validator: SsoTokenValidator,
  ) {}

  async resolve(context: TurnContext): Promise<ResolvedRep> {
    requirePersonalChat(context);
    const store = tokenStore(context, this.connectionName);
    const token = await store.token();
    if (!token) throw new SignInRequired('No SSO token yet');
    try {
      const rep = await this.validator.validate(token);
      const exp = decodeJwt(token).exp;
      return { rep, ssoToken: token, ...(exp ? { expiresAt: exp * 1000 - SSO_EXPIRY_MARGIN_MS } : {}) };
    } catch (err) {
      if (err instanceof TenantNotAllowed) throw new IdentityError(err.message, { tenantRefused: true });
      if (!(err instanceof SsoTokenError)) throw err;
      // The token service has been seen to hand back expired tokens; its advice: sign the user
      // out of the store and in again. Signing out of Teams would not clear this store.
      await store.signOut();
      throw new SignInRequired(`The stored SSO token was refused and signed out: ${err.message}`, { afterRefusedToken: true });
    }
  }
}
