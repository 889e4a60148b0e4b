import type { LoaTemplate } from '../templateCatalog';
import type { SentenceText } from './sentenceText';
import { wordsOf } from './sentenceText';
import { memoByCatalog } from './catalogMemo';
import { phraseOf } from './wordMatch';

/**
 * Words that carry no value of their own: the verbs and small words around what the rep
 * asks for, in English and French. Left over, they are not worth showing as "not understood".
 */
const FILLER = new Set(
  (
    'send sent new create prepare draft make start loa loas letter letters agreement agreements please pls thanks thank you the a an to for with and or on in at by of ' +
    'using use template form via cc signer signed sign signature from until till valid validity through starting start ending end me i want need can could would like ' +
    'is are be it this that its my our their his her he she they we also plus then eur euro euros per off up new an as hi hello hey ok just quick is ' +
    'envoyer envoie envoyez envoi nouvelle nouveau nouvel creer preparer la le les l de du des d a au aux pour avec et sur en jusqu jusqu\'au partir signataire copie modele lettre accord ' +
    'valable merci un une stp svp mon ma mes son sa ses ce cette fin debut le la par'
  ).split(' '),
);

/** Every word the catalog uses, which the sentence may hold without meaning anything more. */
export const catalogWords = memoByCatalog((templates: readonly LoaTemplate[]): Set<string> => {
  const words = new Set<string>();
  for (const t of templates) {
    for (const text of [t.name, ...(t.aliases ?? []), ...(t.keywords ?? [])]) phraseOf(text).forEach((w) => words.add(w));
    for (const f of t.fields) {
      for (const text of [f.label, ...(f.aliases ?? [])]) phraseOf(text).forEach((w) => words.add(w));
    }
  }
  return words;
});

const CHUNK_BREAK = /[,;!?()[\]{}\n]+|\.(?:\s|$)|\s[-–]\s|:\s/u;
const MAX_CHUNK = 200;
/** More parts than a rep can read on a card: the message was not a request typed by hand. */
const MAX_CHUNKS = 10;

/**
 * The parts of the sentence nothing placed, cut at punctuation, as the rep typed them, and
 * only those with a word that is not filler or the catalog's.
 */
export function leftoverText(text: SentenceText, known: Set<string>): string[] {
  const left: string[] = [];
  for (const chunk of text.remaining().split(CHUNK_BREAK)) {
    const words = wordsOf(chunk);
    if (!words.some((w) => !FILLER.has(w.folded) && !known.has(w.folded))) continue;
    const typed = chunk.replace(/\s+/gu, ' ').trim();
    left.push(typed.length > MAX_CHUNK ? `${typed.slice(0, MAX_CHUNK)}…` : typed);
    if (left.length > MAX_CHUNKS) break;
  }
  return boundedParts(left);
}

/** The first parts of a list for the card, and "…" when there were more. */
export function boundedParts(parts: string[]): string[] {
  return parts.length > MAX_CHUNKS ? [...parts.slice(0, MAX_CHUNKS), '…'] : parts;
}
