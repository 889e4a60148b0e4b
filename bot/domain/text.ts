/** Characters that start Markdown (or Adaptive Card DATE/TIME) syntax anywhere in a line. */
const INLINE_SPECIALS = /[\\`*_{}[\]<>~|]/g;
/** Markers that only mean something at the start of a line: headings, lists, quotes. */
const LINE_START_SPECIALS = /^(\s*)(#|-|\+|>|\d+\.)/gm;

/**
 * Makes rep- or API-supplied text show literally in a TextBlock, FactSet or chat
 * message: `[x](https://evil.example)` stays text, never a link. Only characters that can
 * open Markdown are escaped, so ordinary text such as dates and amounts reads cleanly.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(INLINE_SPECIALS, (c) => `\\${c}`)
    .replace(LINE_START_SPECIALS, (_m, space: string, marker: string) => `${space}${marker.replace(/[#\-+>.]/, (c) => `\\${c}`)}`)
    .replace(/\r?\n/g, '\n\n');
}

/** Control characters other than tab and newline, which no field of an LOA may hold. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/u;

/** Damerau-Levenshtein (optimal string alignment): "sned" is one edit from "send". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
