import { z } from 'zod';
import { renderConfirmDeleteCard } from '../../cards/agreementList';
import { renderNoticeCard } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { AgreementRecord } from '../domain/agreementRecords';
import { repKey } from '../domain/rep';
import { escapeMarkdown } from '../domain/text';
import type { FlowDeps, FlowHandler, FlowResult } from './flowContext';

const agreementData = z.object({ agreementId: z.string().trim().min(1).max(100) });

const MY_LOAS = { title: 'My LOAs', verb: VERBS.listAgreements, data: { page: '1' } } as const;

function notFound(id: string | undefined): FlowResult {
  return {
    card: renderNoticeCard({
      title: "I can't find that LOA",
      text: `${id ? `No LOA with id ${escapeMarkdown(id)} was sent by you through this bot.` : 'That LOA id is missing.'} You can only delete LOAs you sent here. Type **my LOAs** to see them.`,
      style: 'attention',
      actions: [MY_LOAS],
    }),
  };
}

function templateNameOf(deps: FlowDeps, record: AgreementRecord): string {
  return deps.catalog.get(record.templateId)?.name ?? 'Unknown template';
}

function deletedCard(deps: FlowDeps, record: AgreementRecord, title: string, text: string): FlowResult {
  return {
    card: renderNoticeCard({
      title,
      text,
      style: 'good',
      facts: [
        { title: 'Template', value: templateNameOf(deps, record) },
        { title: 'Signer', value: `${record.signer.name} (${record.signer.email})` },
        { title: 'Agreement ID', value: record.id },
      ],
      actions: [MY_LOAS],
    }),
  };
}

/** Delete from the list, or "delete LOA <id>": asks first, showing what would be deleted. */
export function confirmDelete(deps: FlowDeps): FlowHandler {
  return async (ctx, data) => {
    const parsed = agreementData.safeParse(data);
    if (!parsed.success) return notFound(undefined);
    const record = await deps.records.find(repKey(await ctx.rep()), parsed.data.agreementId);
    if (!record) return notFound(parsed.data.agreementId);
    if (record.goneAt) return deletedCard(deps, record, 'Already deleted', 'This LOA no longer exists. Nothing to do.');
    return { card: renderConfirmDeleteCard(record, templateNameOf(deps, record)) };
  };
}

/** Delete confirmed: deletes once, however often it is pressed, and only the rep's own LOAs. */
export function deleteAgreement(deps: FlowDeps): FlowHandler {
  return async (ctx, data) => {
    const parsed = agreementData.safeParse(data);
    if (!parsed.success) return notFound(undefined);
    const rep = await ctx.rep();
    const outcome = await deps.deleter.delete(repKey(rep), await ctx.principal(), parsed.data.agreementId);
    switch (outcome.status) {
      case 'notYours':
        return notFound(parsed.data.agreementId);
      case 'deleted': {
        const result = deletedCard(deps, outcome.record, 'LOA deleted', `${escapeMarkdown(outcome.record.signer.name)} can no longer sign it.`);
        return { ...result, messages: [`LOA ${outcome.record.id} to ${outcome.record.signer.name} is deleted.`] };
      }
      case 'gone': {
        const result = deletedCard(deps, outcome.record, 'Already gone', 'The LOA service no longer knows this LOA, so there was nothing to delete.');
        return { ...result, messages: [`LOA ${outcome.record.id} was already gone from the LOA service.`] };
      }
      case 'deleting':
        return { card: renderNoticeCard({ title: 'Deleting…', text: 'This LOA is being deleted. Type **my LOAs** in a moment to check.', style: 'accent', actions: [MY_LOAS] }) };
      case 'forbidden':
        return {
          card: renderNoticeCard({ title: 'Not deleted', text: 'The LOA service says you are not allowed to delete this LOA. Nothing changed.', style: 'attention', actions: [MY_LOAS] }),
          messages: [`LOA ${outcome.record.id} was not deleted: the LOA service refused.`],
        };
      case 'failed':
        // Deleting again is safe either way: an LOA already gone answers "Already gone".
        if (outcome.mayHaveDeleted) {
          return {
            card: renderNoticeCard({
              title: "I couldn't confirm the delete",
              text: 'The LOA service did not confirm the delete, so the LOA may or may not be deleted. Press Delete again to make sure.',
              style: 'warning',
              actions: [{ title: 'Delete', verb: VERBS.deleteAgreement, data: { agreementId: outcome.record.id } }, MY_LOAS],
            }),
            messages: [`I couldn't confirm that LOA ${outcome.record.id} is deleted: the LOA service did not confirm it.`],
          };
        }
        return {
          card: renderNoticeCard({
            title: 'Not deleted yet',
            text: 'The LOA service had a problem, and the LOA still exists. Press Delete to try again in a minute.',
            style: 'attention',
            actions: [{ title: 'Delete', verb: VERBS.deleteAgreement, data: { agreementId: outcome.record.id } }, MY_LOAS],
          }),
          messages: [`LOA ${outcome.record.id} was not deleted: the LOA service had a problem.`],
        };
    }
  };
}
