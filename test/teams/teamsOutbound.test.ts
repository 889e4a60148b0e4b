import assert from 'node:assert/strict';
import type { AdaptiveCard } from '../../cards/render';
import { createLogger } from '../../bot/logger';
import { ConversationHarness } from '../../testkit/conversation';
import { readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { reviewDistributorDraft, sendDistributorLoa } from '../../testkit/loaFlow';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

/**
 * What reaches the rep when Teams itself misbehaves: it throttles (429 with Retry-After), has
 * 5xx minutes, drops connections, and answers 403 BotNotInConversationRoster once a rep has
 * removed the app. The fake connector refuses calls the way Teams does.
 */
describe('posting into Teams when Teams fails', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    h = await ConversationHarness.start(loa.url, loa, { env: { STATUS_POLL_FIRST_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '200' } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });
  afterEach(async () => {
    h.teams.faults.length = 0;
    h.teams.refused.length = 0;
    await loa.hooks.clearFaults();
  });

  const owned = async (rep: RepSession) => (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
  const updatedCard = (rep: RepSession): AdaptiveCard => {
    const body = h.teams.updated(rep.conversationId).at(-1)!.body as { attachments: Array<{ content: AdaptiveCard }> };
    return body.attachments[0]!.content;
  };

  /** A Send the API answers only after the ack, so its result goes out as a follow-up. */
  async function slowSend(rep: RepSession): Promise<void> {
    const review = await reviewDistributorDraft(rep);
    await loa.hooks.setFaults({ create: { latencyMs: 1200 } });
    assert.match(readableText(await rep.press(review, 'Send')), /Sending your LOA/);
  }

  it('delivers a follow-up through a throttled Teams, waiting as long as Retry-After says', async function () {
    this.timeout(30_000);
    const rep = h.rep();
    await slowSend(rep);
    // More refusals than the Bot Framework client retries by itself (three).
    h.teams.faults.push(...Array.from({ length: 5 }, () => ({ status: 429, retryAfterS: 1 })));
    await h.teams.waitFor(() => h.teams.updated(rep.conversationId).length === 1 && h.teams.messages(rep.conversationId, /^LOA sent/).length === 1, 25_000);
    assert.match(readableText(updatedCard(rep)), /LOA sent/);
    const refusedAt = h.teams.refused.length;
    assert.equal(refusedAt, 5, 'every refusal was followed by another try');
    const [agreement] = await owned(rep);
    assert.ok(agreement);
    assert.equal(h.teams.messages(rep.conversationId, /^LOA sent/).length, 1, 'told once');
  });

  it('delivers a follow-up through Teams 5xx answers and dropped connections', async function () {
    this.timeout(40_000);
    const rep = h.rep();
    await slowSend(rep);
    h.teams.faults.push({ status: 500 }, { status: 503 }, { status: 0 }, { status: 502 }, { status: 500 });
    await h.teams.waitFor(() => h.teams.messages(rep.conversationId, /^LOA sent/).length === 1, 35_000);
    assert.match(readableText(updatedCard(rep)), /LOA sent/);
  });

  it('paces a burst of status news in one chat and keeps it in order', async function () {
    this.timeout(30_000);
    const rep = h.rep();
    for (let i = 1; i <= 5; i++) await sendDistributorLoa(rep, { signerName: `Burst ${i}` });
    const agreements = await owned(rep);
    for (const a of agreements) await loa.hooks.setStatus(a.id, 'SIGNED');
    await h.teams.waitFor(() => h.teams.messages(rep.conversationId, /was signed/).length === 5, 20_000);
    const news = h.teams.calls.filter((c) => c.conversationId === rep.conversationId && /was signed/.test(String(c.body.text)));
    const gaps = news.slice(1).map((c, i) => c.at - news[i]!.at);
    assert.ok(gaps.every((gap) => gap >= 450), `at most two calls a second in one chat, gaps ${gaps.join(', ')} ms`);
  });

  it('does not report a Delete that went through as an error when Teams refuses its message, and posts the message once later', async function () {
    this.timeout(40_000);
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Refused In Turn' });
    const confirm = await rep.press((await rep.says('my LOAs')).cards[0]!, 'Delete');
    // More refusals than the Bot Framework client retries by itself: the in-turn post fails.
    h.teams.faults.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const answer = readableText(await rep.press(confirm, 'Delete'));
    assert.match(answer, /^LOA deleted/, 'the card says what happened');
    assert.doesNotMatch(answer, /went wrong|Nothing new was sent/);
    await h.teams.waitFor(() => h.teams.messages(rep.conversationId, /is deleted\.$/).length === 1, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(h.teams.messages(rep.conversationId, /is deleted\.$/).length, 1, 'told once');
    assert.equal(h.teams.messages(rep.conversationId, /went wrong/).length, 0, 'no error message');
  });

  it('keeps a result promised to a rep who removed the app, without trying it again and again, and shows it when they write again', async function () {
    this.timeout(30_000);
    const lines: string[] = [];
    const own = await ConversationHarness.start(loa.url, loa, {
      overrides: { followUpGraceMs: 500, logger: createLogger({ level: 'info' }, { write: (line: string) => void lines.push(line) }) },
    });
    try {
      const rep = own.rep();
      const review = await reviewDistributorDraft(rep, { signerName: 'Removed While Sending' });
      await loa.hooks.setFaults({ create: { latencyMs: 1200 } });
      assert.match(readableText(await rep.press(review, 'Send')), /Sending your LOA/);
      own.teams.removedFrom.add(rep.conversationId);
      await own.teams.waitFor(() => own.teams.refused.length >= 1, 10_000);
      // Redelivery runs every 250 ms here: a chat the bot was removed from is not one more try each round.
      await new Promise((r) => setTimeout(r, 3000));
      const tries = lines.filter((l) => /Could not deliver a promised result yet|waits for the rep/.test(l)).length;
      assert.equal(tries, 1, `the result was put aside once, not retried (${tries} log lines)`);
      assert.equal(own.teams.refused.length, 1, 'Teams was asked once');

      // The rep adds the app back and writes: the result is shown, and told once.
      own.teams.removedFrom.delete(rep.conversationId);
      const { cards, texts } = await rep.says('help');
      assert.ok(cards.some((c) => /^LOA sent/.test(readableText(c))), `the next turn shows the outcome: ${cards.map(readableText).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 1000));
      const told = [...texts, ...own.teams.messages(rep.conversationId)].filter((t) => t.startsWith('LOA sent to Removed While Sending'));
      assert.equal(told.length, 1, 'one "LOA sent" message');
    } finally {
      await own.stop();
    }
  });

  it('stops polling a rep who removed the app, keeps their records, and says so once in the log', async function () {
    this.timeout(30_000);
    // A sandbox and bot of their own, so that GETs for other tests' agreements do not count.
    const ownLoa = await startTestSandbox();
    const lines: string[] = [];
    const own = await ConversationHarness.start(ownLoa.url, ownLoa, {
      env: { STATUS_POLL_FIRST_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '200' },
      overrides: { logger: createLogger({ level: 'info' }, { write: (line: string) => void lines.push(line) }) },
    });
    try {
      const rep = own.rep();
      await sendDistributorLoa(rep, { signerName: 'Removed First' });
      await sendDistributorLoa(rep, { signerName: 'Removed Second' });
      // The rep removes the app: every post to their chat is refused from now on.
      own.teams.faults.push(...Array.from({ length: 50 }, () => ({ status: 403, code: 'BotNotInConversationRoster' })));
      for (const a of await ownLoa.hooks.agreements()) await ownLoa.hooks.setStatus(a.id, 'VIEWED');
      await own.teams.waitFor(() => own.teams.refused.length >= 1, 10_000);
      await new Promise((r) => setTimeout(r, 1000));
      const getsAfter = (await ownLoa.hooks.calls()).get;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await ownLoa.hooks.calls()).get, getsAfter, 'no more status polls for that rep');
      assert.equal(own.teams.refused.length, 1, 'Teams was asked once, not for every agreement');
      assert.equal(lines.filter((l) => l.includes('no longer in this chat')).length, 1, 'logged once');

      own.teams.faults.length = 0;
      const { cards } = await rep.says('my LOAs');
      for (const name of ['Removed First', 'Removed Second']) assert.match(readableText(cards[0]!), new RegExp(name), 'the records are kept');
    } finally {
      await own.stop();
      await ownLoa.close();
    }
  });
});
