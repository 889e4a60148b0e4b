/**
 * The one way to start the local LOA API: `npm start` (in-process, when LOA_API_BASE_URL is
 * empty), `npm run sandbox`, `npm run dev` and the tests all start the sandbox through here, so
 * they share one set of defaults: the sandbox config's (bot/config/sandboxConfig.ts).
 */
import { loadSandboxConfig } from '../../../bot/config';
import type { SandboxConfig } from '../../../bot/config';
import { TemplateCatalog } from '../../../bot/domain/templateCatalog';
import { parseFaultPlan } from './faults';
import { startSandbox } from './sandboxServer';
import type { RunningSandbox, SandboxOptions } from './sandboxServer';

export interface LocalLoaApiOptions extends Partial<SandboxOptions> {
  /** Settings from the environment (loadSandboxConfig); without them, their defaults. The other options win over them. */
  config?: SandboxConfig;
}

export interface LocalLoaApi {
  readonly sandbox: RunningSandbox;
  /** e.g. http://127.0.0.1:4010, without a trailing slash. */
  readonly url: string;
  /** The credentials the sandbox accepts: the bot's LOA_CLIENT_ID and LOA_CLIENT_SECRET. */
  readonly clientId: string;
  readonly clientSecret: string;
  close(): Promise<void>;
}

/** Starts the LOA sandbox with the given options, the rest taken from `config` or its defaults. */
export async function startLocalLoaApi(options: LocalLoaApiOptions = {}): Promise<LocalLoaApi> {
  const { config = loadSandboxConfig({}), ...given } = options;
  const sandboxOptions: SandboxOptions = {
    ...given,
    port: given.port ?? config.port,
    clientId: given.clientId ?? config.clientId,
    clientSecret: given.clientSecret ?? config.clientSecret,
    catalog: given.catalog ?? TemplateCatalog.fromFile(config.templatesFile),
    tokenTtlS: given.tokenTtlS ?? config.tokenTtlS,
    faults: given.faults ?? (config.faults === undefined ? {} : parseFaultPlan(config.faults, 'fault plan in LOA_SANDBOX_FAULTS')),
  };
  const sandbox = await startSandbox(sandboxOptions);
  return { sandbox, url: sandbox.url, clientId: sandboxOptions.clientId, clientSecret: sandboxOptions.clientSecret, close: () => sandbox.close() };
}
