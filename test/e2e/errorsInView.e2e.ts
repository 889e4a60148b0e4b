/**
 * In a window shorter than the details card, an error after Review shows where the rep is
 * looking: next to the Review button they just pressed, not only at the top of the card.
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { DISTRIBUTOR_VALUES, playgroundSuite } from './playgroundSession';

const VIEWPORT = { width: 1400, height: 900 };
const FIX_SUMMARY = 'Fix this field, then press Review again: Signer email.';

describe('Agents Playground: errors in view', () => {
  const session = playgroundSuite({ viewport: VIEWPORT });


  /** Whether the whole of `target` lies inside the window, as it is scrolled now. */
  async function inViewport(target: Locator): Promise<boolean> {
    if (!(await target.isVisible())) return false;
    const box = await target.boundingBox();
    return box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= VIEWPORT.height && box.x + box.width <= VIEWPORT.width;
  }

  it('shows what to fix next to Review, without scrolling, after a bad signer email', async () => {
    await session().open();
    await session().say('send LOA');
    const templates = session().card('Step 1 of 3');
    await templates.locator('.ac-container', { hasText: 'Distributor pricing agreement' }).getByRole('button', { name: 'Use this template' }).click();
    const details = session().card('Step 2 of 3');
    await details.waitFor();

    // Above the 0 to 60 the label states: nothing on the card may quietly change it.
    await details.getByLabel(/^Discount/).fill('75');
    await details.getByLabel(/^Discount/).press('Tab');
    assert.equal(await details.getByLabel(/^Discount/).inputValue(), '75', 'the discount is not clamped by the card');
    await session().fillDistributorDetails(details, { ...DISTRIBUTOR_VALUES, signerEmail: 'jane.doe at customer.example' });

    await details.getByRole('button', { name: 'Review' }).click();
    const withErrors = session().card(FIX_SUMMARY);
    await withErrors.waitFor();
    // Top and bottom say the same; the last one stands right above Review.
    const nextToReview = withErrors.getByText(FIX_SUMMARY).last();
    await nextToReview.waitFor();
    // Let the chat settle (it may scroll itself to the newest activity) before judging what is in view.
    await session().page.waitForTimeout(500);
    assert.ok(await inViewport(nextToReview), `the summary next to Review is in the ${VIEWPORT.height} px window: ${JSON.stringify(await nextToReview.boundingBox())}`);
    assert.ok(await inViewport(withErrors.getByRole('button', { name: 'Review' })), 'and so is the Review button');
    assert.ok((await withErrors.innerText()).includes('Enter the signer email as an address like name@company.com.'), 'the field says what to enter');
    await session().screenshot('error-in-view', session().page, 'error-in-view');
  });
});
