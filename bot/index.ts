/**
 * Composition root: reads the config, builds the LOA client, storage, flows, adapter and
 * bot, and hands each its dependencies. Nothing else reads configuration.
 */
import { randomUUID } from 'node:crypto';
import { ConversationState, TeamsSSOTokenExchangeMiddleware } from 'botbuilder';
import type { BotAdapter, Middleware } from 'botbuilder';
import type { ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import { templatesTooLargeForTeams } from '../cards/cardBudget';
import type { Config } from './config';
import { ConfigError, loadConfig, loadDotEnv } from './config';
import { systemClock } from './domain/clock';
import type { Clock } from './domain/clock';
import { AgreementRecords } from './domain/agreementRecords';
import { AgreementDeleter } from './domain/deletions';
import { StatusWatcher } from './domain/statusWatcher';
import { AgreementSender } from './domain/submissions';
import { TemplateCatalog } from './domain/templateCatalog';
import type { StoreFactory } from './domain/keyValueStore';
import { createFlows } from './flows';
import type { Flows } from './flows';
import { FollowUps } from './domain/followUps';
import { Periodic } from './domain/periodic';
import { LoaClient, MAX_RETRY_AFTER_MS } from './loa/loaClient';
import { LoaServiceAdapter } from './loa/loaServiceAdapter';
import type { LoaService } from './domain/loaService';
import { LoaPrincipals } from './loa/principals';
import type { LoaSignIn } from './loa/principals';
import { GraphMailbox } from './auth/graphMailbox';
import { appCredentialOf, EntraOnBehalfOf } from './auth/onBehalfOf';
import type { OnBehalfOf } from './auth/onBehalfOf';
import { SsoTokenValidator } from './auth/ssoTokenValidator';
import { homePageFor } from './homePage';
import { createLogger, wantsPrettyLogs } from './logger';
import { startBotServer } from './server';
import type { BotServer } from './server';
import { createStateStorage } from './teams/stateStorage';
import type { StateStorage } from './teams/stateStorage';
import { createAdapter } from './teams/adapter';
import { TeamsNotifier } from './teams/teamsNotifier';
import { RosterIdentityProvider, SsoIdentityProvider } from './teams/identity';
import type { RepIdentityProvider } from './teams/identity';
import { CachingIdentityProvider } from './teams/identityCache';
import { LoaBot } from './teams/loaBot';
import { MessageExtension } from './teams/messageExtension';
import { Presenter } from './teams/presenter';
import { CreateOnlyStorage } from './teams/createOnlyStorage';
import { SignIn } from './teams/signIn';

/** Reps whose identity is kept at once: a few MB at most, far more than one instance serves in five minutes. */
const IDENTITY_CACHE_ENTRIES = 10_000;

/** Replaceable parts, for tests and local tooling. */
export interface BotOverrides {
  logger?: Logger;
  /** Drafts, submissions, agreement records: instead of the storage the config selects. */
  state?: StateStorage;
  identity?: RepIdentityProvider;
  /** The on-behalf-of exchange (LOA_AUTH_MODE=id_token, LOA_IMPERSONATE_AS=mail); tests inject a fake Entra ID here. */
  onBehalfOf?: OnBehalfOf;
  /** Microsoft Graph, for LOA_IMPERSONATE_AS=mail; tests point it at a local fake. */
  graphBaseUrl?: string;
  /** Signing keys for SSO tokens; tests inject local keys instead of the authority's JWKS. */
  ssoKeys?: JWTVerifyGetKey;
  clock?: Clock;
  host?: string;
  /** Extra Bot Framework authentication settings, e.g. a local OpenID endpoint in tests. */
  auth?: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
  /** How the bot obtains its own Entra token for Bot Framework calls; tests stand in for Entra ID. */
  credentials?: ServiceClientCredentialsFactory;
  /** How long a promised result is left to its own instance before another delivers it (default 60 s). */
  followUpGraceMs?: number;
}

/** A promised result undelivered this long is delivered by any instance: longer than a delivery's own retries. */
const FOLLOW_UP_GRACE_MS = 60_000;

export interface RunningBot {
  readonly url: string;
  readonly loaBaseUrl: string;
  /** Graceful stop: finishes turns and follow-ups, then stops the local sandbox if one was started. */
  close(): Promise<void>;
}

/** The bot and what it owns, on any adapter: CloudAdapter in production, TestAdapter in dialog tests. */
export interface ComposedBot {
  readonly bot: LoaBot;
  readonly notifier: TeamsNotifier;
  readonly watcher: StatusWatcher;
  /** Delivers results that an instance promised and could not deliver. */
  readonly redelivery: Periodic;
  readonly loaBaseUrl: string;
  /** Middleware the adapter must run, e.g. Teams SSO token-exchange de-duplication. */
  readonly middleware: Middleware[];
  /** Stops polling and the local sandbox, if one was started. */
  close(): Promise<void>;
}

export async function startBot(config: Config, overrides: BotOverrides = {}): Promise<RunningBot> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  config.warnings.forEach((warning) => logger.warn(warning));
  const adapter = createAdapter(config, logger, overrides.auth, overrides.credentials);
  const composed = await composeBot(config, adapter, { ...overrides, logger });
  composed.middleware.forEach((m) => adapter.use(m));
  let server: BotServer;
  try {
    server = await startBotServer(
      {
        port: config.port,
        host: overrides.host ?? config.host,
        requireBearer: config.bot.appId !== '',
        ...config.http,
        homePage: homePageFor(config.environment),
      },
      { adapter, bot: composed.bot, logger, drain: () => composed.notifier.drain() },
    );
  } catch (err) {
    await composed.close(); // e.g. the in-process sandbox
    throw err;
  }
  composed.watcher.start();
  composed.redelivery.start({ now: true });
  return {
    url: server.url,
    loaBaseUrl: composed.loaBaseUrl,
    async close() {
      await composed.watcher.stop();
      await composed.redelivery.stop();
      await server.close();
      await composed.close();
    },
  };
}

/**
 * Builds the LOA client, storage, flows and bot, and the adapter middleware they need. Reads as
 * the order things depend on each other: the LOA service, storage, the flows over both, and
 * the Teams bot in front of the flows.
 */
export async function composeBot(config: Config, adapter: BotAdapter, overrides: BotOverrides = {}): Promise<ComposedBot> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const { catalog, loa, loaApi } = await buildLoa({ config, logger, clock });
  const state = await buildStores({ config, given: overrides.state });
  const principals = new LoaPrincipals(loaSignInFor(config, clock, overrides));
  const notifier = new TeamsNotifier(adapter, config.bot.appId, { log: logger.child({ component: 'teams-outbound' }) });
  const followUpGraceMs = overrides.followUpGraceMs ?? FOLLOW_UP_GRACE_MS;
  const { flows, watcher, records } = buildFlows({ config, catalog, loa, stores: state.stores, principals, notifier, clock, logger, followUpGraceMs });
  const redelivery = buildRedelivery({ flows, notifier, logger, followUpGraceMs });
  const conversationState = new ConversationState(state.conversation);
  const identity = buildIdentity({ config, conversationState, stores: state.stores, clock, logger, overrides });
  const bot = buildBot({ flows, conversationState, identity, principals, notifier, botAppId: config.bot.appId, logger, storage: state.conversation, records, connectionName: config.identity.mode === 'sso' ? config.identity.connectionName : undefined });
  return {
    bot,
    notifier,
    watcher,
    redelivery,
    loaBaseUrl: loaApi.baseUrl,
    middleware: identity.middleware,
    async close() {
      await watcher.stop();
      await redelivery.stop();
      await loaApi.close();
    },
  };
}

/** The LOA service as the bot reaches it. */
interface LoaParts {
  catalog: TemplateCatalog;
  loa: LoaService;
  /** Where the client points: the configured API, or a sandbox this process started. */
  loaApi: LoaApiTarget;
}

/** The template catalog, checked against what Teams can show, and a client for the LOA API it belongs to. */
async function buildLoa({ config, logger, clock }: { config: Config; logger: Logger; clock: Clock }): Promise<LoaParts> {
  const catalog = TemplateCatalog.fromFile(config.loa.templatesFile);
  const tooLarge = templatesTooLargeForTeams(catalog);
  if (tooLarge.length > 0) throw new ConfigError(tooLarge.map((problem) => `LOA_TEMPLATES_FILE ${problem}`));
  const loaApi = await resolveLoaApi(config, catalog, logger);
  const loa = new LoaServiceAdapter(new LoaClient({
    baseUrl: loaApi.baseUrl,
    clientId: loaApi.clientId,
    clientSecret: loaApi.clientSecret,
    timeoutMs: config.loa.timeoutMs,
    maxRetries: config.loa.maxRetries,
    logger: logger.child({ component: 'loa-client' }),
    clock,
  }));
  return { catalog, loa, loaApi };
}

/** The storage the config selects, unless a test or tool gives its own; reachable before the bot starts. */
async function buildStores({ config, given }: { config: Config; given: StateStorage | undefined }): Promise<StateStorage> {
  const state = given ?? createStateStorage(config.storage);
  await state.init();
  return state;
}

interface FlowsOptions {
  config: Config;
  catalog: TemplateCatalog;
  loa: LoaService;
  stores: StoreFactory;
  principals: LoaPrincipals;
  notifier: TeamsNotifier;
  clock: Clock;
  logger: Logger;
  followUpGraceMs: number;
}

/** The flows, and the agreement services under them: records, sends, deletes and status polling. */
function buildFlows({ config, catalog, loa, stores, principals, notifier, clock, logger, followUpGraceMs }: FlowsOptions): { flows: Flows; watcher: StatusWatcher; records: AgreementRecords } {
  const records = new AgreementRecords(stores('agreements'), stores('agreementOwners'));
  const watcher = new StatusWatcher({
    store: stores('statusWatch'),
    records,
    loa,
    principalFor: (rep) => principals.forBackground(rep),
    notifier,
    catalog,
    clock,
    log: logger.child({ component: 'status-watcher' }),
    ...config.statusPolling,
  });
  const sender = new AgreementSender({
    store: stores('submissions'),
    loa,
    loaCalls: { timeoutMs: config.loa.timeoutMs, maxRetries: config.loa.maxRetries, maxRetryWaitMs: MAX_RETRY_AFTER_MS },
    records,
    clock,
    log: logger.child({ component: 'sender' }),
    onCreated: (rep, agreement) => watcher.watch(rep, agreement),
  });
  const flows = createFlows({
    catalog,
    sender,
    records,
    deleter: new AgreementDeleter(stores('deletions'), records, loa, clock, logger.child({ component: 'deleter' })),
    followUps: new FollowUps(stores('followUps'), clock),
    followUpGraceMs,
    loa,
    clock,
    sendAckAfterMs: config.sendAckAfterMs,
    newId: randomUUID,
  });
  return { flows, watcher, records };
}

/** Delivers results that an instance promised and could not deliver, checking a few times per grace period. */
function buildRedelivery({ flows, notifier, logger, followUpGraceMs }: { flows: Flows; notifier: TeamsNotifier; logger: Logger; followUpGraceMs: number }): Periodic {
  const redeliveryLog = logger.child({ component: 'follow-ups' });
  return new Periodic(
    () => flows.redeliverDue((origin, result) => notifier.deliverNow(origin, result, redeliveryLog), redeliveryLog),
    Math.max(50, Math.min(15_000, followUpGraceMs / 2)),
    redeliveryLog,
  );
}

type SsoConfig = Extract<Config['identity'], { mode: 'sso' }>;

/** How the bot knows who is taking a turn, and what Teams SSO needs around that. */
interface IdentityParts {
  identity: RepIdentityProvider;
  /** Teams SSO; absent when the roster identity is used. */
  signIn?: SignIn;
  /** Adapter middleware, e.g. Teams SSO token-exchange de-duplication. */
  middleware: Middleware[];
}

interface IdentityOptions {
  config: Config;
  conversationState: ConversationState;
  stores: StoreFactory;
  clock: Clock;
  logger: Logger;
  overrides: Pick<BotOverrides, 'identity' | 'ssoKeys'>;
}

/** Teams SSO when the config names a connection; otherwise the Teams roster, for local runs. Either way, cached per rep. */
function buildIdentity({ config, conversationState, stores, clock, logger, overrides }: IdentityOptions): IdentityParts {
  const cache = { ttlMs: config.identityCacheMs, maxEntries: IDENTITY_CACHE_ENTRIES, clock };
  const sso = config.identity.mode === 'sso' ? config.identity : undefined;
  if (!sso) {
    logger.warn('Reps are identified from the Teams roster, without single sign-on. This is for local runs only.');
    return { identity: new CachingIdentityProvider(overrides.identity ?? new RosterIdentityProvider(), cache), middleware: [] };
  }
  return {
    identity: new CachingIdentityProvider(overrides.identity ?? ssoIdentity(config.bot.appId, sso, overrides.ssoKeys), cache),
    signIn: new SignIn(conversationState, sso.connectionName),
    middleware: [new TeamsSSOTokenExchangeMiddleware(new CreateOnlyStorage(stores('ssoExchanges')), sso.connectionName)],
  };
}

/** The rep as their validated Teams SSO token names them. */
function ssoIdentity(appId: string, sso: SsoConfig, keys: JWTVerifyGetKey | undefined): RepIdentityProvider {
  const validator = new SsoTokenValidator({ appId, authority: sso.authority, allowedTenants: sso.allowedTenants, ...(keys ? { keys } : {}) });
  return new SsoIdentityProvider(sso.connectionName, validator);
}

interface BotOptions {
  flows: Flows;
  conversationState: ConversationState;
  identity: IdentityParts;
  principals: LoaPrincipals;
  notifier: TeamsNotifier;
  botAppId: string;
  logger: Logger;
  /** The state storage the message extension keeps each rep's dialog draft in. */
  storage: StateStorage['conversation'];
  records: AgreementRecords;
  connectionName: string | undefined;
}

/** The Teams bot in front of the flows, its message extension, and the presenter that shows what they return. */
function buildBot({ flows, conversationState, identity, principals, notifier, botAppId, logger, storage, records, connectionName }: BotOptions): LoaBot {
  const presenter = new Presenter({ notifier, botAppId, logger });
  const messageExtension = new MessageExtension({
    flows: flows.messageExtension,
    storage,
    records,
    notifier,
    presenter,
    identity: identity.identity,
    principals,
    logger,
    ...(connectionName ? { connectionName } : {}),
  });
  return new LoaBot({
    flows,
    conversationState,
    identity: identity.identity,
    principals,
    notifier,
    presenter,
    messageExtension,
    ...(identity.signIn ? { signIn: identity.signIn } : {}),
    logger,
  });
}

/** How the LOA API is told who the rep is (LOA_AUTH_MODE, LOA_IMPERSONATE_AS). */
function loaSignInFor(config: Config, clock: Clock, overrides: BotOverrides): LoaSignIn {
  const { authMode, impersonateAs, oboScope, timeoutMs } = config.loa;
  if (authMode === 'impersonate' && impersonateAs === 'upn') return { mode: 'impersonate', impersonateAs: 'upn' };
  const onBehalfOf =
    overrides.onBehalfOf ??
    new EntraOnBehalfOf({
      clientId: config.bot.appId,
      credential: appCredentialOf(config.bot),
      authorityHost: config.identity.mode === 'sso' ? config.identity.authority : 'https://login.microsoftonline.com',
    });
  if (authMode === 'id_token') return { mode: 'id_token', onBehalfOf, scope: oboScope ?? '' };
  const mailbox = new GraphMailbox({ onBehalfOf, timeoutMs, cacheMs: config.identityCacheMs, maxEntries: IDENTITY_CACHE_ENTRIES, clock, ...(overrides.graphBaseUrl ? { baseUrl: overrides.graphBaseUrl } : {}) });
  return { mode: 'impersonate', impersonateAs: 'mail', mailbox };
}

interface LoaApiTarget {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/** The configured LOA API, or in a local run without one, a sandbox started in-process. */
async function resolveLoaApi(config: Config, catalog: TemplateCatalog, logger: Logger): Promise<LoaApiTarget> {
  const { baseUrl, clientId, clientSecret } = config.loa;
  if (baseUrl && clientId && clientSecret) return { baseUrl, clientId, clientSecret, close: () => Promise.resolve() };
  if (config.environment === 'production') throw new ConfigError(['LOA_API_BASE_URL, LOA_CLIENT_ID and LOA_CLIENT_SECRET are required in production']);
  // Loaded only here so that production never loads sandbox code.
  const { startLocalLoaApi } = await import('../deploy/local/sandbox/localLoaApi.js');
  const sandbox = await startLocalLoaApi({ port: 0, clientId, clientSecret, catalog, logger: logger.child({ component: 'loa-sandbox' }) });
  logger.warn({ loaBaseUrl: sandbox.url }, 'LOA_API_BASE_URL is not set: using a local LOA sandbox started in-process. No real LOA is sent.');
  return { baseUrl: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, close: () => sandbox.close() };
}

async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, pretty: wantsPrettyLogs(config.environment, process.stdout.isTTY === true) });
  const bot = await startBot(config, { logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: finishing turns in flight');
    const force = setTimeout(() => {
      logger.error('Shutdown took longer than 25 s; exiting anyway');
      process.exit(1);
    }, 25_000);
    force.unref();
    bot.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
