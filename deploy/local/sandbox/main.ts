/** `npm run sandbox`: the LOA sandbox on its own, configured from the environment (.env included). */
import { loadDotEnv, loadSandboxConfig } from '../../../bot/config';
import { TemplateCatalog } from '../../../bot/domain/templateCatalog';
import { createLogger } from '../../../bot/logger';
import { parseFaultPlan } from './faults';
import { startSandbox } from './sandboxServer';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadSandboxConfig();
  const logger = createLogger({ level: config.logLevel, name: 'loa-sandbox' });
  const faults = config.faults === undefined ? {} : parseFaultPlan(config.faults, 'fault plan in LOA_SANDBOX_FAULTS');
  const sandbox = await startSandbox({
    port: config.port,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    catalog: TemplateCatalog.fromFile(config.templatesFile),
    tokenTtlS: config.tokenTtlS,
    faults,
    logger,
  });
  logger.info({ url: sandbox.url, clientId: config.clientId, tokenTtlS: config.tokenTtlS, faults }, 'LOA sandbox listening');

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
