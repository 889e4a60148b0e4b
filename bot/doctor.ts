/**
 * The preflight check operators run after a deployment (`npm run doctor`, or
 * `node dist/bot/doctor.js --as <email>` in App Service): it checks the configuration it is
 * given against the live services, each with a plain pass or fail and a hint. It prints no
 * secret: only setting names, hosts and outcomes.
 */
import { randomUUID } from 'node:crypto';
import { ManagedIdentityCredential } from '@azure/identity';
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import { SignJWT, importPKCS8 } from 'jose';
import { ConfigError, keyVaultReferences, loadConfig, loadDotEnv } from './config';
import type { Config, Env } from './config';
import { createLogger } from './logger';
import { loaFailureOf } from './domain/loaService';
import { LoaApiError } from './loa/loaApiError';
import { LoaClient } from './loa/loaClient';
import { createStateStorage } from './teams/stateStorage';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found, in an operator's words; never a secret. */
  readonly detail: string;
  /** What to do about a failure. */
  readonly hint?: string;
}

/** Where the Bot Framework and Entra ID live; tests point these at local fakes. */
export interface DoctorEndpoints {
  /** OpenID configuration of the Bot Framework channel's token issuer. */
  channelOpenIdMetadataUrl: string;
  /** Entra ID, where the bot gets its own token. */
  loginUrl: string;
  /** The Bot Framework token service (OAuth connections). */
  tokenServiceUrl: string;
  /** The scope of the bot's own token. */
  botScope: string;
}

export const PUBLIC_CLOUD: DoctorEndpoints = {
  channelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  loginUrl: 'https://login.microsoftonline.com',
  tokenServiceUrl: 'https://api.botframework.com',
  botScope: 'https://api.botframework.com/.default',
};

export interface DoctorOptions {
  /** The settings to check; the process environment (and .env) by default. */
  env?: Env;
  /** The sign-in name to ask an LOA token for, e.g. a test account the LOA team set up. */
  loaTestIdentity?: string;
  endpoints?: DoctorEndpoints;
  http?: AxiosInstance;
  timeoutMs?: number;
}

const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail });
const fail = (name: string, detail: string, hint: string): CheckResult => ({ name, status: 'fail', detail, hint });
const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

/** Runs every check, in order; a check that needs an earlier one's result is skipped when that failed. */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const endpoints = options.endpoints ?? PUBLIC_CLOUD;
  const http = options.http ?? axios.create({ timeout: options.timeoutMs ?? 10_000, validateStatus: () => true, maxRedirects: 0 });
  const results: CheckResult[] = [];

  const references = keyVaultReferences(options.env);
  results.push(
    references.length === 0
      ? pass('Key Vault references', 'no setting is an unresolved @Microsoft.KeyVault(...) reference')
      : fail('Key Vault references', `still unresolved: ${references.join(', ')}`, "grant the web app's managed identity 'Key Vault Secrets User' on the vault, check each secret exists, then restart the app"),
  );

  let config: Config;
  try {
    config = loadConfig(options.env);
    results.push(pass('configuration', ['every setting is valid', ...config.warnings.map((w) => `warning: ${w}`)].join('; ')));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    results.push(fail('configuration', err.problems.join('; '), 'fix the settings listed; the bot refuses to start until then'));
    return results;
  }

  results.push(await checkChannelKeys(http, endpoints));
  if (config.identity.mode === 'sso') results.push(await checkSsoKeys(http, config.identity.authority));
  const botToken = config.bot.appId ? await getBotToken(http, endpoints, config) : undefined;
  if (!botToken) results.push(skip('bot credentials', 'MicrosoftAppId is empty: inbound requests are not authenticated (local runs only)'));
  else results.push(botToken.result);
  if (config.identity.mode === 'sso') {
    results.push(botToken?.token ? await checkSsoConnection(http, endpoints, config, botToken.token) : skip('SSO connection', 'needs the bot credentials to pass first'));
  }
  results.push(await checkLoaToken(config, options.loaTestIdentity, options.timeoutMs ?? 10_000));
  results.push(await checkStateStorage(config));
  return results;
}

async function getJson(http: AxiosInstance, url: string): Promise<{ status: number; body: unknown }> {
  const res = await http.get<unknown>(url);
  return { status: res.status, body: res.data };
}

async function checkChannelKeys(http: AxiosInstance, endpoints: DoctorEndpoints): Promise<CheckResult> {
  const name = 'channel signing keys';
  const hint = `the bot must reach ${new URL(endpoints.channelOpenIdMetadataUrl).host} to check that requests come from Teams: check outbound network rules`;
  try {
    const metadata = await getJson(http, endpoints.channelOpenIdMetadataUrl);
    const jwksUri = (metadata.body as { jwks_uri?: unknown } | undefined)?.jwks_uri;
    if (metadata.status !== 200 || typeof jwksUri !== 'string') return fail(name, `the OpenID configuration answered ${metadata.status} without a jwks_uri`, hint);
    const count = await keyCount(http, jwksUri);
    return count > 0 ? pass(name, `${count} signing key${count === 1 ? '' : 's'} published at ${new URL(jwksUri).host}`) : fail(name, `no signing keys at ${jwksUri}`, hint);
  } catch (err) {
    return fail(name, `unreachable: ${networkReason(err)}`, hint);
  }
}

async function checkSsoKeys(http: AxiosInstance, authority: string): Promise<CheckResult> {
  const name = 'SSO signing keys';
  const url = `${authority}/common/discovery/v2.0/keys`;
  const hint = `the bot validates reps' SSO tokens with these keys: check SSO_AUTHORITY and outbound access to ${new URL(authority).host}`;
  try {
    const count = await keyCount(http, url);
    return count > 0 ? pass(name, `${count} signing key${count === 1 ? '' : 's'} published at ${new URL(url).host}`) : fail(name, `no signing keys at ${url}`, hint);
  } catch (err) {
    return fail(name, `unreachable: ${networkReason(err)}`, hint);
  }
}

async function keyCount(http: AxiosInstance, url: string): Promise<number> {
  const { status, body } = await getJson(http, url);
  const keys = (body as { keys?: unknown } | undefined)?.keys;
  return status === 200 && Array.isArray(keys) ? keys.length : 0;
}

/** The bot's own Bot Framework token, obtained as botbuilder would: client credentials with a secret, a certificate or the managed identity. */
async function getBotToken(http: AxiosInstance, endpoints: DoctorEndpoints, config: Config): Promise<{ result: CheckResult; token?: string }> {
  const name = 'bot credentials';
  const { appId, appType, appTenantId, appPassword, certificatePrivateKey, certificateThumbprint } = config.bot;
  if (appType === 'UserAssignedMSI') {
    try {
      const token = await new ManagedIdentityCredential({ clientId: appId }).getToken(endpoints.botScope);
      return { result: pass(name, 'the managed identity obtained a Bot Framework token'), token: token.token };
    } catch (err) {
      return { result: fail(name, `the managed identity got no token: ${err instanceof Error ? err.name : 'error'}`, 'assign the user-assigned identity to the web app and check MicrosoftAppId is its client id') };
    }
  }
  const tenant = appType === 'SingleTenant' ? appTenantId : 'botframework.com';
  const tokenUrl = `${endpoints.loginUrl}/${tenant}/oauth2/v2.0/token`;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: appId, scope: endpoints.botScope });
  if (certificatePrivateKey && certificateThumbprint) {
    form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.set('client_assertion', await clientAssertion(appId, tokenUrl, certificatePrivateKey, certificateThumbprint));
  } else {
    form.set('client_secret', appPassword);
  }
  try {
    const res = await http.post<{ access_token?: string; error?: string }>(tokenUrl, form.toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    if (res.status === 200 && res.data.access_token) return { result: pass(name, `app ${appId} (${appType}) obtained a Bot Framework token from tenant ${tenant}`), token: res.data.access_token };
    const error = typeof res.data.error === 'string' ? res.data.error : `HTTP ${res.status}`;
    return {
      result: fail(name, `Entra ID refused app ${appId} in tenant ${tenant}: ${error}`, `check MicrosoftAppId, MicrosoftAppType (${appType}) and MicrosoftAppTenantId, and that the secret or certificate is current (MicrosoftAppPassword or CertificatePrivateKey)`),
    };
  } catch (err) {
    return { result: fail(name, `Entra ID unreachable: ${networkReason(err)}`, `check outbound access to ${new URL(endpoints.loginUrl).host}`) };
  }
}

/** A client assertion signed with the bot certificate, as Entra ID takes one (RFC 7523, x5t of the thumbprint). */
async function clientAssertion(appId: string, audience: string, privateKeyPem: string, thumbprintHex: string): Promise<string> {
  const key = await importPKCS8(privateKeyPem, 'RS256');
  const x5t = Buffer.from(thumbprintHex.replace(/[^0-9a-f]/gi, ''), 'hex').toString('base64url');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t })
    .setIssuer(appId)
    .setSubject(appId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime('10m')
    .sign(key);
}

/** Asks the token service for the connection's sign-in resource, as OAuthPrompt does before the first sign-in. */
async function checkSsoConnection(http: AxiosInstance, endpoints: DoctorEndpoints, config: Config, botToken: string): Promise<CheckResult> {
  const name = 'SSO connection';
  const identity = config.identity;
  if (identity.mode !== 'sso') return skip(name, 'single sign-on is off');
  // The token exchange state botbuilder's UserTokenClient sends, for a probe conversation.
  const conversation = { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/teams/', conversation: { id: 'doctor' }, user: { id: 'doctor' }, bot: { id: `28:${config.bot.appId}` } };
  const state = Buffer.from(JSON.stringify({ connectionName: identity.connectionName, conversation, msAppId: config.bot.appId })).toString('base64');
  try {
    const res = await http.get<{ signInLink?: string; tokenExchangeResource?: { uri?: string } }>(`${endpoints.tokenServiceUrl}/api/botsignin/GetSignInResource`, {
      params: { state },
      headers: { Authorization: `Bearer ${botToken}` },
    });
    if (res.status !== 200) {
      return fail(name, `connection ${identity.connectionName} refused (HTTP ${res.status})`, 'check SSO_CONNECTION_NAME matches an OAuth connection on the Azure Bot, then run its Test connection');
    }
    if (res.data.signInLink) {
      const exchange = res.data.tokenExchangeResource?.uri;
      return pass(name, `connection ${identity.connectionName} answers${exchange ? `; token exchange resource ${exchange}` : ''}`);
    }
    return fail(name, `connection ${identity.connectionName} gave no sign-in link`, 'in the Azure Bot, open Configuration > OAuth Connection Settings and run Test connection');
  } catch (err) {
    return fail(name, `the token service is unreachable: ${networkReason(err)}`, `check outbound access to ${new URL(endpoints.tokenServiceUrl).host}`);
  }
}

async function checkLoaToken(config: Config, identity: string | undefined, timeoutMs: number): Promise<CheckResult> {
  const name = 'LOA API credentials';
  const { baseUrl, clientId, clientSecret } = config.loa;
  if (!baseUrl || !clientId || !clientSecret) return skip(name, 'LOA_API_BASE_URL is empty: the bot would start a local LOA sandbox');
  if (config.loa.authMode !== 'impersonate') return skip(name, 'LOA_AUTH_MODE=id_token needs a rep\'s sign-in; check it by sending a test LOA');
  if (!identity) return fail(name, 'no test identity to ask a token for', 'name one: npm run doctor -- --as someone@se.com (an account the LOA service knows)');
  const client = new LoaClient({ baseUrl, clientId, clientSecret, timeoutMs, maxRetries: 0, logger: createLogger({ level: 'silent' }) });
  try {
    await client.token({ key: 'doctor', grant: () => Promise.resolve({ type: 'user_token', email: identity }) });
    return pass(name, `the token endpoint at ${new URL(baseUrl).host} issued a token for ${identity}`);
  } catch (err) {
    if (!(err instanceof LoaApiError)) throw err;
    const failure = loaFailureOf(err);
    if (failure === 'botAccess') return fail(name, `the token endpoint refused the bot's client credentials (${err.code})`, 'check LOA_CLIENT_ID and LOA_CLIENT_SECRET with the LOA team');
    if (failure === 'repSignIn') return fail(name, `the token endpoint refused ${identity} (${err.code})`, 'the credentials work, but this identity is unknown to the LOA service: try another, or ask the LOA team');
    return fail(name, `the LOA API failed: ${err.message}`, `check LOA_API_BASE_URL (${baseUrl}) and outbound access to it`);
  }
}

async function checkStateStorage(config: Config): Promise<CheckResult> {
  const name = 'state storage';
  if (config.storage.kind === 'memory') return skip(name, 'STATE_STORAGE=memory keeps state in the process (local runs only)');
  const where = config.storage.kind === 'blob' ? `Blob Storage container ${config.storage.container}` : `Cosmos DB container ${config.storage.container}`;
  try {
    const state = createStateStorage(config.storage);
    await state.init();
    const store = state.stores<{ at: string }>('doctor');
    const key = `doctor/${randomUUID()}`;
    const created = await store.create(key, { at: new Date().toISOString() });
    const again = await store.create(key, { at: 'twice' });
    const replaced = created ? await store.replace(key, { at: new Date().toISOString() }, created) : undefined;
    const stale = created ? await store.replace(key, { at: 'stale' }, created) : 'not tried';
    if (created && !again && replaced && !stale) return pass(name, `${where}: a create-only write and a conditional replace round-trip`);
    return fail(name, `${where} does not honour conditional writes`, 'the bot needs If-None-Match and If-Match to send each LOA once: check the account type');
  } catch (err) {
    return fail(name, `${where} unreachable: ${err instanceof Error ? err.message.split('\n')[0] : 'error'}`, "check the storage settings and that the web app's identity has 'Storage Blob Data Contributor' (or the Cosmos DB data role)");
  }
}

function networkReason(err: unknown): string {
  return axios.isAxiosError(err) ? (err.code ?? err.message) : err instanceof Error ? err.message : String(err);
}

/** The results as lines an operator reads in a terminal or the App Service console. */
export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}${r.hint ? `\n      ${''.padEnd(width)}  → ${r.hint}` : ''}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  return `${lines.join('\n')}\n\n${failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`}`;
}

async function main(): Promise<void> {
  loadDotEnv();
  const asIndex = process.argv.indexOf('--as');
  const identity = asIndex > 0 ? process.argv[asIndex + 1] : undefined;
  const results = await runDoctor(identity ? { loaTestIdentity: identity } : {});
  console.log(formatResults(results));
  process.exitCode = results.some((r) => r.status === 'fail') ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
