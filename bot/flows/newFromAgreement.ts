import { renderDraftDetailsCard } from '../../cards/draftDetails';
import type { AgreementRecord } from '../domain/agreementRecords';
import { emptyValues } from '../domain/draft';
import type { Draft } from '../domain/draft';
import { repKey } from '../domain/rep';
import type { Translate } from '../i18n';
import { closedCard } from './draftGuard';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { ownAddress } from './ownAddress';
import { openDraft, startUnlessWorkOpen } from './keepWork';

/** "New from this": a new draft filled from an earlier agreement, which it references while that agreement exists. */
export function newFromAgreement(deps: FlowDeps): FlowHandler<{ agreementId: string }> {
  return (ctx, { agreementId }) => startUnlessWorkOpen(ctx, deps, { agreementId }, () => startFromAgreement(deps, ctx, agreementId));
}

/** The new draft in place of whatever was open. */
export async function startFromAgreement(deps: FlowDeps, ctx: FlowContext, agreementId: string): Promise<FlowResult> {
  const record = await deps.records.find(repKey(await ctx.rep()), agreementId);
  if (!record) return closedCard(ctx.t, ctx.t('chat:closed.agreementNotFound'));
  const template = deps.catalog.get(record.templateId);
  if (!template) return closedCard(ctx.t, ctx.t('chat:closed.agreementTemplateGone'));
  // The LOA service refuses a link to a deleted agreement: a draft that carried it could never be sent.
  const gone = record.goneAt !== undefined || record.status === 'DELETED';
  const known = new Set(template.fields.map((f) => f.name));
  const draft: Draft = {
    id: deps.newId(),
    owner: await ctx.caller(),
    templateId: template.id,
    ...(gone ? {} : { previousAgreementId: record.id }),
    values: {
      ...emptyValues(),
      signerName: record.signer.name,
      signerEmail: record.signer.email,
      ccName: record.cc?.name ?? '',
      ccEmail: record.cc?.email ?? '',
      fields: Object.fromEntries(record.formData.filter((f) => known.has(f.name)).map((f) => [f.name, f.value])),
    },
  };
  openDraft(ctx, draft);
  return { card: renderDraftDetailsCard({ template, draft, locale: ctx.locale, notifyPrefill: await ownAddress(ctx), fromList: true, ...(gone ? { note: unlinkedNote(ctx.t, record) } : {}) }) };
}

function unlinkedNote(t: Translate, record: AgreementRecord): string {
  const signer = record.signer.name;
  return record.status === 'DELETED' ? t('chat:newFrom.deleted', { signer }) : t('chat:newFrom.gone', { signer });
}
