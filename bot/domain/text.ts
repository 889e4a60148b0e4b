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
