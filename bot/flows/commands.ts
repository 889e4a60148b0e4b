import { editDistance } from '../domain/text';

/** What a rep's typed message asks for. */
export type Command = 'sendLoa' | 'help' | 'cancel' | 'myLoas' | 'searchLoas' | 'deleteLoa' | 'greeting' | 'didYouMean' | 'sentence';

/** The commands a near-miss can be taken for: each is safe to offer on a button. */
export type GuessableCommand = 'sendLoa' | 'myLoas' | 'help';

export interface RecognizedCommand {
  command: Command;
  /**
   * The agreement reference of "delete LOA <ref>" as typed; for searchLoas, what to search for
   * ("acme", "declined last month"); for didYouMean, the guesses, comma-separated.
   */
  argument?: string;
}

/**
 * The commands in English and in French, whatever the rep's Teams language: a rep may well
 * type the English the help card or a colleague showed them. A typed ' arrives as a space; a typographic ’ as it is.
 */
const PATTERNS: ReadonlyArray<[Command, RegExp]> = [
  ['sendLoa', /^(send|new|start|create)( an?| a new)? (loa|letter of agreement)$/i],
  ['sendLoa', /^(envoyer|nouvelle|cr[ée]er|commencer|d[ée]marrer)( une| une nouvelle)? (loa|lettre d[ ’]accord)$/i],
  ['help', /^(help|what can you do)$/i],
  ['help', /^(aide|[àa] l aide|aidez-moi|que sais-tu faire|que savez-vous faire)$/i],
  ['cancel', /^(cancel|stop|quit)$/i],
  ['cancel', /^(annuler|arr[êe]ter)$/i],
  ['myLoas', /^(my|list( my)?|show( my)?) (loas|agreements|letters of agreement)$/i],
  ['myLoas', /^(mes|voir( mes)?|afficher( mes)?|lister( mes)?) (loas?|accords|lettres d[ ’]accord)$/i],
  ['deleteLoa', /^delete (?:loa|agreement) ([A-Za-z0-9-]{1,100})$/i],
  ['deleteLoa', /^supprimer (?:la )?(?:loa|accord) ([A-Za-z0-9-]{1,100})$/i],
  ['greeting', /^(hi|hello|hey|hiya|howdy|yo|bonjour|salut|coucou|hallo|hola|ciao|good (morning|afternoon|evening|day))( there| bot| loa bot| everyone| all)?$/i],
];

/** Words that carry no command: dropped before a near-miss is matched. */
const FILLERS = new Set(['please', 'pls', 'plz', 'can', 'could', 'would', 'you', 'i', 'id', 'want', 'to', 'like', 'a', 'an', 'the', 'me', 'some', 'for', 'lets', 'let', 'us', 'kindly', 'show', 'list', 'see', 'view', 'all', 'of', 'thanks', 'now']);

/** The same in French, for near-misses only: in a search, "LA" or "le 12" may be what the rep looks for. */
const FRENCH_FILLERS = new Set(['svp', 'stp', 'merci', 'je', 'veux', 'voudrais', 'une', 'un', 'la', 'le', 'les', 'moi', 'voir', 'afficher', 'toutes']);

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
  ['sendLoa', 'envoyer loa'],
  ['sendLoa', 'nouvelle loa'],
  ['myLoas', 'mes loa'],
  ['help', 'aide'],
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
  const plain = text
    .replace(/<at>.*?<\/at>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const normalized = plain.replace(/[.!?,;:'"]+/g, ' ').replace(/\s+/g, ' ').trim();
  for (const [command, pattern] of PATTERNS) {
    const match = pattern.exec(normalized);
    if (match) return match[1] && command === 'deleteLoa' ? { command, argument: match[1] } : { command };
  }
  // Anything else may be one sentence about an LOA to send: the sentence flow reads it, or answers as to unknown text.
  return search(plain) ?? nearMiss(normalized) ?? (plain ? { command: 'sentence', argument: plain } : undefined);
}

/** Words that may come before "LOAs" in a search: "find", "show my", "all my". */
const SEARCH_LEADS = new Set(['find', 'search', 'show', 'list', 'get', 'see', 'view', 'my', 'all', 'me', 'for', 'of', 'the', 'please', 'pls', 'can', 'you', 'i', 'want', 'to', 'lets', 'let', 'us', 'mes']);

/** Statuses a rep may put before "LOAs" ("my declined LOAs"); the search reads them. */
const STATUS_LEADS = new Set(['sent', 'waiting', 'pending', 'open', 'unsigned', 'outstanding', 'viewed', 'opened', 'signed', 'declined', 'rejected', 'expired', 'deleted', 'completed']);

/** Verbs of the other tasks: "find" before them is not a search ("search and delete LOA …"). */
const OTHER_TASKS = new Set(['send', 'new', 'start', 'create', 'delete', 'remove', 'cancel']);

/** Longer messages are sentences, not searches. */
const MAX_SEARCH_MESSAGE = 300;

/** After a bare "LOA", these start an LOA to send ("LOA for Acme", "LOA to jane@…"), not a search. */
const SENDING = /^(for|to|using|with|from)$/i;

/**
 * "my LOAs acme", "find LOA jane", "LOAs signed last month", "my declined LOAs",
 * "LOA Q-2026-00123": words around "LOA(s)" that only ask to look, and what to look for.
 * Punctuation inside words is kept, so emails and references arrive whole. With nothing to
 * look for, it is plain "my LOAs".
 */
function search(plain: string): RecognizedCommand | undefined {
  if (plain.length > MAX_SEARCH_MESSAGE) return undefined;
  const words = plain.replace(/\bletters? of agreement\b/gi, 'LOAs').replace(/[.!?,;:]+$/, '').split(' ').filter(Boolean);
  const noun = words.findIndex((w) => isLoaNoun(w.replace(/[.!?,;:'"]+$/, '')));
  if (noun < 0) return undefined;
  const before = words.slice(0, noun).map((w) => w.toLowerCase().replace(/[.!?,;:'"]+/g, ''));
  // After "find" or "search", anything but a verb of another task is what to look for: "find acme LOAs".
  const looking = before[0] === 'find' || before[0] === 'search';
  const named = (w: string) => SEARCH_LEADS.has(w) || STATUS_LEADS.has(w) || (looking && !OTHER_TASKS.has(w));
  if (!before.every(named)) return undefined;
  const after = words.slice(noun + 1);
  if (before.length === 0 && after[0] && SENDING.test(after[0].replace(/[:,]+$/, ''))) return undefined;
  if (words[noun]!.endsWith(':')) return undefined;
  const said = after.filter((w) => !FILLERS.has(w.toLowerCase().replace(/[.!?,;:'"]+/g, '')));
  const query = [...words.slice(0, noun).filter((_, i) => !SEARCH_LEADS.has(before[i]!)), ...(said.length > 0 ? after : [])].join(' ').trim();
  const asked = before.some((w) => SEARCH_LEADS.has(w)) || before.length === 0;
  if (!query) return asked ? { command: 'myLoas' } : undefined;
  return { command: 'searchLoas', argument: query };
}

/** "LOA", "LOAs", "agreements", and one slip in them ("LAOs"). */
function isLoaNoun(word: string): boolean {
  const w = word.toLowerCase();
  return ['loa', 'loas', 'agreement', 'agreements'].includes(w) || (w.length >= 4 && ['loas', 'agreements'].some((n) => editDistance(w, n) <= 1));
}

function nearMiss(normalized: string): RecognizedCommand | undefined {
  if (normalized.length === 0 || normalized.length > 80) return undefined;
  const deletion = DELETE_NEAR_MISS.exec(normalized);
  if (deletion && !FILLERS.has(deletion[3]!.toLowerCase()) && ['delete', 'supprimer'].some((w) => editDistance(deletion[1]!.toLowerCase(), w) <= 2) && ['loa', 'agreement'].some((w) => editDistance(deletion[2]!.toLowerCase(), w) <= 1)) {
    return { command: 'deleteLoa', argument: deletion[3]! };
  }
  const words = normalized.toLowerCase().split(' ').filter((w) => !FILLERS.has(w) && !FRENCH_FILLERS.has(w)).join(' ');
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
