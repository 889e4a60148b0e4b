/** The LOA sandbox in a process of its own, configured like `npm run sandbox`, plus the bench's stats channel. */
import { loadSandboxConfig } from '../bot/config';
import { TemplateCatalog } from '../bot/domain/templateCatalog';
import { createLogger } from '../bot/logger';
import { startSandbox } from '../deploy/local/sandbox/sandboxServer';
import { serveParent } from './processProtocol';

async function main(): Promise<void> {
  const config = loadSandboxConfig();
  const sandbox = await startSandbox({
    port: config.port,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    catalog: TemplateCatalog.fromFile(config.templatesFile),
    tokenTtlS: config.tokenTtlS,
    logger: createLogger({ level: config.logLevel, name: 'loa-sandbox' }),
  });
  serveParent(sandbox.url, () => sandbox.close());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
