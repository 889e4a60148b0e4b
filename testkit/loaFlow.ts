import assert from 'node:assert/strict';
import type { AdaptiveCard } from '../cards/render';
import { actionsOf } from './cards';
import type { RepSession } from './conversation';
import { DISTRIBUTOR_TEMPLATE_ID } from './sandbox';

/** Details a rep would type for the distributor pricing template. */
export function distributorDetails(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    signerName: 'Jane Customer',
    signerEmail: 'jane.customer@acme.example',
    ccName: '',
    ccEmail: '',
    f_customerName: 'Acme Distribution SAS',
    f_accountNumber: '1234567',
    f_productRange: 'LV',
    f_discountPercent: '12.5',
    f_startDate: '2026-04-01',
    f_endDate: '2027-03-31',
    f_specialTerms: '',
    notifyEnabled: 'false',
    notifyEmails: '',
    emailSubject: '',
    emailMessage: '',
    ...overrides,
  };
}

/** "send LOA", pick the distributor template: the details card. */
export async function openDistributorDraft(rep: RepSession): Promise<AdaptiveCard> {
  const { cards } = await rep.says('send LOA');
  const chooser = cards[0];
  assert.ok(chooser, 'the bot answered "send LOA" with a card');
  return rep.press(chooser, 'Use this template', {}, (a) => a.data.templateId === DISTRIBUTOR_TEMPLATE_ID);
}

/** Up to the review card, with valid details. */
export async function reviewDistributorDraft(rep: RepSession, overrides: Record<string, unknown> = {}): Promise<AdaptiveCard> {
  const details = await openDistributorDraft(rep);
  const review = await rep.press(details, 'Review', distributorDetails(overrides));
  assert.ok(actionsOf(review).some((a) => a.title === 'Send'), `expected the review card, got: ${JSON.stringify(review).slice(0, 500)}`);
  return review;
}

/** The whole send flow for the distributor template; returns the confirmation card. */
export async function sendDistributorLoa(rep: RepSession, overrides: Record<string, unknown> = {}): Promise<AdaptiveCard> {
  const review = await reviewDistributorDraft(rep, overrides);
  const sent = await rep.press(review, 'Send');
  assert.ok(actionsOf(sent).some((a) => a.title === 'Send another LOA'), `expected the confirmation, got: ${JSON.stringify(sent).slice(0, 400)}`);
  return sent;
}
