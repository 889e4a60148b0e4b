import { renderChooseTemplateCard } from '../../cards/chooseTemplate';
import { emptyValues } from '../domain/draft';
import type { Draft, DraftValues, SentencePrefill, TextValue } from '../domain/draft';
import { parseLoaSentence } from '../domain/sentence/parseLoaSentence';
import type { SentenceReading } from '../domain/sentence/parseLoaSentence';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { draftCard, openDraft, startUnlessWorkOpen } from './keepWork';
import type { Translate } from '../i18n';
import { answerUnknownText } from './showHelp';

/** The longest message read as a sentence: the same bound card data carries it back in. */
export const MAX_SENTENCE_CHARS = 1000;

/**
 * A message that is no command: read as one sentence about an LOA to send ("send the
 * distributor pricing LOA to Jane Doe jane@acme.example"). What it understood prefills a new
 * draft that the rep checks and reviews; nothing is ever sent without review. A message with
 * nothing recognisable gets the same answer as any unknown text.
 */
export function startFromSentence(deps: FlowDeps): FlowHandler {
  return async (ctx, data) => {
    const sentence = typeof data.argument === 'string' ? data.argument : '';
    const reading = readSentence(deps, ctx, sentence);
    if (!reading) return answerUnknownText(ctx, data);
    return startUnlessWorkOpen(ctx, deps, { sentence }, () => openFromReading(deps, ctx, reading));
  };
}

/** "Discard it and start new" after a sentence: the same sentence, read again now. */
export async function startFromSentenceAgain(deps: FlowDeps, ctx: FlowContext, sentence: string): Promise<FlowResult> {
  return (await draftFromSentence(deps, ctx, sentence)) ?? answerUnknownText(ctx, {});
}

/** A new draft prefilled from a sentence (e.g. a chat message a message extension was opened on); undefined when it names nothing to start from. */
export async function draftFromSentence(deps: FlowDeps, ctx: FlowContext, sentence: string): Promise<FlowResult | undefined> {
  const reading = readSentence(deps, ctx, sentence);
  return reading ? openFromReading(deps, ctx, reading) : undefined;
}

/** "don't send LOA yet", "ne pas envoyer": a sentence that says not to is not a start. */
const NEGATED = /\b(don'?t|do not|never|not yet|ne pas|n'envoyez)\b/i;

/**
 * What a sentence asks for, when it names something to start from: a template, someone to
 * send to, or a field. "hi, send loa" names nothing, and gets the answer any unknown text gets.
 */
function readSentence(deps: FlowDeps, ctx: FlowContext, sentence: string): SentenceReading | undefined {
  if (sentence.length === 0 || sentence.length > MAX_SENTENCE_CHARS || NEGATED.test(sentence)) return undefined;
  const reading = parseLoaSentence(sentence, { templates: deps.catalog.templates, locale: ctx.locale, now: new Date(deps.clock.now()), timeZone: ctx.timeZone });
  const concrete = reading.template !== undefined || reading.candidates.length > 0 || [reading.signer.name, reading.signer.email, reading.cc.name, reading.cc.email].some((v) => v);
  return reading.recognised && concrete ? reading : undefined;
}

/**
 * One clear template: its details card, prefilled and marked. Several: a choice among them,
 * keeping what was understood for whichever is chosen. None named: every template.
 */
async function openFromReading(deps: FlowDeps, ctx: FlowContext, reading: SentenceReading): Promise<FlowResult> {
  const { values, filled } = partiesOf(reading);
  const fromMessage: SentencePrefill = {
    fieldsByTemplate: Object.fromEntries(reading.candidates.map((c) => [c.templateId, c.fields])),
    notUnderstoodByTemplate: Object.fromEntries(reading.candidates.map((c) => [c.templateId, c.notUnderstood])),
    notUnderstood: reading.notUnderstood,
    readings: reading.readings,
    filled,
  };
  const template = reading.template ? deps.catalog.get(reading.template) : undefined;
  const draft: Draft = {
    id: deps.newId(),
    owner: await ctx.caller(),
    templateId: template?.id ?? '',
    values: { ...values, fields: template ? (fromMessage.fieldsByTemplate[template.id] ?? {}) : {} },
    fromMessage,
  };
  openDraft(ctx, draft);
  if (template) return draftCard(deps, ctx, draft);
  const candidates = reading.candidates.map((c) => deps.catalog.get(c.templateId)).filter((t) => t !== undefined);
  const several = candidates.length >= 2;
  const parties = understoodParties(ctx.t, values);
  const note = several
    ? parties ? ctx.t('chat:sentence.severalFitFor', { parties }) : ctx.t('chat:sentence.severalFit')
    : parties ? ctx.t('chat:sentence.chooseFor', { parties }) : ctx.t('chat:sentence.choose');
  return { card: renderChooseTemplateCard({ draftId: draft.id, templates: several ? candidates : deps.catalog.templates, note, locale: ctx.locale }) };
}

function partiesOf(reading: SentenceReading): { values: DraftValues; filled: TextValue[] } {
  const given: Partial<Record<TextValue, string | undefined>> = {
    signerName: reading.signer.name,
    signerEmail: reading.signer.email,
    ccName: reading.cc.name,
    ccEmail: reading.cc.email,
  };
  const filled = (Object.keys(given) as TextValue[]).filter((k) => given[k]);
  const values: DraftValues = { ...emptyValues() };
  for (const key of filled) values[key] = given[key]!;
  return { values, filled };
}

/** Who the LOA goes to, as understood, for the template choice: "to Jane Doe (jane@acme.example), cc bob@acme.example". */
function understoodParties(t: Translate, values: DraftValues): string {
  const party = (name: string, email: string) => [name, email && name ? `(${email})` : email].filter((x) => x).join(' ');
  const signer = party(values.signerName, values.signerEmail);
  const cc = party(values.ccName, values.ccEmail);
  return [signer ? t('chat:sentence.to', { party: signer }) : '', cc ? t('chat:sentence.cc', { party: cc }) : ''].filter((x) => x).join(', ');
}
