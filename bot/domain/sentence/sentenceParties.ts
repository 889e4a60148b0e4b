import { isEmail } from '../draft';
import type { EmailPiece, SentenceParty } from './sentencePieces';
import type { SentenceText, Word } from './sentenceText';
import { fold, wordsOf } from './sentenceText';

const EMAIL = /[^\s@<>()[\]\\,;:"'`]+@[^\s@<>()[\]\\,;:"'`]+\.\p{L}{2,}/gu;

const CC_CUES = new Set(['cc', 'copy', 'copie', 'copied', 'cc\'d', 'ccd', 'cci', 'bcc']);
const SIGNER_CUES = new Set(['to', 'signer', 'signed', 'signatory', 'signataire', 'sign', 'a', 'signature', 'recipient', 'destinataire']);
/** Words between a name and its email that belong to neither ("Jane Doe at jane@…"). */
const LINKS = new Set(['at', 'email', 'mail', 'e', 'courriel', 'on']);
/** Capitalised words that start a sentence or name the product, never a person. */
const NOT_NAMES = new Set(['send', 'loa', 'loas', 'new', 'signer', 'cc', 'to', 'please', 'envoie', 'envoyer', 'nouvelle', 'nouveau', 'create', 'prepare', 'draft', 'hi', 'hello', 'bonjour', 'for', 'pour', 'and', 'et', 'with', 'avec', 'the', 'le', 'la', 'customer', 'client', 'contact', 'site', 'signataire', 'copie', 'contractor', 'eur', 'from', 'de', 'du']);

/** Who the sentence names, and the emails left for the template's email fields. */
export interface PartiesRead {
  signer: SentenceParty;
  cc: SentenceParty;
  otherEmails: EmailPiece[];
}

/** The nearest cue word before an email: whether it is for the cc, the signer or a field. */
function cueOf(before: Word[]): 'cc' | 'signer' | 'none' {
  for (const w of [...before].reverse()) {
    if (CC_CUES.has(w.folded)) return 'cc';
    if (SIGNER_CUES.has(w.folded)) return 'signer';
  }
  return 'none';
}

function isNameWord(w: Word, localParts: Set<string>): boolean {
  if (NOT_NAMES.has(w.folded) || /\d/u.test(w.raw)) return false;
  return /^\p{Lu}/u.test(w.raw) || localParts.has(w.folded);
}

/**
 * The name typed right before an email ("Jane Doe jane@…", "Jane Doe <jane@…>"), or right
 * after it in brackets ("jane@… (Jane Doe)"). Lower-case words count only when the email
 * spells them, so "to jane doe jane.doe@…" reads but "send to jane@…" does not.
 */
function nameNear(text: SentenceText, at: { start: number; end: number }, email: string): { name: string; start: number; end: number } | undefined {
  const localParts = new Set(fold(email.split('@')[0] ?? '').split(/[._\-+]/u));
  const words = wordsOf(text.remaining().slice(Math.max(0, at.start - 80), at.start), Math.max(0, at.start - 80));
  const name: Word[] = [];
  let gapEnd = at.start;
  for (const w of [...words].reverse()) {
    const gap = text.raw.slice(w.end, gapEnd);
    if (!/^[\s<(:\-–"']*$/u.test(gap) || name.length === 4) break;
    if (name.length === 0 && LINKS.has(w.folded)) {
      gapEnd = w.start;
      continue;
    }
    if (!isNameWord(w, localParts)) break;
    name.unshift(w);
    gapEnd = w.start;
  }
  const first = name[0];
  const last = name[name.length - 1];
  if (first && last) return { name: text.raw.slice(first.start, last.end), start: first.start, end: last.end };
  const after = /^\s*[(<]([\p{L}' .-]{2,60})[)>]/u.exec(text.raw.slice(at.end));
  if (after?.[1] === undefined) return undefined;
  return { name: after[1].trim(), start: at.end, end: at.end + after[0].length };
}

/**
 * Reads the emails and the names typed with them, and takes them. The first email is the
 * signer's unless a cue says otherwise ("cc bob@…"); emails after a field's name ("site
 * contact ops@…") are left for the template.
 */
export function readParties(text: SentenceText, fieldCue: (before: string[]) => boolean): PartiesRead {
  const read: PartiesRead = { signer: {}, cc: {}, otherEmails: [] };
  let segmentStart = 0;
  for (const m of [...text.raw.matchAll(EMAIL)]) {
    const value = m[0].replace(/[.-]+$/u, '');
    const span = { start: m.index, end: m.index + value.length };
    const before = wordsOf(text.folded.slice(segmentStart, span.start), segmentStart);
    const after = wordsOf(text.folded.slice(span.end, span.end + 20)).slice(0, 2).map((w) => w.folded);
    segmentStart = span.end;
    if (!isEmail(value)) continue;
    const inCopyAfter = (after[0] === 'in' || after[0] === 'en') && CC_CUES.has(after[1] ?? '');
    // "to jane@… en copie paul@…": a cue before the email says more than one after it.
    const cueBefore = cueOf(before.slice(-4));
    const cue = cueBefore === 'none' && inCopyAfter ? 'cc' : cueBefore;
    const cueWords = before.slice(-3).map((w) => w.folded);
    text.take(span);
    if (cue === 'none' && fieldCue(cueWords)) {
      read.otherEmails.push({ kind: 'email', ...span, value, cue: cueWords });
      continue;
    }
    const role = cue === 'cc' ? read.cc : cue === 'signer' || read.signer.email === undefined ? read.signer : undefined;
    if (role === undefined || role.email !== undefined) {
      read.otherEmails.push({ kind: 'email', ...span, value, cue: cueWords });
      continue;
    }
    role.email = value;
    const name = nameNear(text, span, value);
    if (name) {
      role.name = name.name;
      text.take(name);
    }
  }
  return read;
}

/**
 * A signer named without an email ("send to Jane Doe", "signer: Marc Martin"): up to four
 * capitalised words after a signer cue. Read after templates and choices are taken, so a
 * template's name is never read as a person.
 */
export function readSignerName(text: SentenceText, signer: SentenceParty): void {
  if (signer.name !== undefined) return;
  const words = text.freeWords();
  for (let i = 0; i < words.length; i += 1) {
    if (!SIGNER_CUES.has(words[i]?.folded ?? '') || words[i]?.folded === 'a') continue;
    const name: Word[] = [];
    for (let k = i + 1; k < words.length && name.length < 4; k += 1) {
      const w = words[k];
      const prev = name[name.length - 1] ?? words[i];
      if (!w || !prev || !/^[\s:]*$/u.test(text.raw.slice(prev.end, w.start)) || !isNameWord(w, new Set())) break;
      name.push(w);
    }
    const first = name[0];
    const last = name[name.length - 1];
    if (!first || !last) continue;
    signer.name = text.raw.slice(first.start, last.end);
    text.take({ start: first.start, end: last.end });
    return;
  }
}
