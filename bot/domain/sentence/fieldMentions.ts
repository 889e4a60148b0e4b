import type { LoaTemplate } from '../templateCatalog';
import type { PatternPiece, TextPiece } from './sentencePieces';
import type { MentionSpan } from './templateMentions';
import { fieldKey } from './sentencePieces';
import type { SentenceText, Span, Word } from './sentenceText';
import { memoByCatalog } from './catalogMemo';
import { findPhrase, patternOf, phraseOf } from './wordMatch';

/** Small words a name or an address may hold between its capitalised words ("Gare du Nord"). */
const PARTICLES = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'of', 'the', 'and', 'et', 'd', 'l', 'y', 'van', 'von', 'der', 'sur', 'en']);
/** Street words, often typed in lower case in an address ("12 rue de la Paix", "4 elm road"). */
const STREET_WORDS = new Set(['rue', 'avenue', 'street', 'road', 'bd', 'boulevard', 'chemin', 'place', 'route', 'allee', 'quai', 'impasse']);
/** Words after a field's name that only introduce its value ("customer is Acme"). */
const INTRODUCERS = new Set(['is', 'name', 'named', 'called', 'est', 'nom']);
const TOKEN = /[\p{L}\p{N}]+(?:[-_/.][\p{L}\p{N}]+)*/gu;
const MAX_NAME_WORDS = 8;

/**
 * Reads tokens that fit a template field's pattern ("Q-2026-00123", "1234567") and takes
 * them. Only tokens with a digit: a pattern that fits any word would otherwise eat the sentence.
 */
export function readPatterns(text: SentenceText, templates: readonly LoaTemplate[]): PatternPiece[] {
  const patterns = patternsOf(templates);
  const pieces: PatternPiece[] = [];
  for (const m of text.remaining().matchAll(TOKEN)) {
    if (!/\d/u.test(m[0])) continue;
    // A reference typed in lower case ("q-2026-00123") is still the reference.
    const value = [m[0], m[0].toUpperCase()].find((v) => patterns.some((p) => p.test(v)));
    if (value === undefined) continue;
    const span = { start: m.index, end: m.index + m[0].length };
    pieces.push({ kind: 'pattern', ...span, value });
    text.take(span);
  }
  return pieces;
}

const patternsOf = memoByCatalog((templates: readonly LoaTemplate[]) => [...new Set(templates.flatMap((t) => t.fields.flatMap((f) => (f.pattern ? [f.pattern] : []))))].map(patternOf));

/** A capitalised run after a field's name: "Acme Industrial", "Gare du Nord", "12 rue de la Paix". */
function nameRun(text: SentenceText, words: readonly Word[], from: number, anchorEnd: number): Span | undefined {
  let i = from;
  let anchor = anchorEnd;
  while (INTRODUCERS.has(words[i]?.folded ?? '') && /^[\s:]*$/u.test(text.raw.slice(anchor, words[i]?.start ?? 0))) anchor = words[i++]?.end ?? anchor;
  const run: Word[] = [];
  for (let k = i; k < words.length && run.length < MAX_NAME_WORDS; k += 1) {
    const w = words[k];
    const prev = run[run.length - 1];
    if (!w) break;
    const gap = text.raw.slice(prev?.end ?? anchor, w.start);
    // "St. Mary's": a full stop after a short capitalised word is an abbreviation, not a sentence end.
    const abbreviation = prev !== undefined && prev.raw.length <= 3 && /^\p{Lu}/u.test(prev.raw);
    const gapOk = run.length === 0 ? /^[\s:\-–"]*$/u.test(gap) : /^[\s&'.]*$/u.test(gap) && (abbreviation || !/\.\s/u.test(gap));
    const capital = /^[\p{Lu}\p{N}]/u.test(w.raw);
    const small = PARTICLES.has(w.folded) || STREET_WORDS.has(w.folded);
    if (!gapOk || !text.isFree(w) || (!capital && (run.length === 0 || !small))) break;
    run.push(w);
  }
  while (run.length > 0 && PARTICLES.has(run[run.length - 1]?.folded ?? '')) run.pop();
  const first = run[0];
  const last = run[run.length - 1];
  return first && last ? { start: first.start, end: last.end } : undefined;
}

/** The field a template's value goes in when the rep types it right after the template's name: its first text field. */
function keyField(template: LoaTemplate): string | undefined {
  return template.fields.find((f) => f.type === 'text' && f.required && f.pattern === undefined)?.name;
}

/**
 * Reads the value typed right after a template's name ("distributor pricing: Relecloud",
 * "special bid for Bridgeport Stadium") as that template's key field, past words that only
 * link the two ("LOA", "for", "EcoStruxure").
 */
export function readNamedTemplateFields(text: SentenceText, templates: readonly LoaTemplate[], mentions: readonly MentionSpan[], linkWords: Set<string>): TextPiece[] {
  const pieces: TextPiece[] = [];
  for (const mention of mentions) {
    const template = templates.find((t) => t.id === mention.templateId);
    const field = template ? keyField(template) : undefined;
    if (!template || !field) continue;
    const words = text.freeWords();
    let next = words.findIndex((w) => w.start >= mention.end);
    let anchor = mention.end;
    while (next >= 0 && linkWords.has(words[next]?.folded ?? '') && /^[\s:\-–,]*$/u.test(text.raw.slice(anchor, words[next]?.start))) anchor = words[next++]?.end ?? anchor;
    if (next < 0 || !/^[\s:\-–,]*$/u.test(text.raw.slice(anchor, words[next]?.start))) continue;
    const value = nameRun(text, words, next, words[next]?.start ?? anchor);
    if (!value) continue;
    pieces.push({ kind: 'text', ...value, fieldKeys: [fieldKey(template.id, field)], value: text.slice(value) });
    text.take(value);
  }
  return pieces;
}

/** Every text field reps may name, by each of its names: phrase -> `templateId:field` keys. */
const textFieldNames = memoByCatalog((templates: readonly LoaTemplate[]): Record<'text' | 'multiline', Map<string, string[]>> => {
  const all = { text: new Map<string, string[]>(), multiline: new Map<string, string[]>() };
  for (const t of templates) {
    for (const f of t.fields) {
      if ((f.type !== 'text' && f.type !== 'multiline') || f.pattern !== undefined) continue;
      const names = all[f.type];
      for (const alias of f.aliases ?? []) {
        const key = phraseOf(alias).join(' ');
        names.set(key, [...(names.get(key) ?? []), fieldKey(t.id, f.name)]);
      }
    }
  }
  return all;
});

/**
 * Reads the text fields of one type named in the sentence ("for Acme", "project Gare du Nord",
 * "site 12 Quay Street") and takes them. Only a capitalised value or one that starts with a
 * number is read: "for signature" names no customer.
 */
export function readTextFields(text: SentenceText, templates: readonly LoaTemplate[], type: 'text' | 'multiline'): TextPiece[] {
  const pieces: TextPiece[] = [];
  for (const [name, fieldKeys] of textFieldNames(templates)[type]) {
    const words = text.freeWords();
    for (const span of findPhrase(words, name.split(' '))) {
      const next = words.findIndex((w) => w.start >= span.end);
      if (next < 0 || words[next]?.folded === 'contact') continue;
      const value = nameRun(text, words, next, span.end);
      if (!value) continue;
      pieces.push({ kind: 'text', ...value, fieldKeys, value: text.slice(value) });
      text.take({ start: span.start, end: value.end });
    }
  }
  return pieces;
}
