import { performance } from 'node:perf_hooks';
import type { FakeTeams } from '../testkit/fakeTeams';
import type { ProcessStats } from './processProtocol';
import { LatencyLog, Rep, TURN_KINDS } from './reps';
import type { TurnKind } from './reps';
import type { ServerProcess } from './serverProcess';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, in ms. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? 0 };
}

export interface LoadResult {
  reps: number;
  /** Think time before each turn, ms; [0, 0] when each turn followed the last at once. */
  thinkMs: readonly [number, number];
  conversations: number;
  turns: number;
  wallMs: number;
  turnsPerSecond: number;
  latencyMs: Percentiles;
  latencyByTurnMs: Partial<Record<TurnKind, Percentiles>>;
  /** CPU time (user + system) of the server process during the run, per turn. */
  cpuMsPerTurn: number;
  /** Mean size of the bot's answers (HTTP bodies), bytes per turn. */
  answerBytesPerTurn: number;
  /** Conversations that did not finish (a failed connection, an unexpected card), by reason. */
  failed: { conversations: number; reasons: Record<string, number> };
  /** Sends and deletes answered "Sending…" or "Deleting…", and how long the reps then waited for the result (pooled like latencyMs). */
  followUpWaits: { send: number; delete: number; waitMs: Percentiles; notDelivered: number };
  /** Peak RSS of the server process since it started, at the end of the run. */
  peakRssBytes: number;
}

export interface LoadOptions {
  server: ServerProcess;
  connector: FakeTeams;
  label: string;
  reps: number;
  conversationsPerRep: number;
  conversation: (rep: Rep) => Promise<void>;
  /** Think time before each turn; absent: none, each turn starts as soon as the last is answered. */
  thinkMs?: readonly [number, number];
  /**
   * Runs `run` each time every rep has had `every` more conversations, with all reps idle.
   * Its time and the server's CPU meanwhile are not counted.
   */
  checkpoint?: { every: number; run: (conversationsDone: number) => Promise<void> };
  /** Where turn latencies go; pass one log to several runs to get percentiles over all of them. */
  latencies?: LatencyLog;
}

/** Failure messages grouped by their first words, most frequent first. */
function countReasons(failures: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of failures) {
    const reason = f.slice(0, 120);
    counts[reason] = (counts[reason] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

export function cpuMsBetween(before: ProcessStats, after: ProcessStats): number {
  return (after.cpuUserUs - before.cpuUserUs + after.cpuSystemUs - before.cpuSystemUs) / 1000;
}

/**
 * Closed-loop load: `reps` reps at once, each starting its next turn as soon as the last
 * one is answered (plus `thinkMs`, if given), for `conversationsPerRep` conversations each.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies = options.latencies ?? new LatencyLog();
  const turnsBefore = latencies.all.length;
  const failedTurnsBefore = latencies.failedTurns;
  const answerBytesBefore = latencies.answerBytes;
  const newRep = (name: string) => new Rep(options.server.url, options.connector, latencies, name, options.thinkMs);
  const reps = Array.from({ length: options.reps }, (_, i) => newRep(`${options.label}${i}`));
  const failures: string[] = [];
  const every = options.checkpoint?.every ?? options.conversationsPerRep;
  let wallMs = 0;
  let cpuMs = 0;
  let after: ProcessStats | undefined;
  let firstStats: ProcessStats | undefined;
  for (let done = 0; done < options.conversationsPerRep; ) {
    const round = Math.min(every, options.conversationsPerRep - done);
    const before = await options.server.stats();
    firstStats ??= before;
    const started = performance.now();
    await Promise.all(
      reps.map(async (_, r) => {
        for (let i = 0; i < round; i++) {
          try {
            await options.conversation(reps[r]!);
          } catch (err) {
            // Counted and reported, and the rep starts afresh in a new chat: on a saturated
            // machine a turn can time out, and one lost conversation must not end the bench.
            failures.push(err instanceof Error ? err.message : String(err));
            reps[r] = newRep(`${options.label}${r}-${failures.length}`);
          }
        }
      }),
    );
    wallMs += performance.now() - started;
    after = await options.server.stats();
    cpuMs += cpuMsBetween(before, after);
    done += round;
    await options.checkpoint?.run(done * options.reps);
  }
  const conversations = options.reps * options.conversationsPerRep;
  if (failures.length >= conversations || !after) {
    throw new Error(`None of the ${conversations} conversations with the ${options.server.name} finished; first: ${failures[0]}\n${options.server.recentOutput().slice(-3000)}`);
  }
  const turns = latencies.all.length - turnsBefore;
  const failedTurns = latencies.failedTurns - failedTurnsBefore;
  const throughAdapter = (after.adapterRequests ?? 0) - (firstStats?.adapterRequests ?? 0);
  // The ratios compare bots on one adapter construction; a server that took another path is not
  // comparable. A turn whose connection failed may or may not have reached the bot.
  if (throughAdapter < turns || throughAdapter > turns + failedTurns) throw new Error(`The ${options.server.name} served ${throughAdapter} of ${turns} turns through createAdapter (bot/teams/adapter.ts); the bench compares only bots on that adapter`);
  const byKind: Partial<Record<TurnKind, Percentiles>> = {};
  for (const kind of TURN_KINDS) {
    const list = latencies.byKind.get(kind);
    if (list) byKind[kind] = percentiles(list);
  }
  return {
    reps: options.reps,
    thinkMs: options.thinkMs ?? [0, 0],
    conversations,
    failed: { conversations: failures.length, reasons: countReasons(failures) },
    turns,
    wallMs,
    turnsPerSecond: turns / (wallMs / 1000),
    latencyMs: percentiles(latencies.all),
    latencyByTurnMs: byKind,
    cpuMsPerTurn: cpuMs / turns,
    answerBytesPerTurn: (latencies.answerBytes - answerBytesBefore) / turns,
    followUpWaits: {
      send: latencies.followUpWaits.filter((w) => w.turn === 'send').length,
      delete: latencies.followUpWaits.filter((w) => w.turn === 'delete').length,
      waitMs: percentiles(latencies.followUpWaits.filter((w) => w.delivered).map((w) => w.ms)),
      notDelivered: latencies.followUpWaits.filter((w) => !w.delivered).length,
    },
    peakRssBytes: after.maxRssBytes,
  };
}
