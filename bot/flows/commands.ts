import { editDistance } from '../domain/text';

/** What a rep's typed message asks for. */
export type Command = 'sendLoa' | 'help' | 'cancel' | 'myLoas' | 'deleteLoa' | 'greeting' | 'didYouMean';

/** The commands a near-miss can be taken for: each is safe to offer on a button. */
export type GuessableCommand = 'sendLoa' | 'myLoas' | 'help';

export interface RecognizedCommand {
  command: Command;
  /** The agreement reference of "delete LOA <ref>" as typed; for didYouMean, the guesses, comma-separated. */
  argument?: string;
}

const PATTERNS: ReadonlyArray<[Command, RegExp]> = [
  ['sendLoa', /^(send|new|start|create)( an?| a new)? (loa|letter of agreement)$/i],
  ['help', /^(help|what can you do)$/i],
  ['cancel', /^(cancel|stop|quit)$/i],
  ['myLoas', /^(my|list( my)?|show( my)?) (loas|agreements|letters of agreement)$/i],
  ['deleteLoa', /^delete (?:loa|agreement) ([A-Za-z0-9-]{1,100})$/i],
  ['greeting', /^(hi|hello|hey|hiya|howdy|yo|bonjour|salut|coucou|hallo|hola|ciao|good (morning|afternoon|evening|day))( there| bot| loa bot| everyone| all)?$/i],
];

/** Words that carry no command: dropped before a near-miss is matched. */
const FILLERS = new Set(['please', 'pls', 'plz', 'can', 'could', 'would', 'you', 'i', 'id', 'want', 'to', 'like', 'a', 'an', 'the', 'me', 'some', 'for', 'lets', 'let', 'us', 'kindly', 'show', 'list', 'see', 'view', 'all', 'of', 'thanks', 'now']);

/** How each guessable command is said, once fillers are dropped. */
const PHRASES: ReadonlyArray<[GuessableCommand, string]> = [
  ['sendLoa', 'send loa'],
  ['sendLoa', 'send agreement'],
  ['sendLoa', 'send letter agreement'],
  ['sendLoa', 'new loa'],
  ['sendLoa', 'start loa'],
  ['sendLoa', 'create loa'],
  ['myLoas', 'my loas'],
  ['myLoas', 'my loa'],
  ['myLoas', 'loas'],
  ['myLoas', 'my agreements'],
  ['help', 'help'],
  ['help', 'what do'],
];

/** "delte loa 4D3429": a typo in the words, a reference after them. */
const DELETE_NEAR_MISS = /^(\S+) (\S+) ([A-Za-z0-9-]{1,100})$/;

/**
 * Recognises a command in message text. Matching is whole-message and ignores case,
 * @mentions and punctuation, so "Send LOA!" works and "don't send loa yet" does not.
 * A near-miss ("send loa please", "sned loa") is taken when it is one small typo from one
 * command, and answered with didYouMean when it is further off or could be either of two.
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
  return nearMiss(normalized);
}

function nearMiss(normalized: string): RecognizedCommand | undefined {
  if (normalized.length === 0 || normalized.length > 80) return undefined;
  const deletion = DELETE_NEAR_MISS.exec(normalized);
  if (deletion && !FILLERS.has(deletion[3]!.toLowerCase()) && editDistance(deletion[1]!.toLowerCase(), 'delete') <= 2 && ['loa', 'agreement'].some((w) => editDistance(deletion[2]!.toLowerCase(), w) <= 1)) {
    return { command: 'deleteLoa', argument: deletion[3]! };
  }
  const words = normalized.toLowerCase().split(' ').filter((w) => !FILLERS.has(w)).join(' ');
  if (!words) return undefined;
  const best = new Map<GuessableCommand, number>();
  for (const [command, phrase] of PHRASES) {
    const distance = editDistance(words, phrase);
    if (distance <= allowedTypos(phrase)) best.set(command, Math.min(distance, best.get(command) ?? Infinity));
  }
  const ranked = [...best].sort((a, b) => a[1] - b[1]);
  const [first, second] = ranked;
  if (!first) return undefined;
  const clear = !second || second[1] > first[1];
  if (clear && first[1] <= 1) return { command: first[0] };
  return { command: 'didYouMean', argument: ranked.map(([c]) => c).join(',') };
}

/** Longer phrases tolerate more typos: one per four letters, at least one. */
function allowedTypos(phrase: string): number {
  return Math.max(1, Math.floor(phrase.length / 4));
}
