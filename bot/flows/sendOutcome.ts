import { templateNameOf } from './templateName';
import { renderAgreementSentCard } from '../../cards/agreementSent';
import { describeStatus } from '../domain/agreement';
import { defaultRef } from '../domain/agreementRef';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { renderNoticeCard } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import { LINK_API_FIELD, describeUnplacedApiField } from '../../cards/draftInputs';
import { draftKeyOfApiField, labelOfField } from '../domain/draft';
import type { Draft, FieldErrors } from '../domain/draft';
import type { AnnounceOptions } from '../domain/announcements';
import type { Submission, SubmitResult } from '../domain/submissions';
import { escapeMarkdown } from '../domain/text';
import { LOA_ERROR_CODES, loaFailureOf } from '../domain/loaService';
import type { LoaFailure } from '../domain/loaService';
import { translatorFor } from '../i18n';
import type { Translate } from '../i18n';
import { failureCause, nextStep } from './failureWords';
import { announceOrTell, asAnnounced, settledWithin } from './settle';
import type { Logger } from '../logger';
import type { FlowContext, FlowDeps, FlowResult } from './flowContext';
import { promiseFollowUp } from './promises';

/** Who a submission is shown to: the draft it came from, and the rep's Teams locale. */
export interface SubmissionView {
  /** Present while the draft is open: a refusal goes back to its details card. */
  draft?: Draft;
  /** For the words, numbers and dates on the card; en-US when unknown. */
  locale?: string;
}

/** The card and chat message for a submission, in a rep's words. */
export function renderSubmission(submission: Submission, deps: FlowDeps, view: SubmissionView = {}): FlowResult {
  const t = translatorFor(view.locale);
  const template = deps.catalog.get(submission.templateId);
  const templateName = templateNameOf(template, t);
  switch (submission.status) {
    case 'created': {
      const agreement = submission.agreement;
      if (!agreement) throw new Error(`Submission ${submission.draftId} is created but holds no agreement`);
      return {
        card: renderAgreementSentCard({ agreement, templateName, ...(view.locale ? { locale: view.locale } : {}) }),
        messages: [t('chat:send.sent', { signer: agreement.signer.name, template: templateName, ref: defaultRef(agreement.id), status: describeStatus(agreement.status, view.locale) })],
      };
    }
    case 'sending':
      return {
        card: renderNoticeCard({
          title: t('chat:send.sending.title'),
          text: t('chat:send.sending.text'),
          style: 'accent',
        }),
      };
    case 'failed':
      return linkRefusedCard(t, submission) ?? fieldErrorsCard(t, submission, deps, view) ?? failedCard(t, submission, templateName);
    case 'unknown':
      return failedCard(t, submission, templateName);
    case 'cancelled':
      return cancelledCard(t, submission.earlierMayExist ? t('chat:cancel.cancelled.earlierMayExist') : t('chat:cancel.cancelled.nothingSent'));
  }
}

/** A refusal that names fields goes back to the details card, with the values kept. */
function fieldErrorsCard(t: Translate, submission: Submission, deps: FlowDeps, { draft, locale }: SubmissionView): FlowResult | undefined {
  const template = deps.catalog.get(submission.templateId);
  const details = submission.error?.details ?? [];
  if (!draft || !template || submission.error?.code !== LOA_ERROR_CODES.refusedByField || details.length === 0) return undefined;
  const errors: FieldErrors = {};
  const unplaced = new Set<string>();
  for (const d of details) {
    const key = draftKeyOfApiField(d.field);
    // The API words its messages as predicates ("is not a valid email"): give them their subject.
    if (key && !errors[key]) errors[key] = /^[a-z]/.test(d.message) ? `${labelOfField(template, key, locale)} ${d.message}` : d.message;
    else if (!key) unplaced.add(describeUnplacedApiField(d.field, d.message, locale));
  }
  const placed = Object.keys(errors).length > 0;
  const problem = unplaced.size > 0 ? t('chat:send.fieldErrors.problemUnplaced', { unplaced: [...unplaced].join('. ') }) : t('chat:send.fieldErrors.problem');
  return {
    card: renderDraftDetailsCard({ template, draft, errors, problem, ...(locale ? { locale } : {}) }),
    messages: [placed ? t('chat:send.fieldErrors.messagePlaced') : t('chat:send.fieldErrors.messageUnplaced')],
  };
}

/**
 * The LOA service refused only the link to the LOA this one was started from (deleted since):
 * the rep can send it unlinked, with everything they entered.
 */
function linkRefusedCard(t: Translate, submission: Submission): FlowResult | undefined {
  const error = submission.error;
  const details = error?.details ?? [];
  if (error?.code !== LOA_ERROR_CODES.refusedByField || details.length === 0 || !details.every((d) => d.field === LINK_API_FIELD)) return undefined;
  return {
    card: renderNoticeCard({
      title: t('chat:send.linkRefused.title'),
      text: t('chat:send.linkRefused.text', { why: describeUnplacedApiField(LINK_API_FIELD, '', t.locale) }),
      style: 'warning',
      actions: [
        { title: t('chat:action.sendWithoutLink'), verb: VERBS.sendWithoutLink, data: { draftId: submission.draftId, attempt: String(submission.attempt) } },
        { title: t('chat:action.cancel'), verb: VERBS.cancelDraft, data: { draftId: submission.draftId } },
      ],
    }),
    messages: [t('chat:send.linkRefused.message')],
  };
}

function cancelledCard(t: Translate, text: string): FlowResult {
  return {
    card: renderNoticeCard({ title: t('chat:cancel.cancelled.title'), text, actions: [{ title: t('chat:action.sendLoa'), verb: VERBS.start, data: {} }] }),
  };
}

function failedCard(t: Translate, submission: Submission, templateName: string): FlowResult {
  const unknown = submission.status === 'unknown';
  const reason = reasonFor(t, submission);
  const title = unknown ? t('chat:send.failed.titleUnknown') : t('chat:send.failed.title');
  return {
    card: renderNoticeCard({
      title,
      // The reason can quote the API's message: shown as text, never as Markdown.
      text: escapeMarkdown(reason),
      style: unknown ? 'warning' : 'attention',
      facts: [{ title: t('chat:send.failed.fact'), value: templateName }],
      actions: [
        { title: t('chat:action.retry'), verb: VERBS.sendDraft, data: { draftId: submission.draftId, attempt: String(submission.attempt) } },
        // After an unknown outcome only Retry resends: editing would invite a second, different LOA.
        ...(unknown ? [] : [{ title: t('chat:action.edit'), verb: VERBS.editDraft, data: { draftId: submission.draftId } }]),
        { title: t('chat:action.cancel'), verb: VERBS.cancelDraft, data: { draftId: submission.draftId } },
      ],
    }),
    messages: [`${title}. ${reason}`],
  };
}

function reasonFor(t: Translate, submission: Submission): string {
  const failure = submission.error ? loaFailureOf(submission.error) : 'failed';
  if (submission.status === 'unknown') {
    const cause = submission.error?.code === 'INTERRUPTED' ? t('chat:send.reason.restarted') : failureCause(t, failure);
    return t('chat:send.reason.unknown', { cause });
  }
  const reason = refusalReason(t, submission.error, failure);
  // "Nothing was sent" holds for this attempt only when an earlier one may have gone through.
  return submission.earlierMayExist ? t('chat:send.reason.earlierMayExist', { reason }) : reason;
}

function refusalReason(t: Translate, error: Submission['error'], failure: LoaFailure): string {
  if (!error) return t('chat:send.reason.noError');
  // The API's own message is data, quoted as it came.
  if (failure === 'refused' && error.status === 400) return t('chat:send.reason.badRequest', { message: error.message });
  if (failure === 'refused' && error.status === 403) return t('chat:send.reason.forbidden');
  const cause = failure === 'refused' ? t('chat:send.reason.refused') : failureCause(t, failure);
  return t('chat:send.reason.notSent', { cause, next: nextStep(t, failure, t('chat:failure.retry.pressRetry')) });
}

/**
 * A submission as the rep should see it now: its outcome if it settles within the ack
 * time, otherwise the "Sending…" card and the outcome as a follow-up. Whichever turn,
 * instance or follow-up shows an outcome first tells the chat; the others only show it.
 */
export async function presentSubmission(deps: FlowDeps, ctx: FlowContext, result: SubmitResult, draft?: Draft): Promise<FlowResult> {
  const view: SubmissionView = { ...(draft ? { draft } : {}), locale: ctx.locale };
  if (result.submission.status !== 'sending') return announced(deps, ctx.log, result.submission, { via: 'turn' }, view);
  const settled = await settledWithin(result.done, deps.sendAckAfterMs);
  if (settled) return announced(deps, ctx.log, settled, { via: 'turn' }, view);
  const promised = await promiseFollowUp(deps, ctx, { kind: 'send', id: result.submission.draftId, owner: result.submission.repKey });
  return { ...renderSubmission(result.submission, deps, view), followUp: result.done.then((s) => () => announced(deps, ctx.log, s, { via: 'followUp' }, view)), ...promised };
}

/** The outcome of a submission as the chat is told it: only the first to show it posts its message. */
export async function announced(deps: FlowDeps, log: Logger, submission: Submission, how: AnnounceOptions, view: SubmissionView = {}): Promise<FlowResult> {
  const shown = renderSubmission(submission, deps, view);
  if (!shown.messages?.length) return shown;
  return asAnnounced(shown, await announceOrTell(() => deps.sender.announce(submission, how), log), () => deps.sender.unannounce(submission));
}
