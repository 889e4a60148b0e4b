import type * as chrono from 'chrono-node';
import { memoByString } from './catalogMemo';
import type { DatePiece } from './sentencePieces';
import type { SentenceLocale } from './sentenceLocale';
import type { SentenceText } from './sentenceText';
import { wordsBefore } from './wordMatch';
import { wordsOf } from './sentenceText';
import { translatorFor } from '../../i18n';

/** Words before a date that make it an end, or a start. */
const END_CUES = new Set(['until', 'till', 'til', 'to', 'through', 'thru', 'ending', 'ends', 'end', 'expires', 'expiring', 'expiry', 'by', 'before', 'jusqu', 'jusqu\'au', 'jusqu’au', 'au', 'fin', 'expire', 'valid', 'valable', 'validity']);
const START_CUES = new Set(['from', 'starting', 'start', 'starts', 'effective', 'beginning', 'begins', 'begin', 'as', 'of', 'du', 'partir', 'debut', 'commence', 'commencant', 'des', 'since', 'on']);

/** Bare words chrono reads as dates that reps mean otherwise ("send it now", "Marc, sat next to"). */
const NOT_DATES = new Set(['now', 'sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'maintenant', 'today', 'tonight', 'this', 'second']);

const FRENCH_MONTHS = ['janvier', 'fevrier', 'mars', 'avril', 'mai', 'juin', 'juillet', 'aout', 'septembre', 'octobre', 'novembre', 'decembre'];
/** "fin mars": chrono's French parser has no "end of month", which French reps write often. */
const FRENCH_MONTH_END = new RegExp(`\\bfin (?:de |d')?(${FRENCH_MONTHS.join('|')})(?: (\\d{4}))?\\b`, 'u');

/** A day as the parser reads dates: an ISO date, and whether the rep wrote it out in full. */
interface ReadDay {
  iso: string;
  yearGiven: boolean;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function isoOf(c: chrono.ParsedComponents): ReadDay {
  const iso = `${pad(c.get('year') ?? 0, 4)}-${pad(c.get('month') ?? 1)}-${pad(c.get('day') ?? 1)}`;
  return { iso, yearGiven: c.isCertain('year') };
}

/** "1/2/2027" names two different days in fr-FR and en-US; "13/2/2027" names one. */
function isAmbiguousNumeric(text: string): boolean {
  const m = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-]\d{2,4})?$/u.exec(text.trim());
  return m !== null && Number(m[1]) <= 12 && Number(m[2]) <= 12 && m[1] !== m[2];
}

/** Dates in the rep's words and order ("1 February 2027", "February 1, 2027", "1 février 2027"); built once per locale. */
const noteFormat = memoByString((locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }));

/** A note for the rep when the day read is not the only way to read what they typed. */
function readingOf(text: string, days: ReadDay[], locale: SentenceLocale): string | undefined {
  const sides = text.split(/\s+(?:to|au|until|-|–|and|et)\s+/u);
  const ambiguous = sides.some(isAmbiguousNumeric);
  const relative = days.some((d) => !d.yearGiven);
  if (!ambiguous && !relative) return undefined;
  const t = translatorFor(locale.noteLocale);
  const words = days.map((d) => noteFormat(locale.noteLocale).format(new Date(`${d.iso}T00:00:00Z`))).join(t('rules:sentence.between'));
  return t('rules:sentence.readAs', { typed: text.replace(/[\s,;.]+$/u, ''), days: words });
}

function roleOf(text: SentenceText, start: number): DatePiece['role'] {
  const before = wordsBefore(wordsOf(text.folded.slice(Math.max(0, start - 40), start), Math.max(0, start - 40)), start, 3).reverse();
  for (const w of before) {
    if (END_CUES.has(w.folded)) return 'end';
    if (START_CUES.has(w.folded)) return 'start';
  }
  return 'none';
}

function frenchMonthEnds(text: SentenceText, reference: Date, locale: SentenceLocale, readings: string[]): DatePiece[] {
  const m = FRENCH_MONTH_END.exec(text.folded);
  if (!m) return [];
  const span = { start: m.index, end: m.index + m[0].length };
  if (!text.isFree(span)) return [];
  const month = FRENCH_MONTHS.indexOf(m[1] ?? '');
  const given = m[2] !== undefined;
  const year = given ? Number(m[2]) : reference.getFullYear() + (month < reference.getMonth() ? 1 : 0);
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day: ReadDay = { iso: `${pad(year, 4)}-${pad(month + 1)}-${pad(lastDay)}`, yearGiven: given };
  const note = readingOf(text.slice(span), [day], locale);
  if (note) readings.push(note);
  text.take(span);
  return [{ kind: 'date', ...span, startDay: day.iso, role: 'end' }];
}

/**
 * Reads the dates and date ranges left in the sentence, relative to `reference` (the rep's
 * today, at noon), and takes them. Adds a note to `readings` for each one that could be read
 * another way.
 */
export function readDates(text: SentenceText, reference: Date, locale: SentenceLocale, readings: string[]): DatePiece[] {
  const pieces = frenchMonthEnds(text, reference, locale, readings);
  for (const parser of locale.dateParsers) {
    for (const r of parser.parse(text.remaining(), reference, { forwardDate: true })) {
      const span = { start: r.index, end: r.index + r.text.length };
      if (NOT_DATES.has(r.text.trim().toLowerCase()) || !text.isFree(span)) continue;
      const days = [isoOf(r.start), ...(r.end ? [isoOf(r.end)] : [])];
      const note = readingOf(r.text, days, locale);
      if (note) readings.push(note);
      pieces.push({ kind: 'date', ...span, startDay: days[0]?.iso ?? '', ...(days[1] ? { endDay: days[1].iso } : {}), role: roleOf(text, span.start) });
      text.take(span);
    }
  }
  return pieces.sort((a, b) => a.start - b.start);
}
