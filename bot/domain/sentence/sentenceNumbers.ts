import type { NumberPiece } from './sentencePieces';
import type { SentenceText } from './sentenceText';
import { wordsOf } from './sentenceText';

/**
 * A number as reps type it: digits grouped by commas, dots, spaces or apostrophes, then an
 * optional multiplier ("250k", "1.2M") and unit ("%", "EUR"). Not part of a longer token
 * ("Acti9", "Q-2026-00123").
 */
const NUMBER = /(?<![\p{L}\p{N}.,\-/_@])((?:[€$]|eur|usd)\s?)?(\d{1,3}(?:(?:[ \u00a0\u202f'.,])\d{3})+|\d+)(?:([.,])(\d+))?(?:\s?(k|m|mn|million|millions|thousand|mille|bn))?(?:\s?(%|percent|pour ?cent|pourcent|€|eur|euros?|usd|\$))?(?![\p{L}\p{N}])(?![.,/-]\d)/giu;

const MULTIPLIERS: Record<string, number> = { k: 3, thousand: 3, mille: 3, m: 6, mn: 6, million: 6, millions: 6, bn: 9 };

/** Moves the decimal point of a plain decimal `places` to the right, exactly. */
function shift(integer: string, fraction: string, places: number): string {
  const digits = integer + fraction.padEnd(places, '0');
  const point = integer.length + places;
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/u, '');
  // Trailing zeros typed stay ("12.50"); those a multiplier moved past the point go.
  const rest = places === 0 ? digits.slice(point) : digits.slice(point).replace(/0+$/u, '');
  return rest === '' ? whole : `${whole}.${rest}`;
}

/**
 * The plain decimal for digits typed in the rep's style: "1 250,50" is 1250.50 with a decimal
 * comma, "1,250" is 1250 without one, and "12,5" is 12.5 either way (no group has two digits).
 */
function decimalOf(grouped: string, separator: string | undefined, fraction: string | undefined, decimalComma: boolean): string | undefined {
  const groupSep = /\d([ \u00a0\u202f'.,])\d{3}/u.exec(grouped)?.[1];
  if (groupSep !== undefined && separator === groupSep) return undefined;
  const oneGroup = groupSep !== undefined && grouped.split(groupSep).length === 2 && separator === undefined;
  // "1,250" and "1.250" are a decimal in one locale and a thousands group in the other.
  const isDecimal = oneGroup && ((groupSep === ',' && decimalComma) || (groupSep === '.' && !decimalComma));
  if (isDecimal) {
    const [integer = '', frac = ''] = grouped.split(groupSep);
    return shift(integer, frac, 0);
  }
  return shift(grouped.replace(/[ \u00a0\u202f'.,]/gu, ''), fraction ?? '', 0);
}

function unitOf(prefix: string | undefined, multiplier: string | undefined, unit: string | undefined): NumberPiece['unit'] {
  const u = (unit ?? '').toLowerCase();
  if (u.startsWith('%') || u.startsWith('percent') || u.startsWith('pour')) return 'percent';
  if (u !== '' || prefix !== undefined || multiplier !== undefined) return 'currency';
  return 'plain';
}

/**
 * Reads the numbers left in the sentence and takes them: with `unitsOnly`, only those with a
 * unit or a multiplier, which cannot be mistaken for part of a date or a reference.
 */
export function readNumbers(text: SentenceText, decimalComma: boolean, unitsOnly: boolean): NumberPiece[] {
  const pieces: NumberPiece[] = [];
  for (const m of text.remaining().matchAll(NUMBER)) {
    const [whole, prefix, grouped = '', separator, fraction, multiplier, unit] = m;
    const kind = unitOf(prefix, multiplier, unit);
    if (unitsOnly && kind === 'plain') continue;
    const plain = decimalOf(grouped, separator, fraction, decimalComma);
    if (plain === undefined) continue;
    const [integer = '', frac = ''] = plain.split('.');
    const value = shift(integer, frac, MULTIPLIERS[(multiplier ?? '').toLowerCase()] ?? 0);
    const span = { start: m.index, end: m.index + whole.trimEnd().length };
    pieces.push({ kind: 'number', ...span, value, unit: kind, neighbours: neighbours(text, span.start, span.end) });
    text.take(span);
  }
  return pieces;
}

/** The two words either side of a number, folded: "12 assets", "discount of 12%". */
function neighbours(text: SentenceText, start: number, end: number): string[] {
  const before = wordsOf(text.folded.slice(Math.max(0, start - 30), start)).slice(-3);
  const after = wordsOf(text.folded.slice(end, end + 30)).slice(0, 2);
  return [...before, ...after].map((w) => w.folded);
}
