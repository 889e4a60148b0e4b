import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  topFunctions: ProfileLine[];
  /** Self time by where the code lives: our folders, each npm package, Node itself. */
  byArea: ProfileLine[];
  /** Our own functions (bot/, cards/) by total time, callees included. */
  ownInclusive: ProfileLine[];
}

/** A span of the profiled process's monotonic clock, in µs (process.hrtime on Linux, V8's clock). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

const REPO_ROOT = resolve(__dirname, '..');
/** The servers run compiled (bench/serverProcess.ts): their code is named by its source path. */
const sourcePath = (path: string) => path.replace(/(^|\/)test-artifacts\/bench-build\//, '$1');

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg?.[1]) return pkg[1];
  if (path.startsWith('node:')) return 'node internals';
  if (path.startsWith(REPO_ROOT)) return sourcePath(relative(REPO_ROOT, path)).split('/').slice(0, 2).join('/');
  return path;
}

function where(url: string, line: number): string {
  const path = url.replace(/^file:\/\//, '');
  const short = path.includes('node_modules/') ? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length) : path.startsWith(REPO_ROOT) ? sourcePath(relative(REPO_ROOT, path)) : path;
  return short ? `${short}:${line + 1}` : '';
}

/**
 * The newest main-thread profile in `dir`. Node names them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile;
 * thread 0 is the main thread (tsx's module loader runs in a worker with a profile of its own).
 */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f))
    .map((f) => join(dir, f));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/**
 * Self time per function and per area in a V8 CPU profile (node --cpu-prof), and our own
 * functions' total time. With `window`, only the samples taken in it (e.g. the measured rounds,
 * not the start-up and module loading).
 */
export function summariseProfile(file: string, top = 20, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const nameOf = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame.url, node.callFrame.lineNumber)}`.trim();
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)') continue;
    totalUs += us;
    const name = nameOf(node);
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parentOf.get(up)) {
      const frame = byId.get(up);
      if (!frame || !/^(bot|cards)\//.test(areaOf(frame.callFrame.url, frame.callFrame.functionName))) continue;
      const own = nameOf(frame);
      if (seen.has(own)) continue;
      seen.add(own);
      inclusive.set(own, (inclusive.get(own) ?? 0) + us);
    }
  }
  const lines = (m: Map<string, number>, n: number): ProfileLine[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, selfMs: us / 1000, percent: (100 * us) / totalUs }));
  return { file, totalMs: totalUs / 1000, topFunctions: lines(functions, top), byArea: lines(areas, Math.max(15, top)), ownInclusive: lines(inclusive, top) };
}
