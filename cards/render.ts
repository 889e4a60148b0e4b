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
  const compiled = new ACData.Template(template);
  return (data: T) => dropNulls(compiled.expand({ $root: { ...data, verbs: VERBS } })) as AdaptiveCard;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, dropNulls(v)]),
    );
  }
  return value;
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
