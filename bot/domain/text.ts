/** Characters that Adaptive Card and Teams Markdown give a meaning to. */
const MARKDOWN_SPECIALS = /[\\`*_{}[\]()<>#+\-.!|~]/g;

/**
 * Makes rep- or API-supplied text show literally in a TextBlock, FactSet or chat
 * message: `[x](https://evil.example)` stays text, never a link.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SPECIALS, (c) => `\\${c}`).replace(/\r?\n/g, '\n\n');
}

/** Control characters other than tab and newline, which no field of an LOA may hold. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/u;
