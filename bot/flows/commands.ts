/** What a rep's typed message asks for. */
export type Command = 'sendLoa' | 'help' | 'cancel' | 'myLoas' | 'deleteLoa';

export interface RecognizedCommand {
  command: Command;
  /** The agreement id of "delete LOA <id>", as typed. */
  argument?: string;
}

const PATTERNS: ReadonlyArray<[Command, RegExp]> = [
  ['sendLoa', /^(send|new|start|create)( an?| a new)? (loa|letter of agreement)$/i],
  ['help', /^(help|what can you do)$/i],
  ['cancel', /^(cancel|stop|quit)$/i],
  ['myLoas', /^(my|list( my)?|show( my)?) (loas|agreements|letters of agreement)$/i],
  ['deleteLoa', /^delete (?:loa|agreement) ([A-Za-z0-9-]{1,100})$/i],
];

/**
 * Recognises a command in message text. Matching is whole-message and ignores case,
 * @mentions and punctuation, so "Send LOA!" works and "don't send loa yet" does not.
 */
export function recognizeCommand(text: string): RecognizedCommand | undefined {
  const normalized = text
    .replace(/<at>.*?<\/at>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[.!?,;:'"]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  for (const [command, pattern] of PATTERNS) {
    const match = pattern.exec(normalized);
    if (match) return match[1] && command === 'deleteLoa' ? { command, argument: match[1] } : { command };
  }
  return undefined;
}
