import { CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } from 'botbuilder';
import type { ConfigurationBotFrameworkAuthenticationOptions, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { describeError } from '../logger';
import { failedTurnInvokeResponse } from './loaBot';
import { correlationIdOf, turnLog } from './turnLog';

/** The Bot Framework adapter, authenticating /api/messages unless MicrosoftAppId is empty (local runs). */
export function createAdapter(config: Config, logger: Logger, authOverrides: Partial<ConfigurationBotFrameworkAuthenticationOptions> = {}): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
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
