/**
 * `npm run dev`: the LOA sandbox, the bot and Microsoft 365 Agents Playground, wired together
 * for a local run. The Playground stands in for Teams and its connector; it sends no
 * Authorization header and has no single sign-on, so the bot runs without inbound
 * authentication and reads the rep from the Playground's roster.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startBot } from '../../bot';
import { ConfigError, loadConfig, loadDotEnv, loadSandboxConfig } from '../../bot/config';
import type { Config, Env } from '../../bot/config';
import { DEFAULT_PLAYGROUND_PORT } from '../../bot/homePage';
import { createLogger, wantsPrettyLogs } from '../../bot/logger';
import { portInUseMessage } from '../../bot/server';
import type { Logger } from '../../bot/logger';
import { startLocaleProxy } from './localeProxy';
import { startLocalLoaApi } from './sandbox/localLoaApi';

/** The Playground's user, who is the rep: the bot impersonates this email in the sandbox. */
export const DEV_REP = {
  id: 'dev-rep',
  name: 'Rita Rep',
  email: 'rita.rep@example.com',
  objectId: '11111111-2222-3333-4444-555555555555',
  tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
} as const;

const LOOPBACK = '127.0.0.1';
const PLAYGROUND_START_TIMEOUT_MS = 60_000;
const PLAYGROUND_STOP_TIMEOUT_MS = 10_000;

export interface DevStackOptions {
  /** Configuration; by default the process environment (call loadDotEnv() first to include .env). */
  env?: Env;
  /** Instead of PORT; 0 picks a free port. */
  botPort?: number;
  /** Instead of LOA_SANDBOX_PORT; 0 picks a free port. */
  sandboxPort?: number;
  /** Default 56150; when that port is taken the Playground picks a free one by itself. */
  playgroundPort?: number;
  /**
   * The rep's Teams locale (BCP 47), e.g. "fr-FR", set on every activity the Playground sends,
   * which otherwise always says "en-US". Default: the Playground's own.
   */
  locale?: string;
  /** Holds the Playground's generated config and its log. Default: <tmpdir>/loa-bot-dev. */
  workDir?: string;
  logger?: Logger;
}

export interface DevStack {
  /** The page to open: the Playground's chat UI. */
  readonly playgroundUrl: string;
  readonly sandboxUrl: string;
  readonly botUrl: string;
  readonly playgroundLogFile: string;
  /** Resolves when the Playground exits, whether stop() asked it to or not. */
  readonly playgroundExited: Promise<void>;
  /** Stops the Playground, then the bot (finishing turns in flight), then the sandbox. */
  stop(): Promise<void>;
}

/**
 * The developer's config with what the Playground needs forced: no inbound authentication,
 * roster identity, and the local sandbox as the LOA API.
 */
function devBotConfig(developer: Config, port: number, loa: { baseUrl: string; clientId: string; clientSecret: string }): Config {
  return {
    ...developer,
    port,
    bot: { ...developer.bot, appId: '', appPassword: '', appTenantId: '', appType: undefined, certificateThumbprint: undefined, certificatePrivateKey: undefined },
    identity: { mode: 'roster' },
    // They are about the bot registration, which a dev run drops.
    warnings: [],
    loa: { ...developer.loa, ...loa, authMode: 'impersonate' },
  };
}

/**
 * Starts the sandbox, the bot and the Playground, in that order. If one fails to start, the
 * ones already running are stopped before the error is thrown.
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const developer = loadConfig(options.env);
  const sandboxConfig = loadSandboxConfig(options.env);
  const logger = options.logger ?? createLogger({ level: developer.logLevel, pretty: wantsPrettyLogs(developer.environment, process.stdout.isTTY === true) });
  const running: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of running.splice(0).reverse()) await stop();
  };

  const sandboxPort = options.sandboxPort ?? sandboxConfig.port;
  const botPort = options.botPort ?? developer.port;
  // The servers crash on a port in use instead of failing to start; ask first, to say which key to change.
  await assertPortFree(sandboxPort, 'LOA_SANDBOX_PORT');
  await assertPortFree(botPort, 'PORT');

  try {
    const sandbox = await startLocalLoaApi({ config: sandboxConfig, port: sandboxPort, host: LOOPBACK, logger: logger.child({ component: 'loa-sandbox' }) });
    running.push(() => sandbox.close());

    const loa = { baseUrl: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret };
    // Loopback only: this bot answers anyone, without authentication.
    const bot = await startBot(devBotConfig(developer, botPort, loa), { logger, host: LOOPBACK });
    running.push(() => bot.close());

    let botEndpoint = `${bot.url}/api/messages`;
    if (options.locale) {
      const proxy = await startLocaleProxy(botEndpoint, options.locale);
      running.push(() => proxy.close());
      botEndpoint = proxy.url;
    }

    const playground = await startPlayground({
      botEndpoint,
      port: options.playgroundPort ?? DEFAULT_PLAYGROUND_PORT,
      workDir: options.workDir ?? join(tmpdir(), 'loa-bot-dev'),
    });
    running.push(() => playground.stop());

    let stopping: Promise<void> | undefined;
    return {
      playgroundUrl: playground.url,
      sandboxUrl: sandbox.url,
      botUrl: bot.url,
      playgroundLogFile: playground.logFile,
      playgroundExited: playground.exited,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function assertPortFree(port: number, key: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? portInUseMessage(port, key) : `port ${port} (${key}): ${err.message}`)),
    );
    probe.listen(port, LOOPBACK, () => probe.close(() => resolve()));
  });
}

interface RunningPlayground {
  url: string;
  logFile: string;
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** The Playground's configuration: its users, and the rep as the current user (exactly five others). */
function playgroundConfig(): string {
  const user = (id: string, name: string, email: string, objectId: string) => {
    const [givenName, surname] = name.split(' ');
    return { id, name, userPrincipleName: email, aadObjectId: objectId, givenName, surname, email };
  };
  const others = [1, 2, 3, 4, 5].map((i) => user(`user-${i}`, `User${i} Test`, `user${i}@example.com`, `00000000-0000-0000-0000-00000000002${i}`));
  return stringify({
    version: '0.1.1',
    tenantId: DEV_REP.tenantId,
    bot: { id: '00000000-0000-0000-0000-000000000011', name: 'LOA Bot' },
    currentUser: user(DEV_REP.id, DEV_REP.name, DEV_REP.email, DEV_REP.objectId),
    users: others,
    personalChat: { id: 'personal-chat-id' },
    groupChat: { id: 'group-chat-id', name: 'Group Chat' },
    team: { id: 'team-id', name: 'My Team', aadGroupId: '00000000-0000-0000-0000-000000000031', channels: [{ id: 'channel-announcements-id', name: 'Announcements' }] },
  });
}

/** Runs the Playground CLI as a child process and resolves with its URL once it listens. */
async function startPlayground(options: { botEndpoint: string; port: number; workDir: string }): Promise<RunningPlayground> {
  mkdirSync(options.workDir, { recursive: true });
  // The Playground reads ./.m365agentsplayground.yml from its working directory.
  writeFileSync(join(options.workDir, '.m365agentsplayground.yml'), playgroundConfig());
  const logFile = join(options.workDir, 'playground.log');
  rmSync(logFile, { force: true });
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  const child = spawn(process.execPath, [cli, 'start', '-e', options.botEndpoint, '-c', 'msteams', '--disable-telemetry', '-p', String(options.port)], {
    cwd: options.workDir,
    // A literal environment: nothing from the developer's shell (a proxy, another config path) reaches it.
    env: { TEAMSAPPTESTER_BROWSER: 'none', M365_AGENTS_PLAYGROUND_LOGFILE: logFile },
    // stdin stays open: the Playground is stopped by a signal, not by closing it.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If this process dies without stop(), the Playground would keep running on its own.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let output = '';
  let settled = false;
  const port = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error([`Agents Playground ${why}.`, output.trim(), playgroundErrors(logFile), `Its log: ${logFile}`].filter(Boolean).join('\n')));
    };
    const timer = setTimeout(() => fail(`did not start within ${PLAYGROUND_START_TIMEOUT_MS / 1000} s`), PLAYGROUND_START_TIMEOUT_MS);
    // Keeps reading after it is ready, so that the pipe never fills up and blocks the Playground.
    const onOutput = (chunk: Buffer) => {
      if (settled) return;
      output = (output + chunk.toString()).slice(-4000);
      const listening = /Listening on (\d+)/.exec(output);
      if (!listening?.[1]) return;
      settled = true;
      clearTimeout(timer);
      resolve(listening[1]);
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.once('error', (err) => fail(`could not be started: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`));
  });

  return {
    url: `http://localhost:${port}`,
    logFile,
    exited,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), PLAYGROUND_STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The error lines of the Playground's log (it logs errors there, not on stdout). */
function playgroundErrors(logFile: string): string {
  if (!existsSync(logFile)) return '';
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('error '))
    .join('\n');
}

async function main(): Promise<void> {
  loadDotEnv();
  if (loadConfig().bot.appId !== '') {
    console.warn('Note: npm run dev ignores MicrosoftAppId from your environment or .env. It runs the bot locally without inbound authentication, with the rep taken from the Playground roster.');
  }
  const stack = await startDevStack();
  console.log(
    [
      '',
      `  Open Agents Playground:  ${stack.playgroundUrl}`,
      '',
      `  bot          ${stack.botUrl}/api/messages   (health: ${stack.botUrl}/healthz)`,
      `  LOA sandbox  ${stack.sandboxUrl}   (agreements: ${stack.sandboxUrl}/_sandbox/agreements)`,
      `  Playground   ${stack.playgroundUrl}   (log: ${stack.playgroundLogFile})`,
      `  rep          ${DEV_REP.name} <${DEV_REP.email}>`,
      '',
      '  Type "send LOA" in the Playground. Ctrl-C stops all three.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (why: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping the Playground, the bot and the LOA sandbox…`);
    stack.stop().then(
      () => process.exit(exitCode),
      (err: unknown) => {
        console.error('Could not stop cleanly:', err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  void stack.playgroundExited.then(() => shutdown(`Agents Playground exited on its own (see ${stack.playgroundLogFile})`, 1));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\nnpm run dev reads your whole configuration (.env included) before it overrides the bot registration, single sign-on and LOA API keys, so those must be valid too, or empty.`);
    } else {
      console.error(`npm run dev could not start: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.exit(1);
  });
}
