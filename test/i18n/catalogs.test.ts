import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CATALOGS, LANGUAGES, NAMESPACES, languageOf, referenceTranslate, translatorFor } from '../../bot/i18n';

const ROOT = resolve(__dirname, '../..');
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Every leaf of a catalog as "a.b.c" -> text. */
function leaves(node: unknown, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') found.set(path, value);
    else for (const [k, v] of leaves(value, path)) found.set(k, v);
  }
  return found;
}

/** A plural's forms count as one key: languages have different plural forms. */
const baseKeys = (catalog: unknown) => new Set([...leaves(catalog).keys()].map((k) => k.replace(PLURAL, '')));
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'locales' ? [] : sourceFiles(path);
    return /\.(ts|json)$/.test(name) ? [path] : [];
  });
}

describe('message catalogs', () => {
  for (const ns of NAMESPACES) {
    it(`has the same ${ns} keys in every language`, () => {
      const english = baseKeys(CATALOGS.en[ns]);
      for (const language of LANGUAGES) {
        const other = baseKeys(CATALOGS[language][ns]);
        assert.deepEqual([...english].filter((k) => !other.has(k)), [], `${language}/${ns}.json misses these`);
        assert.deepEqual([...other].filter((k) => !english.has(k)), [], `${language}/${ns}.json has keys English does not`);
      }
    });

    it(`fills every ${ns} text, with the same placeholders in every language`, () => {
      const english = leaves(CATALOGS.en[ns]);
      for (const language of LANGUAGES) {
        for (const [key, text] of leaves(CATALOGS[language][ns])) {
          assert.ok(text.trim().length > 0, `${language}/${ns}:${key} is empty`);
          const same = english.get(key) ?? english.get(key.replace(PLURAL, '_other'));
          if (same !== undefined) assert.deepEqual(placeholders(text), placeholders(same), `${language}/${ns}:${key}`);
        }
      }
    });
  }

  it('has no key that nothing uses: every key appears in the code as "namespace:key"', () => {
    const code = [...sourceFiles(join(ROOT, 'bot')), ...sourceFiles(join(ROOT, 'cards'))].map((f) => readFileSync(f, 'utf8')).join('\n');
    const unused: string[] = [];
    for (const ns of NAMESPACES) {
      for (const key of baseKeys(CATALOGS.en[ns])) if (!code.includes(`${ns}:${key}`)) unused.push(`${ns}:${key}`);
    }
    assert.deepEqual(unused, []);
  });

  it('says exactly what i18next says, for every key in every language, plural forms and values included', () => {
    // The translator keeps the raw texts i18next resolves and fills their placeholders itself:
    // any difference from i18next is a rep reading the wrong words.
    let compared = 0;
    for (const language of LANGUAGES) {
      const cached = translatorFor(language === 'fr' ? 'fr-FR' : 'en-US');
      const reference = referenceTranslate(language);
      for (const ns of NAMESPACES) {
        for (const key of baseKeys(CATALOGS.en[ns])) {
          const id = `${ns}:${key}`;
          const texts: Map<string, string> = leaves(CATALOGS[language][ns]);
          const names = new Set<string>([...texts].filter(([k]) => k.replace(PLURAL, '') === key).flatMap(([, text]) => placeholders(text).filter((n): n is string => n !== undefined)));
          const values: Record<string, string> = Object.fromEntries([...names].filter((n) => n !== 'count').map((n) => [n, `<${n} & "x">`]));
          // Some values missing (the placeholder stays), null (empty), a number, and a value that looks like a placeholder or a nesting (shown as typed).
          const odd: Record<string, string | number | null> = Object.fromEntries(
            [...names].filter((n) => n !== 'count').flatMap((n, i) => (i % 4 === 0 ? [] : [[n, i % 4 === 1 ? null : i % 4 === 2 ? 42.5 : `{{${n}}} $t(chat:help.title) {{count}}`]])),
          );
          const variants: Array<Record<string, string | number | null> | undefined> = [undefined, values, odd, ...[0, 1, 2, 5, 1.5].map((count) => ({ ...values, count })), { ...odd, count: 3 }];
          // Twice: the first call fills the cache, the second reads it.
          for (const v of [...variants, ...variants]) {
            assert.equal(cached(id, v), reference(id, v), `${language} ${id} ${JSON.stringify(v)}`);
            compared++;
          }
        }
      }
    }
    assert.ok(compared > 1000, `compared ${compared} texts`);
    // A key that does not exist reads as the key, as with i18next.
    assert.equal(translatorFor('en-US')('chat:no.such.key'), referenceTranslate('en')('chat:no.such.key'));
  });

  it("reads the rep's Teams locale, and falls back to English for a language it does not have", () => {
    assert.equal(languageOf('fr-FR'), 'fr');
    assert.equal(languageOf('fr-CA'), 'fr');
    assert.equal(languageOf('en-GB'), 'en');
    assert.equal(languageOf('de-DE'), 'en');
    assert.equal(languageOf(undefined), 'en');
    assert.equal(typeof translatorFor('pt-BR'), 'function');
  });
});
