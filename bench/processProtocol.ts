/**
 * The messages a bench runner and the servers it starts (bot, echo bot, sandbox) exchange
 * over the Node IPC channel. Each server runs in its own process so that its CPU time and
 * memory are its own.
 */

/** What a server reports about its own process. */
export interface ProcessStats {
  /** process.cpuUsage(), microseconds since the process started. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory held outside the V8 heap by JS objects, Buffers included. */
  externalBytes: number;
  /** Peak resident set size since the process started (process.resourceUsage().maxRSS). */
  maxRssBytes: number;
  /** Requests served through bot/teams/adapter.ts's createAdapter (bots only): every turn must be. */
  adapterRequests?: number;
}

export type ParentMessage = { type: 'stats'; gc: boolean } | { type: 'stop' };

export type ChildMessage = { type: 'ready'; url: string } | { type: 'stats'; stats: ProcessStats } | { type: 'stopped' };

/** Reads this process's figures; with `gc`, after full collections (the process runs with --expose-gc). */
export function ownStats(gc: boolean, adapterRequests?: () => number): ProcessStats {
  if (gc && typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(adapterRequests ? { adapterRequests: adapterRequests() } : {}),
  };
}

function isParentMessage(message: unknown): message is ParentMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'stats' || type === 'stop';
}

/**
 * Serves a child's side of the protocol: announces `url`, answers stats requests, and on
 * "stop" runs `stop` and exits. Any failure to stop exits non-zero so the runner sees it.
 * A bot passes `adapterRequests` (requestsThroughCreateAdapter), so the runner can check which
 * adapter served its turns.
 */
export function serveParent(url: string, stop: () => Promise<void>, adapterRequests?: () => number): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    if (message.type === 'stats') {
      send({ type: 'stats', stats: ownStats(message.gc, adapterRequests) });
      return;
    }
    stop().then(
      () => {
        send({ type: 'stopped' });
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  });
  // A runner that dies must not leave servers behind.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url });
}
