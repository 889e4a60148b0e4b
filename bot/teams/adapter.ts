import { CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory, StatusCodes } from 'botbuilder';
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions, TurnContext } from 'botbuilder';
// botbuilder's own dependency (same version): CloudAdapter answers 401 only to this class.
import { AuthenticationError, JwtTokenValidation } from 'botframework-connector';
import type { AuthenticateRequestResult, ClaimsIdentity, ConnectorClient, ConnectorFactory, ServiceClientCredentialsFactory, UserTokenClient } from 'botframework-connector';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { describeError } from '../logger';
import { failedTurnInvokeResponse, failedTurnMessage } from './presenter';
import { turnLog } from './turnLog';

/** The Bot Framework adapter, authenticating /api/messages unless MicrosoftAppId is empty (local runs). */
export function createAdapter(
  config: Config,
  logger: Logger,
  authOverrides: Partial<ConfigurationBotFrameworkAuthenticationOptions> = {},
  /** How the bot obtains its own Entra token; tests stand in for Entra ID here. */
  credentials?: ServiceClientCredentialsFactory,
): CloudAdapter {
  const auth = new ChannelAuthentication(
    {
      MicrosoftAppId: config.bot.appId,
      MicrosoftAppPassword: config.bot.appPassword,
      MicrosoftAppType: config.bot.appType,
      MicrosoftAppTenantId: config.bot.appTenantId,
      ...(config.bot.certificateThumbprint ? { CertificateThumbprint: config.bot.certificateThumbprint, CertificatePrivateKey: config.bot.certificatePrivateKey } : {}),
      ...authOverrides,
    },
    credentials,
  );
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const log = turnLog(context, logger);
    log.error({ err: describeError(error) }, 'Turn failed');
    try {
      const invokeResponse = failedTurnInvokeResponse(context, error);
      if (invokeResponse) await context.sendActivity(invokeResponse);
      else await context.sendActivity(MessageFactory.text(failedTurnMessage(context, error)));
    } catch (sendError) {
      log.error({ err: describeError(sendError) }, 'Could not tell the rep that the turn failed');
    }
  };
  return adapter;
}

/**
 * Inbound requests authenticated by adapters `createAdapter` built in this process. The bench
 * reads it to check that its echo baselines and the LOA bot served every turn through this
 * same adapter construction, so that their costs compare like for like.
 */
let requestsAuthenticated = 0;

export function requestsThroughCreateAdapter(): number {
  return requestsAuthenticated;
}

/** jsonwebtoken's errors: bad signature, alg "none", not yet valid, expired. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/** Distinct (bot, service URL, audience) clients kept: Teams has a handful of regional service URLs. */
const MAX_REUSED_CLIENTS = 100;

/**
 * The Bot Framework authentication the adapter uses, with two changes:
 *
 * - It answers 401, not 500, to a channel token whose signature or time window is wrong:
 *   botbuilder rethrows jsonwebtoken's errors as they are, and CloudAdapter maps only
 *   AuthenticationError to 401.
 * - It reuses connector and user-token clients across turns, as BotFrameworkAdapter did,
 *   instead of building a new Azure HTTP pipeline for each on every turn. The clients hold
 *   no per-turn state: only the service URL and the bot's credentials, which cache their
 *   own tokens.
 */
class ChannelAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectorClients = new BoundedCache<Promise<ConnectorClient>>(MAX_REUSED_CLIENTS);
  private readonly userTokenClients = new BoundedCache<Promise<UserTokenClient>>(MAX_REUSED_CLIENTS);

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    requestsAuthenticated++;
    let result: AuthenticateRequestResult;
    try {
      result = await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof Error && TOKEN_ERRORS.has(err.name)) throw new AuthenticationError(`Unauthorized. ${err.message}`, StatusCodes.UNAUTHORIZED);
      throw err;
    }
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.connectorFactory, result.claimsIdentity) } : result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(super.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const key = JSON.stringify([JwtTokenValidation.getAppIdFromClaims(claimsIdentity.claims) ?? '']);
    return this.userTokenClients.getOrAdd(key, () => super.createUserTokenClient(claimsIdentity));
  }

  private reusing(factory: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const appId = JwtTokenValidation.getAppIdFromClaims(claimsIdentity.claims) ?? '';
    const clients = this.connectorClients;
    return {
      create: (serviceUrl: string, audience?: string) => clients.getOrAdd(JSON.stringify([appId, serviceUrl, audience ?? '']), () => factory.create(serviceUrl, audience)),
    };
  }
}

/** A small cache of promises that forgets the oldest entry when full, and any promise that fails. */
class BoundedCache<T extends Promise<unknown>> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly max: number) {}

  getOrAdd(key: string, make: () => T): T {
    const hit = this.entries.get(key);
    if (hit) return hit;
    const made = make();
    this.entries.set(key, made);
    made.catch(() => this.entries.get(key) === made && this.entries.delete(key));
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return made;
  }
}
