import assert from 'node:assert/strict';
import type { AdaptiveCard } from '../cards/render';
import { actionsOf } from './cards';
import type { CardAction } from './cards';
import { DISTRIBUTOR_TEMPLATE_ID, distributorDetails } from './fixtures';

/**
 * A rep who types messages and presses card buttons, whatever carries them: RepSession in
 * the tests, the bench's Rep under load.
 */
export interface CardChat {
  says(text: string): Promise<{ cards: AdaptiveCard[]; texts?: string[] }>;
  /** Presses the button titled `title` on `card`, typing `inputs` into the card first; the card it answers with. */
  press(card: AdaptiveCard, title: string, inputs?: Record<string, unknown>, pick?: (a: CardAction) => boolean): Promise<AdaptiveCard>;
  /** The card once a "Sending…" card got its follow-up, where the chat can wait for one. */
  settled?(card: AdaptiveCard): Promise<AdaptiveCard>;
}

/** "send LOA", pick the distributor template: the details card. */
export async function openDistributorDraft(rep: CardChat): Promise<AdaptiveCard> {
  const { cards, texts = [] } = await rep.says('send LOA');
  const chooser = cards[0];
  assert.ok(chooser, `"send LOA" answered with no card${texts.length > 0 ? `, only: ${texts.join(' | ').slice(0, 200)}` : ''}`);
  return rep.press(chooser, 'Use this template', {}, (a) => a.data.templateId === DISTRIBUTOR_TEMPLATE_ID);
}

/** Up to the review card, with valid details. */
export async function reviewDistributorDraft(rep: CardChat, overrides: Record<string, unknown> = {}): Promise<AdaptiveCard> {
  const details = await openDistributorDraft(rep);
  const review = await rep.press(details, 'Review', distributorDetails(overrides));
  assert.ok(actionsOf(review).some((a) => a.title === 'Send'), `expected the review card, got: ${JSON.stringify(review).slice(0, 500)}`);
  return review;
}

/** The whole send flow for the distributor template; returns the confirmation card. */
export async function sendDistributorLoa(rep: CardChat, overrides: Record<string, unknown> = {}): Promise<AdaptiveCard> {
  const review = await reviewDistributorDraft(rep, overrides);
  // On a busy machine the answer may come after the ack time: the rep then waits for the card to update.
  const pressed = await rep.press(review, 'Send');
  const sent = rep.settled ? await rep.settled(pressed) : pressed;
  assert.ok(actionsOf(sent).some((a) => a.title === 'Send another LOA'), `expected the confirmation, got: ${JSON.stringify(sent).slice(0, 400)}`);
  return sent;
}
