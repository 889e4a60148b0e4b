/**
 * The only module that reads the environment. It turns process.env (plus .env) into a
 * typed, frozen Config and reports every missing or invalid key at once, with a hint.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';

export type Env = Record<string, string | undefined>;

const DEFAULT_TEMPLATES_FILE = resolve(__dirname, 'domain/loaTemplates.json');

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().optional());
/** A whole number written in decimal digits only: no sign, exponent, hex prefix or surrounding spaces. */
const int = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[0-9]+$/, 'must be a whole number written in decimal digits')
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .default(fallback),
  );
const nodeEnv = z.preprocess(blankToUndefined, z.enum(['development', 'test', 'production']).default('development'));
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;

/** Every key the bot reads, with the hint printed when it is missing or wrong. */
export const CONFIG_KEYS = {
  NODE_ENV: 'development, test or production',
  PORT: 'TCP port for /api/messages and /healthz, 1-65535 (default 3978); 0 picks a free port, with NODE_ENV=test only',
  HOST: 'address to listen on, e.g. 127.0.0.1 or 0.0.0.0 (default 127.0.0.1, loopback only; 0.0.0.0, every interface, in production)',
  HTTP_MAX_IN_FLIGHT: 'requests to /api/messages handled at once, 1-10000; more are answered 503 with Retry-After (default 200)',
  HTTP_HEADERS_TIMEOUT_MS: 'time a client has to send its request headers, 1000-60000 ms (default 10000)',
  HTTP_BODY_TIMEOUT_MS: 'time a client has to send its request body once the headers are in, 1000-60000 ms (default 10000)',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent (default info)',
  MicrosoftAppId: 'the Azure Bot app registration id (a GUID); leave empty for local runs without authentication',
  MicrosoftAppPassword: 'the app registration client secret; required with MicrosoftAppType MultiTenant or SingleTenant',
  MicrosoftAppTenantId: 'the Entra tenant id; required with SingleTenant or UserAssignedMSI',
  MicrosoftAppType: 'the Azure Bot\'s app type, required with MicrosoftAppId: SingleTenant (what Azure creates for a new bot, and what deploy/README.md sets up), UserAssignedMSI, or MultiTenant (only for an Azure Bot created multi-tenant; logs a warning)',
  CertificateThumbprint: 'thumbprint of the bot certificate, instead of MicrosoftAppPassword (with CertificatePrivateKey)',
  CertificatePrivateKey: 'PEM private key of the bot certificate (with CertificateThumbprint; keep it in Key Vault)',
  REP_IDENTITY: 'sso (Teams single sign-on, required with MicrosoftAppId) or roster (local runs only; the default without MicrosoftAppId)',
  SSO_CONNECTION_NAME: 'name of the Azure Bot OAuth connection (Aadv2, token exchange URL api://botid-{appId}); required with REP_IDENTITY=sso',
  SSO_AUTHORITY: 'Entra authority for SSO tokens and their signing keys (default https://login.microsoftonline.com)',
  SSO_ALLOWED_TENANTS: 'comma-separated Entra tenant ids whose reps may use the bot; required with REP_IDENTITY=sso',
  REP_IDENTITY_CACHE_S: 'how long a rep\'s resolved identity is reused before Teams is asked again, 0-3600 s; 0 asks on every turn (default 300)',
  LOA_API_BASE_URL: 'base URL of the LOA API, https in production, e.g. https://api.exchange.se.com/ecostruxure; empty in a local run starts the sandbox',
  LOA_CLIENT_ID: 'the LOA API consumer key',
  LOA_CLIENT_SECRET: 'the LOA API consumer secret (keep it in Key Vault in Azure)',
  LOA_AUTH_MODE: 'impersonate (POST /v1/oauth-impersonate/token with an address) or id_token (POST /v1/oauth/token with an Entra access token for LOA_OBO_SCOPE, which the LOA side must be set up to accept)',
  LOA_IMPERSONATE_AS: 'with LOA_AUTH_MODE=impersonate: upn (the rep\'s sign-in name, the default) or mail (their mailbox address from Microsoft Graph /me, read on their behalf; needs single sign-on)',
  LOA_OBO_SCOPE: 'with LOA_AUTH_MODE=id_token: scope of the Entra access token obtained on the rep\'s behalf and sent to /v1/oauth/token, e.g. api://loa-bridge/.default',
  LOA_HTTP_TIMEOUT_MS: 'timeout of one LOA API call in ms, 100-120000 (default 10000)',
  LOA_MAX_RETRIES: 'retries of a failed LOA API call that is safe to retry, 0-10 (default 3)',
  LOA_TEMPLATES_FILE: 'path of the LOA template catalog JSON (default: the bundled catalog)',
  SEND_ACK_AFTER_MS: 'how long Send waits for the API before showing "Sending…", 200-10000 ms (default 800)',
  STATUS_POLL_FIRST_MS: 'delay before the first status poll of a new agreement in ms; 0 turns polling off (default 60000)',
  STATUS_POLL_MAX_INTERVAL_MS: 'longest gap between two status polls of one agreement in ms (default 3600000)',
  STATUS_POLL_STOP_AFTER_H: 'hours after creation when status polling of an agreement stops (default 720)',
  STATE_STORAGE: 'memory (local runs only, refused in production), blob or cosmos',
  STATE_BLOB_CONNECTION_STRING: 'Azure Storage connection string (e.g. Azurite); or use STATE_BLOB_ACCOUNT_URL with a managed identity',
  STATE_BLOB_ACCOUNT_URL: 'blob endpoint, e.g. https://loastate.blob.core.windows.net, reached with the managed identity',
  STATE_BLOB_CONTAINER: 'blob container for bot state (default botstate)',
  STATE_COSMOS_ENDPOINT: 'Cosmos DB account endpoint, e.g. https://loa.documents.azure.com:443/',
  STATE_COSMOS_KEY: 'Cosmos DB key; empty to use the managed identity',
  STATE_COSMOS_DATABASE: 'Cosmos DB database for bot state (default loabot)',
  STATE_COSMOS_CONTAINER: 'Cosmos DB container for bot state, partitioned on /id (default botstate)',
  AZURE_CLIENT_ID: 'client id of the user-assigned managed identity used for storage (empty: system-assigned or developer credentials)',
  BOT_DOMAIN: 'host name the bot is served from, e.g. loa-bot.azurewebsites.net (for the Teams app package)',
  LOA_SANDBOX_PORT: 'port of `npm run sandbox`, 1-65535 (default 4010); 0 picks a free port, with NODE_ENV=test only',
  LOA_SANDBOX_TOKEN_TTL_S: 'lifetime of sandbox tokens in seconds (default 3600)',
  LOA_SANDBOX_FAULTS: 'JSON fault plan for the sandbox, e.g. {"create":{"latencyMs":2000,"rates":{"503":0.1}}}',
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

const botSchema = z
  .object({
    NODE_ENV: nodeEnv,
    PORT: int(0, 65535, 3978),
    HOST: z.preprocess(blankToUndefined, z.string().refine((h) => isIP(h) !== 0 || HOST_NAME.test(h), 'must be an IP address or a host name').optional()),
    HTTP_MAX_IN_FLIGHT: int(1, 10_000, 200),
    HTTP_HEADERS_TIMEOUT_MS: int(1000, 60_000, 10_000),
    HTTP_BODY_TIMEOUT_MS: int(1000, 60_000, 10_000),
    LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    MicrosoftAppId: optionalString,
    MicrosoftAppPassword: optionalString,
    MicrosoftAppTenantId: optionalString,
    // No default: botbuilder's would be MultiTenant, which Azure no longer creates, and a wrong type fails only at the first reply.
    MicrosoftAppType: z.preprocess(blankToUndefined, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional()),
    CertificateThumbprint: optionalString,
    CertificatePrivateKey: optionalString,
    REP_IDENTITY: z.preprocess(blankToUndefined, z.enum(['sso', 'roster']).optional()),
    SSO_CONNECTION_NAME: optionalString,
    SSO_AUTHORITY: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).default('https://login.microsoftonline.com')),
    SSO_ALLOWED_TENANTS: z.preprocess(
      blankToUndefined,
      z
        .string()
        .transform((s) => s.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))
        .pipe(z.array(z.string().regex(GUID, 'must be tenant GUIDs separated by commas')))
        .optional(),
    ),
    // No longer a key: read only to refuse sso, which relayed the bot's own SSO token.
    LOA_ID_TOKEN_SOURCE: optionalString,
    LOA_IMPERSONATE_AS: z.preprocess(blankToUndefined, z.enum(['upn', 'mail']).default('upn')),
    LOA_OBO_SCOPE: optionalString,
    STATE_STORAGE: z.preprocess(blankToUndefined, z.enum(['memory', 'blob', 'cosmos']).default('memory')),
    STATE_BLOB_CONNECTION_STRING: optionalString,
    STATE_BLOB_ACCOUNT_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    STATE_BLOB_CONTAINER: z.preprocess(blankToUndefined, z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid blob container name').default('botstate')),
    STATE_COSMOS_ENDPOINT: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    STATE_COSMOS_KEY: optionalString,
    STATE_COSMOS_DATABASE: z.preprocess(blankToUndefined, z.string().default('loabot')),
    STATE_COSMOS_CONTAINER: z.preprocess(blankToUndefined, z.string().default('botstate')),
    AZURE_CLIENT_ID: optionalString,
    LOA_API_BASE_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    LOA_CLIENT_ID: optionalString,
    LOA_CLIENT_SECRET: optionalString,
    LOA_AUTH_MODE: z.preprocess(blankToUndefined, z.enum(['impersonate', 'id_token']).default('impersonate')),
    LOA_HTTP_TIMEOUT_MS: int(100, 120_000, 10_000),
    LOA_MAX_RETRIES: int(0, 10, 3),
    LOA_TEMPLATES_FILE: z.preprocess(blankToUndefined, z.string().default(DEFAULT_TEMPLATES_FILE)),
    REP_IDENTITY_CACHE_S: int(0, 3600, 300),
    SEND_ACK_AFTER_MS: int(200, 10_000, 800),
    STATUS_POLL_FIRST_MS: int(0, 86_400_000, 60_000),
    STATUS_POLL_MAX_INTERVAL_MS: int(100, 604_800_000, 3_600_000),
    STATUS_POLL_STOP_AFTER_H: int(1, 8760, 720),
  })
  .superRefine((env, ctx) => {
    const missing = (key: ConfigKey, why: string) => ctx.addIssue({ code: 'custom', path: [key], message: `is required ${why}` });
    const production = env.NODE_ENV === 'production';
    if (env.PORT === 0 && env.NODE_ENV !== 'test') freePortOnlyInTests(ctx, 'PORT');
    if (production && env.STATE_STORAGE === 'memory') {
      ctx.addIssue({ code: 'custom', path: ['STATE_STORAGE'], message: 'cannot be memory in production: drafts and agreement records would be lost on restart and not shared between instances' });
    }
    if (env.STATE_STORAGE === 'blob' && !env.STATE_BLOB_CONNECTION_STRING && !env.STATE_BLOB_ACCOUNT_URL) missing('STATE_BLOB_ACCOUNT_URL', 'with STATE_STORAGE=blob (or STATE_BLOB_CONNECTION_STRING)');
    if (env.STATE_STORAGE === 'cosmos' && !env.STATE_COSMOS_ENDPOINT) missing('STATE_COSMOS_ENDPOINT', 'with STATE_STORAGE=cosmos');
    if (production) {
      if (!env.LOA_API_BASE_URL) missing('LOA_API_BASE_URL', 'in production (the sandbox is for local runs only)');
      if (!env.MicrosoftAppId) missing('MicrosoftAppId', 'in production (inbound authentication must be on)');
      if (env.LOA_API_BASE_URL && !/^https:\/\//i.test(env.LOA_API_BASE_URL)) {
        ctx.addIssue({ code: 'custom', path: ['LOA_API_BASE_URL'], message: 'must be https in production: the client secret and the reps\' tokens travel on it' });
      }
    }
    if (env.LOA_API_BASE_URL) {
      if (!env.LOA_CLIENT_ID) missing('LOA_CLIENT_ID', 'when LOA_API_BASE_URL is set');
      if (!env.LOA_CLIENT_SECRET) missing('LOA_CLIENT_SECRET', 'when LOA_API_BASE_URL is set');
    }
    const certificate = Boolean(env.CertificateThumbprint || env.CertificatePrivateKey);
    if (env.MicrosoftAppId && !env.MicrosoftAppType) missing('MicrosoftAppType', 'with MicrosoftAppId');
    if (env.MicrosoftAppId && env.MicrosoftAppType) {
      if (env.MicrosoftAppType !== 'UserAssignedMSI' && !env.MicrosoftAppPassword && !certificate) missing('MicrosoftAppPassword', `with MicrosoftAppType ${env.MicrosoftAppType} (or a certificate: CertificateThumbprint and CertificatePrivateKey)`);
      if (env.MicrosoftAppType !== 'MultiTenant' && !env.MicrosoftAppTenantId) missing('MicrosoftAppTenantId', `with MicrosoftAppType ${env.MicrosoftAppType}`);
    }
    if (certificate && !env.CertificateThumbprint) missing('CertificateThumbprint', 'with CertificatePrivateKey');
    if (certificate && !env.CertificatePrivateKey) missing('CertificatePrivateKey', 'with CertificateThumbprint');
    const identity = env.REP_IDENTITY ?? (env.MicrosoftAppId ? 'sso' : 'roster');
    if (identity === 'roster' && env.MicrosoftAppId) {
      ctx.addIssue({ code: 'custom', path: ['REP_IDENTITY'], message: 'cannot be roster while MicrosoftAppId is set: the roster identity is for local runs without inbound authentication' });
    }
    if (identity === 'sso') {
      if (!env.SSO_CONNECTION_NAME) missing('SSO_CONNECTION_NAME', 'with single sign-on');
      if (!env.SSO_ALLOWED_TENANTS?.length) missing('SSO_ALLOWED_TENANTS', 'with single sign-on');
      if (!env.MicrosoftAppId) missing('MicrosoftAppId', 'with single sign-on (tokens are issued for api://botid-{appId})');
    }
    if (env.LOA_ID_TOKEN_SOURCE === 'sso') {
      ctx.addIssue({ code: 'custom', path: ['LOA_ID_TOKEN_SOURCE'], message: 'sso is no longer supported: the SSO token is issued to the bot and is never relayed to another service. Remove LOA_ID_TOKEN_SOURCE; LOA_AUTH_MODE=id_token always obtains a token for LOA_OBO_SCOPE on the rep\'s behalf' });
    }
    if (env.LOA_AUTH_MODE === 'id_token' && !env.LOA_OBO_SCOPE) missing('LOA_OBO_SCOPE', 'with LOA_AUTH_MODE=id_token');
    // Both obtain a token on the rep's behalf (on-behalf-of) with their SSO token.
    const onBehalfOf =
      env.LOA_AUTH_MODE === 'id_token' ? { key: 'LOA_AUTH_MODE' as const, value: 'id_token' } : env.LOA_IMPERSONATE_AS === 'mail' ? { key: 'LOA_IMPERSONATE_AS' as const, value: 'mail' } : undefined;
    if (onBehalfOf) {
      const { key, value } = onBehalfOf;
      if (identity !== 'sso') ctx.addIssue({ code: 'custom', path: [key], message: `${value} needs REP_IDENTITY=sso: it obtains a token on the rep's behalf with their SSO token` });
      // Entra ID does on-behalf-of for an app registration proving itself with a secret or a certificate, never for a managed identity.
      if (!env.MicrosoftAppPassword && !certificate) missing('MicrosoftAppPassword', `for the on-behalf-of exchange (${key}=${value}), or a certificate: CertificateThumbprint and CertificatePrivateKey`);
    }
  });

/** Port 0 lets the OS pick a free port: right for tests, which read the URL back, and a surprise anywhere else. */
function freePortOnlyInTests(ctx: z.RefinementCtx, key: ConfigKey): void {
  ctx.addIssue({ code: 'custom', path: [key], message: 'can be 0 only with NODE_ENV=test' });
}

const sandboxSchema = z
  .object({
    NODE_ENV: nodeEnv,
    LOA_SANDBOX_PORT: int(0, 65535, 4010),
    LOA_SANDBOX_TOKEN_TTL_S: int(1, 86_400, 3600),
    LOA_SANDBOX_FAULTS: z.preprocess(blankToUndefined, z.string().optional()).transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    }),
    LOA_CLIENT_ID: z.preprocess(blankToUndefined, z.string().default('local-loa-client')),
    LOA_CLIENT_SECRET: z.preprocess(blankToUndefined, z.string().default('local-loa-secret')),
    LOA_TEMPLATES_FILE: z.preprocess(blankToUndefined, z.string().default(DEFAULT_TEMPLATES_FILE)),
    LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  })
  .superRefine((env, ctx) => {
    if (env.LOA_SANDBOX_PORT === 0 && env.NODE_ENV !== 'test') freePortOnlyInTests(ctx, 'LOA_SANDBOX_PORT');
  });

export interface Config {
  readonly environment: 'development' | 'test' | 'production';
  readonly port: number;
  /** The address /api/messages listens on: loopback unless production. */
  readonly host: string;
  /** Limits on what one client can hold of the HTTP server. */
  readonly http: {
    readonly maxInFlight: number;
    readonly headersTimeoutMs: number;
    readonly bodyTimeoutMs: number;
  };
  readonly logLevel: string;
  readonly bot: {
    readonly appId: string;
    readonly appPassword: string;
    readonly appTenantId: string;
    /** Undefined without an app id: nothing is authenticated, so there is no app type. */
    readonly appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI' | undefined;
    readonly certificateThumbprint: string | undefined;
    readonly certificatePrivateKey: string | undefined;
  };
  /** How the bot learns who a rep is. */
  readonly identity:
    | { readonly mode: 'roster' }
    | { readonly mode: 'sso'; readonly connectionName: string; readonly authority: string; readonly allowedTenants: readonly string[] };
  /** How long a resolved identity is reused, in ms; 0: never. With SSO, never past the token's expiry. */
  readonly identityCacheMs: number;
  readonly loa: {
    /** Undefined in a local run: the composition root starts the sandbox. */
    readonly baseUrl: string | undefined;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    /** impersonate: an address goes to /v1/oauth-impersonate/token; id_token: an Entra access token for oboScope goes to /v1/oauth/token. */
    readonly authMode: 'impersonate' | 'id_token';
    /** With impersonate: the rep's sign-in name, or their mailbox address from Microsoft Graph. */
    readonly impersonateAs: 'upn' | 'mail';
    readonly oboScope: string | undefined;
    readonly timeoutMs: number;
    readonly maxRetries: number;
    readonly templatesFile: string;
  };
  readonly sendAckAfterMs: number;
  /** Where drafts, submissions and agreement records live. */
  readonly storage:
    | { readonly kind: 'memory' }
    | { readonly kind: 'blob'; readonly connectionString: string | undefined; readonly accountUrl: string | undefined; readonly container: string; readonly managedIdentityClientId: string | undefined }
    | { readonly kind: 'cosmos'; readonly endpoint: string; readonly key: string | undefined; readonly database: string; readonly container: string; readonly managedIdentityClientId: string | undefined };
  readonly statusPolling: {
    /** 0: off. */
    readonly firstPollMs: number;
    readonly maxIntervalMs: number;
    readonly stopAfterMs: number;
  };
  /** Settings the bot accepts but an operator should change; the composition root logs each at startup. */
  readonly warnings: readonly string[];
}

/** Logged at startup with MicrosoftAppType=MultiTenant, which is accepted only when set explicitly. */
export const MULTI_TENANT_WARNING =
  'MicrosoftAppType is MultiTenant: Azure no longer creates multi-tenant bots, and with a single-tenant Azure Bot every reply and token call of this bot fails. Keep it only for an Azure Bot created multi-tenant; otherwise set SingleTenant and MicrosoftAppTenantId.';

/** What `npm run package` needs to fill in the Teams app manifest. */
export interface PackagingConfig {
  readonly appId: string;
  readonly domain: string;
}

const packagingSchema = z.object({
  MicrosoftAppId: z.preprocess(blankToUndefined, z.string({ error: 'is required to build the Teams app package' }).regex(GUID, 'must be a GUID')),
  BOT_DOMAIN: z.preprocess(
    blankToUndefined,
    z.string({ error: 'is required to build the Teams app package' }).regex(/^(?!https?:\/\/)[a-z0-9.-]+(:[0-9]+)?$/i, 'must be a host name without https:// or a path'),
  ),
});

export function loadPackagingConfig(env: Env = process.env): PackagingConfig {
  const parsed = packagingSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error));
  return deepFreeze<PackagingConfig>({ appId: parsed.data.MicrosoftAppId, domain: parsed.data.BOT_DOMAIN });
}

export interface SandboxConfig {
  readonly port: number;
  readonly tokenTtlS: number;
  readonly faults: unknown;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly templatesFile: string;
  readonly logLevel: string;
}

/** Thrown at startup with every configuration problem listed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const hint = (CONFIG_KEYS as Record<string, string>)[key];
    const message = issue.code === 'custom' || issue.message.startsWith('is ') || issue.message.startsWith('must ') ? issue.message : 'is invalid';
    return `${key} ${message}${hint ? ` (expected ${hint})` : ''}`;
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Reads .env (without overriding real environment variables) into `env`. */
export function loadDotEnv(env: Env = process.env): void {
  dotenv.config({ processEnv: env, quiet: true });
}

/**
 * Settings whose value is still an App Service Key Vault reference: App Service could not
 * resolve it and passed the reference text on, so the bot would start and then fail with 401s.
 */
export function keyVaultReferences(env: Env = process.env): ConfigKey[] {
  return (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter((key) => /^\s*@Microsoft\.KeyVault\(/i.test(env[key] ?? ''));
}

export function loadConfig(env: Env = process.env): Config {
  const parsed = botSchema.safeParse(env);
  const unresolved = keyVaultReferences(env).map(
    (key) => `${key} is still a Key Vault reference: App Service could not read the secret (grant the web app's identity 'Key Vault Secrets User' on the vault and check the secret exists)`,
  );
  if (!parsed.success || unresolved.length > 0) throw new ConfigError([...unresolved, ...(parsed.success ? [] : problemsOf(parsed.error))]);
  const e = parsed.data;
  return deepFreeze<Config>({
    environment: e.NODE_ENV,
    port: e.PORT,
    // App Service forwards to the container from outside it; a local run without authentication stays on loopback.
    host: e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    http: { maxInFlight: e.HTTP_MAX_IN_FLIGHT, headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS, bodyTimeoutMs: e.HTTP_BODY_TIMEOUT_MS },
    logLevel: e.LOG_LEVEL,
    bot: {
      appId: e.MicrosoftAppId ?? '',
      appPassword: e.MicrosoftAppPassword ?? '',
      appTenantId: e.MicrosoftAppTenantId ?? '',
      appType: e.MicrosoftAppId ? e.MicrosoftAppType : undefined,
      certificateThumbprint: e.CertificateThumbprint,
      certificatePrivateKey: e.CertificatePrivateKey,
    },
    identity:
      (e.REP_IDENTITY ?? (e.MicrosoftAppId ? 'sso' : 'roster')) === 'sso'
        ? { mode: 'sso', connectionName: e.SSO_CONNECTION_NAME ?? '', authority: e.SSO_AUTHORITY.replace(/\/+$/, ''), allowedTenants: e.SSO_ALLOWED_TENANTS ?? [] }
        : { mode: 'roster' },
    identityCacheMs: e.REP_IDENTITY_CACHE_S * 1000,
    loa: {
      baseUrl: e.LOA_API_BASE_URL?.replace(/\/+$/, ''),
      clientId: e.LOA_CLIENT_ID,
      clientSecret: e.LOA_CLIENT_SECRET,
      authMode: e.LOA_AUTH_MODE,
      impersonateAs: e.LOA_IMPERSONATE_AS,
      oboScope: e.LOA_OBO_SCOPE,
      timeoutMs: e.LOA_HTTP_TIMEOUT_MS,
      maxRetries: e.LOA_MAX_RETRIES,
      templatesFile: e.LOA_TEMPLATES_FILE,
    },
    sendAckAfterMs: e.SEND_ACK_AFTER_MS,
    storage:
      e.STATE_STORAGE === 'blob'
        ? { kind: 'blob', connectionString: e.STATE_BLOB_CONNECTION_STRING, accountUrl: e.STATE_BLOB_ACCOUNT_URL, container: e.STATE_BLOB_CONTAINER, managedIdentityClientId: e.AZURE_CLIENT_ID }
        : e.STATE_STORAGE === 'cosmos'
          ? { kind: 'cosmos', endpoint: e.STATE_COSMOS_ENDPOINT ?? '', key: e.STATE_COSMOS_KEY, database: e.STATE_COSMOS_DATABASE, container: e.STATE_COSMOS_CONTAINER, managedIdentityClientId: e.AZURE_CLIENT_ID }
          : { kind: 'memory' },
    statusPolling: {
      firstPollMs: e.STATUS_POLL_FIRST_MS,
      maxIntervalMs: e.STATUS_POLL_MAX_INTERVAL_MS,
      stopAfterMs: e.STATUS_POLL_STOP_AFTER_H * 3_600_000,
    },
    warnings: e.MicrosoftAppId && e.MicrosoftAppType === 'MultiTenant' ? [MULTI_TENANT_WARNING] : [],
  });
}

export function loadSandboxConfig(env: Env = process.env): SandboxConfig {
  const parsed = sandboxSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error));
  const e = parsed.data;
  return deepFreeze<SandboxConfig>({
    port: e.LOA_SANDBOX_PORT,
    tokenTtlS: e.LOA_SANDBOX_TOKEN_TTL_S,
    faults: e.LOA_SANDBOX_FAULTS,
    clientId: e.LOA_CLIENT_ID,
    clientSecret: e.LOA_CLIENT_SECRET,
    templatesFile: e.LOA_TEMPLATES_FILE,
    logLevel: e.LOG_LEVEL,
  });
}
