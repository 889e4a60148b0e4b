import type { Span, Word } from './sentenceText';
import { memoByString } from './catalogMemo';
import { wordsOf } from './sentenceText';

/** Words this short must be typed exactly: one typo turns "low" into "row". */
const MIN_TYPO_LENGTH = 5;

/** True when `a` and `b` are equal, or one typo apart (a letter added, dropped, changed or two swapped). */
export function nearlyEqual(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length < MIN_TYPO_LENGTH || b.length < MIN_TYPO_LENGTH || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  const swapped = a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  return swapped || a.slice(i + 1) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i) || a.slice(i) === b.slice(i + 1);
}

/** A phrase to look for, already split into folded words. */
export type Phrase = readonly string[];

/** The folded words of a catalog phrase ("Low voltage" -> ["low", "voltage"]). */
export const phraseOf: (text: string) => Phrase = memoByString((text) => Object.freeze(wordsOf(text).map((w) => w.folded)));

/** A field's pattern, compiled once. */
export const patternOf: (pattern: string) => RegExp = memoByString((pattern) => new RegExp(pattern, 'u'));

/** Where `phrase` occurs in `words` (consecutive words, each nearly equal), first match first. */
export function findPhrase(words: readonly Word[], phrase: Phrase): Span[] {
  const found: Span[] = [];
  const n = phrase.length;
  if (n === 0) return found;
  // Plain loops: this runs for every catalog phrase against every word of the sentence.
  for (let i = 0; i + n <= words.length; i += 1) {
    let k = 0;
    while (k < n && nearlyEqual(words[i + k]!.folded, phrase[k]!)) k += 1;
    if (k === n) found.push({ start: words[i]!.start, end: words[i + n - 1]!.end });
  }
  return found;
}

/** The words just before `start`, nearest last, at most `count`. */
export function wordsBefore(words: readonly Word[], start: number, count: number): Word[] {
  const before = words.filter((w) => w.end <= start);
  return before.slice(Math.max(0, before.length - count));
}
