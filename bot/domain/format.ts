/**
 * Dates and numbers as the rep's Teams locale writes them, for what cards show. Values sent
 * to the LOA service keep their wire format (ISO dates, plain decimals): format only for display.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * An ISO date (YYYY-MM-DD) in the words of `locale`, the way Teams' date picker shows it
 * ("December 1, 2026", "1 décembre 2026"). Anything else is shown as typed.
 */
export function formatDate(isoDate: string, locale: string): string {
  const m = ISO_DATE.exec(isoDate);
  if (!m) return isoDate;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(date.getTime()) || !date.toISOString().startsWith(isoDate)) return isoDate;
  return withLocale(locale, isoDate, (l) => formatter(`date|${l}`, () => new Intl.DateTimeFormat(l, { dateStyle: 'long', timeZone: 'UTC' })).format(date));
}

/**
 * A number with the separators of `locale` ("250,000", "250 000"), keeping every digit and
 * decimal typed. Anything that is not a plain decimal is shown as typed.
 */
export function formatNumber(value: number | string, locale: string): string {
  const typed = String(value);
  const m = DECIMAL.exec(typed.trim());
  if (!m || (typeof value === 'number' && !Number.isFinite(value))) return typed;
  const decimals = m[3]?.length ?? 0;
  // Formatting the digits as a string keeps a long value exact, where a double would round it.
  const digits = `${m[1]}${m[2]}${decimals > 0 ? `.${m[3]}` : ''}` as Intl.StringNumericLiteral;
  const fraction = Math.min(decimals, 100);
  return withLocale(locale, typed, (l) => formatter(`number|${l}|${fraction}`, () => new Intl.NumberFormat(l, { minimumFractionDigits: fraction, maximumFractionDigits: fraction })).format(digits));
}

/** Formatters kept at most: a few locales times a few option sets, with room to spare. */
const MAX_FORMATTERS = 500;
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

/**
 * Building an Intl formatter costs far more than formatting with it, and one can be shared:
 * each is built once per locale and options. One that fails to build (an unknown locale)
 * throws as before and is not kept.
 */
function formatter<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  const kept = formatters.get(key) as T | undefined;
  if (kept) return kept;
  const made = make();
  if (formatters.size < MAX_FORMATTERS) formatters.set(key, made);
  return made;
}

/** Formats in `locale`, in en-US when Intl does not know it, and falls back to the value as typed. */
function withLocale(locale: string, typed: string, format: (locale: string) => string): string {
  for (const l of [locale, 'en-US']) {
    try {
      return format(l);
    } catch {
      // An unknown locale or an out-of-range value: try the next, then show it as typed.
    }
  }
  return typed;
}
