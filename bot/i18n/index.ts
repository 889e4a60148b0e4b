import i18next from 'i18next';
import type { ResourceKey, TOptions, i18n } from 'i18next';
import enCards from './locales/en/cards.json';
import enChat from './locales/en/chat.json';
import enRules from './locales/en/rules.json';
import frCards from './locales/fr/cards.json';
import frChat from './locales/fr/chat.json';
import frRules from './locales/fr/rules.json';

/**
 * Every rep-facing string, one catalog per language and area: `cards` (card text), `chat`
 * (messages posted to the chat, flow outcomes, help) and `rules` (what the details form
 * says about each field). The rep's Teams locale picks the language; anything else is English.
 */
export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];
export const NAMESPACES = ['cards', 'chat', 'rules'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** The catalogs as shipped, for the completeness test. */
export const CATALOGS: Record<Language, Record<Namespace, ResourceKey>> = {
  en: { cards: enCards, chat: enChat, rules: enRules },
  fr: { cards: frCards, chat: frChat, rules: frRules },
};

/** Looks up `namespace:key.path` in the rep's language; interpolated values are data, never markup. */
export interface Translate {
  (key: string, values?: TOptions): string;
  /** The Teams locale it speaks for, so that what it names (a template) can follow. */
  readonly locale: string;
  /** The catalog language it reads. */
  readonly language: Language;
}

const instance: i18n = i18next.createInstance();
void instance.init({
  resources: CATALOGS,
  ns: [...NAMESPACES],
  defaultNS: 'chat',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  // "fr-CA" and "fr-FR" both read the French catalog.
  nonExplicitSupportedLngs: true,
  load: 'languageOnly',
  initAsync: false,
  // Cards and chat escape rep text themselves (Markdown), where it is shown; HTML escaping here would double it.
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** The catalog language for a Teams locale (BCP 47): its language if we have it, else English. */
export function languageOf(locale: string | undefined): Language {
  const language = (locale ?? '').split(/[-_]/)[0]?.toLowerCase();
  return (LANGUAGES as readonly string[]).includes(language ?? '') ? (language as Language) : 'en';
}

/**
 * What i18next costs on every call (about 14 µs for a key, 20 µs with a plural: it resolves
 * the namespace, the language hierarchy and the key path each time) is paid once per key
 * instead: the raw text i18next resolves (plural form included) is kept per language, key and
 * plural category, and values are filled from the text split once at its placeholders. Keys are
 * written in the code, so the cache is bounded by the catalogs; what reps type is never a key.
 * Options other than values and `count` (a context, ordinals) go to i18next as they are.
 */
const rawTexts = new Map<Language, Map<string, string>>(LANGUAGES.map((language) => [language, new Map()]));
const pluralRules = new Map<Language, Intl.PluralRules>(LANGUAGES.map((language) => [language, new Intl.PluralRules(language)]));
/** Options that change which text i18next picks or what it returns, beyond a plural count. */
const RESOLVING_OPTIONS = ['context', 'ordinal', 'defaultValue', 'returnObjects', 'lng', 'lngs', 'ns', 'keyPrefix', 'interpolation', 'replace', 'skipInterpolation'];

/**
 * A raw text split at its placeholders, once: literal, then name, placeholder as written and
 * literal for each placeholder.
 * i18next's interpolator re-scans the text with two regular expressions on every call; the
 * catalogs use only plain `{{name}}` placeholders, which this fills the way i18next does
 * (a missing value leaves the placeholder, null reads as empty, anything else as a string, and
 * a value is never scanned again). A text with anything else in braces (a format, a nesting,
 * an unescaped value) is `null`: i18next fills it.
 */
const compiledTexts = new Map<string, readonly string[] | null>();
const PLACEHOLDER = /\{\{(.+?)\}\}/g;
const PLAIN_NAME = /^\s*([A-Za-z_]\w*)\s*$/;

function compileText(text: string): readonly string[] | null {
  const parts: string[] = [];
  let at = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = PLAIN_NAME.exec(match[1]!)?.[1];
    if (name === undefined) return null;
    parts.push(text.slice(at, match.index), name, match[0]);
    at = match.index + match[0].length;
  }
  parts.push(text.slice(at));
  return parts;
}

function fill(parts: readonly string[], values: TOptions): string {
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 3) {
    const name = parts[i]!;
    const value: unknown = Object.hasOwn(values, name) ? (values as Record<string, unknown>)[name] : undefined;
    // As i18next does: a value that is not a string is shown as String() shows it.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    out += (value === undefined ? parts[i + 1]! : value === null ? '' : String(value)) + parts[i + 2]!;
  }
  return out;
}

function translatorOf(language: Language, locale: string): Translate {
  const fixed = instance.getFixedT(language);
  const raw = rawTexts.get(language)!;
  const plural = pluralRules.get(language)!;
  const translate = (key: string, values?: TOptions): string => {
    if (values !== undefined && RESOLVING_OPTIONS.some((option) => option in values)) return String(fixed(key, values));
    const count = values?.count;
    const id = typeof count === 'number' ? `${key}\u0000${plural.select(count)}` : key;
    let text = raw.get(id);
    if (text === undefined) {
      text = String(fixed(key, typeof count === 'number' ? { count, skipInterpolation: true } : { skipInterpolation: true }));
      raw.set(id, text);
    }
    if (values === undefined || !text.includes('{{')) return text;
    let parts = compiledTexts.get(text);
    if (parts === undefined) {
      parts = compileText(text);
      compiledTexts.set(text, parts);
    }
    return parts ? fill(parts, values) : instance.services.interpolator.interpolate(text, values, language, {});
  };
  return Object.assign(translate, { locale, language });
}

/** Translators per Teams locale string: a turn asks for its rep's several times. */
const translators = new Map<string, Translate>();
const MAX_TRANSLATORS = 500;

/** i18next itself, uncached, for a language: what `translatorFor` must always agree with (its tests compare them). */
export function referenceTranslate(language: Language): (key: string, values?: TOptions) => string {
  const fixed = instance.getFixedT(language);
  return (key, values) => String(fixed(key, values ?? {}));
}

/** The translate function for a rep's Teams locale. */
export function translatorFor(locale: string | undefined): Translate {
  const name = locale ?? 'en-US';
  let translator = translators.get(name);
  if (!translator) {
    // Locales come from activities: bounded, in case a caller sends a new one every turn.
    if (translators.size >= MAX_TRANSLATORS) translators.clear();
    translator = translatorOf(languageOf(locale), name);
    translators.set(name, translator);
  }
  return translator;
}
