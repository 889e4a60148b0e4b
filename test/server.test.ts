import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import axios from 'axios';
import { MULTI_TENANT_WARNING, loadConfig } from '../bot/config';
import { ActivityHandler, CloudAdapter } from 'botbuilder';
import { DEFAULT_PLAYGROUND_PORT, homePageFor } from '../bot/homePage';
import { startBot } from '../bot/index';
import { createLogger, wantsPrettyLogs } from '../bot/logger';
import { startBotServer } from '../bot/server';
import { freePort, startBotProcess } from './helpers/botProcess';

describe('bot host', () => {
  it('serves /healthz, and on SIGTERM stops cleanly with exit code 0', async function () {
    this.timeout(40_000);
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../bot/index.ts')], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'development' },
      cwd: resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 30_000;
      let health: { status: number; data: unknown } | undefined;
      while (!health && Date.now() < deadline) {
        health = await axios.get(`http://127.0.0.1:${port}/healthz`, { validateStatus: () => true }).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(health?.status, 200);
      assert.deepEqual(health?.data, { status: 'ok', inFlightTurns: 0 });
      assert.match(stdout, /using a local LOA sandbox/, 'says it runs on the sandbox');

      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string });
      assert.ok(lines.some((l) => l.msg.startsWith('Shutting down')), 'logs the shutdown');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('bot host startup', () => {
  it('fails with a clear error when its port is taken', async function () {
    this.timeout(30_000);
    const { port, release } = await occupyPort();
    try {
      await assert.rejects(startBot(loadConfig({ PORT: String(port), LOG_LEVEL: 'silent' }), { host: '127.0.0.1' }), new RegExp(`^Error: Port ${port} \\(PORT\\) is already in use: .* set PORT to another port\\.$`));
    } finally {
      release();
    }
  });

  it('warns once at startup that a multi-tenant bot is one Azure no longer creates', async function () {
    this.timeout(30_000);
    const lines: Array<{ level: string; msg: string }> = [];
    const logger = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: string; msg: string }) });
    const registration = { MicrosoftAppId: '3f2b6c1e-8d4a-4e7b-9c15-2a6f0d8e4b71', MicrosoftAppPassword: 'p', SSO_CONNECTION_NAME: 'teams-sso', SSO_ALLOWED_TENANTS: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
    const bot = await startBot(loadConfig({ NODE_ENV: 'test', PORT: '0', ...registration, MicrosoftAppType: 'MultiTenant' }), { logger, host: '127.0.0.1' });
    await bot.close();
    const warnings = lines.filter((l) => l.msg === MULTI_TENANT_WARNING);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.level, 'warn');
  });
});

/** A loopback port something else is listening on, until `release`. */
async function occupyPort(): Promise<{ port: number; release: () => void }> {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  return { port: (blocker.address() as AddressInfo).port, release: () => blocker.close() };
}

/** An IPv4 address of this machine that is not loopback, if it has one. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

function listeningLine(output: string): { address: string; port: number; url: string } {
  const line = output.split('\n').find((l) => l.includes('"msg":"Bot listening on /api/messages"'));
  assert.ok(line, output);
  return JSON.parse(line) as { address: string; port: number; url: string };
}

describe('bot host address', () => {
  const outside = outsideAddress();

  it('listens on loopback only in a local run, and logs the address and port it is bound to', async function () {
    this.timeout(60_000);
    if (!outside) this.skip();
    const bot = await startBotProcess({ NODE_ENV: 'development' });
    try {
      const listening = listeningLine(bot.output());
      assert.equal(listening.address, '127.0.0.1');
      assert.equal(listening.url, bot.url);
      assert.equal((await axios.get(`${bot.url}/healthz`)).status, 200);
      await assert.rejects(axios.get(`http://${outside}:${listening.port}/healthz`), /ECONNREFUSED/, 'not reachable from outside this machine');
    } finally {
      await bot.close();
    }
  });

  it('listens on every interface with HOST=0.0.0.0, and says so', async function () {
    this.timeout(60_000);
    if (!outside) this.skip();
    const bot = await startBotProcess({ NODE_ENV: 'development', HOST: '0.0.0.0' });
    try {
      const listening = listeningLine(bot.output());
      assert.equal(listening.address, '0.0.0.0');
      assert.equal((await axios.get(`http://${outside}:${listening.port}/healthz`)).status, 200);
    } finally {
      await bot.close();
    }
  });
});

describe('bot host, as a newcomer meets it', () => {
  it('answers GET / in a local run with what the bot is and how to talk to it', async function () {
    this.timeout(30_000);
    const bot = await startBot(loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent' }), { host: '127.0.0.1' });
    try {
      const home = await axios.get<string>(`${bot.url}/`, { responseType: 'text' });
      assert.equal(home.status, 200);
      assert.match(String(home.headers['content-type']), /^text\/html/);
      assert.ok(home.data.includes('npm run dev'), 'names the command that starts the Playground');
      assert.ok(home.data.includes(`http://localhost:${DEFAULT_PLAYGROUND_PORT}`), 'gives the Playground URL');
      assert.ok(home.data.includes(`${bot.url}/api/messages`), 'says where activities go');
    } finally {
      await bot.close();
    }
  });

  it('has no page at / in production: a plain 404', async function () {
    this.timeout(30_000);
    assert.equal(homePageFor('production'), undefined);
    const logger = createLogger({ level: 'silent' });
    const server = await startBotServer(
      { port: 0, host: '127.0.0.1', requireBearer: true, maxInFlight: 10, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, homePage: homePageFor('production') },
      { adapter: new CloudAdapter(), bot: new ActivityHandler(), logger, drain: async () => {} },
    );
    try {
      const home = await axios.get(`${server.url}/`, { validateStatus: () => true });
      assert.equal(home.status, 404);
      assert.ok(!JSON.stringify(home.data).includes('npm run dev'));
    } finally {
      await server.close();
    }
  });

  it('ends with one line naming PORT, and exit code 1, when its port is taken', async function () {
    this.timeout(60_000);
    const { port, release } = await occupyPort();
    try {
      const child = spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', resolve(__dirname, '../bot/index.ts')], {
        env: { PATH: '/usr/local/bin:/usr/bin:/bin', PORT: String(port), LOG_LEVEL: 'silent', NODE_ENV: 'development' },
        cwd: resolve(__dirname, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      assert.equal(code, 1);
      assert.equal(stderr.trim(), `Port ${port} (PORT) is already in use: stop what runs there, or set PORT to another port.`);
    } finally {
      release();
    }
  });

  it('logs JSON lines when stdout is not a terminal, even in development', async function () {
    this.timeout(60_000);
    const bot = await startBotProcess({ NODE_ENV: 'development' });
    await bot.close();
    const lines = bot.output().trim().split('\n');
    assert.ok(lines.length > 1);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
  });

  it('pretty-prints only in development at a terminal', () => {
    assert.equal(wantsPrettyLogs('development', true), true);
    assert.equal(wantsPrettyLogs('development', false), false);
    assert.equal(wantsPrettyLogs('test', true), false);
    assert.equal(wantsPrettyLogs('production', true), false);
  });

  it('redacts secrets in pretty logs as in JSON lines', async () => {
    let pretty = '';
    const terminal = new Writable({
      write(chunk: Buffer, _encoding, done) {
        pretty += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ level: 'info', pretty: true }, terminal);
    logger.info({ clientSecret: 'hunter2', req: { headers: { authorization: 'Bearer abc.def' } } }, 'Calling the LOA API');
    await new Promise((r) => setImmediate(r));
    assert.match(pretty, /Calling the LOA API/);
    assert.match(pretty, /\[redacted\]/);
    assert.ok(!pretty.includes('hunter2') && !pretty.includes('abc.def'), pretty);
    assert.throws(() => JSON.parse(pretty), 'not a JSON line');
  });
});
