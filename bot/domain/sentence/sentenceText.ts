/** A stretch of the sentence, as UTF-16 offsets [start, end). */
export interface Span {
  start: number;
  end: number;
}

/** A word of the sentence: its folded form and where it stands. */
export interface Word extends Span {
  /** Lower case, accents removed: how the word is compared. */
  folded: string;
  /** As the rep typed it. */
  raw: string;
}

const WORD = /[\p{L}\p{N}]+(?:['’\-_][\p{L}\p{N}]+)*/gu;

/**
 * Lower case without accents, one UTF-16 unit for one, so an offset in the folded text is the
 * same offset in the typed text.
 */
export function fold(text: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII, which lower-cases one unit for one
  if (/^[\u0000-\u007f]*$/u.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += ch.charCodeAt(0) < 128 ? ch.toLowerCase() : foldChar(ch);
  return out;
}

/** Folded non-ASCII characters: normalising one costs more than the rest of a word. */
const FOLDED = new Map<string, string>();
const MAX_FOLDED = 5000;

function foldChar(ch: string): string {
  const known = FOLDED.get(ch);
  if (known !== undefined) return known;
  const base = (ch.normalize('NFD')[0] ?? ch).toLowerCase();
  const folded = base.length === ch.length ? base : ch;
  if (FOLDED.size >= MAX_FOLDED) FOLDED.clear();
  FOLDED.set(ch, folded);
  return folded;
}

/** The words of a piece of text, folded. */
export function wordsOf(text: string, offset = 0): Word[] {
  const folded = fold(text);
  return [...folded.matchAll(WORD)].map((m) => ({
    folded: m[0],
    raw: text.slice(m.index, m.index + m[0].length),
    start: offset + m.index,
    end: offset + m.index + m[0].length,
  }));
}

/**
 * The rep's sentence with the parts already placed blanked out, so that each later reader
 * sees only what is left and no part is read twice.
 */
export class SentenceText {
  readonly folded: string;
  private readonly used: Uint8Array;
  /** The free words as of the last take: readers ask for them many times between takes (once per field name). */
  private free: readonly Word[] | undefined;

  constructor(readonly raw: string) {
    this.folded = fold(raw);
    this.used = new Uint8Array(raw.length);
  }

  /** Marks a span as placed. */
  take(span: Span): void {
    this.used.fill(1, span.start, span.end);
    this.free = undefined;
  }

  isFree(span: Span): boolean {
    for (let i = span.start; i < span.end; i += 1) if (this.used[i] === 1) return false;
    return true;
  }

  /** The typed text with placed spans turned into spaces, offsets unchanged. */
  remaining(): string {
    return this.masked(this.raw);
  }

  /** The words not yet placed (frozen: the same list until the next take). */
  freeWords(): readonly Word[] {
    this.free ??= Object.freeze(
      [...this.masked(this.folded).matchAll(WORD)].map((m) =>
        Object.freeze({
          folded: m[0],
          raw: this.raw.slice(m.index, m.index + m[0].length),
          start: m.index,
          end: m.index + m[0].length,
        }),
      ),
    );
    return this.free;
  }

  private masked(text: string): string {
    let out = '';
    let from = 0;
    for (let i = 0; i <= text.length; i += 1) {
      const used = this.used[i] === 1;
      if (i < text.length && !used) continue;
      out += text.slice(from, i);
      if (used) out += ' ';
      from = i + 1;
    }
    return out;
  }

  slice(span: Span): string {
    return this.raw.slice(span.start, span.end);
  }
}
