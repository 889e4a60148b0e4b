/**
 * The LOA bot as `npm start` runs it (startBot with the config read from this process's
 * environment, which the runner sets explicitly), plus the bench's stats channel.
 */
import { loadConfig } from '../bot/config';
import { startBot } from '../bot/index';
import { requestsThroughCreateAdapter } from '../bot/teams/adapter';
import { serveParent } from './processProtocol';

async function main(): Promise<void> {
  const bot = await startBot(loadConfig(), { host: '127.0.0.1' });
  serveParent(bot.url, () => bot.close(), requestsThroughCreateAdapter);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
