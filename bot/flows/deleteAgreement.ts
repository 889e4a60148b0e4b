import { templateNameOf as templateName } from './templateName';
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
import type { Translate } from '../i18n';
import { failureCause, nextStep } from './failureWords';
import type { FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { promiseFollowUp } from './promises';
import { announceOrTell, asAnnounced, settledWithin } from './settle';

export const agreementData = z.object({ agreementId: z.string().trim().min(1).max(100) });

const myLoas = (t: Translate) => ({ title: t('chat:action.backToMyLoas'), verb: VERBS.listAgreements, data: { page: '1' } }) as const;

function notFound(t: Translate, typed: string): FlowResult {
  return {
    card: renderNoticeCard({
      title: t('chat:delete.notFound.title'),
      text: t('chat:delete.notFound.text', { ref: escapeMarkdown(typed.slice(0, 40)) }),
      style: 'attention',
      actions: [myLoas(t)],
    }),
  };
}

/** "delete LOA <ref>" (or the full id): asks first, or asks which when the ref fits several of the rep's LOAs. */
export function confirmDeleteByRef(deps: FlowDeps): FlowHandler<{ agreementId: string }> {
  const confirm = confirmDelete(deps);
  return async (ctx, { agreementId: typed }) => {
    const records = await deps.records.list(repKey(await ctx.rep()));
    const matches = matchRef(records, typed);
    const { t } = ctx;
    if (matches.length === 0) return notFound(t, typed);
    if (matches.length === 1) return confirm(ctx, { agreementId: matches[0]!.id });
    const refs = shortRefs(records.map((r) => r.id));
    const shown = matches.slice(0, 5);
    return {
      card: renderNoticeCard({
        title: t('chat:delete.which.title'),
        text: t('chat:delete.which.text', { count: matches.length, ref: escapeMarkdown(typed.slice(0, 40).toUpperCase()) }),
        style: 'warning',
        facts: shown.map((r) => ({ title: t('chat:delete.which.ref', { ref: refs.get(r.id)! }), value: t('chat:delete.which.about', { template: templateNameOf(deps, t, r), signer: r.signer.name }) })),
        actions: [...shown.map((r) => ({ title: t('chat:action.deleteRef', { ref: refs.get(r.id)! }), verb: VERBS.confirmDelete, data: { agreementId: r.id } })), myLoas(t)],
      }),
    };
  };
}

function templateNameOf(deps: FlowDeps, t: Translate, record: AgreementRecord): string {
  const template = deps.catalog.get(record.templateId);
  return templateName(template, t);
}

function deletedCard(deps: FlowDeps, t: Translate, record: AgreementRecord, ref: string, title: string, text: string): FlowResult {
  return {
    card: renderNoticeCard({
      title,
      text,
      style: 'good',
      facts: [
        { title: t('chat:delete.fact.template'), value: templateNameOf(deps, t, record) },
        { title: t('chat:delete.fact.signer'), value: `${record.signer.name} (${record.signer.email})` },
        { title: t('chat:delete.fact.ref'), value: ref },
        { title: t('chat:delete.fact.agreementId'), value: record.id },
      ],
      actions: [myLoas(t)],
    }),
  };
}

export function notDeletedForStorage(t: Translate): FlowResult {
  return {
    card: renderNoticeCard({
      title: t('chat:delete.storage.title'),
      text: t('chat:delete.storage.text'),
      style: 'attention',
      actions: [myLoas(t)],
    }),
  };
}

function deletingCard(t: Translate): FlowResult {
  return {
    card: renderNoticeCard({
      title: t('chat:delete.deleting.title'),
      text: t('chat:delete.deleting.slow'),
      style: 'accent',
      actions: [myLoas(t)],
    }),
  };
}

/** Delete from the list, or "delete LOA <id>": asks first, showing what would be deleted. */
export function confirmDelete(deps: FlowDeps): FlowHandler<{ agreementId: string }> {
  return async (ctx, { agreementId }) => {
    const found = await deps.records.findWithRef(repKey(await ctx.rep()), agreementId);
    const { t } = ctx;
    if (!found) return notFound(t, agreementId);
    const { record, ref } = found;
    if (record.goneAt) return deletedCard(deps, t, record, ref, t('chat:delete.already.title'), t('chat:delete.already.text'));
    return { card: renderConfirmDeleteCard(record, templateNameOf(deps, t, record), ref, ctx.locale) };
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
    if (settled) return announcedDeletion(deps, ctx.log, settled, { via: 'turn' }, ctx.t);
    ctx.log.info('LOA API is slow; acknowledged with a Deleting card');
    const promised = await promiseFollowUp(deps, ctx, { kind: 'delete', id: agreementId, owner: repKey(rep) });
    const followUp = deletion.then(
      (outcome) => () => announcedDeletion(deps, ctx.log, outcome, { via: 'followUp' }, ctx.t),
      (err: unknown) => {
        // The claim could not be written, so no DELETE was sent: the card must not stay at "Deleting…".
        if (!(err instanceof StorageUnavailable)) throw err;
        ctx.log.error({ err: describeError(err) }, 'Storage failed before the delete was sent');
        return () => Promise.resolve(notDeletedForStorage(ctx.t));
      },
    );
    return { ...deletingCard(ctx.t), followUp, ...promised };
  };
}

/** The outcome of a delete as the chat is told it, in the rep's words (`t`): only the first to show it posts its message. */
export async function announcedDeletion(deps: FlowDeps, log: Logger, outcome: DeletionOutcome, how: AnnounceOptions, t: Translate): Promise<FlowResult> {
  const shown = renderDeletion(deps, outcome, t);
  if (!shown.messages?.length) return shown;
  return asAnnounced(shown, await announceOrTell(() => deps.deleter.announce(outcome, how), log), () => deps.deleter.unannounce(outcome));
}

function renderDeletion(deps: FlowDeps, outcome: DeletionOutcome, t: Translate): FlowResult {
  const ref = 'ref' in outcome ? outcome.ref : '';
  switch (outcome.status) {
    case 'notYours':
      return { card: renderNoticeCard({ title: t('chat:delete.notFound.title'), text: t('chat:delete.notFound.notYours'), style: 'attention', actions: [myLoas(t)] }) };
    case 'deleted': {
      const signer = outcome.record.signer.name;
      const result = deletedCard(deps, t, outcome.record, ref, t('chat:delete.deleted.title'), t('chat:delete.deleted.text', { signer: escapeMarkdown(signer) }));
      return { ...result, messages: [t('chat:delete.deleted.message', { ref, signer })] };
    }
    case 'gone': {
      const result = deletedCard(deps, t, outcome.record, ref, t('chat:delete.gone.title'), t('chat:delete.gone.text'));
      return { ...result, messages: [t('chat:delete.gone.message', { ref })] };
    }
    case 'deleting':
      return { card: renderNoticeCard({ title: t('chat:delete.deleting.title'), text: t('chat:delete.deleting.check'), style: 'accent', actions: [myLoas(t)] }) };
    case 'forbidden':
      return {
        card: renderNoticeCard({ title: t('chat:delete.forbidden.title'), text: t('chat:delete.forbidden.text'), style: 'attention', actions: [myLoas(t)] }),
        messages: [t('chat:delete.forbidden.message', { ref })],
      };
    case 'failed': {
      const cause = failureCause(t, outcome.failure);
      const again = [{ title: t('chat:action.delete'), verb: VERBS.deleteAgreement, data: { agreementId: outcome.record.id } }, myLoas(t)];
      // Deleting again is safe either way: an LOA already gone answers "Already gone".
      if (outcome.mayHaveDeleted) {
        return {
          card: renderNoticeCard({ title: t('chat:delete.unconfirmed.title'), text: t('chat:delete.unconfirmed.text', { cause }), style: 'warning', actions: again }),
          messages: [t('chat:delete.unconfirmed.message', { ref, cause })],
        };
      }
      return {
        card: renderNoticeCard({ title: t('chat:delete.notYet.title'), text: t('chat:delete.notYet.text', { cause, next: nextStep(t, outcome.failure, t('chat:failure.retry.pressDelete')) }), style: 'attention', actions: again }),
        messages: [t('chat:delete.notYet.message', { ref, cause })],
      };
    }
  }
}
