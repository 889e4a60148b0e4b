import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AdaptiveCard } from '../../cards/render';
import { ConversationHarness } from '../../testkit/conversation';
import { readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { startAzurite } from '../helpers/azurite';
import type { RunningAzurite } from '../helpers/azurite';
import { startBotProcess } from '../helpers/botProcess';
import type { BotProcess } from '../helpers/botProcess';
import { reviewDistributorDraft } from '../../testkit/loaFlow';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

/** The card the last update in a chat left, as the rep sees it. */
function updatedCard(h: ConversationHarness, rep: RepSession): AdaptiveCard {
  const body = h.teams.updated(rep.conversationId).at(-1)!.body as { attachments: Array<{ content: AdaptiveCard }> };
  return body.attachments[0]!.content;
}

describe('results promised with "Sending…" survive Teams refusing them and the bot dying', function () {
  this.timeout(120_000);
  let azurite: RunningAzurite;
  let loa: TestSandbox;
  let storage: Record<string, string>;

  before(async () => {
    azurite = await startAzurite();
    loa = await startTestSandbox();
  });
  beforeEach(() => {
    storage = { STATE_STORAGE: 'blob', STATE_BLOB_CONNECTION_STRING: azurite.connectionString, STATE_BLOB_CONTAINER: `fu${randomUUID().slice(0, 8)}` };
  });
  after(async () => {
    await loa.close();
    await azurite.stop();
  });
  afterEach(() => loa.hooks.clearFaults());

  it('shows the result in the rep\'s next turn when Teams keeps refusing the follow-up, and tells the chat once', async () => {
    const h = await ConversationHarness.start(loa.url, loa, { env: storage, overrides: { followUpGraceMs: 1500 } });
    try {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep, { signerName: 'Refused Follow Up' });
      await loa.hooks.setFaults({ create: { latencyMs: 1200 } });
      // Teams refuses every update and post for a while: an outage longer than the bot's retries.
      h.teams.faults.push(...Array.from({ length: 400 }, () => ({ status: 403, code: 'Forbidden' })));
      assert.match(readableText(await rep.press(review, 'Send')), /Sending your LOA/);
      const promisedAt = Date.now();
      // The follow-up was tried and refused, its retries are over (on a busy machine that takes
      // longer than the API), and the grace its own instance gets has passed.
      const refusals = () => h.teams.refused.filter((r) => r.conversationId === rep.conversationId).length;
      await h.teams.waitFor(() => refusals() > 0, 20_000);
      for (let seen = -1; seen !== refusals(); ) {
        seen = refusals();
        await new Promise((r) => setTimeout(r, 1000));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, promisedAt + 2500 - Date.now())));
      const [agreement] = (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
      assert.ok(agreement, 'the LOA went out');
      assert.equal(h.teams.updated(rep.conversationId).length, 0, 'Teams took nothing yet');

      h.teams.faults.length = 0;
      const { cards, texts } = await rep.says('help');
      const shown = cards.map(readableText).find((t) => t.includes(agreement.id));
      assert.ok(shown, `the next turn shows the outcome: ${cards.map(readableText).join(' | ')}`);
      assert.match(shown, /LOA sent/);
      await new Promise((r) => setTimeout(r, 2000));
      const told = [...texts, ...h.teams.messages(rep.conversationId)].filter((t) => t.startsWith('LOA sent to Refused Follow Up'));
      assert.equal(told.length, 1, 'one "LOA sent" message');
    } finally {
      await h.stop();
    }
  });

  it('delivers the result from another instance when the one that promised it dies before the card update', async () => {
    const env = { ...storage, LOA_API_BASE_URL: loa.url, LOA_CLIENT_ID: loa.clientId, LOA_CLIENT_SECRET: loa.clientSecret, SEND_ACK_AFTER_MS: '200', STATUS_POLL_FIRST_MS: '0' };
    const doomed: BotProcess = await startBotProcess(env);
    const first = await ConversationHarness.attach(doomed);
    let second: ConversationHarness | undefined;
    try {
      const rep = first.rep();
      const review = await reviewDistributorDraft(rep, { signerName: 'Outlived Its Bot' });
      await loa.hooks.setFaults({ create: { latencyMs: 800 } });
      // Teams is down when the result arrives: the dying instance's delivery is still retrying.
      first.teams.faults.push(...Array.from({ length: 400 }, () => ({ status: 503 })));
      assert.match(readableText(await rep.press(review, 'Send')), /Sending your LOA/);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await loa.hooks.agreements()).filter((a) => a.signer.name === 'Outlived Its Bot').length, 1, 'the LOA went out');
      await doomed.kill();
      first.teams.faults.length = 0;
      assert.equal(first.teams.updated(rep.conversationId).length, 0, 'the card still says "Sending…"');

      // The dead instance held the promise for its delivery (20 s): another takes it over once that hold ends.
      second = await ConversationHarness.start(loa.url, loa, { env: storage, overrides: { followUpGraceMs: 500 } });
      await first.teams.waitFor(() => first.teams.updated(rep.conversationId).length > 0 && first.teams.messages(rep.conversationId, /^LOA sent/).length > 0, 45_000);
      assert.match(readableText(updatedCard(first, rep)), /LOA sent/);
      assert.equal(first.teams.updated(rep.conversationId)[0]!.activityId, rep.cardIdOf(review), 'the card that said "Sending…" is the one updated');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(first.teams.messages(rep.conversationId, /^LOA sent/).length, 1, 'one message');
      assert.equal((await loa.hooks.agreements()).filter((a) => a.signer.name === 'Outlived Its Bot').length, 1, 'nothing sent again');
    } finally {
      await second?.stop();
      await first.teams.stop();
      await doomed.close();
    }
  });
});
