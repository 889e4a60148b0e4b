import type { LoaTemplate } from '../templateCatalog';
import { memoByCatalog, memoByString } from './catalogMemo';
import { readChoices } from './choiceMentions';
import { readNamedTemplateFields, readPatterns, readTextFields } from './fieldMentions';
import { boundedParts, catalogWords, leftoverText } from './leftoverText';
import { readDates } from './sentenceDates';
import { sentenceLocale } from './sentenceLocale';
import { readNumbers } from './sentenceNumbers';
import { readParties, readSignerName } from './sentenceParties';
import type { Piece, SentenceParty } from './sentencePieces';
import { SentenceText } from './sentenceText';
import { readTemplateMentions } from './templateMentions';
import type { TemplateMentions } from './templateMentions';
import { fillTemplate } from './templateFilling';
import { phraseOf } from './wordMatch';

/** What to read a sentence against. */
export interface SentenceOptions {
  templates: readonly LoaTemplate[];
  /** The rep's Teams locale ("fr-FR", "en-US"): how dates and numbers are written. */
  locale: string;
  /** The moment the rep sent the message: "next Monday" counts from it. */
  now: Date;
  /** The rep's IANA time zone; UTC when unknown. */
  timeZone?: string;
}

/** One template the sentence may be for, with what it would prefill. */
export interface TemplateCandidate {
  templateId: string;
  /** Field name -> value in DraftValues format (ISO dates, plain decimals, choice values). */
  fields: Record<string, string>;
  /** Parts of the sentence this template has no place for. */
  notUnderstood: string[];
  /** Higher is likelier: 10 for a name or alias, 3 for each typed field, 2 per keyword, 1 per free-text or date field. */
  score: number;
}

/** What a sentence gives towards an LOA draft. Nothing here is sent: the rep reviews it first. */
export interface SentenceReading {
  /** False when nothing in the sentence is about an LOA: the chat answers as it would anyway. */
  recognised: boolean;
  /** The templates it may be for, likeliest first; empty when it names none and fills nothing. */
  candidates: TemplateCandidate[];
  /** The template when one is clear: named, or far likelier than any other. */
  template?: string;
  signer: SentenceParty;
  cc: SentenceParty;
  /** The clear template's fields; empty when no template is clear (see `candidates`). */
  fields: Record<string, string>;
  /** Parts of the sentence that could not be placed, as typed, for the rep to see. */
  notUnderstood: string[];
  /** Plain-words notes on dates that could be read another way ('"1/2/2027" read as 1 February 2027'). */
  readings: string[];
}

/** The most characters read: a sentence longer than this is not one a rep typed as a request. */
export const MAX_SENTENCE_LENGTH = 1000;
const NAMED = 10;
const KEYWORD = 2;
/** How far ahead the likeliest template must be to be chosen without asking. */
const CLEAR_LEAD = 3;

const SEND_WORDS = new Set(['send', 'new', 'create', 'prepare', 'draft', 'start', 'envoyer', 'envoie', 'envoyez', 'nouvelle', 'nouveau', 'nouvel', 'creer', 'preparer', 'faire', 'fais']);
const LOA_WORDS = new Set(['loa', 'loas', 'letter', 'lettre', 'accord']);
// eslint-disable-next-line no-control-regex -- control characters are blanked so they are never shown back
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/gu;

/** The names of the templates' email fields ("site contact"): an email after one is that field's. */
const emailCuesOf = memoByCatalog((templates: readonly LoaTemplate[]) =>
  templates.flatMap((t) => t.fields.filter((f) => f.type === 'email').flatMap((f) => (f.aliases ?? []).map((a) => phraseOf(a).join(' ')))),
);

/** Words between a template's name and a value for it ("LOA", "for", "EcoStruxure"). */
const linkWordsOf = memoByCatalog(
  (templates: readonly LoaTemplate[]) => new Set([...templates.flatMap((t) => [t.name, ...(t.aliases ?? [])].flatMap(phraseOf)), 'loa', 'for', 'pour', 'the', 'le', 'la', 'template', 'agreement']),
);

/** Building an Intl formatter costs more than a whole parse: one per time zone. */
const dayFormat = memoByString((timeZone) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }));

/** The rep's today at noon in the local clock, which is how chrono reads "today". */
function referenceDay(now: Date, timeZone: string | undefined): Date {
  const parts = dayFormat(timeZone ?? 'UTC').formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return new Date(get('year'), get('month') - 1, get('day'), 12);
}

function readPieces(text: SentenceText, options: SentenceOptions, readings: string[]) {
  const locale = sentenceLocale(options.locale);
  const emailCues = emailCuesOf(options.templates);
  const parties = readParties(text, (before) => emailCues.some((c) => before.join(' ').includes(c)));
  const pieces: Piece[] = [...parties.otherEmails, ...readNumbers(text, locale.decimalComma, true), ...readPatterns(text, options.templates)];
  pieces.push(...readDates(text, referenceDay(options.now, options.timeZone), locale, readings));
  // Before bare numbers, so that an address keeps its street number ("site 12 Quay Street").
  pieces.push(...readTextFields(text, options.templates, 'multiline'));
  pieces.push(...readNumbers(text, locale.decimalComma, false));
  const mentions = readTemplateMentions(text, options.templates);
  pieces.push(...readChoices(text, options.templates));
  pieces.push(...readNamedTemplateFields(text, options.templates, mentions.spans, linkWordsOf(options.templates)));
  pieces.push(...readTextFields(text, options.templates, 'text'));
  readSignerName(text, parties.signer);
  return { parties, pieces, mentions };
}

function rank(options: SentenceOptions, pieces: Piece[], mentions: TemplateMentions, text: SentenceText, leftover: string[]): TemplateCandidate[] {
  return options.templates
    .map((t) => {
      const filling = fillTemplate(t, pieces);
      const score = (mentions.named.has(t.id) ? NAMED : 0) + KEYWORD * (mentions.keywords.get(t.id) ?? 0) + filling.evidence;
      const unused = filling.unused.map((p) => text.slice(p));
      return { templateId: t.id, fields: filling.fields, notUnderstood: boundedParts([...leftover, ...unused]), score };
    })
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score);
}

function clearTemplate(candidates: TemplateCandidate[], mentions: TemplateMentions): TemplateCandidate | undefined {
  const [top, second] = candidates;
  if (!top || mentions.named.size > 1) return undefined;
  if (mentions.named.has(top.templateId)) return top;
  return top.score >= CLEAR_LEAD && (second === undefined || top.score - second.score >= CLEAR_LEAD) ? top : undefined;
}

/**
 * Reads one sentence ("send the distributor pricing LOA to Jane Doe jane.doe@acme.example")
 * into a prefilled draft: the template, signer, cc and each field the template has, by type.
 * Deterministic and local, and treats the text as data only.
 */
export function parseLoaSentence(sentence: string, options: SentenceOptions): SentenceReading {
  const cut = sentence.length > MAX_SENTENCE_LENGTH;
  const text = new SentenceText(sentence.slice(0, MAX_SENTENCE_LENGTH).replace(CONTROL, ' '));
  const readings: string[] = [];
  const words = text.freeWords().map((w) => w.folded);
  const { parties, pieces, mentions } = readPieces(text, options, readings);
  const cutNote = cut ? [`(the rest of the message after ${MAX_SENTENCE_LENGTH} characters)`] : [];
  const leftover = [...cutNote, ...leftoverText(text, catalogWords(options.templates))];
  const candidates = rank(options, pieces, mentions, text, leftover);
  const asksToSend = words.some((w) => SEND_WORDS.has(w));
  // A keyword alone ("is the LOA service down?") is a question about LOAs, not a request for one,
  // and an email alone is a pasted address.
  const aboutLoa = words.some((w) => LOA_WORDS.has(w)) && (asksToSend || pieces.length > 0);
  const recognised = mentions.named.size > 0 || aboutLoa || (parties.signer.email !== undefined && asksToSend);
  if (!recognised) return { recognised, candidates: [], signer: {}, cc: {}, fields: {}, notUnderstood: [], readings: [] };
  const chosen = clearTemplate(candidates, mentions);
  return {
    recognised,
    candidates,
    ...(chosen ? { template: chosen.templateId } : {}),
    signer: parties.signer,
    cc: parties.cc,
    fields: chosen?.fields ?? {},
    notUnderstood: chosen?.notUnderstood ?? leftover,
    readings,
  };
}
