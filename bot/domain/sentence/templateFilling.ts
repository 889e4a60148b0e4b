import type { LoaTemplate, TemplateField } from '../templateCatalog';
import type { DatePiece, EmailPiece, NumberPiece, Piece } from './sentencePieces';
import { fieldKey } from './sentencePieces';
import { patternOf, phraseOf } from './wordMatch';

/** What one template makes of the pieces read from a sentence. */
export interface TemplateFilling {
  /** Field name -> value in the details card's format. */
  fields: Record<string, string>;
  /** Pieces this template has no field for. */
  unused: Piece[];
  /** How strongly the pieces point at this template: typed matches count more than free text. */
  evidence: number;
}

/** Pieces that only one kind of field takes (a choice, a pattern, a percentage): strong evidence. */
const STRONG = 3;
const WEAK = 1;

const isPercentField = (f: TemplateField) => f.type === 'number' && (/%/u.test(f.label) || /percent|pct|rate/iu.test(f.name));
const isMoneyField = (f: TemplateField) => f.type === 'number' && /\b(eur|usd|gbp)\b|€|\$|value|amount|price/iu.test(`${f.label} ${f.name}`);
const isEndDate = (f: TemplateField) => f.type === 'date' && (f.after !== undefined || /end|until|expir/iu.test(`${f.name} ${f.label}`));

/** The single words that name a field: its aliases and its label's longer words. */
const cueWordsOf = new WeakMap<TemplateField, Set<string>>();
function cueWords(f: TemplateField): Set<string> {
  const known = cueWordsOf.get(f);
  if (known) return known;
  const label = phraseOf(f.label).filter((w) => w.length > 3 && !['number', 'date', 'name'].includes(w));
  const words = new Set([...(f.aliases ?? []).flatMap(phraseOf), ...label]);
  cueWordsOf.set(f, words);
  return words;
}

class Filler {
  readonly fields: Record<string, string> = {};
  readonly unused: Piece[] = [];
  evidence = 0;

  constructor(readonly template: LoaTemplate) {}

  free(predicate: (f: TemplateField) => boolean): TemplateField | undefined {
    return this.template.fields.find((f) => this.fields[f.name] === undefined && predicate(f));
  }

  fill(piece: Piece, field: TemplateField | undefined, value: string, weight: number): void {
    if (!field) {
      this.unused.push(piece);
      return;
    }
    this.fields[field.name] = value;
    this.evidence += weight;
  }

  number(p: NumberPiece): void {
    const fits = (f: TemplateField) => f.type === 'number' && (p.unit === 'plain' || (p.unit === 'percent' ? isPercentField(f) : isMoneyField(f)));
    const cued = this.free((f) => fits(f) && p.neighbours.some((w) => cueWords(f).has(w)));
    if (cued || p.unit === 'plain') return this.fill(p, cued, p.value, STRONG);
    this.fill(p, this.free(p.unit === 'percent' ? isPercentField : isMoneyField), p.value, STRONG);
  }

  /** A range fills a start and an end; a single day goes where its cue word says, else to the one date field. */
  date(p: DatePiece): void {
    const dates = this.template.fields.filter((f) => f.type === 'date');
    const start = this.free((f) => f.type === 'date' && !isEndDate(f));
    const end = this.free(isEndDate);
    if (p.endDay !== undefined) {
      if (start) this.fill(p, start, p.startDay, WEAK);
      if (end) this.fill(p, end, p.endDay, WEAK);
      if (!start && !end) this.unused.push(p);
      return;
    }
    if (p.role === 'end') return this.fill(p, end ?? (dates.length === 1 ? this.free((f) => f.type === 'date') : undefined), p.startDay, WEAK);
    if (p.role === 'start') return this.fill(p, start ?? (dates.length === 1 ? this.free((f) => f.type === 'date') : undefined), p.startDay, WEAK);
    this.fill(p, start ?? end, p.startDay, WEAK);
  }

  email(p: EmailPiece): void {
    const cue = p.cue.join(' ');
    this.fill(p, this.free((f) => f.type === 'email' && (f.aliases ?? []).some((a) => cue.includes(phraseOf(a).join(' ')))), p.value, STRONG);
  }

  take(p: Piece): void {
    switch (p.kind) {
      case 'number':
        return this.number(p);
      case 'date':
        return this.date(p);
      case 'email':
        return this.email(p);
      case 'pattern':
        return this.fill(p, this.free((f) => f.pattern !== undefined && patternOf(f.pattern).test(p.value)), p.value, STRONG);
      case 'choice':
        return this.fill(p, p.templateId === this.template.id ? this.free((f) => f.name === p.field) : undefined, p.value, STRONG);
      case 'text':
        return this.fill(p, this.free((f) => p.fieldKeys.includes(fieldKey(this.template.id, f.name))), p.value, WEAK);
    }
  }
}

/** Fills `template`'s fields from the pieces, in sentence order; never changes a value to fit a rule. */
export function fillTemplate(template: LoaTemplate, pieces: readonly Piece[]): TemplateFilling {
  const filler = new Filler(template);
  // A number with a unit says more than a bare one next to the same field's name ("Terminal 2, value €4.75M").
  const plainLast = (p: Piece) => (p.kind === 'number' && p.unit === 'plain' ? 1 : 0);
  for (const p of [...pieces].sort((a, b) => plainLast(a) - plainLast(b) || a.start - b.start)) filler.take(p);
  // A choice of another template is no miss here: the sentence named it for that template.
  const unused = filler.unused.filter((p) => p.kind !== 'choice');
  return { fields: filler.fields, unused, evidence: filler.evidence };
}
