/** The LOA sandbox in a process of its own, started like `npm run sandbox`, plus the bench's stats channel. */
import { loadSandboxConfig } from '../bot/config';
import { createLogger } from '../bot/logger';
import { startLocalLoaApi } from '../deploy/local/sandbox/localLoaApi';
import { serveParent } from './processProtocol';

async function main(): Promise<void> {
  const config = loadSandboxConfig();
  // The bench measures the bot against a sandbox that answers: LOA_SANDBOX_FAULTS does not apply here.
  const local = await startLocalLoaApi({ config, faults: {}, logger: createLogger({ level: config.logLevel, name: 'loa-sandbox' }) });
  serveParent(local.url, () => local.close());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
