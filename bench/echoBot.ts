/**
 * The baseline: a bare echo bot on the same stack as the LOA bot (CloudAdapter, the same
 * restify host from bot/server.ts, the same /api/messages path). It echoes messages as text
 * and answers every card action with a small card, doing no work of its own.
 */
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } from 'botbuilder';
import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, TurnContext } from 'botbuilder';
import { createLogger } from '../bot/logger';
import { startBotServer } from '../bot/server';
import { serveParent } from './processProtocol';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.text(`You said: ${context.activity.text ?? ''}`));
      await next();
    });
  }

  protected override onAdaptiveCardInvoke(_context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    return Promise.resolve({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: `You pressed ${invokeValue.action.verb}`, wrap: true }],
      },
    });
  }
}

async function main(): Promise<void> {
  // Empty credentials, as in the LOA bot's local runs: inbound requests are not authenticated.
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' }));
  const logger = createLogger({ level: 'warn', name: 'echo-bot' });
  const server = await startBotServer(0, { adapter, bot: new EchoBot(), logger, drain: () => Promise.resolve() }, '127.0.0.1');
  serveParent(server.url, () => server.close());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
