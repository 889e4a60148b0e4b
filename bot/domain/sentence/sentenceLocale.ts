import * as chrono from 'chrono-node';

/** How a rep's Teams locale writes dates and numbers, as far as reading a sentence needs. */
export interface SentenceLocale {
  /** "1/2/2027" is 1 February (fr-FR, en-GB) rather than January 2 (en-US). */
  dayFirst: boolean;
  /** "12,5" is twelve and a half (fr-FR) rather than a misplaced thousands comma. */
  decimalComma: boolean;
  /** Date parsers to try in turn: the locale's own, then English, which reps mix in. */
  dateParsers: readonly chrono.Chrono[];
  /** The locale the notes that say how a date was read are written in: the rep's language, in their order. */
  noteLocale: string;
}

/**
 * A parser without chrono's time-of-day readers: an LOA field holds days, and "at 4 Elm Road"
 * or "from 1 Jan" must not read as four o'clock or one o'clock today.
 */
function daysOnly(parser: chrono.Chrono): chrono.Chrono {
  const days = parser.clone();
  days.parsers = days.parsers.filter((p) => !/TimeExpression|CasualTime/u.test(p.constructor.name));
  return days;
}

const PARSERS = { fr: daysOnly(chrono.fr.casual), enGB: daysOnly(chrono.en.GB), enUS: daysOnly(chrono.en.casual) };

/** Locales that write the month first; every other locale writes the day first. */
const MONTH_FIRST = new Set(['en-us', 'en-ph', 'en-ca', 'en-as', 'en-gu', 'en-um', 'en-vi', 'en-pr']);

/** Languages whose numbers use a decimal comma (the bot's reps: French, German, Spanish, Italian...). */
const DECIMAL_COMMA_LANGUAGES = new Set(['fr', 'de', 'es', 'it', 'pt', 'nl', 'pl', 'sv', 'da', 'nb', 'fi', 'cs', 'ru', 'tr']);

/** The reading rules for a BCP 47 locale such as "fr-FR"; unknown locales read as en-US. */
export function sentenceLocale(locale: string): SentenceLocale {
  const lower = locale.trim().toLowerCase().replace('_', '-');
  const language = lower.split('-')[0] ?? 'en';
  const dayFirst = lower !== '' && !MONTH_FIRST.has(lower) && lower !== 'en';
  const english = dayFirst ? PARSERS.enGB : PARSERS.enUS;
  return {
    dayFirst,
    decimalComma: DECIMAL_COMMA_LANGUAGES.has(language),
    dateParsers: language === 'fr' ? [PARSERS.fr, english] : [english],
    noteLocale: language === 'fr' ? locale : dayFirst ? 'en-GB' : 'en-US',
  };
}
