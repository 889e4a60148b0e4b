import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { emptyValues } from '../domain/draft';
import { repKey } from '../domain/rep';
import { closedCard } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';

/** "New from this": a new draft filled from an earlier agreement, which it references. */
export function newFromAgreement(deps: FlowDeps): FlowHandler<{ agreementId: string }> {
  return async (ctx, { agreementId }) => {
    const record = await deps.records.find(repKey(await ctx.rep()), agreementId);
    if (!record) return closedCard("I can't find that LOA among the ones you sent. Type **my LOAs** to see them.");
    const template = deps.catalog.get(record.templateId);
    if (!template) return closedCard('The template of that LOA is no longer available. Type **send LOA** to choose a current one.');
    const known = new Set(template.fields.map((f) => f.name));
    const draft = {
      id: deps.newId(),
      owner: await ctx.caller(),
      templateId: template.id,
      previousAgreementId: record.id,
      values: {
        ...emptyValues(),
        signerName: record.signer.name,
        signerEmail: record.signer.email,
        ccName: record.cc?.name ?? '',
        ccEmail: record.cc?.email ?? '',
        fields: Object.fromEntries(record.formData.filter((f) => known.has(f.name)).map((f) => [f.name, f.value])),
      },
    };
    ctx.conversation.draft = draft;
    return { card: renderDraftDetailsCard({ template, draft }) };
  };
}
