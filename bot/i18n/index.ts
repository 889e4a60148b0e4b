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
 * Texts already made, per language: the same key with the same values always makes the same
 * text, and an i18next lookup costs microseconds that a card with forty of them pays on every
 * turn. Bounded, since values can hold what reps type: when full, it starts again.
 */
const madeTexts = new Map<Language, Map<string, string>>(LANGUAGES.map((language) => [language, new Map()]));
const MAX_MADE_TEXTS = 20_000;

/** The translate function for a rep's Teams locale. */
export function translatorFor(locale: string | undefined): Translate {
  const language = languageOf(locale);
  const fixed = instance.getFixedT(language);
  const made = madeTexts.get(language)!;
  const translate = (key: string, values?: TOptions): string => {
    const id = values === undefined ? key : `${key}\u0000${JSON.stringify(values)}`;
    let text = made.get(id);
    if (text === undefined) {
      text = String(fixed(key, values ?? {}));
      if (made.size >= MAX_MADE_TEXTS) made.clear();
      made.set(id, text);
    }
    return text;
  };
  return Object.assign(translate, { locale: locale ?? 'en-US' });
}
