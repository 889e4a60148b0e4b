import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ChildMessage, ProcessStats } from './processProtocol';

/** Children get exactly this PATH and nothing else from the runner's environment. */
const CHILD_PATH = '/usr/local/bin:/usr/bin:/bin';
const REPO_ROOT = resolve(__dirname, '..');
const START_TIMEOUT_MS = 60_000;
const IPC_TIMEOUT_MS = 30_000;
const OUTPUT_KEPT_CHARS = 20_000;

export interface ServerProcessOptions {
  /** Shown in errors and in the report. */
  name: string;
  /** Entry file, relative to bench/. */
  entry: string;
  /** The child's whole environment, besides PATH. */
  env: Record<string, string>;
  /** Arguments after the entry file. */
  args?: string[];
  /** Directory for a V8 CPU profile (node --cpu-prof), written when the child exits. */
  cpuProfileDir?: string;
  /** Another checkout to run the entry from (its bench/ and code), e.g. the tree before a change. */
  root?: string;
}

/** Where bench/tsconfig.build.json puts the compiled servers, in each checkout. */
const BUILD_DIR = 'test-artifacts/bench-build';
const built = new Set<string>();

/**
 * The servers run as `npm start` runs the bot: compiled by tsc, in plain Node, without tsx
 * (whose getters on every import and source maps would be counted as the bot's own work).
 * Each checkout is compiled once per bench, with bench/tsconfig.build.json (copied into a
 * checkout that has none, e.g. one from before it existed). Returns the compiled checkout's root.
 */
export function compiledTree(root: string = REPO_ROOT): string {
  if (!built.has(root)) {
    const config = resolve(root, 'bench/tsconfig.build.json');
    if (!existsSync(config)) copyFileSync(resolve(REPO_ROOT, 'bench/tsconfig.build.json'), config);
    execFileSync(process.execPath, [resolve(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: root, stdio: 'inherit' });
    built.add(root);
  }
  return resolve(root, BUILD_DIR);
}

/** A server (bot, echo bot or sandbox) in its own process, reachable over loopback and IPC. */
export class ServerProcess {
  url = '';
  private output = '';
  private readonly exited: Promise<number | null>;
  private readonly replies: Array<(message: ChildMessage) => void> = [];

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-OUTPUT_KEPT_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'ready') this.replies.shift()?.(message);
    });
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const args = [
      '--disable-warning=DEP0111',
      '--expose-gc',
      ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
      resolve(compiledTree(options.root), 'bench', options.entry.replace(/\.ts$/, '.js')),
      ...(options.args ?? []),
    ];
    const child = spawn(process.execPath, args, { cwd: options.root ?? REPO_ROOT, env: { PATH: CHILD_PATH, ...options.env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const server = new ServerProcess(options.name, child);
    server.url = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`${options.name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${server.output}`)), START_TIMEOUT_MS);
      child.on('message', (message: ChildMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        ready(message.url);
      });
      void server.exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`${options.name} exited with ${code} before it was ready:\n${server.output}`));
      });
    });
    return server;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** What the process printed lately (its logs, at the level it runs with). */
  recentOutput(): string {
    return this.output;
  }

  /** CPU and memory as the process measures them; with `gc`, after full garbage collections. */
  async stats(gc = false): Promise<ProcessStats> {
    const reply = await new Promise<ChildMessage>((answer, fail) => {
      const timer = setTimeout(() => fail(new Error(`${this.name} did not answer over IPC within ${IPC_TIMEOUT_MS / 1000} s`)), IPC_TIMEOUT_MS);
      this.replies.push((message) => {
        clearTimeout(timer);
        answer(message);
      });
      this.child.send({ type: 'stats', gc });
    });
    if (reply.type !== 'stats') throw new Error(`${this.name} answered "${reply.type}" to a stats request`);
    return reply.stats;
  }

  /** Graceful stop (turns in flight and follow-ups finish); killed after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`${this.name} stopped with exit code ${code}:\n${this.output}`);
  }

  /** For a runner that is failing: no graceful stop, no waiting. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
