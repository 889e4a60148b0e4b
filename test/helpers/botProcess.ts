import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { RunningBot } from '../../bot/index';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface BotProcess extends RunningBot {
  readonly pid: number;
  /** Kills the process at once, as a crash or an instance recycle would. */
  kill(): Promise<void>;
  output(): string;
}

/** Runs the bot as `npm start` would (bot/index.ts), in its own process, with exactly `env`. */
export async function startBotProcess(env: Record<string, string>): Promise<BotProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', resolve(__dirname, '../../bot/index.ts')], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', PORT: String(port), LOG_LEVEL: 'info', ...env },
    cwd: resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`The bot did not start within 60 s:\n${output}`)), 60_000);
    const check = () => {
      if (output.includes('Bot listening on /api/messages')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`The bot exited with ${code}:\n${output}`));
    });
  });
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    loaBaseUrl: env.LOA_API_BASE_URL ?? '',
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
