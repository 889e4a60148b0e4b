/** `npm run sandbox`: the LOA sandbox on its own, configured from the environment (.env included). */
import { loadDotEnv, loadSandboxConfig } from '../../../bot/config';
import { createLogger } from '../../../bot/logger';
import { startLocalLoaApi } from './localLoaApi';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadSandboxConfig();
  const logger = createLogger({ level: config.logLevel, name: 'loa-sandbox' });
  const sandbox = await startLocalLoaApi({ config, logger });
  logger.info({ url: sandbox.url, clientId: sandbox.clientId, tokenTtlS: config.tokenTtlS, faults: config.faults ?? {} }, 'LOA sandbox listening');

  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'LOA sandbox stopping');
    sandbox.close().then(
      () => logger.info('LOA sandbox stopped'),
      (err: unknown) => {
        logger.error({ err }, 'LOA sandbox did not stop cleanly');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  // Config and catalog errors already list every problem; print them as they are.
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
