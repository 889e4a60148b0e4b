import * as ACData from 'adaptivecards-templating';
import { languageOf, translatorFor } from '../bot/i18n';
import { VERBS } from './verbs';

/** An Adaptive Card as JSON, ready to attach or to return from an invoke. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  [key: string]: unknown;
}

/**
 * Compiles a `cards/*.json` template once and returns a renderer for its data model.
 * Template bindings read `${$root.verbs.x}` for verbs, so the JSON never repeats them.
 * Properties a binding sets to null are dropped, which is how optional ones stay out.
 *
 * A card's fixed words (`strings`, from `cardStrings`) are the same on every render in a
 * language, so they are put into the template once per language and set of words instead of
 * being evaluated as bindings on every render: adaptivecards-templating spends about a
 * microsecond and a half on each binding it evaluates.
 */
export function compileCard<T extends object>(template: object): (data: T) => AdaptiveCard {
  const withVerbsOnly = withVerbs(template);
  const compiled = new ACData.Template(withVerbsOnly);
  const withStrings = new WeakMap<object, ACData.Template>();
  return (data: T) => {
    const strings = (data as { strings?: unknown }).strings;
    let chosen = compiled;
    if (baking.on && strings && typeof strings === 'object' && MADE_STRINGS.has(strings)) {
      let baked = withStrings.get(strings);
      if (!baked) {
        baked = new ACData.Template(bakeStrings(withVerbsOnly, strings as Record<string, string>, false));
        withStrings.set(strings, baked);
      }
      chosen = baked;
    }
    return dropNulls(chosen.expand({ $root: { ...data, verbs: VERBS } })) as AdaptiveCard;
  };
}

/** Whether fixed words are baked in; off, every card renders through plain bindings, which the tests compare with. */
const baking = { on: true };
export function bakeCardStrings(on: boolean): void {
  baking.on = on;
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

/** A copy without the properties that are null, at any depth; in a loop, since it runs over every rendered card. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!value || typeof value !== 'object') return value;
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === null) continue;
    // As Object.fromEntries did, a key named __proto__ stays a plain property.
    if (key === '__proto__') Object.defineProperty(kept, key, { value: dropNulls(v), enumerable: true, writable: true, configurable: true });
    else kept[key] = dropNulls(v);
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
  const id = `${languageOf(locale)}\u0000${Object.entries(keys).join('\u0000')}`;
  let strings = stringSets.get(id);
  if (!strings) {
    const t = translatorFor(locale);
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
