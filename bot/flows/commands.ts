/** What a rep's typed message asks for. */
export type Command = 'sendLoa' | 'help' | 'cancel';

const PATTERNS: ReadonlyArray<[Command, RegExp]> = [
  ['sendLoa', /^(send|new|start|create)( an?| a new)? (loa|letter of agreement)$/],
  ['help', /^(help|what can you do)$/],
  ['cancel', /^(cancel|stop|quit)$/],
];

/**
 * Recognises a command in message text that has had the bot's @mention removed.
 * Matching is whole-message, case- and punctuation-insensitive, so "Send LOA!" works
 * and "don't send loa yet" does not.
 */
export function recognizeCommand(text: string): Command | undefined {
  const normalized = text
    .toLowerCase()
    .replace(/<at>.*?<\/at>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[.!?,;:'"]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return PATTERNS.find(([, pattern]) => pattern.test(normalized))?.[0];
}
