import type { CallCounts } from '../deploy/local/sandbox/sandboxServer';
import type { ProfileSummary } from './cpuProfile';
import type { LoadResult, Percentiles } from './load';
import { FOLLOW_UP_TIMEOUT_MS, TURN_KINDS } from './reps';

export interface Target {
  name: string;
  measured: number;
  unit: string;
  target: number;
  pass: boolean;
  /** Printed instead of the measured value, e.g. with its standard error. */
  shown?: string;
}

export interface SlowApiResult {
  sendAckAfterMs: number;
  /** Whether that is the bot's default, i.e. SEND_ACK_AFTER_MS was not set. */
  isDefault: boolean;
  /** How long the sandbox held every create. */
  createLatencyMs: number;
  reps: number;
  /** Latency of the Send turn: how long the rep's card spins before it answers. */
  sendAckMs: Percentiles;
  /** The same reps' earlier turns, to show the bot stays responsive while creates hang. */
  otherTurnsMs: Percentiles;
  /** Title of the card each Send answered with. */
  sendAnswers: Record<string, number>;
  cardUpdatesDelivered: number;
  chatMessagesDelivered: number;
  /** Title of the card each follow-up put in place of the Send card. */
  finalCards: Record<string, number>;
  followUpAfterAckMs: Percentiles;
  /** Agreements the sandbox created for these Sends, counted once its delay has passed. */
  agreementsCreated: number;
  wallMs: number;
}

export interface MemoryFigures {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

export interface MemorySample extends MemoryFigures {
  /** Conversations finished in the call-ratio run when the sample was taken. */
  conversations: number;
}

export interface Slope {
  perConversation: number;
  standardError: number;
}

/** Memory through a sampled run, after full garbage collections; growth in KB per conversation, fitted from samples[1] on. */
export interface MemoryRun {
  samples: MemorySample[];
  rssKbPerConversation: Slope;
  heapUsedKbPerConversation: Slope;
  warmUpConversations: number;
}

/** The LOA bot in the production storage configuration (STATE_STORAGE=blob, on Azurite). */
export interface BlobMemoryRun {
  run: LoadResult;
  memory: MemoryRun;
}

export interface LoaRuns {
  saturated: LoadResult;
  paced: LoadResult;
  callRatio: LoadResult;
  /** Through the call-ratio run on memory storage (secondary: production refuses it). */
  memory: MemoryRun;
  sandboxCalls: CallCounts;
  agreements: number;
}

export interface BenchReport {
  generatedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  /** 1-minute load average: above ~1, other processes shared the CPUs with the bench. */
  loadAverage: { atStart: number; atEnd: number };
  settings: Record<string, unknown>;
  /** How every server built its adapter; the runner checked each turn of each run against it. */
  adapter: string;
  echo: { saturated: LoadResult; paced: LoadResult };
  /** The echo bot making the LOA bot's outbound calls: what the product's HTTP calls cost on this stack. */
  echoWithCalls: { saturated: LoadResult };
  /** The same, also keeping the LOA bot's draft in conversation state: the LOA bot's unavoidable state cost. */
  echoWithState: { saturated: LoadResult };
  loa: LoaRuns;
  /** The production storage configuration's memory: the primary memory figure. */
  blob: BlobMemoryRun;
  /** The sandbox's token lifetime, s: token calls are judged per rep and per lifetime. */
  tokenTtlS: number;
  ratios: { cpuPerTurn: number; cpuPerTurnWithCalls: number; cpuPerTurnWithState: number; latencyP50: number; latencyP99: number };
  slowApi: SlowApiResult[];
  targets: Target[];
  /** CPU the runner (reps and fake connector) used, in s. */
  runnerCpuS: number;
  durationS: number;
  profile?: ProfileSummary;
}

function table(header: string[], rows: string[][], rightAligned: (i: number) => boolean = (i) => i > 0): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (rightAligned(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned(i) ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const ms = (n: number) => n.toFixed(1);
const count = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(0);

function loadRow(name: string, r: LoadResult): string[] {
  const think = r.thinkMs[1] > 0 ? `${r.thinkMs[0]}-${r.thinkMs[1]}` : '0';
  return [name, String(r.reps), think, String(r.conversations), String(r.turns), r.turnsPerSecond.toFixed(0), ms(r.latencyMs.p50), ms(r.latencyMs.p95), ms(r.latencyMs.p99), r.cpuMsPerTurn.toFixed(3), mb(r.peakRssBytes), followUpWaits(r), String(r.failed.conversations)];
}

/** Sends and deletes the bot acknowledged before the LOA API answered, and the reps' wait for the result. */
function followUpWaits(r: LoadResult): string {
  const w = r.followUpWaits;
  if (w.send + w.delete === 0) return '0';
  return `${w.send} + ${w.delete} (p50 ${ms(w.waitMs.p50)} ms${w.notDelivered > 0 ? `; ${w.notDelivered} not within ${FOLLOW_UP_TIMEOUT_MS / 1000} s` : ''})`;
}

function formatValue(value: number, unit: string): string {
  if (unit === '×') return `${value.toFixed(2)}×`;
  if (unit === 'ms') return `${value.toFixed(1)} ms`;
  if (unit === 'KB') return `${value.toFixed(2)} KB`;
  if (unit.startsWith('/')) return `${value}${unit}`;
  return value.toFixed(3);
}

function formatTarget(t: Target): string {
  if (t.unit.startsWith('/')) return 'all';
  return `≤ ${formatValue(t.target, t.unit)}`;
}

const slopeText = (s: Slope) => `${s.perConversation.toFixed(2)} ± ${s.standardError.toFixed(2)} KB`;
/** KB per conversation as MB per 1,000 conversations. */
const per1000 = (s: Slope) => `${((s.perConversation * 1000) / 1024).toFixed(2)} ± ${((s.standardError * 1000) / 1024).toFixed(2)} MB`;

function memoryLine(title: string, memory: MemoryRun): string {
  const first = memory.samples[0];
  const last = memory.samples.at(-1);
  const every = memory.samples[1]?.conversations ?? 0;
  return [
    `${title}, after ${count(memory.warmUpConversations)} conversations not counted, then sampled after full GC every ${count(every)} (growth fitted from the second sample on):`,
    `RSS ${memory.samples.map((m) => mb(m.rssBytes)).join(', ')} MB, growth ${per1000(memory.rssKbPerConversation)} per 1,000 conversations (${slopeText(memory.rssKbPerConversation)} each);`,
    `V8 heap used ${memory.samples.map((m) => mb(m.heapUsedBytes)).join(', ')} MB, growth ${per1000(memory.heapUsedKbPerConversation)} per 1,000 conversations (${slopeText(memory.heapUsedKbPerConversation)} each);`,
    `heap reserved ${mb(first?.heapTotalBytes ?? 0)} → ${mb(last?.heapTotalBytes ?? 0)} MB, external ${mb(first?.externalBytes ?? 0)} → ${mb(last?.externalBytes ?? 0)} MB.`,
  ].join(' ');
}

/** The markdown tables docs/performance.md quotes, on stdout. */
export function printReport(r: BenchReport): void {
  const out: string[] = [];
  const m = r.machine;
  out.push('', `## LOA bot benchmark, ${r.generatedAt}`, '');
  out.push(`${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, ${m.platform}. LOG_LEVEL=${String(r.settings.logLevel)}, memory storage, roster identity, sandbox at zero latency unless said otherwise. Every bot served every turn through ${r.adapter}. Load average ${r.loadAverage.atStart.toFixed(2)} at the start, ${r.loadAverage.atEnd.toFixed(2)} at the end; the runner used ${r.runnerCpuS.toFixed(0)} s of CPU in ${r.durationS.toFixed(0)} s.`);
  if (r.loadAverage.atStart > 1) out.push('', `**The machine was busy** (load average ${r.loadAverage.atStart.toFixed(1)} on ${m.cpus} CPUs): other processes took CPU time, so turns/s and latencies are pessimistic. CPU ms per turn is the bot's own and is affected much less.`);
  out.push('');
  out.push(
    table(
      ['run', 'reps', 'think ms', 'conv.', 'turns', 'turns/s', 'p50 ms', 'p95 ms', 'p99 ms', 'CPU ms/turn', 'peak RSS MB', 'acked, waited: send + delete', 'not finished'],
      [
        loadRow('echo bot, saturated', r.echo.saturated),
        loadRow('echo bot, paced', r.echo.paced),
        loadRow('echo bot + LOA calls, saturated', r.echoWithCalls.saturated),
        loadRow('echo bot + LOA calls + draft state, saturated', r.echoWithState.saturated),
        loadRow('LOA bot, saturated', r.loa.saturated),
        loadRow('LOA bot, paced', r.loa.paced),
        loadRow(`LOA bot, ${count(r.loa.callRatio.conversations)} LOAs in ${r.loa.memory.samples.length - 1} rounds`, r.loa.callRatio),
        loadRow(`LOA bot, STATE_STORAGE=blob (Azurite), ${count(r.blob.run.conversations)} LOAs`, r.blob.run),
      ],
      (i) => i > 0 && i !== 2,
    ),
  );
  const failures = [r.echo.saturated, r.echoWithCalls.saturated, r.echoWithState.saturated, r.loa.saturated, r.loa.paced, r.loa.callRatio, r.blob.run].flatMap((run) => Object.entries(run.failed.reasons));
  if (failures.length > 0) out.push('', 'Conversations that did not finish, by reason:', '', ...failures.map(([reason, n]) => `- ${n}× ${reason}`));
  out.push('', 'LOA bot by turn, ms:', '');
  out.push(
    table(
      ['turn', 'paced p50', 'paced p99', 'saturated p50', 'saturated p99'],
      TURN_KINDS.map((k) => {
        const p = r.loa.paced.latencyByTurnMs[k];
        const s = r.loa.saturated.latencyByTurnMs[k];
        return [k, ms(p?.p50 ?? 0), ms(p?.p99 ?? 0), ms(s?.p50 ?? 0), ms(s?.p99 ?? 0)];
      }),
    ),
  );
  const c = r.loa.sandboxCalls;
  const n = r.loa.agreements;
  out.push(
    '',
    `LOA bot ÷ echo bot: CPU per turn ${r.ratios.cpuPerTurn.toFixed(2)}× (saturated); latency p50 ${r.ratios.latencyP50.toFixed(2)}×, p99 ${r.ratios.latencyP99.toFixed(2)}× (paced).`,
    `LOA bot ÷ echo bot making the same outbound calls (create, get, delete, 2 chat messages per conversation): CPU per turn ${r.ratios.cpuPerTurnWithCalls.toFixed(2)}× (saturated). Those calls alone take the echo bot from ${r.echo.saturated.cpuMsPerTurn.toFixed(3)} to ${r.echoWithCalls.saturated.cpuMsPerTurn.toFixed(3)} ms per turn.`,
    `LOA bot ÷ echo bot making those calls and keeping a draft of the same size in conversation state (same storage): CPU per turn ${r.ratios.cpuPerTurnWithState.toFixed(2)}× (saturated); the state alone costs the echo bot ${(r.echoWithState.saturated.cpuMsPerTurn - r.echoWithCalls.saturated.cpuMsPerTurn).toFixed(3)} ms per turn. The LOA bot's own work, past calls and state: ${(r.loa.saturated.cpuMsPerTurn - r.echoWithState.saturated.cpuMsPerTurn).toFixed(3)} ms per turn.`,
    `LOA API calls for ${n} agreements by ${r.loa.callRatio.reps} reps: token ${c.token}, create ${c.create}, get ${c.get}, delete ${c.delete}. Per agreement: token + create ${((c.token + c.create) / n).toFixed(3)} (create ${(c.create / n).toFixed(3)}, token ${(c.token / n).toFixed(3)}); token calls per rep ${(c.token / r.loa.callRatio.reps).toFixed(2)}, in a run of ${(r.loa.callRatio.wallMs / 1000).toFixed(0)} s against a token lifetime of ${r.tokenTtlS} s.`,
    '',
    memoryLine('**Memory, production configuration** (STATE_STORAGE=blob on Azurite)', r.blob.memory),
    '',
    memoryLine('Memory on memory storage (local runs only, secondary)', r.loa.memory),
    '',
  );
  out.push(
    table(
      [`create takes ${(r.slowApi[0]?.createLatencyMs ?? 0) / 1000} s`, 'reps', 'Send p50 ms', 'Send p99 ms', 'Send answered with', 'earlier turns p99 ms', 'card updates', 'chat messages', 'final card', 'follow-up after Send p50 ms', 'created by the API'],
      r.slowApi.map((s) => [
        `SEND_ACK_AFTER_MS=${s.sendAckAfterMs}${s.isDefault ? ' (default)' : ''}`,
        String(s.reps),
        ms(s.sendAckMs.p50),
        ms(s.sendAckMs.p99),
        Object.entries(s.sendAnswers).map(([t, k]) => `${k}× ${t}`).join(', '),
        ms(s.otherTurnsMs.p99),
        `${s.cardUpdatesDelivered}/${s.reps}`,
        `${s.chatMessagesDelivered}/${s.reps}`,
        Object.entries(s.finalCards).map(([t, k]) => `${k}× ${t}`).join(', '),
        ms(s.followUpAfterAckMs.p50),
        `${s.agreementsCreated}/${s.reps}`,
      ]),
      (i) => ![0, 4, 8].includes(i),
    ),
  );
  out.push('', table(['target', 'measured', 'target', 'status'], r.targets.map((t) => [t.name, t.shown ?? formatValue(t.measured, t.unit), formatTarget(t), t.pass ? 'PASS' : 'MISS'])), '');
  if (r.profile) {
    out.push(`CPU profile of the LOA bot (${r.profile.file}), ${r.profile.totalMs.toFixed(0)} ms of CPU:`, '');
    out.push(table(['self time by area', 'ms', '%'], r.profile.byArea.map((l) => [l.name, l.selfMs.toFixed(0), l.percent.toFixed(1)])), '');
    out.push(table(['top functions by self time', 'ms', '%'], r.profile.topFunctions.map((l) => [l.name, l.selfMs.toFixed(0), l.percent.toFixed(1)])), '');
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
