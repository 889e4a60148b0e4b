/** The bot's config: the environment (plus .env) checked once, at startup, into a typed, frozen Config. */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Env } from './configSchema';
import { ConfigError, GUID, deepFreeze, freePortOnlyInTests, hintsOf, int, optionalString, problemsOf, setting, sharedFields } from './configSchema';
import { packagingFields } from './packagingConfig';
import { sandboxFields } from './sandboxConfig';

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;

/** Every key the bot reads; `.describe()` holds the hint printed when it is missing or wrong. */
export const botFields = {
  NODE_ENV: sharedFields.NODE_ENV,
  PORT: int(0, 65535, 3978).describe('TCP port for /api/messages and /healthz, 1-65535 (default 3978); 0 picks a free port, with NODE_ENV=test only'),
  HOST: setting(z.string().refine((h) => isIP(h) !== 0 || HOST_NAME.test(h), 'must be an IP address or a host name').optional()).describe('address to listen on, e.g. 127.0.0.1 or 0.0.0.0 (default 127.0.0.1, loopback only; 0.0.0.0, every interface, in production)'),
  HTTP_MAX_IN_FLIGHT: int(1, 10_000, 200).describe('requests to /api/messages handled at once, 1-10000; more are answered 503 with Retry-After (default 200)'),
  HTTP_HEADERS_TIMEOUT_MS: int(1000, 60_000, 10_000).describe('time a client has to send its request headers, 1000-60000 ms (default 10000)'),
  HTTP_BODY_TIMEOUT_MS: int(1000, 60_000, 10_000).describe('time a client has to send its request body once the headers are in, 1000-60000 ms (default 10000)'),
  LOG_LEVEL: sharedFields.LOG_LEVEL,
  MicrosoftAppId: optionalString.describe('the Azure Bot app registration id (a GUID); leave empty for local runs without authentication'),
  MicrosoftAppPassword: optionalString.describe('the app registration client secret; required with MicrosoftAppType MultiTenant or SingleTenant'),
  MicrosoftAppTenantId: optionalString.describe('the Entra tenant id; required with SingleTenant or UserAssignedMSI'),
  // No default: botbuilder's would be MultiTenant, which Azure no longer creates, and a wrong type fails only at the first reply.
  MicrosoftAppType: setting(z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional()).describe('the Azure Bot\'s app type, required with MicrosoftAppId: SingleTenant (what Azure creates for a new bot, and what deploy/README.md sets up), UserAssignedMSI, or MultiTenant (only for an Azure Bot created multi-tenant; logs a warning)'),
  CertificateThumbprint: optionalString.describe('thumbprint of the bot certificate, instead of MicrosoftAppPassword (with CertificatePrivateKey)'),
  CertificatePrivateKey: optionalString.describe('PEM private key of the bot certificate (with CertificateThumbprint; keep it in Key Vault)'),
  REP_IDENTITY: setting(z.enum(['sso', 'roster']).optional()).describe('sso (Teams single sign-on, required with MicrosoftAppId) or roster (local runs only; the default without MicrosoftAppId)'),
  SSO_CONNECTION_NAME: optionalString.describe('name of the Azure Bot OAuth connection (Aadv2, token exchange URL api://botid-{appId}); required with REP_IDENTITY=sso'),
  SSO_AUTHORITY: setting(z.url({ protocol: /^https?$/ }).default('https://login.microsoftonline.com')).describe('Entra authority for SSO tokens and their signing keys (default https://login.microsoftonline.com)'),
  SSO_ALLOWED_TENANTS: setting(
    z
      .string()
      .transform((s) => s.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))
      .pipe(z.array(z.string().regex(GUID, 'must be tenant GUIDs separated by commas')))
      .optional(),
  ).describe('comma-separated Entra tenant ids whose reps may use the bot; required with REP_IDENTITY=sso'),
  // No longer a key: read only to refuse sso, which relayed the bot's own SSO token.
  LOA_ID_TOKEN_SOURCE: optionalString,
  LOA_IMPERSONATE_AS: setting(z.enum(['upn', 'mail']).default('upn')).describe('with LOA_AUTH_MODE=impersonate: upn (the rep\'s sign-in name, the default) or mail (their mailbox address from Microsoft Graph /me, read on their behalf; needs single sign-on)'),
  LOA_OBO_SCOPE: optionalString.describe('with LOA_AUTH_MODE=id_token: scope of the Entra access token obtained on the rep\'s behalf and sent to /v1/oauth/token, e.g. api://loa-bridge/.default'),
  STATE_STORAGE: setting(z.enum(['memory', 'blob', 'cosmos']).default('memory')).describe('memory (local runs only, refused in production), blob or cosmos'),
  STATE_BLOB_CONNECTION_STRING: optionalString.describe('Azure Storage connection string (e.g. Azurite); or use STATE_BLOB_ACCOUNT_URL with a managed identity'),
  STATE_BLOB_ACCOUNT_URL: setting(z.url({ protocol: /^https?$/ }).optional()).describe('blob endpoint, e.g. https://loastate.blob.core.windows.net, reached with the managed identity'),
  STATE_BLOB_CONTAINER: setting(z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid blob container name').default('botstate')).describe('blob container for bot state (default botstate)'),
  STATE_COSMOS_ENDPOINT: setting(z.url({ protocol: /^https?$/ }).optional()).describe('Cosmos DB account endpoint, e.g. https://loa.documents.azure.com:443/'),
  STATE_COSMOS_KEY: optionalString.describe('Cosmos DB key; empty to use the managed identity'),
  STATE_COSMOS_DATABASE: setting(z.string().default('loabot')).describe('Cosmos DB database for bot state (default loabot)'),
  STATE_COSMOS_CONTAINER: setting(z.string().default('botstate')).describe('Cosmos DB container for bot state, partitioned on /id (default botstate)'),
  AZURE_CLIENT_ID: optionalString.describe('client id of the user-assigned managed identity used for storage (empty: system-assigned or developer credentials)'),
  LOA_API_BASE_URL: setting(z.url({ protocol: /^https?$/ }).optional()).describe('base URL of the LOA API, https in production, e.g. https://api.exchange.se.com/ecostruxure; empty in a local run starts the sandbox'),
  LOA_CLIENT_ID: optionalString.describe('the LOA API consumer key'),
  LOA_CLIENT_SECRET: optionalString.describe('the LOA API consumer secret (keep it in Key Vault in Azure)'),
  LOA_AUTH_MODE: setting(z.enum(['impersonate', 'id_token']).default('impersonate')).describe('impersonate (POST /v1/oauth-impersonate/token with an address) or id_token (POST /v1/oauth/token with an Entra access token for LOA_OBO_SCOPE, which the LOA side must be set up to accept)'),
  LOA_HTTP_TIMEOUT_MS: int(100, 120_000, 10_000).describe('timeout of one LOA API call in ms, 100-120000 (default 10000)'),
  LOA_MAX_RETRIES: int(0, 10, 3).describe('retries of a failed LOA API call that is safe to retry, 0-10 (default 3)'),
  LOA_TEMPLATES_FILE: sharedFields.LOA_TEMPLATES_FILE,
  REP_IDENTITY_CACHE_S: int(0, 3600, 300).describe('how long a rep\'s resolved identity is reused before Teams is asked again, 0-3600 s; 0 asks on every turn (default 300)'),
  SEND_ACK_AFTER_MS: int(200, 10_000, 800).describe('how long Send waits for the API before showing "Sending…", 200-10000 ms (default 800)'),
  STATUS_POLL_FIRST_MS: int(0, 86_400_000, 60_000).describe('delay before the first status poll of a new agreement in ms; 0 turns polling off (default 60000)'),
  STATUS_POLL_MAX_INTERVAL_MS: int(100, 604_800_000, 3_600_000).describe('longest gap between two status polls of one agreement in ms (default 3600000)'),
  STATUS_POLL_STOP_AFTER_H: int(1, 8760, 720).describe('hours after creation when status polling of an agreement stops (default 720)'),
};

/**
 * Every key the bot, the sandbox and the app package read, with its hint: what .env.sample, the
 * README's configuration table and the Bicep's app settings are checked against. Where two
 * configs read a key, the bot's hint is the one shown here.
 */
export const CONFIG_KEYS = hintsOf(botFields, packagingFields, sandboxFields) as Readonly<Record<ConfigKey, string>>;

/** A key that one of the configs reads. LOA_ID_TOKEN_SOURCE is read only to be refused, so it is none. */
export type ConfigKey = Exclude<keyof typeof botFields | keyof typeof sandboxFields | keyof typeof packagingFields, 'LOA_ID_TOKEN_SOURCE'>;

/** Without REP_IDENTITY: single sign-on once inbound authentication is on, the Teams roster in a local run. */
function repIdentityOf(env: { REP_IDENTITY?: 'sso' | 'roster' | undefined; MicrosoftAppId?: string | undefined }): 'sso' | 'roster' {
  return env.REP_IDENTITY ?? (env.MicrosoftAppId ? 'sso' : 'roster');
}

const botSchema = z
  .object(botFields)
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
    const identity = repIdentityOf(env);
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

/**
 * Settings whose value is still an App Service Key Vault reference: App Service could not
 * resolve it and passed the reference text on, so the bot would start and then fail with 401s.
 */
export function keyVaultReferences(env: Env = process.env): ConfigKey[] {
  return (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter((key) => /^\s*@Microsoft\.KeyVault\(/i.test(env[key] ?? ''));
}

/** The bot's Config; throws a ConfigError listing every problem, unresolved Key Vault references first. */
export function loadConfig(env: Env = process.env): Config {
  const parsed = botSchema.safeParse(env);
  const unresolved = keyVaultReferences(env).map(
    (key) => `${key} is still a Key Vault reference: App Service could not read the secret (grant the web app's identity 'Key Vault Secrets User' on the vault and check the secret exists)`,
  );
  if (!parsed.success || unresolved.length > 0) throw new ConfigError([...unresolved, ...(parsed.success ? [] : problemsOf(parsed.error, botFields))]);
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
      repIdentityOf(e) === 'sso'
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
