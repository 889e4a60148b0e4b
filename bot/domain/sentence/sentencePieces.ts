import type { Span } from './sentenceText';

/** A number read from the sentence, as a plain decimal string ("250000", "12.5"). */
export interface NumberPiece extends Span {
  kind: 'number';
  value: string;
  unit: 'percent' | 'currency' | 'plain';
  /** Folded words right next to it, which may name the field it is for ("12 assets"). */
  neighbours: string[];
}

/** A date or a date range read from the sentence, as ISO dates. */
export interface DatePiece extends Span {
  kind: 'date';
  /** The day, or the first day of a range. */
  startDay: string;
  /** The last day of a range. */
  endDay?: string;
  /** What the words before it say it is: a start ("from"), an end ("until") or nothing. */
  role: 'start' | 'end' | 'none';
}

/** A token that fits a template field's pattern (a quote reference, an account number). */
export interface PatternPiece extends Span {
  kind: 'pattern';
  value: string;
}

/** A choice of a template's choice field, named in the sentence. */
export interface ChoicePiece extends Span {
  kind: 'choice';
  templateId: string;
  field: string;
  value: string;
}

/** Text after a word that names a field ("project Gare du Nord", "for Acme"). */
export interface TextPiece extends Span {
  kind: 'text';
  /** `${templateId}:${fieldName}` of every field that word names. */
  fieldKeys: string[];
  value: string;
}

/** An email that is neither the signer's nor the cc's: it may fill a template's email field. */
export interface EmailPiece extends Span {
  kind: 'email';
  value: string;
  /** Folded words just before it, which may name the field it is for ("site contact"). */
  cue: string[];
}

/** Something read from the sentence that a template field may take. */
export type Piece = NumberPiece | DatePiece | PatternPiece | ChoicePiece | TextPiece | EmailPiece;

/** A person named in the sentence: the signer or the cc. */
export interface SentenceParty {
  name?: string;
  email?: string;
}

/** `${templateId}:${fieldName}`: a field of one template. */
export function fieldKey(templateId: string, field: string): string {
  return `${templateId}:${field}`;
}
