/**
 * The only modules that read the environment: one config per program that runs (the bot, the
 * LOA sandbox, the app packaging), each a zod schema whose fields carry their own hints.
 */
export type { Env } from './configSchema';
export { ConfigError, loadDotEnv } from './configSchema';
export type { Config, ConfigKey } from './botConfig';
export { CONFIG_KEYS, MULTI_TENANT_WARNING, keyVaultReferences, loadConfig } from './botConfig';
export type { SandboxConfig } from './sandboxConfig';
export { loadSandboxConfig } from './sandboxConfig';
export type { PackagingConfig } from './packagingConfig';
export { loadPackagingConfig } from './packagingConfig';
