import { CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory, StatusCodes } from 'botbuilder';
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions, TurnContext } from 'botbuilder';
// botbuilder's own dependency (same version): CloudAdapter answers 401 only to this class.
import { AuthenticationError } from 'botframework-connector';
import type { AuthenticateRequestResult } from 'botframework-connector';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { describeError } from '../logger';
import { failedTurnInvokeResponse } from './loaBot';
import { correlationIdOf, turnLog } from './turnLog';

/** The Bot Framework adapter, authenticating /api/messages unless MicrosoftAppId is empty (local runs). */
export function createAdapter(config: Config, logger: Logger, authOverrides: Partial<ConfigurationBotFrameworkAuthenticationOptions> = {}): CloudAdapter {
  const auth = new ChannelAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
    ...(config.bot.certificateThumbprint ? { CertificateThumbprint: config.bot.certificateThumbprint, CertificatePrivateKey: config.bot.certificatePrivateKey } : {}),
    ...authOverrides,
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const log = turnLog(context, logger);
    log.error({ err: describeError(error) }, 'Turn failed');
    try {
      const invokeResponse = failedTurnInvokeResponse(context);
      if (invokeResponse) await context.sendActivity(invokeResponse);
      else await context.sendActivity(MessageFactory.text(`Sorry, something went wrong on my side and nothing new was sent. Try again, or type **help**. Reference: ${correlationIdOf(context)}`));
    } catch (sendError) {
      log.error({ err: describeError(sendError) }, 'Could not tell the rep that the turn failed');
    }
  };
  return adapter;
}

/** jsonwebtoken's errors: bad signature, alg "none", not yet valid, expired. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * Answers 401, not 500, to a channel token whose signature or time window is wrong: botbuilder
 * rethrows jsonwebtoken's errors as they are, and CloudAdapter maps only AuthenticationError to 401.
 */
class ChannelAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof Error && TOKEN_ERRORS.has(err.name)) throw new AuthenticationError(`Unauthorized. ${err.message}`, StatusCodes.UNAUTHORIZED);
      throw err;
    }
  }
}
