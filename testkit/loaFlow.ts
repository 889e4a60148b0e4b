import assert from 'node:assert/strict';
import type { AdaptiveCard } from '../cards/render';
import { actionsOf } from './cards';
import type { RepSession } from './conversation';
import { DISTRIBUTOR_TEMPLATE_ID, distributorDetails } from './fixtures';

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
