import assert from 'node:assert/strict';
import { RESTORE_WINDOW_MS } from '../../bot/flows/keepWork';
import type { AdaptiveCard } from '../../cards/render';
import { VERBS } from '../../cards/verbs';
import { actionsOf, inputsOf, readableText } from '../../testkit/cards';
import { ConversationHarness, RepSession } from '../../testkit/conversation';
import { distributorDetails } from '../../testkit/fixtures';
import { openDistributorDraft, reviewDistributorDraft, sendDistributorLoa } from '../../testkit/loaFlow';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';
import { JumpingClock } from '../helpers/manualClock';

const titles = (card: AdaptiveCard) => actionsOf(card).map((a) => a.title);
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe("the rep's work is never lost", () => {
  let loa: TestSandbox;
  let h: ConversationHarness;
  let clock: JumpingClock;

  before(async () => {
    loa = await startTestSandbox();
    clock = new JumpingClock();
    h = await ConversationHarness.start(loa.url, loa, { overrides: { clock } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });

  const owned = async (rep: RepSession) => (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
  const myLoas = async (rep: RepSession) => (await rep.says('my LOAs')).cards[0]!;
  /** A details card with some of the form typed and reviewed: the bot keeps what was typed. */
  async function partlyTyped(rep: RepSession, typed: Record<string, unknown>): Promise<AdaptiveCard> {
    const details = await openDistributorDraft(rep);
    return rep.press(details, 'Review', typed);
  }

  describe('New from this on a deleted LOA', () => {
    it('starts without the link, says so, and sends', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'Gone Customer', f_customerName: 'Gone SA' });
      const [previous] = await owned(rep);
      const confirm = await rep.press(await myLoas(rep), 'Delete', {}, (a) => a.data.agreementId === previous!.id);
      await rep.press(confirm, 'Delete');

      const details = await rep.press(await myLoas(rep), 'New from this', {}, (a) => a.data.agreementId === previous!.id);
      const text = readableText(details);
      assert.match(text, /Filled in from your LOA to Gone Customer\. That LOA was deleted, so this new one won't be linked to it\./);
      assert.doesNotMatch(text, GUID, 'no agreement id as the explanation');
      assert.equal(inputsOf(details).f_customerName, 'Gone SA');

      const review = await rep.press(details, 'Review', inputsOf(details));
      assert.doesNotMatch(readableText(review), /Based on/);
      const sent = await rep.press(review, 'Send');
      assert.match(readableText(sent), /LOA sent/);
      assert.doesNotMatch(readableText(sent), /previousAgreementId/);
      const latest = (await owned(rep)).find((a) => a.id !== previous!.id)!;
      assert.equal(latest.previousAgreementId, undefined);
      assert.equal(latest.signer.name, 'Gone Customer');
    });

    it('offers Send without the link, in plain words, when the LOA service refuses the link on Send', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'Deleted Elsewhere' });
      const [previous] = await owned(rep);
      const details = await rep.press(await myLoas(rep), 'New from this', {}, (a) => a.data.agreementId === previous!.id);
      const review = await rep.press(details, 'Review', { ...inputsOf(details), f_discountPercent: '17' });
      // Deleted behind the bot's back: the bot still thinks the earlier LOA exists.
      await rep.press((await rep.says(`delete LOA ${previous!.id}`)).cards[0]!, 'Delete');
      const deletedElsewhere = review;

      const refused = await rep.press(deletedElsewhere, 'Send');
      const text = readableText(refused);
      assert.match(text, /The earlier LOA is gone/);
      assert.match(text, /no longer exists .*can't be linked/);
      assert.match(text, /Nothing was sent, and everything you entered is kept/);
      assert.doesNotMatch(JSON.stringify(text), /previousAgreementId|VALIDATION_ERROR|fix them on the card/i);
      assert.doesNotMatch(text, GUID);
      assert.deepEqual(titles(refused), ['Send without the link', 'Cancel']);

      const sent = await rep.press(refused, 'Send without the link');
      assert.match(readableText(sent), /LOA sent/);
      const latest = (await owned(rep)).find((a) => a.id !== previous!.id)!;
      assert.equal(latest.previousAgreementId, undefined);
      assert.deepEqual(latest.formData.find((f) => f.name === 'discountPercent'), { name: 'discountPercent', value: '17' });
      for (const message of h.teams.messages(rep.conversationId, /./)) assert.doesNotMatch(message, /previousAgreementId/);
    });
  });

  describe('starting a new LOA over an open one', () => {
    it('asks first, and Continue shows the open LOA with what was typed', async () => {
      const rep = h.rep();
      await partlyTyped(rep, { signerName: 'Half Done', f_customerName: 'Half SA' });
      const { cards } = await rep.says('send LOA');
      const ask = cards[0]!;
      assert.match(readableText(ask), /You have an LOA in progress/);
      assert.match(readableText(ask), /Distributor pricing agreement, to Half Done/);
      assert.deepEqual(titles(ask), ['Continue my open LOA', 'Discard it and start new']);

      const resumed = await rep.press(ask, 'Continue my open LOA');
      assert.equal(inputsOf(resumed).signerName, 'Half Done');
      assert.equal(inputsOf(resumed).f_customerName, 'Half SA');
      const review = await rep.press(resumed, 'Review', distributorDetails({ signerName: 'Half Done' }));
      assert.match(readableText(await rep.press(review, 'Send')), /LOA sent/);
    });

    it('Discard starts the new one, and the old card says it was cancelled', async () => {
      const rep = h.rep();
      const old = await partlyTyped(rep, { signerName: 'To Discard' });
      const ask = (await rep.says('new LOA')).cards[0]!;
      const chooser = await rep.press(ask, 'Discard it and start new');
      assert.ok(titles(chooser).includes('Use this template'), 'the template list of the new LOA');
      const stale = await rep.press(old, 'Review', distributorDetails());
      assert.match(readableText(stale), /LOA cancelled/);
      assert.ok(titles(stale).includes('Go to my open LOA'));
      assert.equal((await owned(rep)).length, 0);
    });

    it('asks the same for New from this and the Start button', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'Earlier One' });
      const [previous] = await owned(rep);
      await partlyTyped(rep, { signerName: 'Typed Meanwhile' });
      const ask = await rep.press(await myLoas(rep), 'New from this', {}, (a) => a.data.agreementId === previous!.id);
      assert.match(readableText(ask), /You have an LOA in progress/);
      const details = await rep.press(ask, 'Discard it and start new');
      assert.equal(inputsOf(details).signerName, 'Earlier One');

      const askAgain = await rep.invoke(VERBS.start, {});
      assert.match(readableText(askAgain), /to Earlier One/);
    });

    it('replaces an empty draft without asking', async () => {
      const rep = h.rep();
      await rep.says('send LOA');
      const { cards } = await rep.says('send LOA');
      assert.ok(titles(cards[0]!).includes('Use this template'));
    });
  });

  describe('double presses', () => {
    let slow: ConversationHarness;
    before(async () => {
      // Every turn asks Teams who the rep is, as a cold instance would.
      slow = await ConversationHarness.start(loa.url, loa, { env: { REP_IDENTITY_CACHE_S: '0' } });
    });
    after(async () => {
      slow.teams.rosterDelayMs = 0;
      await slow.stop();
    });

    async function askOverOpenDraft(rep: RepSession, signerName: string): Promise<{ old: AdaptiveCard; ask: AdaptiveCard }> {
      const old = await rep.press(await openDistributorDraft(rep), 'Review', { signerName, f_customerName: 'Race SA' });
      const ask = (await rep.says('send LOA')).cards[0]!;
      assert.match(readableText(ask), /You have an LOA in progress/);
      return { old, ask };
    }

    it('a double Discard opens one new LOA, and the card that lost leads to it', async () => {
      for (let round = 0; round < 3; round++) {
        const rep = slow.rep();
        const { old, ask } = await askOverOpenDraft(rep, `Discarder ${round}`);
        const pressed = await Promise.all([rep.press(ask, 'Discard it and start new'), rep.press(ask, 'Discard it and start new')]);
        for (const card of pressed) assert.ok(titles(card).length > 0, `round ${round}: every answer has a way forward`);

        // Whichever chooser the rep picks a template on, they reach the one open LOA.
        const results = [];
        for (const card of pressed) {
          const picked = await rep.press(card, 'Use this template');
          results.push(titles(picked).includes('Go to my open LOA') ? await rep.press(picked, 'Go to my open LOA') : picked);
        }
        const stale = await rep.press(old, 'Review', distributorDetails());
        assert.match(readableText(stale), /LOA cancelled/, `round ${round}: the discarded LOA cannot be sent`);
        assert.equal((await owned(rep)).length, 0, `round ${round}: nothing was sent`);
        const current = await rep.press(stale, 'Go to my open LOA');
        assert.ok(titles(current).length > 0, `round ${round}: the stale card leads on`);
        for (const result of results) assert.doesNotMatch(readableText(result), /went wrong|no longer open/i, `round ${round}`);
      }
    });

    it('a double Continue, racing a 300 ms lookup of the rep\'s address, shows the open LOA both times with everything typed', async () => {
      const rep = slow.rep();
      await askOverOpenDraft(rep, 'Continuer');
      const ask = (await rep.says('send LOA')).cards[0]!;
      slow.teams.rosterDelayMs = 300;
      const [a, b] = await Promise.all([rep.press(ask, 'Continue my open LOA'), rep.press(ask, 'Continue my open LOA')]);
      slow.teams.rosterDelayMs = 0;
      for (const card of [a, b]) {
        assert.equal(inputsOf(card).signerName, 'Continuer');
        assert.equal(inputsOf(card).f_customerName, 'Race SA');
      }
      const review = await rep.press(b, 'Review', distributorDetails({ signerName: 'Continuer' }));
      assert.match(readableText(await rep.press(review, 'Send')), /LOA sent/);
      assert.equal((await owned(rep)).length, 1);
    });
  });

  it('a card of a replaced draft says so and leads to the open LOA', async () => {
    const rep = h.rep();
    const oldChooser = (await rep.says('send LOA')).cards[0]!;
    const newChooser = (await rep.says('send LOA')).cards[0]!;
    const stale = await rep.press(oldChooser, 'Use this template');
    assert.match(readableText(stale), /This LOA is no longer open\nYou started a newer LOA after this one, so this card is closed\. Nothing was sent from it\./);
    assert.deepEqual(titles(stale), ['Go to my open LOA']);
    const open = await rep.press(stale, 'Go to my open LOA');
    assert.deepEqual(actionsOf(open), actionsOf(newChooser));
    assert.ok(titles(open).includes('Use this template'));
  });

  describe('Cancel and Restore', () => {
    it('restores a cancelled LOA with everything typed, as a new draft that sends', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep, { signerName: 'Back Again', f_discountPercent: '9' });
      const cancelled = await rep.press(review, 'Cancel');
      assert.match(readableText(cancelled), /LOA cancelled\nNothing was sent\. Changed your mind\? Press Restore within 10 minutes/);
      assert.deepEqual(titles(cancelled), ['Restore', 'Send an LOA']);

      const restored = await rep.press(cancelled, 'Restore');
      assert.equal(inputsOf(restored).signerName, 'Back Again');
      assert.equal(inputsOf(restored).f_discountPercent, 9);
      assert.match(readableText(await rep.press(review, 'Send')), /LOA cancelled/, 'the cancelled card still cannot send');
      const again = await rep.press(cancelled, 'Restore');
      assert.match(readableText(again), /Too late to restore/, 'restored once');
      assert.deepEqual(titles(again), ['Go to my open LOA']);

      const newReview = await rep.press(restored, 'Review', inputsOf(restored));
      assert.match(readableText(await rep.press(newReview, 'Send')), /LOA sent/);
      assert.equal((await owned(rep)).length, 1);
    });

    it('asks before a Restore replaces a newer LOA with work in it', async () => {
      const rep = h.rep();
      const cancelled = await rep.press(await reviewDistributorDraft(rep, { signerName: 'Cancelled First' }), 'Cancel');
      await partlyTyped(rep, { signerName: 'Newer Work' });
      const ask = await rep.press(cancelled, 'Restore');
      assert.match(readableText(ask), /You have an LOA in progress/);
      assert.match(readableText(ask), /Newer Work/);
      const kept = await rep.press(ask, 'Continue my open LOA');
      assert.equal(inputsOf(kept).signerName, 'Newer Work');
      const restored = await rep.press(await rep.press(cancelled, 'Restore'), 'Discard it and start new');
      assert.equal(inputsOf(restored).signerName, 'Cancelled First');
    });

    it('no longer restores after 10 minutes', async () => {
      const rep = h.rep();
      const cancelled = await rep.press(await reviewDistributorDraft(rep), 'Cancel');
      clock.advance(RESTORE_WINDOW_MS + 1000);
      const late = await rep.press(cancelled, 'Restore');
      assert.match(readableText(late), /Too late to restore/);
      assert.equal(inputsOf(late).signerName, undefined);
      assert.deepEqual(titles(late), ['Send an LOA']);
    });

    it('never restores an LOA that was sent', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      const draftId = String(actionsOf(review).find((a) => a.title === 'Send')!.data.draftId);
      await rep.press(review, 'Send');
      const card = await rep.invoke(VERBS.restoreDraft, { draftId });
      assert.match(readableText(card), /LOA sent/);
      assert.equal((await owned(rep)).length, 1);
    });
  });

  describe('the new buttons belong to the rep they were made for', () => {
    const neutral = /This card belongs to someone else\. Type \*\*send LOA\*\* to start your own\./;

    it('refuses Continue and Discard to another rep in the same chat, and leaves the draft alone', async () => {
      const owner = h.rep('Owner Rep');
      await partlyTyped(owner, { signerName: 'Private Signer' });
      const ask = (await owner.says('send LOA')).cards[0]!;
      const other = new RepSession(h, h.rep('Other Rep').member, owner.conversationId);
      for (const title of ['Continue my open LOA', 'Discard it and start new']) {
        const answer = await other.press(ask, title);
        assert.match(readableText(answer), neutral, title);
        assert.doesNotMatch(JSON.stringify(answer), /Private Signer/);
      }
      assert.equal(inputsOf(await owner.press(ask, 'Continue my open LOA')).signerName, 'Private Signer');
    });

    it('refuses Restore and Send without the link to another rep', async () => {
      const owner = h.rep('Owner Rep');
      const cancelled = await owner.press(await reviewDistributorDraft(owner, { signerName: 'Private Signer' }), 'Cancel');
      const stranger = h.rep('Stranger Rep');
      const restore = await stranger.press(cancelled, 'Restore');
      assert.match(readableText(restore), neutral);
      assert.doesNotMatch(JSON.stringify(restore), /Private Signer/);
      const draftId = String(actionsOf(cancelled).find((a) => a.title === 'Restore')!.data.draftId);
      assert.match(readableText(await stranger.invoke(VERBS.sendWithoutLink, { draftId })), neutral);
      assert.equal(inputsOf(await owner.press(cancelled, 'Restore')).signerName, 'Private Signer');
    });
  });
});
