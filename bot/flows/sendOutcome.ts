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
import { FAILURE_CAUSE, nextStep } from './failureWords';
import { announceOrTell, asAnnounced, settledWithin } from './settle';
import type { Logger } from '../logger';
import type { FlowContext, FlowDeps, FlowResult } from './flowContext';
import { promiseFollowUp } from './promises';

/** Who a submission is shown to: the draft it came from, and the rep's Teams locale. */
export interface SubmissionView {
  /** Present while the draft is open: a refusal goes back to its details card. */
  draft?: Draft;
  /** For numbers and dates on the card; en-US when unknown. */
  locale?: string;
}

/** The card and chat message for a submission, in a rep's words. */
export function renderSubmission(submission: Submission, deps: FlowDeps, view: SubmissionView = {}): FlowResult {
  const templateName = deps.catalog.get(submission.templateId)?.name ?? 'Unknown template';
  switch (submission.status) {
    case 'created': {
      const agreement = submission.agreement;
      if (!agreement) throw new Error(`Submission ${submission.draftId} is created but holds no agreement`);
      return {
        card: renderAgreementSentCard({ agreement, templateName, ...(view.locale ? { locale: view.locale } : {}) }),
        messages: [`LOA sent to ${agreement.signer.name} (${templateName}), ref ${defaultRef(agreement.id)}. ${describeStatus(agreement.status)}.`],
      };
    }
    case 'sending':
      return {
        card: renderNoticeCard({
          title: 'Sending your LOA…',
          text: 'The LOA service is taking a while. You can leave this chat: this card updates and I post the result here when it is done.',
          style: 'accent',
        }),
      };
    case 'failed':
      return linkRefusedCard(submission) ?? fieldErrorsCard(submission, deps, view) ?? failedCard(submission, templateName);
    case 'unknown':
      return failedCard(submission, templateName);
    case 'cancelled':
      return cancelledCard(submission.earlierMayExist ? 'I will not retry it. If the LOA service did create it, the signer already has the email.' : 'Nothing was sent.');
  }
}

/** A refusal that names fields goes back to the details card, with the values kept. */
function fieldErrorsCard(submission: Submission, deps: FlowDeps, { draft, locale }: SubmissionView): FlowResult | undefined {
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
  const problem = unplaced.size > 0
    ? `The LOA service refused this LOA, and nothing was sent. ${[...unplaced].join('. ')}.`
    : 'The LOA service refused some details, and nothing was sent.';
  return {
    card: renderDraftDetailsCard({ template, draft, errors, problem, ...(locale ? { locale } : {}) }),
    messages: [`Your LOA was not sent: the LOA service refused some details.${placed ? ' Fix them on the card and review again.' : ' The card says why.'}`],
  };
}

/**
 * The LOA service refused only the link to the LOA this one was started from (deleted since):
 * the rep can send it unlinked, with everything they entered.
 */
function linkRefusedCard(submission: Submission): FlowResult | undefined {
  const error = submission.error;
  const details = error?.details ?? [];
  if (error?.code !== LOA_ERROR_CODES.refusedByField || details.length === 0 || !details.every((d) => d.field === LINK_API_FIELD)) return undefined;
  return {
    card: renderNoticeCard({
      title: 'The earlier LOA is gone',
      text: `${describeUnplacedApiField(LINK_API_FIELD)}. Nothing was sent, and everything you entered is kept. Send it without the link, or cancel it.`,
      style: 'warning',
      actions: [
        { title: 'Send without the link', verb: VERBS.sendWithoutLink, data: { draftId: submission.draftId, attempt: String(submission.attempt) } },
        { title: 'Cancel', verb: VERBS.cancelDraft, data: { draftId: submission.draftId } },
      ],
    }),
    messages: ['Your LOA was not sent: the earlier LOA it was started from no longer exists. Press Send without the link on the card.'],
  };
}

function cancelledCard(text: string): FlowResult {
  return {
    card: renderNoticeCard({ title: 'LOA cancelled', text, actions: [{ title: 'Send an LOA', verb: VERBS.start, data: {} }] }),
  };
}

function failedCard(submission: Submission, templateName: string): FlowResult {
  const unknown = submission.status === 'unknown';
  const reason = reasonFor(submission);
  const title = unknown ? "I couldn't confirm your LOA was sent" : 'Your LOA was not sent';
  return {
    card: renderNoticeCard({
      title,
      // The reason can quote the API's message: shown as text, never as Markdown.
      text: escapeMarkdown(reason),
      style: unknown ? 'warning' : 'attention',
      facts: [{ title: 'Template', value: templateName }],
      actions: [
        { title: 'Retry', verb: VERBS.sendDraft, data: { draftId: submission.draftId, attempt: String(submission.attempt) } },
        // After an unknown outcome only Retry resends: editing would invite a second, different LOA.
        ...(unknown ? [] : [{ title: 'Edit', verb: VERBS.editDraft, data: { draftId: submission.draftId } }]),
        { title: 'Cancel', verb: VERBS.cancelDraft, data: { draftId: submission.draftId } },
      ],
    }),
    messages: [`${title}. ${reason}`],
  };
}

function reasonFor(submission: Submission): string {
  const failure = submission.error ? loaFailureOf(submission.error) : 'failed';
  if (submission.status === 'unknown') {
    const cause = submission.error?.code === 'INTERRUPTED' ? 'I was restarted while I was sending it' : FAILURE_CAUSE[failure];
    return `${cause}, so the LOA may or may not have been created. Check with the signer before you press Retry, or you may send it twice.`;
  }
  const reason = refusalReason(submission.error, failure);
  // "Nothing was sent" holds for this attempt only when an earlier one may have gone through.
  return submission.earlierMayExist ? `${reason} An earlier attempt may still have reached the signer: check with them before you press Retry.` : reason;
}

function refusalReason(error: Submission['error'], failure: LoaFailure): string {
  if (!error) return 'Nothing was sent. Press Retry.';
  if (failure === 'refused' && error.status === 400) return `The LOA service refused this LOA, and nothing was sent: ${error.message}. Press Edit to change it.`;
  if (failure === 'refused' && error.status === 403) return 'The LOA service says you may not send this LOA, and nothing was sent. Contact LOA support if you should.';
  const cause = failure === 'refused' ? 'The LOA service refused this LOA' : FAILURE_CAUSE[failure];
  return `${cause}, and nothing was sent. ${nextStep(failure, 'Press Retry')}`;
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
