import type { LoaTemplate } from '../templateCatalog';
import { memoByCatalog } from './catalogMemo';
import type { ChoicePiece } from './sentencePieces';
import type { SentenceText, Span } from './sentenceText';
import type { Phrase } from './wordMatch';
import { findPhrase, phraseOf } from './wordMatch';

interface ChoiceName {
  templateId: string;
  field: string;
  value: string;
  phrase: Phrase;
  /** A short code such as "LV" must be typed as it is, or "ia" in French would be read. */
  exact?: string;
}

/**
 * Every way a rep may name a choice: its title without the bracket ("Low voltage"), each
 * product in the bracket ("Acti9", "ComPacT"), its aliases, and its value typed as written.
 */
const choiceNames = memoByCatalog((templates: readonly LoaTemplate[]): ChoiceName[] => {
  const names: ChoiceName[] = [];
  for (const t of templates) {
    for (const f of t.fields) {
      for (const c of f.choices ?? []) {
        const base = { templateId: t.id, field: f.name, value: c.value };
        const bracket = /\(([^)]*)\)/u.exec(c.title)?.[1] ?? '';
        const phrases = [c.title.replace(/\([^)]*\)/gu, ''), ...bracket.split(','), ...(c.aliases ?? [])];
        for (const p of phrases) names.push({ ...base, phrase: phraseOf(p) });
        names.push({ ...base, phrase: phraseOf(c.value), exact: c.value });
      }
    }
  }
  return names.filter((n) => n.phrase.length > 0).sort((a, b) => b.phrase.length - a.phrase.length);
});

/**
 * Reads the choices the sentence names, for every template at once, and takes them. A phrase
 * that names a choice of two templates gives a piece for each.
 */
export function readChoices(text: SentenceText, templates: readonly LoaTemplate[]): ChoicePiece[] {
  const pieces: ChoicePiece[] = [];
  const taken: Span[] = [];
  const words = text.freeWords();
  for (const n of choiceNames(templates)) {
    for (const span of findPhrase(words, n.phrase)) {
      if (n.exact !== undefined && text.slice(span) !== n.exact) continue;
      const overlaps = taken.some((s) => s.start < span.end && span.start < s.end && !(s.start === span.start && s.end === span.end));
      if (overlaps || pieces.some((p) => p.templateId === n.templateId && p.field === n.field)) continue;
      pieces.push({ kind: 'choice', ...span, templateId: n.templateId, field: n.field, value: n.value });
      taken.push(span);
    }
  }
  for (const s of taken) text.take(s);
  return pieces;
}
