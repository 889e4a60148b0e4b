import { renderAgreementStatusCard } from '../../cards/agreementStatus';
import { DIALOG_ACTIONS, DIALOG_VERB_KEY } from '../../cards/dialogCard';
import type { AdaptiveCard } from '../../cards/render';
import { renderNoticeCard } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { Verb } from '../../cards/verbs';
import { describeStatus } from '../domain/agreement';
import { shortRefs } from '../domain/agreementRef';
import type { AgreementRecord } from '../domain/agreementRecords';
import { isEmptySearch, keyValueOf, matchesSearch, parseSearch } from '../domain/agreementSearch';
import { formatDate } from '../domain/format';
import { repKey } from '../domain/rep';
import type { Translate } from '../i18n';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { searchableOf } from './listAgreements';
import { settledWithin } from './settle';
import { startBlankDraft } from './startSendLoa';
import { templateNameOf } from './templateName';
import { draftFromSentence } from './startFromSentence';

/** Results a search returns at most: what Teams shows in the compose box and Copilot reads. */
export const MAX_SEARCH_RESULTS = 10;

/** How long a dialog's Send waits for the LOA API before it says the result goes to the 1:1 chat. */
export const DIALOG_SEND_WAIT_MS = 8_000;

/** The chat flow's card verbs a dialog runs: the steps from template to send. */
const DIALOG_STEPS: ReadonlySet<string> = new Set<Verb>([
  VERBS.start, VERBS.chooseTemplate, VERBS.changeTemplate, VERBS.reviewDraft, VERBS.editDraft, VERBS.sendDraft, VERBS.cancelDraft, VERBS.sendWithoutLink,
]);
const SENDS: ReadonlySet<string> = new Set<Verb>([VERBS.sendDraft, VERBS.sendWithoutLink]);

/** What a dialog step wants Teams to do. */
export interface DialogResult {
  /** The dialog's next card (chat-card form: the Teams layer makes it a dialog card); absent: the dialog closes. */
  card?: AdaptiveCard;
  /** A read-only card to insert into the conversation the dialog was opened from. */
  insert?: AdaptiveCard;
  /** For the rep's 1:1 chat with the bot: the usual confirmation. */
  messages?: string[];
  /** A send the LOA API is still working on: its outcome, for the 1:1 chat. */
  later?: Pick<FlowResult, 'followUp' | 'delivery'>;
}

/** One LOA found by the search command. */
export interface SearchHit {
  /** The read-only status card inserted when the rep picks it. */
  card: AdaptiveCard;
  /** The line Teams lists it with. */
  preview: { title: string; text: string };
}

export interface MessageExtensionFlows {
  /** "Send an LOA": the first dialog card, prefilled from the message it was opened on, if any. */
  openDialog(ctx: FlowContext, messageText: string): Promise<DialogResult>;
  /** A button in the dialog, with the dialog's inputs; `data.verb` says which. */
  dialogStep(ctx: FlowContext, data: Record<string, unknown>): Promise<DialogResult>;
  /** "LOAs": the rep's own LOAs matching the words, as "my LOAs <words>" finds them. */
  search(ctx: FlowContext, words: string): Promise<SearchHit[]>;
}

/** The message extension's tasks, over the same verbs (and owner checks) as the chat cards. */
export function messageExtensionFlows(deps: FlowDeps, verbs: Readonly<Record<Verb, FlowHandler>>): MessageExtensionFlows {
  return {
    async openDialog(ctx, messageText) {
      const prefilled = messageText.trim() ? await draftFromSentence(deps, ctx, messageText.trim()) : undefined;
      return { card: (prefilled ?? (await startBlankDraft(deps, ctx))).card };
    },
    async dialogStep(ctx, data) {
      const verb = typeof data[DIALOG_VERB_KEY] === 'string' ? data[DIALOG_VERB_KEY] : '';
      if (verb === DIALOG_ACTIONS.done) return {};
      if (verb === DIALOG_ACTIONS.share) return share(deps, ctx, data.agreementId);
      if (!DIALOG_STEPS.has(verb)) return { card: noLongerWorks(ctx.t) };
      const result = await verbs[verb as Verb](ctx, data);
      return SENDS.has(verb) ? sent(deps, ctx, result, data.draftId) : { card: result.card };
    },
    search: (ctx, words) => search(deps, ctx, words),
  };
}

/**
 * The outcome of a Send in a dialog. Created: the dialog offers to share a status card. Slow:
 * waits a little, then says the outcome comes to the 1:1 chat. Anything else: the chat flow's card.
 */
async function sent(deps: FlowDeps, ctx: FlowContext, result: FlowResult, draftId: unknown): Promise<DialogResult> {
  let shown = result;
  if (result.followUp) {
    const settled = await settledWithin(result.followUp, DIALOG_SEND_WAIT_MS);
    if (!settled) return { card: stillSending(ctx.t), later: { followUp: result.followUp, ...(result.delivery ? { delivery: result.delivery } : {}) } };
    shown = await settled();
  }
  const submission = typeof draftId === 'string' ? await deps.sender.find(await ctx.caller(), draftId) : undefined;
  const agreement = submission?.status === 'created' ? submission.agreement : undefined;
  const messages = shown.messages ?? [];
  if (!agreement) return { card: shown.card, messages };
  return { card: offerToShare(ctx.t, agreement.id, agreement.signer.name, describeStatus(agreement.status, ctx.locale)), messages };
}

/** Inserts the status card of one of the rep's own LOAs; anyone else's id finds nothing. */
async function share(deps: FlowDeps, ctx: FlowContext, agreementId: unknown): Promise<DialogResult> {
  const rep = await ctx.rep();
  const all = typeof agreementId === 'string' ? await deps.records.list(repKey(rep)) : [];
  const record = all.find((r) => r.id === agreementId);
  if (!record) return { card: renderNoticeCard({ title: ctx.t('chat:extension.nothingToShare.title'), text: ctx.t('chat:extension.nothingToShare.text'), style: 'warning' }) };
  return { insert: statusCardOf(deps, ctx, record, shortRefs(all.map((r) => r.id))) };
}

async function search(deps: FlowDeps, ctx: FlowContext, words: string): Promise<SearchHit[]> {
  const rep = await ctx.rep();
  const all = await deps.records.list(repKey(rep));
  const refs = shortRefs(all.map((r) => r.id));
  const parsed = words.trim() ? parseSearch(words, { now: deps.clock.now(), locale: ctx.locale, timeZone: ctx.timeZone }) : undefined;
  const wanted = parsed && !isEmptySearch(parsed) ? parsed : undefined;
  const found = wanted ? all.filter((r) => matchesSearch(searchableOf(deps, r, refs), wanted)) : all;
  return found.slice(0, MAX_SEARCH_RESULTS).map((record) => {
    const template = deps.catalog.get(record.templateId);
    const keyValue = keyValueOf(template, record.formData);
    return {
      card: statusCardOf(deps, ctx, record, refs),
      preview: {
        title: `${keyValue ?? templateNameOf(template, ctx.t)} · ${record.signer.name}`,
        text: ctx.t('chat:extension.preview', { template: templateNameOf(template, ctx.t), status: statusOf(ctx, record), date: formatDate(record.createdAt.slice(0, 10), ctx.locale) }),
      },
    };
  });
}

function statusOf(ctx: FlowContext, record: AgreementRecord): string {
  return describeStatus(record.goneAt ? 'DELETED' : record.status, ctx.locale);
}

function statusCardOf(deps: FlowDeps, ctx: FlowContext, record: AgreementRecord, refs: ReadonlyMap<string, string>): AdaptiveCard {
  const template = deps.catalog.get(record.templateId);
  const keyValue = keyValueOf(template, record.formData);
  return renderAgreementStatusCard({
    signerName: record.signer.name,
    status: statusOf(ctx, record),
    templateName: templateNameOf(template, ctx.t),
    ...(keyValue ? { keyValue } : {}),
    sentOn: formatDate(record.createdAt.slice(0, 10), ctx.locale),
    ref: refs.get(record.id) ?? record.id,
    locale: ctx.locale,
  });
}

/** After a Send: the rep chooses whether the conversation sees a status card. */
function offerToShare(t: Translate, agreementId: string, signerName: string, status: string): AdaptiveCard {
  const card = renderNoticeCard({
    title: t('chat:extension.offer.title', { signer: signerName }),
    text: t('chat:extension.offer.text', { status }),
    style: 'good',
  });
  return {
    ...card,
    actions: [
      { type: 'Action.Execute', title: t('chat:extension.offer.insert'), verb: DIALOG_ACTIONS.share, data: { agreementId } },
      { type: 'Action.Execute', title: t('chat:extension.offer.done'), verb: DIALOG_ACTIONS.done, data: {} },
    ],
  };
}

function stillSending(t: Translate): AdaptiveCard {
  return renderNoticeCard({ title: t('chat:extension.sending.title'), text: t('chat:extension.sending.text'), style: 'accent' });
}

function noLongerWorks(t: Translate): AdaptiveCard {
  return renderNoticeCard({ title: t('chat:extension.noLongerWorks.title'), text: t('chat:extension.noLongerWorks.text') });
}
