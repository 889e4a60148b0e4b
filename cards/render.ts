import * as ACData from 'adaptivecards-templating';
import { translatorFor } from '../bot/i18n';
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
 */
export function compileCard<T extends object>(template: object): (data: T) => AdaptiveCard {
  const compiled = new ACData.Template(withVerbs(template));
  return (data: T) => dropNulls(compiled.expand({ $root: { ...data, verbs: VERBS } })) as AdaptiveCard;
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

/**
 * A card's fixed words in the rep's language, for its template's `${strings.x}` bindings:
 * `keys` maps each binding to its catalog key, written out so the catalog test finds it.
 */
export function cardStrings<K extends string>(keys: Record<K, string>, locale: string | undefined): Record<K, string> {
  const t = translatorFor(locale);
  return Object.fromEntries(Object.entries<string>(keys).map(([name, key]) => [name, t(key)])) as Record<K, string>;
}

/** "Sent … at …" with Teams' DATE() and TIME(), which show the time in the rep's own time zone and format. */
export function sentAtText(key: 'cards:common.sentAt' | 'cards:list.statusSent', timestamp: string, locale: string | undefined, values: Record<string, string> = {}): string {
  return translatorFor(locale)(key, { ...values, date: `{{DATE(${timestamp}, SHORT)}}`, time: `{{TIME(${timestamp})}}` });
}
