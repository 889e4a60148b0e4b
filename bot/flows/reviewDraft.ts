import { z } from 'zod';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { renderReviewDraftCard } from '../../cards/reviewDraft';
import { readDraftInput } from '../../cards/draftInputs';
import { splitEmails, toAgreementRequest, validateDraft } from '../domain/draft';
import type { DraftValues } from '../domain/draft';
import { draftData, isOpenDraft, openDraftFor } from './draftGuard';
import type { FlowDeps, FlowHandler } from './flowContext';
import { ownAddress } from './ownAddress';

/** The draft id, and everything the rep typed into the details card. */
export const reviewData = draftData.catchall(z.unknown());

/** Step 2 -> 3: check everything the rep entered; back to the form with the errors, or on to review. */
export function reviewDraft(deps: FlowDeps): FlowHandler<z.infer<typeof reviewData>> {
  return async (ctx, data) => {
    const open = await openDraftFor(ctx, deps, data.draftId);
    if (!isOpenDraft(open)) return open;
    const { draft, template } = open;
    const input = readDraftInput(template, data, ctx.locale);
    // Kept as typed, valid or not, so nothing the rep entered is lost.
    draft.values = input.values;
    // Reviewed: the rep has checked what their sentence filled.
    delete draft.fromMessage;
    const errors = { ...validateDraft(template, draft.values, ctx.locale), ...input.errors };
    const own = await ownAddress(ctx);
    if (Object.keys(errors).length > 0) return { card: renderDraftDetailsCard({ template, draft, errors, locale: ctx.locale, notifyPrefill: own }) };
    const request = toAgreementRequest(template, draft);
    return { card: renderReviewDraftCard({ draftId: draft.id, template, request, locale: ctx.locale, unusedNotifyEmails: unusedNotifyEmails(draft.values, own) }) };
  };
}

/**
 * Emails typed while notifications are off, which the LOA would silently leave out. The rep's
 * own address alone is the card's offer, not something they typed.
 */
function unusedNotifyEmails(values: DraftValues, own: string | undefined): string[] {
  if (values.notifyEnabled) return [];
  const emails = splitEmails(values.notifyEmails);
  const onlyTheOffer = emails.length === 1 && own !== undefined && emails[0]?.toLowerCase() === own.toLowerCase();
  return onlyTheOffer ? [] : emails;
}
