import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConversationHarness } from '../../testkit/conversation';
import { readableText } from '../../testkit/cards';
import { startAzurite } from '../helpers/azurite';
import type { RunningAzurite } from '../helpers/azurite';
import { startBotProcess } from '../helpers/botProcess';
import type { BotProcess } from '../helpers/botProcess';
import { reviewDistributorDraft, sendDistributorLoa } from '../../testkit/loaFlow';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

describe('a bot instance killed mid-flow (SIGKILL)', function () {
  this.timeout(180_000);
  let azurite: RunningAzurite;
  let loa: TestSandbox;
  let env: Record<string, string>;
  const running: BotProcess[] = [];
  const harnesses: ConversationHarness[] = [];

  before(async () => {
    azurite = await startAzurite();
    loa = await startTestSandbox();
    env = {
      STATE_STORAGE: 'blob',
      STATE_BLOB_CONNECTION_STRING: azurite.connectionString,
      STATE_BLOB_CONTAINER: `crash${randomUUID().slice(0, 8)}`,
      LOA_API_BASE_URL: loa.url,
      LOA_CLIENT_ID: loa.clientId,
      LOA_CLIENT_SECRET: loa.clientSecret,
      LOA_HTTP_TIMEOUT_MS: '500',
      LOA_MAX_RETRIES: '0',
      SEND_ACK_AFTER_MS: '200',
      STATUS_POLL_FIRST_MS: '0',
    };
  });
  after(async () => {
    for (const h of harnesses) await h.teams.stop();
    for (const p of running) await p.close();
    await loa.close();
    await azurite.stop();
  });

  async function instance(): Promise<ConversationHarness> {
    const bot = await startBotProcess(env);
    running.push(bot);
    const h = await ConversationHarness.attach(bot);
    harnesses.push(h);
    return h;
  }

  it('keeps the draft and every agreement record for the next instance', async () => {
    const first = await instance();
    const rep = first.rep();
    await sendDistributorLoa(rep, { signerName: 'Before Crash One' });
    await sendDistributorLoa(rep, { signerName: 'Before Crash Two' });
    const review = await reviewDistributorDraft(rep, { signerName: 'Draft At Crash' });
    await running.at(-1)!.kill();

    const second = await instance();
    const same = rep.via(second);
    const list = readableText((await same.says('my LOAs')).cards[0]!);
    assert.match(list, /To Before Crash Two[\s\S]*To Before Crash One/);
    const sent = await same.press(review, 'Send');
    assert.match(readableText(sent), /LOA sent/);
    assert.match(readableText(sent), /Draft At Crash|Agreement ID/);
    const mine = (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName).map((a) => a.signer.name).sort();
    assert.deepEqual(mine, ['Before Crash One', 'Before Crash Two', 'Draft At Crash']);
  });

  it('never sends again a Send that was in flight when the instance died', async () => {
    const first = await instance();
    const rep = first.rep();
    const review = await reviewDistributorDraft(rep, { signerName: 'In Flight' });
    await loa.hooks.setFaults({ create: { latencyMs: 1500 } });
    assert.match(readableText(await rep.press(review, 'Send')), /Sending your LOA/);
    await running.at(-1)!.kill();
    await new Promise((r) => setTimeout(r, 1800)); // whatever the API does with the orphaned create, it has done it
    await loa.hooks.clearFaults();
    const createsBefore = (await loa.hooks.calls()).create;

    const second = await instance();
    const same = rep.via(second);
    // The claim of the dead instance expires after the longest a send could take; until then, "Sending…".
    let answer = readableText(await same.press(review, 'Send'));
    const deadline = Date.now() + 30_000;
    while (/Sending your LOA/.test(answer) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      answer = readableText(await same.press(review, 'Send'));
    }
    assert.match(answer, /couldn't confirm your LOA was sent/);
    assert.equal((await loa.hooks.calls()).create, createsBefore, 'the next instance sent no create of its own');
    const mine = (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
    assert.ok(mine.length <= 1, 'at most the create the dead instance sent');
  });
});
