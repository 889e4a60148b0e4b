import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import type { AdaptiveCard } from '../../cards/render';
import { ConversationHarness } from '../../testkit/conversation';
import { actionsOf, readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { reviewDistributorDraft, sendDistributorLoa } from '../../testkit/loaFlow';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

const OTHER_TENANT = '5b2e9c41-0d7a-4f63-b1e8-6a9d3c2f7e10';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the edges: cards, races and repetition', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    // Every turn asks Teams who the rep is, so a slow roster slows every turn, as it would in Teams.
    h = await ConversationHarness.start(loa.url, loa, { env: { REP_IDENTITY_CACHE_S: '0' } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });
  afterEach(async () => {
    h.teams.rosterDelayMs = 0;
    await loa.hooks.clearFaults();
  });

  const owned = async (rep: RepSession) => (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
  const sentMessages = (rep: RepSession) => h.teams.messages(rep.conversationId, /^LOA sent to /);
  /** The card as the last update in the rep's chat left it. */
  const updatedCard = (rep: RepSession): AdaptiveCard => {
    const body = h.teams.updated(rep.conversationId).at(-1)!.body as { attachments: Array<{ content: AdaptiveCard }> };
    return body.attachments[0]!.content;
  };
  const apiCalls = async () => {
    const c = await loa.hooks.calls();
    return c.token + c.create + c.get + c.delete;
  };

  describe('a card belongs to the rep it was made for', () => {
    /** Presses `title` on `card` as `other`, and checks they learn nothing and nothing happens. */
    async function pressAsStranger(other: RepSession, card: AdaptiveCard, title: string, secrets: string[]): Promise<void> {
      const callsBefore = await apiCalls();
      const postsBefore = h.teams.posted(other.conversationId).length;
      const answer = await other.press(card, title);
      const text = readableText(answer);
      assert.match(text, /This card belongs to someone else\. Type \*\*send LOA\*\* to start your own\./, `${title}: the neutral card`);
      for (const secret of secrets) assert.ok(!JSON.stringify(answer).includes(secret), `${title}: the card shows nothing of the owner's LOA (${secret})`);
      assert.deepEqual(actionsOf(answer).map((a) => a.title), ['Send an LOA']);
      assert.equal(h.teams.posted(other.conversationId).length, postsBefore, `${title}: nothing is posted in their chat`);
      assert.equal(await apiCalls(), callsBefore, `${title}: the LOA API is not called`);
    }

    for (const [where, tenant] of [['the same tenant', undefined], ['another tenant', OTHER_TENANT]] as const) {
      it(`shows another rep from ${where} nothing of a sent LOA's Send, Edit and Cancel card`, async () => {
        const owner = h.rep('Owner Rep');
        const review = await reviewDistributorDraft(owner, { signerName: 'Private Signer', signerEmail: 'private.signer@acme.example', ccName: 'Hidden Cc', ccEmail: 'hidden.cc@acme.example' });
        await owner.press(review, 'Send');
        const [agreement] = await owned(owner);
        const stranger = h.rep('Stranger Rep', tenant);
        const secrets = [agreement!.id, 'Private Signer', 'private.signer@acme.example', 'Hidden Cc', 'hidden.cc@acme.example'];
        for (const title of ['Send', 'Edit', 'Cancel']) await pressAsStranger(stranger, review, title, secrets);
        assert.equal((await owned(owner)).length, 1, 'still one agreement');
        assert.equal((await loa.hooks.agreements()).filter((a) => a.owner === stranger.member.userPrincipalName).length, 0);
      });

      it(`refuses another rep from ${where} the owner's "my LOAs" buttons`, async () => {
        const owner = h.rep('Owner Rep');
        await sendDistributorLoa(owner, { signerName: 'Listed Signer' });
        const [agreement] = await owned(owner);
        const list = (await owner.says('my LOAs')).cards[0]!;
        const confirm = await owner.press(list, 'Delete');
        const stranger = h.rep('Stranger Rep', tenant);
        const secrets = [agreement!.id, 'Listed Signer'];
        await pressAsStranger(stranger, list, 'New from this', secrets);
        await pressAsStranger(stranger, list, 'Delete', secrets);
        await pressAsStranger(stranger, confirm, 'Delete', secrets);
        assert.equal((await owned(owner))[0]!.status, 'SENT', 'the LOA is not deleted');
      });
    }

    it('refuses a forged card naming another rep\'s draft id before it is sent, and leaves the draft alone', async () => {
      const owner = h.rep('Owner Rep');
      const review = await reviewDistributorDraft(owner);
      const draftId = String(actionsOf(review).find((a) => a.title === 'Send')!.data.draftId);
      const stranger = h.rep('Stranger Rep');
      const forged = await stranger.invoke('loa.sendDraft', { draftId });
      assert.match(readableText(forged), /no longer open/, 'an unsent draft of someone else is simply not theirs to find');
      assert.equal((await loa.hooks.agreements()).filter((a) => a.owner === stranger.member.userPrincipalName).length, 0);
      const sent = await owner.press(review, 'Send');
      assert.match(readableText(sent), /LOA sent/, 'the owner can still send it');
    });
  });

  describe('Cancel racing Send, with a 300 ms identity lookup', () => {
    it('never says "nothing was sent" about an LOA that went out', async () => {
      for (let round = 0; round < 3; round++) {
        const rep = h.rep();
        const review = await reviewDistributorDraft(rep, { signerName: `Racer ${round}` });
        h.teams.rosterDelayMs = 300;
        const sending = rep.press(review, 'Send');
        await sleep(50);
        const cancel = await rep.press(review, 'Cancel');
        const sent = await sending;
        const agreements = await owned(rep);
        assert.equal(agreements.length, 1, `round ${round}: the Send claimed the draft first and went out`);
        assert.doesNotMatch(readableText(cancel), /Nothing was sent|LOA cancelled/, `round ${round}: Cancel does not claim it stopped the LOA`);
        assert.match(readableText(cancel), new RegExp(`Too late to cancel|${agreements[0]!.id}`), `round ${round}: Cancel says it is being sent, or shows it sent`);
        assert.match(readableText(sent), new RegExp(agreements[0]!.id));
        await h.teams.waitFor(() => sentMessages(rep).length >= 1);
        await sleep(200);
        assert.equal(sentMessages(rep).length, 1, `round ${round}: one "LOA sent" message`);
      }
    });

    it('sends nothing when Cancel gets there first, and the late Send says so', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      const cancel = await rep.press(review, 'Cancel');
      assert.match(readableText(cancel), /LOA cancelled/);
      const send = await rep.press(review, 'Send');
      assert.match(readableText(send), /LOA cancelled\nNothing was sent/);
      assert.equal((await owned(rep)).length, 0);
    });
  });

  describe('one announcement per outcome', () => {
    it('posts one "LOA sent" for a double press, and none for a stale press later', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      const [a, b] = await Promise.all([rep.press(review, 'Send'), rep.press(review, 'Send')]);
      const [agreement] = await owned(rep);
      for (const card of [a, b]) assert.match(readableText(card), new RegExp(agreement!.id), 'both presses show the agreement');
      assert.equal(sentMessages(rep).length, 1);
      const stale = await rep.press(review, 'Send');
      assert.match(readableText(stale), new RegExp(agreement!.id));
      assert.equal(sentMessages(rep).length, 1, 'a stale press shows the card again and posts nothing');
    });

    it('posts one message for 50 parallel Sends and one for 20 parallel Delete confirmations', async function () {
      this.timeout(60_000);
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      await Promise.all(Array.from({ length: 50 }, () => rep.press(review, 'Send')));
      const [agreement] = await owned(rep);
      assert.equal((await owned(rep)).length, 1);
      assert.equal(sentMessages(rep).length, 1);

      const list = (await rep.says('my LOAs')).cards[0]!;
      const confirm = await rep.press(list, 'Delete');
      const deletesBefore = (await loa.hooks.calls()).delete;
      const answers = await Promise.all(Array.from({ length: 20 }, () => rep.press(confirm, 'Delete')));
      for (const card of answers) assert.match(readableText(card), /LOA deleted|Deleting/);
      await h.teams.waitFor(() => h.teams.messages(rep.conversationId, /is deleted/).length >= 1);
      await sleep(200);
      assert.equal((await loa.hooks.calls()).delete - deletesBefore, 1, 'one DELETE reached the API');
      assert.deepEqual(h.teams.messages(rep.conversationId, /is deleted/), [`LOA ${defaultRef(agreement!.id)} to Jane Customer is deleted.`]);
      const stale = await rep.press(confirm, 'Delete');
      assert.match(readableText(stale), /LOA deleted/);
      assert.equal(h.teams.messages(rep.conversationId, /is deleted/).length, 1, 'a stale Delete posts nothing');
    });
  });

  describe('answers within Teams\' time', () => {
    /** Runs `press` and returns its answer and how long it took. */
    async function timed(press: () => Promise<AdaptiveCard>): Promise<{ card: AdaptiveCard; ms: number }> {
      const started = Date.now();
      const card = await press();
      return { card, ms: Date.now() - started };
    }

    it('answers "my LOAs" and Delete within 5 s against an API that hangs', async function () {
      this.timeout(60_000);
      const rep = h.rep();
      await sendDistributorLoa(rep);
      const list = (await rep.says('my LOAs')).cards[0]!;
      const confirm = await rep.press(list, 'Delete');
      await loa.hooks.setFaults({ get: { rates: { hang: 1 } }, delete: { rates: { hang: 1 } } });

      const listed = await timed(() => rep.invoke('loa.listAgreements', { page: '1' }, list));
      assert.ok(listed.ms < 5000, `my LOAs answered in ${listed.ms} ms`);
      assert.match(readableText(listed.card), /Sent: waiting for the signer \(last known\)/);
      assert.match(readableText(listed.card), /did not answer in time, so the statuses marked "last known" may be out of date/);

      const deleting = await timed(() => rep.press(confirm, 'Delete'));
      assert.ok(deleting.ms < 5000, `Delete answered in ${deleting.ms} ms`);
      assert.match(readableText(deleting.card), /Deleting…/);
    });

    it('answers a slow Delete with "Deleting…", then updates that card and posts once', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep);
      const [agreement] = await owned(rep);
      const confirm = await rep.press((await rep.says('my LOAs')).cards[0]!, 'Delete');
      await loa.hooks.setFaults({ delete: { latencyMs: 1500 } });
      const first = await rep.press(confirm, 'Delete');
      assert.match(readableText(first), /Deleting…/);
      await h.teams.waitFor(() => h.teams.updated(rep.conversationId).some((u) => u.activityId === rep.cardIdOf(confirm)));
      assert.match(readableText(updatedCard(rep)), /LOA deleted/);
      await h.teams.waitFor(() => h.teams.messages(rep.conversationId, /is deleted/).length === 1);
      assert.equal((await loa.hooks.agreements()).find((a) => a.id === agreement!.id)!.status, 'DELETED');
    });
  });

  describe('honest words', () => {
    const cases = [
      ['500', /The LOA service failed while it was handling it, so the LOA may or may not have been created/],
      ['reset', /The connection to the LOA service dropped before it answered, so the LOA may or may not have been created/],
      ['hang', /The LOA service did not answer in time, so the LOA may or may not have been created/],
      ['503', /The LOA service is busy, and nothing was sent\. Press Retry in a minute\./],
    ] as const;
    for (const [fault, words] of cases) {
      it(`tells a ${fault} on create apart from the other failures`, async () => {
        const rep = h.rep();
        const review = await reviewDistributorDraft(rep);
        await loa.hooks.setFaults({ create: { next: [fault, fault, fault, fault] } });
        const answer = await rep.press(review, 'Send');
        if (!/Sending your LOA/.test(readableText(answer))) return assert.match(readableText(answer), words);
        await h.teams.waitFor(() => h.teams.updated(rep.conversationId).length > 0, 15_000);
        assert.match(readableText(updatedCard(rep)), words);
      });
    }
  });
});
