import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';
import { TemplateCatalog } from '../bot/domain/templateCatalog';
import { createFlows } from '../bot/flows/index';
import type { FlowDeps } from '../bot/flows/flowContext';
import type { AdaptiveCard } from '../cards/render';
import { ALL_VERBS, VERBS } from '../cards/verbs';

// The package's main entry is ESM with extensionless imports that Node cannot load; the dist bundle can.
const AC = createRequire(__filename)('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/** Teams refuses a message whose card is larger than this. */
export const MAX_CARD_BYTES = 28 * 1024;

/** The newest schema every Teams client (desktop, web, mobile) renders. */
export const MAX_CARD_VERSION = { major: 1, minor: 5 } as const;

/** Verbs that act on the draft a card shows, so their actions must say which draft. */
export const DRAFT_VERBS: readonly string[] = [VERBS.chooseTemplate, VERBS.changeTemplate, VERBS.reviewDraft, VERBS.editDraft, VERBS.sendDraft, VERBS.cancelDraft];

/**
 * Flow dependencies for building the flows and rendering outcome cards, which need only
 * the catalog. Every other dependency is a stand-in that throws when it is used, so a card
 * test that reaches the LOA API or storage fails loudly, and new FlowDeps members need no
 * change here.
 */
export function minimalFlowDeps(catalog: TemplateCatalog): FlowDeps {
  const given: Record<string | symbol, unknown> = { catalog, clock: { now: () => Date.parse('2026-03-02T09:00:00.000Z') }, sendAckAfterMs: 0, newId: () => 'draft-1' };
  const deps = new Proxy(given, { get: (target, property) => (property in target ? target[property] : standIn(`deps.${String(property)}`)) });
  return deps as unknown as FlowDeps;
}

function standIn(name: string): unknown {
  const fail = (): never => {
    throw new Error(`Card tests do not use ${name}`);
  };
  return new Proxy(fail, { apply: fail, get: (_target, property) => (typeof property === 'symbol' ? undefined : fail()) });
}

let handled: ReadonlySet<string> | undefined;

/** The verbs createFlows has a handler for. The handlers are looked up, never called. */
export function verbsWithHandlers(): ReadonlySet<string> {
  if (!handled) {
    const deps = minimalFlowDeps(new TemplateCatalog([]));
    const verbs = createFlows(deps).verbs as Readonly<Record<string, unknown>>;
    handled = new Set(Object.keys(verbs).filter((v) => typeof verbs[v] === 'function'));
  }
  return handled;
}

export interface CardCheckOptions {
  /** Default: the verbs createFlows answers. */
  handledVerbs?: ReadonlySet<string>;
  /**
   * Rep-typed values a card may hold verbatim (inputs show values raw), so a `${` in them
   * is data, not a binding the renderer forgot.
   */
  literalValues?: readonly string[];
}

/**
 * Everything wrong with a card the bot would send, as readable lines: what the official
 * Adaptive Cards parser and validator report, properties the parser silently drops,
 * template bindings left unexpanded, a version Teams may not render, a size Teams refuses,
 * and Action.Execute buttons the bot cannot answer.
 */
export function cardProblems(card: AdaptiveCard, options: CardCheckOptions = {}): string[] {
  return [
    ...parserProblems(card),
    ...unexpandedBindings(card, options.literalValues ?? []),
    ...versionProblems(card),
    ...sizeProblems(card),
    ...actionProblems(card, options.handledVerbs ?? verbsWithHandlers()),
  ];
}

/** Fails with every problem `cardProblems` finds; call it on each card a test receives. */
export function assertValidCard(card: AdaptiveCard, options: CardCheckOptions = {}): void {
  const problems = cardProblems(card, options);
  assert.deepEqual(problems, [], `The card has problems:\n  ${problems.join('\n  ')}\nCard: ${JSON.stringify(card).slice(0, 2000)}`);
}

/** Parse events, validation failures, and properties the parser read but would not keep. */
export function parserProblems(card: AdaptiveCard): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  // Every event the validator logs is a failure; Hint is the mildest, and we allow none.
  for (const e of parsed.validateProperties().validationEvents) {
    problems.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  let kept: unknown;
  try {
    kept = parsed.toJSON();
  } catch (err) {
    // It throws on a version it cannot compare, which the parse events already name.
    problems.push(`parse: the parser cannot write the card back: ${(err as Error).message}`);
    return problems;
  }
  droppedProperties(card, kept, '$', problems);
  return problems;
}

/** Values the parser leaves out of its JSON because they are its defaults, by property name. */
const DEFAULT_VALUES: Readonly<Record<string, readonly unknown[]>> = {
  style: ['compact', 'default'],
  valueOn: ['true'],
  valueOff: ['false'],
  spacing: ['default'],
  size: ['default'],
  weight: ['default'],
  color: ['default'],
  isVisible: [true],
};

/**
 * The parser ignores, without an event, properties it does not know (a typo such as
 * `isMultiLine`) and values of the wrong type (`"maxLength": "20"`). Round-tripping
 * through it shows both: the value is missing from its JSON and is not a default.
 */
function droppedProperties(sent: unknown, kept: unknown, path: string, problems: string[]): void {
  if (Array.isArray(sent)) {
    sent.forEach((item, i) => droppedProperties(item, Array.isArray(kept) ? kept[i] : undefined, `${path}[${i}]`, problems));
    return;
  }
  if (!isRecord(sent)) {
    const same = typeof sent === 'string' && typeof kept === 'string' ? sent.toLowerCase() === kept.toLowerCase() : sent === kept;
    if (!same) problems.push(`parse: ${path} is ${JSON.stringify(sent)} but the parser reads ${JSON.stringify(kept)}`);
    return;
  }
  const keptObject = isRecord(kept) ? kept : {};
  for (const [key, value] of Object.entries(sent)) {
    const childPath = `${path}.${key}`;
    if (keptObject[key] !== undefined) droppedProperties(value, keptObject[key], childPath, problems);
    else if (!isDefaultValue(key, value)) problems.push(`parse: ${childPath} = ${JSON.stringify(value)} is ignored by the parser (unknown property or wrong type)`);
  }
}

function isDefaultValue(key: string, value: unknown): boolean {
  if (value === false || value === '' || (Array.isArray(value) && value.length === 0)) return true;
  const defaults = DEFAULT_VALUES[key] ?? [];
  return defaults.some((d) => d === value || (typeof d === 'string' && typeof value === 'string' && d === value.toLowerCase()));
}

/** Strings still holding `${`: a binding whose data was missing stays in the card as written. */
export function unexpandedBindings(card: AdaptiveCard, literalValues: readonly string[] = []): string[] {
  return stringsOf(card)
    .filter(({ text }) => text.includes('${') && !literalValues.includes(text))
    .map(({ path, text }) => `binding: ${path} still holds ${JSON.stringify(text.slice(0, 120))}`);
}

/** The card's version, as numbers; NaN parts when it is not "major.minor". */
export function cardVersion(card: AdaptiveCard): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)$/.exec(String(card.version));
  return { major: Number(m?.[1] ?? NaN), minor: Number(m?.[2] ?? NaN) };
}

function versionProblems(card: AdaptiveCard): string[] {
  const { major, minor } = cardVersion(card);
  if (Number.isNaN(major) || Number.isNaN(minor)) return [`version: ${JSON.stringify(card.version)} is not major.minor`];
  const tooNew = major > MAX_CARD_VERSION.major || (major === MAX_CARD_VERSION.major && minor > MAX_CARD_VERSION.minor);
  return tooNew ? [`version: ${card.version} is newer than ${MAX_CARD_VERSION.major}.${MAX_CARD_VERSION.minor}`] : [];
}

/** Bytes of the card's JSON as Teams receives it. */
export function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

function sizeProblems(card: AdaptiveCard): string[] {
  const bytes = cardBytes(card);
  return bytes < MAX_CARD_BYTES ? [] : [`size: ${bytes} bytes of JSON, Teams takes less than ${MAX_CARD_BYTES}`];
}

export interface ExecuteAction {
  path: string;
  title: unknown;
  verb: unknown;
  data: unknown;
}

/** Every Action.Execute anywhere on the card: card actions, action sets, select actions. */
export function executeActions(card: AdaptiveCard): ExecuteAction[] {
  const found: ExecuteAction[] = [];
  walk(card, '$', (node, path) => {
    if (node.type === 'Action.Execute') found.push({ path, title: node.title, verb: node.verb, data: node.data });
  });
  return found;
}

function actionProblems(card: AdaptiveCard, handledVerbs: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const a of executeActions(card)) {
    const name = `${a.path} (${JSON.stringify(a.title)})`;
    if (typeof a.verb !== 'string' || !ALL_VERBS.includes(a.verb)) {
      problems.push(`action: ${name} has verb ${JSON.stringify(a.verb)}, which is not in VERBS`);
      continue;
    }
    if (!handledVerbs.has(a.verb)) problems.push(`action: ${name} has verb ${a.verb}, which no flow handles`);
    const draftId = isRecord(a.data) ? a.data.draftId : undefined;
    if (DRAFT_VERBS.includes(a.verb) && (typeof draftId !== 'string' || draftId === '')) {
      problems.push(`action: ${name} acts on a draft but its data carries no draftId`);
    }
  }
  return problems;
}

export interface CardText {
  path: string;
  text: string;
}

/** Text the client renders as Markdown: TextBlock text and FactSet titles and values. */
export function markdownTexts(card: AdaptiveCard): CardText[] {
  const found: CardText[] = [];
  walk(card, '$', (node, path) => {
    if (node.type === 'TextBlock' && typeof node.text === 'string') found.push({ path: `${path}.text`, text: node.text });
    if (node.type === 'FactSet' && Array.isArray(node.facts)) {
      node.facts.forEach((fact, i) => {
        if (!isRecord(fact)) return;
        if (typeof fact.title === 'string') found.push({ path: `${path}.facts[${i}].title`, text: fact.title });
        if (typeof fact.value === 'string') found.push({ path: `${path}.facts[${i}].value`, text: fact.value });
      });
    }
  });
  return found;
}

/** Markdown with every backslash-escaped character blanked, so only syntax that takes effect is left. */
export function activeMarkdown(text: string): string {
  return text.replace(/\\[\s\S]/g, '\u2022');
}

/** Markdown as the rep reads it: escapes removed, paragraph breaks as single newlines. */
export function readable(text: string): string {
  return text.replace(/\\([\s\S])/g, '$1').replace(/\n\n/g, '\n');
}

/** What the rep reads on a card, one line per TextBlock and `title: value` per fact. */
export function readableText(card: AdaptiveCard): string {
  const lines: string[] = [];
  walk(card, '$', (node) => {
    if (node.type === 'TextBlock' && typeof node.text === 'string') lines.push(readable(node.text));
    if (node.type === 'FactSet' && Array.isArray(node.facts)) {
      for (const fact of node.facts) if (isRecord(fact)) lines.push(`${readable(String(fact.title))}: ${readable(String(fact.value))}`);
    }
  });
  return lines.join('\n');
}

/** Input id -> value as sent, for every Input.* element. */
export function inputValues(card: AdaptiveCard): Map<string, { type: string; value: unknown }> {
  const inputs = new Map<string, { type: string; value: unknown }>();
  walk(card, '$', (node) => {
    if (typeof node.type === 'string' && node.type.startsWith('Input.') && typeof node.id === 'string') inputs.set(node.id, { type: node.type, value: node.value });
  });
  return inputs;
}

/** Every string in the card (values and keys' values, not keys) with its JSON path. */
export function stringsOf(card: AdaptiveCard): CardText[] {
  const found: CardText[] = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'string') found.push({ path, text: value });
    else if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`));
    else if (isRecord(value)) Object.entries(value).forEach(([k, v]) => visit(v, `${path}.${k}`));
  };
  visit(card, '$');
  return found;
}

function walk(value: unknown, path: string, onObject: (node: Record<string, unknown>, path: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, onObject));
    return;
  }
  if (!isRecord(value)) return;
  onObject(value, path);
  for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, onObject);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
