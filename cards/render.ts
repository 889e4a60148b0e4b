import * as ACData from 'adaptivecards-templating';
import { translatorFor } from '../bot/i18n';
import { VERBS } from './verbs';

/** An Adaptive Card as JSON, ready to attach or to return from an invoke. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  [key: string]: unknown;
}

export interface CompileOptions {
  /**
   * Properties (at any depth of the data) whose values the template only shows, never tests:
   * what a rep typed, a draft id. The card is expanded once per distinct rest of the data and
   * these values are put into a copy of it, instead of every binding being evaluated again for
   * every draft. An empty value stays itself, so `${x != ''}` still holds; the template may use
   * such a property only as `${x}`, `${$root.x}`, `${x != ''}`, `${x == ''}` or `${x != null}`,
   * which compileCard checks.
   */
  holes?: readonly string[];
}

/**
 * Compiles a `cards/*.json` template once and returns a renderer for its data model.
 * Template bindings read `${$root.verbs.x}` for verbs, so the JSON never repeats them.
 * Properties a binding sets to null are dropped, which is how optional ones stay out.
 *
 * adaptivecards-templating spends about a microsecond and a half on each binding it evaluates,
 * and a details card has nearly two hundred. Two shortcuts keep that off the common path:
 * - a card's fixed words (`strings`, from `cardStrings`) are put into the template once per
 *   language and set of words;
 * - with `holes`, the expanded card is kept per data without those values (bounded, frozen), and
 *   each render fills it, copying only the parts that hold those values: the rest is shared.
 * The tests render every card with and without the shortcuts and require the same card.
 */
export function compileCard<T extends object>(template: object, options: CompileOptions = {}): (data: T) => AdaptiveCard {
  const withVerbsOnly = withVerbs(template);
  const holes = new Set(options.holes ?? []);
  checkHoles(withVerbsOnly, holes);
  const compiled = new ACData.Template(withVerbsOnly);
  const withStrings = new WeakMap<object, ACData.Template>();
  const expanded = new Map<string, Expanded>();
  const templateFor = (data: T) => {
    const strings = (data as { strings?: unknown }).strings;
    if (!shortcuts.on || !strings || typeof strings !== 'object' || !MADE_STRINGS.has(strings)) return compiled;
    let baked = withStrings.get(strings);
    if (!baked) {
      baked = new ACData.Template(bakeStrings(withVerbsOnly, strings as Record<string, string>, false));
      withStrings.set(strings, baked);
    }
    return baked;
  };
  const expand = (data: T) => dropNulls(templateFor(data).expand({ $root: { ...data, verbs: VERBS } }));
  return (data: T) => {
    if (!shortcuts.on || holes.size === 0) return expand(data) as AdaptiveCard;
    const values: unknown[] = [];
    const shape = withHoles(data, holes, values) as T;
    const key = JSON.stringify(shape);
    let kept = expanded.get(key);
    if (kept === undefined) {
      kept = keep(expand(shape));
      // Bounded: a key names the template, language, problems and marks, and a problem's text can
      // quote what a rep typed; the oldest goes first.
      if (expanded.size >= MAX_EXPANDED) expanded.delete(expanded.keys().next().value!);
      expanded.set(key, kept);
    }
    return filled(kept.card, values, kept.holed) as AdaptiveCard;
  };
}

const MAX_EXPANDED = 200;
/** Marks a hole in the data; the nonce keeps anything a rep types from ever looking like one. */
const HOLE = `\u0000hole${Math.random().toString(36).slice(2)}:`;
const HOLE_END = '\u0000';
const HOLE_TOKEN = new RegExp(`${HOLE}(\\d+)${HOLE_END}`, 'g');

/** A copy of `data` with each hole's non-empty value replaced by a marker, the values collected in order. */
function withHoles(data: unknown, holes: ReadonlySet<string>, values: unknown[]): unknown {
  if (Array.isArray(data)) return data.map((item) => withHoles(item, holes, values));
  if (!data || typeof data !== 'object' || MADE_STRINGS.has(data)) return data;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    const value = (data as Record<string, unknown>)[key];
    if (holes.has(key) && (typeof value === 'string' || typeof value === 'number') && value !== '') {
      setOwn(copy, key, `${HOLE}${values.length}${HOLE_END}`);
      values.push(value);
    } else {
      setOwn(copy, key, withHoles(value, holes, values));
    }
  }
  return copy;
}

/**
 * An expanded card as kept: frozen, with the objects and arrays that hold a marker somewhere
 * below them. Filling copies only those; the rest of the card (most of it: layout, labels,
 * buttons) is shared by every card filled from it, which freezing makes safe to hand out.
 */
interface Expanded {
  card: unknown;
  holed: WeakSet<object>;
}

function keep(card: unknown): Expanded {
  const holed = new WeakSet<object>();
  const visit = (node: unknown): boolean => {
    if (typeof node === 'string') return node.includes(HOLE);
    if (!node || typeof node !== 'object') return false;
    let has = false;
    for (const value of Object.values(node)) if (visit(value)) has = true;
    if (has) holed.add(node);
    Object.freeze(node);
    return has;
  };
  visit(card);
  return { card, holed };
}

/** The kept card with its markers replaced by the values (a whole-string marker keeps the value's type), copying only the paths to them. */
function filled(node: unknown, values: readonly unknown[], holed: WeakSet<object>): unknown {
  if (typeof node === 'string') {
    if (!node.includes(HOLE)) return node;
    if (node.startsWith(HOLE) && node.endsWith(HOLE_END) && node.indexOf(HOLE, 1) === -1) return values[Number(node.slice(HOLE.length, -HOLE_END.length))];
    return node.replace(HOLE_TOKEN, (_marker, i: string) => String(values[Number(i)]));
  }
  if (!node || typeof node !== 'object' || !holed.has(node)) return node;
  if (Array.isArray(node)) return node.map((item) => filled(item, values, holed));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(node)) setOwn(copy, key, filled((node as Record<string, unknown>)[key], values, holed));
  return copy;
}

/** What a template may do with a hole: show it, or ask whether it is empty (which a marker keeps). */
function holeUseAllowed(expression: string, hole: string): boolean {
  const e = expression.trim();
  return [hole, `$root.${hole}`, `${hole} != ''`, `${hole} == ''`, `${hole} != null`].includes(e);
}

/** Refuses a template that tests a hole's value in any other way, or iterates it: its card would depend on the value. */
function checkHoles(node: unknown, holes: ReadonlySet<string>, key = ''): void {
  if (holes.size === 0) return;
  if (typeof node === 'string') {
    for (const [, expression] of node.matchAll(/\$\{([^}]*)\}/g)) {
      for (const hole of holes) {
        if (!new RegExp(`(^|[^\\w.$])(\\$root\\.)?${hole}\\b`).test(expression!)) continue;
        if (key === '$data' || !holeUseAllowed(expression!, hole)) throw new Error(`A card template uses "${hole}" in \${${expression}}, which a hole cannot fill`);
      }
    }
    return;
  }
  if (Array.isArray(node)) return node.forEach((item) => checkHoles(item, holes, key));
  if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) checkHoles(v, holes, k);
}

/** Whether the shortcuts are on; off, every card renders through plain bindings, which the tests compare with. */
const shortcuts = { on: true };
export function cardShortcuts(on: boolean): void {
  shortcuts.on = on;
}

/** `${strings.x}` (outside any `$data` scope, where it reads the root) and `${$root.strings.x}`. */
const STRING_BINDING = /\$\{(\$root\.)?strings\.(\w+)\}/g;

/**
 * The template with each binding to one of `strings` replaced by its text. Inside a `$data`
 * scope a bare `strings.x` names the item's own property, so only `$root.strings.x` is replaced
 * there. A text that itself holds "${" stays a binding, so it is never read as one.
 */
function bakeStrings(node: unknown, strings: Record<string, string>, inDataScope: boolean): unknown {
  if (typeof node === 'string') {
    return node.replace(STRING_BINDING, (binding, root: string | undefined, name: string) => {
      const text = Object.hasOwn(strings, name) ? strings[name] : undefined;
      return text === undefined || text.includes('${') || (!root && inDataScope) ? binding : text;
    });
  }
  if (Array.isArray(node)) return node.map((item) => bakeStrings(item, strings, inDataScope));
  if (node && typeof node === 'object') {
    const scoped = inDataScope || Object.hasOwn(node, '$data');
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, bakeStrings(v, strings, scoped)]));
  }
  return node;
}

/** A whole-string verb binding, `${$root.verbs.x}`. */
const VERB_BINDING = /^\$\{\$root\.verbs\.(\w+)\}$/;

/**
 * The template with each `${$root.verbs.x}` replaced by the verb itself, once, at compile time:
 * verbs never change, and evaluating their bindings on every render was wasted work. Other
 * bindings to `$root.verbs` still find them in the data.
 */
function withVerbs(node: unknown): unknown {
  if (typeof node === 'string') {
    const verb = VERB_BINDING.exec(node)?.[1];
    return verb !== undefined && Object.hasOwn(VERBS, verb) ? VERBS[verb as keyof typeof VERBS] : node;
  }
  if (Array.isArray(node)) return node.map(withVerbs);
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withVerbs(v)]));
  return node;
}

/** Sets a property of a copy; as Object.fromEntries does, a key named __proto__ stays a plain property. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A copy without the properties that are null, at any depth; in a loop, since it runs over every rendered card. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!value || typeof value !== 'object') return value;
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === null) continue;
    setOwn(kept, key, dropNulls(v));
  }
  return kept;
}

/** The word sets `cardStrings` made: the same object for the same words in the same language, so templates can keep them baked in. */
const MADE_STRINGS = new WeakSet<object>();
const stringSets = new Map<string, Readonly<Record<string, string>>>();

/**
 * A card's fixed words in the rep's language, for its template's `${strings.x}` bindings:
 * `keys` maps each binding to its catalog key, written out so the catalog test finds it.
 * The same words in the same language are the same (frozen) object every time.
 */
export function cardStrings<K extends string>(keys: Record<K, string>, locale: string | undefined): Record<K, string> {
  const t = translatorFor(locale);
  // A plain loop: this runs on every render, and the keys' entries would be arrays of arrays.
  let id: string = t.language;
  for (const name in keys) id += `\u0000${name}\u0001${keys[name]}`;
  let strings = stringSets.get(id);
  if (!strings) {
    strings = Object.freeze(Object.fromEntries(Object.entries<string>(keys).map(([name, key]) => [name, t(key)])));
    MADE_STRINGS.add(strings);
    stringSets.set(id, strings);
  }
  return strings as Record<K, string>;
}

/** "Sent … at …" with Teams' DATE() and TIME(), which show the time in the rep's own time zone and format. */
export function sentAtText(key: 'cards:common.sentAt' | 'cards:list.statusSent', timestamp: string, locale: string | undefined, values: Record<string, string> = {}): string {
  return translatorFor(locale)(key, { ...values, date: `{{DATE(${timestamp}, SHORT)}}`, time: `{{TIME(${timestamp})}}` });
}
