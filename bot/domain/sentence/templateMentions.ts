import type { LoaTemplate } from '../templateCatalog';
import { memoByCatalog } from './catalogMemo';
import type { SentenceText, Span } from './sentenceText';
import type { Phrase } from './wordMatch';
import { findPhrase, phraseOf } from './wordMatch';

/** What the sentence says about each template in so many words. */
/** Where the sentence names a template. */
export interface MentionSpan extends Span {
  templateId: string;
}

export interface TemplateMentions {
  /** Where each name stands, in sentence order: a value typed right after it is for that template. */
  spans: MentionSpan[];
  /** Ids of the templates named by name or alias, in catalog order. */
  named: Set<string>;
  /** Template id -> how many of its keywords the sentence holds. */
  keywords: Map<string, number>;
}

interface NamedPhrase {
  templateId: string;
  phrase: Phrase;
}

/** Names and aliases of every template, longest first, so "project special bid" wins over "special bid". */
const namesOf = memoByCatalog((templates: readonly LoaTemplate[]): NamedPhrase[] =>
  templates
    .flatMap((t) => [t.name, ...(t.aliases ?? [])].map((n) => ({ templateId: t.id, phrase: phraseOf(n) })))
    .filter((n) => n.phrase.length > 0)
    .sort((a, b) => b.phrase.length - a.phrase.length),
);

/** Finds the templates the sentence names, and takes their names; counts each template's keywords. */
export function readTemplateMentions(text: SentenceText, templates: readonly LoaTemplate[]): TemplateMentions {
  const named = new Set<string>();
  const spans: MentionSpan[] = [];
  let words = text.freeWords();
  for (const { templateId, phrase } of namesOf(templates)) {
    for (const span of findPhrase(words, phrase)) {
      named.add(templateId);
      spans.push({ templateId, ...span });
      text.take(span);
      words = words.filter((w) => w.end <= span.start || w.start >= span.end);
    }
  }
  const keywords = new Map<string, number>();
  for (const t of templates) {
    const count = (t.keywords ?? []).filter((k) => findPhrase(words, phraseOf(k)).length > 0).length;
    if (count > 0) keywords.set(t.id, count);
  }
  return { spans: spans.sort((a, b) => a.start - b.start), named, keywords };
}
