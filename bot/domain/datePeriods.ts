import { translatorFor } from '../i18n';
import type { Translate } from '../i18n';
import { formatDate } from './format';

/**
 * Periods in a rep's words ("last month", "since 1 November", "in October"), read against the
 * rep's calendar: their time zone says when a day starts, their locale says which day starts a
 * week, how "1/11" reads and which month names count.
 */

/** A span of time, from `from` (inclusive) to `to` (exclusive), in epoch ms; either end may be open. */
export interface Period {
  from?: number;
  to?: number;
  /** The period in the rep's words, for the list's header: "last month", "since November 1, 2026". */
  label: string;
}

export interface Calendar {
  /** Epoch ms. */
  now: number;
  /** BCP 47. */
  locale: string;
  /** IANA time zone. */
  timeZone: string;
}

/** A run of whole days on the rep's calendar: day numbers count days since 1970-01-01. */
interface Days {
  start: number;
  end: number;
  label: string;
}

const DAY_MS = 86_400_000;
const UNITS: Record<string, 'day' | 'week' | 'month' | 'year'> = { day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month', months: 'month', year: 'year', years: 'year' };
const ENGLISH_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

type Unit = 'day' | 'week' | 'month' | 'year';

/** Catalog keys of the relative periods' words, by how the rep named them. */
const RELATIVE_LABELS: Record<'this' | 'last' | 'past', Record<Unit, string>> = {
  this: { day: 'rules:period.this.day', week: 'rules:period.this.week', month: 'rules:period.this.month', year: 'rules:period.this.year' },
  last: { day: 'rules:period.last.day', week: 'rules:period.last.week', month: 'rules:period.last.month', year: 'rules:period.last.year' },
  past: { day: 'rules:period.past.day', week: 'rules:period.past.week', month: 'rules:period.past.month', year: 'rules:period.past.year' },
};
const LAST_COUNT_LABELS: Record<Unit, string> = { day: 'rules:period.lastCount.day', week: 'rules:period.lastCount.week', month: 'rules:period.lastCount.month', year: 'rules:period.lastCount.year' };
/** "before", "until" and "till" keep the word the rep typed (in English). */
const END_LABELS: Record<string, string> = { before: 'rules:period.before', until: 'rules:period.until', till: 'rules:period.till' };

const dayOf = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY_MS;
const ymdOf = (day: number) => {
  const date = new Date(day * DAY_MS);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
};
const isoOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Lower case, without accents or a trailing dot: how words are compared. */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[.,;]+$/, '');
}

/**
 * Reads a period at `tokens[at]` (folded words); undefined when none starts there. `next` is
 * the index of the first token after it.
 */
export function readPeriod(tokens: readonly string[], at: number, calendar: Calendar): { period: Period; next: number } | undefined {
  const reader = new PeriodReader(tokens, calendar);
  const found = reader.period(at);
  return found && { period: reader.toPeriod(found.range), next: found.next };
}

interface Range {
  start?: number;
  end?: number;
  label: string;
}

class PeriodReader {
  private readonly today: number;
  /** The labels are in the rep's language, whatever words they typed. */
  private readonly t: Translate;

  constructor(
    private readonly tokens: readonly string[],
    private readonly calendar: Calendar,
  ) {
    this.today = dayIn(calendar.now, calendar.timeZone);
    this.t = translatorFor(calendar.locale);
  }

  period(at: number): { range: Range; next: number } | undefined {
    const word = this.tokens[at];
    if (word === undefined) return undefined;
    if (word === 'since' || word === 'after' || word === 'from') return this.openEnded(at, word);
    if (word === 'before' || word === 'until' || word === 'till') {
      const days = this.days(at + 1);
      return days && { range: { end: word === 'before' ? days.days.start : days.days.end, label: this.t(END_LABELS[word] ?? 'rules:period.before', { days: days.days.label }) }, next: days.next };
    }
    if (word === 'between') {
      const first = this.days(at + 1);
      const second = first && this.tokens[first.next] === 'and' ? this.days(first.next + 1) : undefined;
      return first && second && { range: { start: first.days.start, end: second.days.end, label: this.t('rules:period.range', { first: first.days.label, second: second.days.label }) }, next: second.next };
    }
    const prefixed = word === 'in' || word === 'on' || word === 'during';
    const found = this.relative(prefixed ? at + 1 : at) ?? this.days(prefixed ? at + 1 : at, !prefixed);
    return found && { range: { start: found.days.start, end: found.days.end, label: found.days.label }, next: found.next };
  }

  /** "since 1 November", "after October", "from 1 October to 15 November". */
  private openEnded(at: number, word: string): { range: Range; next: number } | undefined {
    const first = this.days(at + 1) ?? this.relative(at + 1);
    if (!first) return undefined;
    const joiner = this.tokens[first.next];
    if (joiner === 'to' || joiner === 'until' || joiner === 'till' || joiner === '-') {
      const second = this.days(first.next + 1);
      if (second) return { range: { start: first.days.start, end: second.days.end, label: this.t('rules:period.range', { first: first.days.label, second: second.days.label }) }, next: second.next };
    }
    const start = word === 'after' ? first.days.end : first.days.start;
    return { range: { start, label: word === 'after' ? this.t('rules:period.after', { days: first.days.label }) : this.t('rules:period.since', { days: first.days.label }) }, next: first.next };
  }

  /** "today", "this week", "last month", "past 30 days". */
  private relative(at: number): { days: Days; next: number } | undefined {
    const [word, second, third] = [this.tokens[at], this.tokens[at + 1], this.tokens[at + 2]];
    if (word === 'today') return { days: { start: this.today, end: this.today + 1, label: this.t('rules:period.today') }, next: at + 1 };
    if (word === 'yesterday') return { days: { start: this.today - 1, end: this.today, label: this.t('rules:period.yesterday') }, next: at + 1 };
    if (word !== 'this' && word !== 'last' && word !== 'past' && word !== 'previous') return undefined;
    const count = second && /^\d{1,3}$/.test(second) ? Number(second) : undefined;
    const unit = UNITS[(count === undefined ? second : third) ?? ''];
    if (!unit || (count !== undefined && (word === 'this' || count < 1))) return undefined;
    const next = at + (count === undefined ? 2 : 3);
    if (count !== undefined) return { days: { start: this.back(unit, count), end: this.today + 1, label: this.t(LAST_COUNT_LABELS[unit], { count }) }, next };
    if (word === 'past') return { days: { start: this.back(unit, 1), end: this.today + 1, label: this.t(RELATIVE_LABELS.past[unit]) }, next };
    const current = this.calendarUnit(unit, this.today);
    const days = word === 'this' ? current : this.calendarUnit(unit, current.start - 1);
    return { days: { ...days, label: this.t(RELATIVE_LABELS[word === 'this' ? 'this' : 'last'][unit]) }, next };
  }

  /** The day `count` units before today: where "past 2 weeks" starts. */
  private back(unit: 'day' | 'week' | 'month' | 'year', count: number): number {
    if (unit === 'day') return this.today - count + 1;
    if (unit === 'week') return this.today - 7 * count + 1;
    const { y, m, d } = ymdOf(this.today);
    return unit === 'month' ? dayOf(y, m - count, d) + 1 : dayOf(y - count, m, d) + 1;
  }

  /** The calendar day, week, month or year holding `day`. */
  private calendarUnit(unit: 'day' | 'week' | 'month' | 'year', day: number): Omit<Days, 'label'> {
    const { y, m } = ymdOf(day);
    if (unit === 'day') return { start: day, end: day + 1 };
    if (unit === 'week') {
      const weekday = ((day + 3) % 7) + 1; // 1 = Monday … 7 = Sunday
      const start = day - ((weekday - firstDayOfWeek(this.calendar.locale) + 7) % 7);
      return { start, end: start + 7 };
    }
    if (unit === 'month') return { start: dayOf(y, m, 1), end: dayOf(y, m + 1, 1) };
    return { start: dayOf(y, 1, 1), end: dayOf(y + 1, 1, 1) };
  }

  /**
   * A day, a month or a year: "1 November", "November 1st 2026", "1/11", "2026-11-01",
   * "October", "in 2026". Without a year, the latest one not after today. `bare`: no word
   * such as "in" came first, so a lone "may" or a lone number is not taken for a date.
   */
  private days(at: number, bare = false): { days: Days; next: number } | undefined {
    const word = this.tokens[at];
    if (word === undefined) return undefined;
    const numeric = this.numericDate(word);
    if (numeric) return { days: this.day(numeric), next: at + 1 };
    const dayFirst = /^(\d{1,2})(?:st|nd|rd|th|er)?$/.exec(word);
    const monthAfterDay = dayFirst ? this.month(this.tokens[at + 1]) : undefined;
    if (dayFirst && monthAfterDay) return this.withYear(at + 2, monthAfterDay, Number(dayFirst[1]));
    const month = this.month(word);
    if (month) {
      const dayAfter = /^(\d{1,2})(?:st|nd|rd|th)?,?$/.exec(this.tokens[at + 1] ?? '');
      if (dayAfter && Number(dayAfter[1]) <= 31) return this.withYear(at + 2, month, Number(dayAfter[1]));
      // "jan", "may" alone are as likely a name: a month alone must be written out, or have a year.
      const yearAfter = /^\d{4}$/.test(this.tokens[at + 1] ?? '');
      if (bare && !yearAfter && (word === 'may' || !monthNames(this.calendar.locale).long.has(word))) return undefined;
      return this.withYear(at + 1, month);
    }
    if (!bare && /^(19|20)\d{2}$/.test(word)) {
      const y = Number(word);
      return { days: { start: dayOf(y, 1, 1), end: dayOf(y + 1, 1, 1), label: word }, next: at + 1 };
    }
    return undefined;
  }

  /** A day or month, then an optional year at `at`. */
  private withYear(at: number, m: number, d?: number): { days: Days; next: number } {
    const typed = /^(\d{4})$/.exec(this.tokens[at] ?? '');
    const { y: thisYear } = ymdOf(this.today);
    let y = typed ? Number(typed[1]) : thisYear;
    if (!typed && dayOf(y, m, d ?? 1) > this.today) y -= 1;
    const next = typed ? at + 1 : at;
    if (d !== undefined) return { days: this.day({ y, m, d }), next };
    const start = dayOf(y, m, 1);
    const label = new Intl.DateTimeFormat(supported(this.calendar.locale), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(start * DAY_MS));
    return { days: { start, end: dayOf(y, m + 1, 1), label }, next };
  }

  private day({ y, m, d }: { y: number; m: number; d: number }): Days {
    const day = dayOf(y, m, d);
    return { start: day, end: day + 1, label: formatDate(isoOf(day), this.calendar.locale) };
  }

  /** "2026-11-01", and "1/11", "1.11.2026" read the way the rep's locale writes dates. */
  private numericDate(word: string): { y: number; m: number; d: number } | undefined {
    const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(word);
    const parts = iso ? undefined : /^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$/.exec(word);
    if (!iso && !parts) return undefined;
    let y: number, m: number, d: number;
    if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    else {
      const [a, b] = [Number(parts![1]), Number(parts![2])];
      [d, m] = dayComesFirst(this.calendar.locale) ? [a, b] : [b, a];
      y = parts![3] ? Number(parts![3].length === 2 ? `20${parts![3]}` : parts![3]) : ymdOf(this.today).y;
      if (!parts![3] && dayOf(y, m, d) > this.today) y -= 1;
    }
    const valid = m >= 1 && m <= 12 && d >= 1 && d <= 31 && ymdOf(dayOf(y, m, d)).d === d;
    return valid ? { y, m, d } : undefined;
  }

  private month(word: string | undefined): number | undefined {
    if (!word) return undefined;
    const index = monthNames(this.calendar.locale).all.get(word);
    return index === undefined ? undefined : index + 1;
  }

  toPeriod(range: Range): Period {
    const { timeZone } = this.calendar;
    return {
      ...(range.start !== undefined ? { from: startOfDay(range.start, timeZone) } : {}),
      ...(range.end !== undefined ? { to: startOfDay(range.end, timeZone) } : {}),
      label: range.label,
    };
  }
}

/** Today's day number on the wall calendar of `timeZone`. */
function dayIn(now: number, timeZone: string): number {
  return Math.floor((now + offsetAt(now, timeZone)) / DAY_MS);
}

/** When a day starts in `timeZone`, in epoch ms: midnight there, or the first moment after a DST gap. */
function startOfDay(day: number, timeZone: string): number {
  const wall = day * DAY_MS;
  const guess = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(guess, timeZone);
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at`, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The locale if Intl knows it, else en-US. */
function supported(locale: string): string {
  return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0 ? locale : 'en-US';
}

/** 1 = Monday … 7 = Sunday, as the locale's weeks start; Monday when Intl does not say. */
function firstDayOfWeek(locale: string): number {
  const info = (new Intl.Locale(supported(locale)) as Intl.Locale & { weekInfo?: { firstDay?: number } }).weekInfo;
  return info?.firstDay ?? 1;
}

/** True when the locale writes the day before the month ("1/11" is 1 November in fr-FR, January 11 in en-US). */
function dayComesFirst(locale: string): boolean {
  const parts = new Intl.DateTimeFormat(supported(locale), { day: 'numeric', month: 'numeric', timeZone: 'UTC' }).formatToParts(Date.UTC(2026, 10, 21));
  return parts.findIndex((p) => p.type === 'day') < parts.findIndex((p) => p.type === 'month');
}

interface MonthNames {
  /** Folded name -> month index (0-11). */
  all: Map<string, number>;
  /** The names written out in full ("october", "octobre"), as opposed to "oct". */
  long: Set<string>;
}

const monthNamesCache = new Map<string, MonthNames>();

/** Month names a rep may type, folded: English, and the locale's own, each long and short. */
function monthNames(locale: string): MonthNames {
  const cached = monthNamesCache.get(locale);
  if (cached) return cached;
  const names: MonthNames = { all: new Map(), long: new Set() };
  const add = (name: string, i: number, long: boolean) => {
    if (!/^\p{L}+$/u.test(name)) return;
    if (!names.all.has(name)) names.all.set(name, i);
    if (long) names.long.add(name);
  };
  ENGLISH_MONTHS.forEach((name, i) => {
    add(name, i, true);
    add(name.slice(0, 3), i, false);
  });
  add('sept', 8, false);
  for (const month of ['long', 'short'] as const) {
    const format = new Intl.DateTimeFormat(supported(locale), { month, timeZone: 'UTC' });
    for (let i = 0; i < 12; i++) add(foldWord(format.format(Date.UTC(2026, i, 15))), i, month === 'long');
  }
  monthNamesCache.set(locale, names);
  return names;
}
