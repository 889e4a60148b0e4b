import { z } from 'zod';
import { renderConfirmDeleteCard } from '../../cards/agreementList';
import { renderNoticeCard } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { AgreementRecord } from '../domain/agreementRecords';
import type { DeletionOutcome } from '../domain/deletions';
import { StorageUnavailable } from '../domain/keyValueStore';
import { describeError } from '../logger';
import type { Logger } from '../logger';
import type { AnnounceOptions } from '../domain/announcements';
import { matchRef, shortRefs } from '../domain/agreementRef';
import { repKey } from '../domain/rep';
import { escapeMarkdown } from '../domain/text';
import { FAILURE_CAUSE, nextStep } from './failureWords';
import type { FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { promiseFollowUp } from './promises';
import { announceOrTell, asAnnounced, settledWithin } from './settle';

export const agreementData = z.object({ agreementId: z.string().trim().min(1).max(100) });

const MY_LOAS = { title: 'Back to my LOAs', verb: VERBS.listAgreements, data: { page: '1' } } as const;

function notFound(typed: string): FlowResult {
  return {
    card: renderNoticeCard({
      title: "I can't find that LOA",
      text: `None of the LOAs you sent through this bot has the ref ${escapeMarkdown(typed.slice(0, 40))}. You can only delete LOAs you sent here. Open **my LOAs** to see their refs.`,
      style: 'attention',
      actions: [MY_LOAS],
    }),
  };
}

/** "delete LOA <ref>" (or the full id): asks first, or asks which when the ref fits several of the rep's LOAs. */
export function confirmDeleteByRef(deps: FlowDeps): FlowHandler<{ agreementId: string }> {
  const confirm = confirmDelete(deps);
  return async (ctx, { agreementId: typed }) => {
    const records = await deps.records.list(repKey(await ctx.rep()));
    const matches = matchRef(records, typed);
    if (matches.length === 0) return notFound(typed);
    if (matches.length === 1) return confirm(ctx, { agreementId: matches[0]!.id });
    const refs = shortRefs(records.map((r) => r.id));
    const shown = matches.slice(0, 5);
    return {
      card: renderNoticeCard({
        title: 'Which LOA?',
        text: `${matches.length} of your LOAs have a ref starting with ${escapeMarkdown(typed.slice(0, 40).toUpperCase())}. Press the one to delete; you confirm next.`,
        style: 'warning',
        facts: shown.map((r) => ({ title: `Ref ${refs.get(r.id)!}`, value: `${templateNameOf(deps, r)}, to ${r.signer.name}` })),
        actions: [...shown.map((r) => ({ title: `Delete ${refs.get(r.id)!}`, verb: VERBS.confirmDelete, data: { agreementId: r.id } })), MY_LOAS],
      }),
    };
  };
}

function templateNameOf(deps: FlowDeps, record: AgreementRecord): string {
  return deps.catalog.get(record.templateId)?.name ?? 'Unknown template';
}

function deletedCard(deps: FlowDeps, record: AgreementRecord, ref: string, title: string, text: string): FlowResult {
  return {
    card: renderNoticeCard({
      title,
      text,
      style: 'good',
      facts: [
        { title: 'Template', value: templateNameOf(deps, record) },
        { title: 'Signer', value: `${record.signer.name} (${record.signer.email})` },
        { title: 'Ref', value: ref },
        { title: 'Agreement ID', value: record.id },
      ],
      actions: [MY_LOAS],
    }),
  };
}

export function notDeletedForStorage(): FlowResult {
  return {
    card: renderNoticeCard({
      title: "I couldn't save that",
      text: 'My storage did not answer just now, so nothing was deleted. Press Delete again in a minute.',
      style: 'attention',
      actions: [MY_LOAS],
    }),
  };
}

function deletingCard(): FlowResult {
  return {
    card: renderNoticeCard({
      title: 'Deleting…',
      text: 'The LOA service is taking a while. This card updates and I post the result here when it is done.',
      style: 'accent',
      actions: [MY_LOAS],
    }),
  };
}

/** Delete from the list, or "delete LOA <id>": asks first, showing what would be deleted. */
export function confirmDelete(deps: FlowDeps): FlowHandler<{ agreementId: string }> {
  return async (ctx, { agreementId }) => {
    const found = await deps.records.findWithRef(repKey(await ctx.rep()), agreementId);
    if (!found) return notFound(agreementId);
    const { record, ref } = found;
    if (record.goneAt) return deletedCard(deps, record, ref, 'Already deleted', 'This LOA no longer exists. Nothing to do.');
    return { card: renderConfirmDeleteCard(record, templateNameOf(deps, record), ref, ctx.locale) };
  };
}

/**
 * Delete confirmed: deletes once, however often it is pressed, and only the rep's own LOAs.
 * If the API is slow, answers "Deleting…" at once and follows up; the chat is told once.
 */
export function deleteAgreement(deps: FlowDeps): FlowHandler<{ agreementId: string }> {
  return async (ctx, { agreementId }) => {
    const rep = await ctx.rep();
    const deletion = deps.deleter.delete(repKey(rep), await ctx.principal(), agreementId);
    const settled = await settledWithin(deletion, deps.sendAckAfterMs);
    if (settled) return announcedDeletion(deps, ctx.log, settled, { via: 'turn' });
    ctx.log.info('LOA API is slow; acknowledged with a Deleting card');
    const promised = await promiseFollowUp(deps, ctx, { kind: 'delete', id: agreementId, owner: repKey(rep) });
    const followUp = deletion.then(
      (outcome) => () => announcedDeletion(deps, ctx.log, outcome, { via: 'followUp' }),
      (err: unknown) => {
        // The claim could not be written, so no DELETE was sent: the card must not stay at "Deleting…".
        if (!(err instanceof StorageUnavailable)) throw err;
        ctx.log.error({ err: describeError(err) }, 'Storage failed before the delete was sent');
        return () => Promise.resolve(notDeletedForStorage());
      },
    );
    return { ...deletingCard(), followUp, ...promised };
  };
}

/** The outcome of a delete as the chat is told it: only the first to show it posts its message. */
export async function announcedDeletion(deps: FlowDeps, log: Logger, outcome: DeletionOutcome, how: AnnounceOptions): Promise<FlowResult> {
  const shown = await renderDeletion(deps, outcome);
  if (!shown.messages?.length) return shown;
  return asAnnounced(shown, await announceOrTell(() => deps.deleter.announce(outcome, how), log), () => deps.deleter.unannounce(outcome));
}

async function renderDeletion(deps: FlowDeps, outcome: DeletionOutcome): Promise<FlowResult> {
  const ref = 'record' in outcome ? await deps.records.refOf(outcome.record.id) : '';
  switch (outcome.status) {
    case 'notYours':
      return { card: renderNoticeCard({ title: "I can't find that LOA", text: 'You can only delete LOAs you sent through this bot. Type **my LOAs** to see them.', style: 'attention', actions: [MY_LOAS] }) };
    case 'deleted': {
      const result = deletedCard(deps, outcome.record, ref, 'LOA deleted', `${escapeMarkdown(outcome.record.signer.name)} can no longer sign it.`);
      return { ...result, messages: [`LOA ${ref} to ${outcome.record.signer.name} is deleted.`] };
    }
    case 'gone': {
      const result = deletedCard(deps, outcome.record, ref, 'Already gone', 'The LOA service no longer knows this LOA, so there was nothing to delete.');
      return { ...result, messages: [`LOA ${ref} was already gone from the LOA service.`] };
    }
    case 'deleting':
      return { card: renderNoticeCard({ title: 'Deleting…', text: 'This LOA is being deleted. Type **my LOAs** in a moment to check.', style: 'accent', actions: [MY_LOAS] }) };
    case 'forbidden':
      return {
        card: renderNoticeCard({ title: 'Not deleted', text: 'The LOA service says you are not allowed to delete this LOA. Nothing changed.', style: 'attention', actions: [MY_LOAS] }),
        messages: [`LOA ${ref} was not deleted: the LOA service refused.`],
      };
    case 'failed': {
      const cause = FAILURE_CAUSE[outcome.failure];
      const again = [{ title: 'Delete', verb: VERBS.deleteAgreement, data: { agreementId: outcome.record.id } }, MY_LOAS];
      // Deleting again is safe either way: an LOA already gone answers "Already gone".
      if (outcome.mayHaveDeleted) {
        return {
          card: renderNoticeCard({ title: "I couldn't confirm the delete", text: `${cause}, so the LOA may or may not be deleted. Press Delete again to make sure.`, style: 'warning', actions: again }),
          messages: [`I couldn't confirm that LOA ${ref} is deleted. ${cause}.`],
        };
      }
      return {
        card: renderNoticeCard({ title: 'Not deleted yet', text: `${cause}, and the LOA still exists. ${nextStep(outcome.failure, 'Press Delete')}`, style: 'attention', actions: again }),
        messages: [`LOA ${ref} was not deleted. ${cause}.`],
      };
    }
  }
}
