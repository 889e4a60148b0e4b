import type { LoaTemplate } from '../templateCatalog';

/**
 * Runs `derive` once per catalog: what the parser derives from the templates (their phrases,
 * compiled patterns) does not change between sentences, and deriving it each time costs more
 * than reading the sentence.
 */
export function memoByCatalog<T>(derive: (templates: readonly LoaTemplate[]) => T): (templates: readonly LoaTemplate[]) => T {
  const cache = new WeakMap<readonly LoaTemplate[], T>();
  return (templates) => {
    const hit = cache.get(templates);
    if (hit !== undefined) return hit;
    const value = derive(templates);
    cache.set(templates, value);
    return value;
  };
}

/** Bounded, so that a caller passing ever-new strings cannot grow it without end. */
const MAX_ENTRIES = 2000;

/** Memoises a function of a catalog string (a pattern, an alias). */
export function memoByString<T>(derive: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = derive(key);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, value);
    return value;
  };
}
