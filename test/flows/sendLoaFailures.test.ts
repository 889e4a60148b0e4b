import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { resolve } from 'node:path';
import { createLogger } from '../../bot/logger';
import type { AdaptiveCard } from '../../cards/render';
import { ConversationHarness } from '../../testkit/conversation';
import { actionsOf, inputsOf, readableText } from '../../testkit/cards';
import { openDistributorDraft, reviewDistributorDraft } from '../../testkit/loaFlow';
import { distributorDetails } from '../../testkit/fixtures';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

const titles = (card: AdaptiveCard) => actionsOf(card).map((a) => a.title);

describe('send LOA when the LOA API misbehaves', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    // Teams is asked who the rep is on every turn, so that a roster that fails at Send fails that Send.
    h = await ConversationHarness.start(loa.url, loa, { env: { LOA_MAX_RETRIES: '0', LOA_HTTP_TIMEOUT_MS: '400', SEND_ACK_AFTER_MS: '3000', REP_IDENTITY_CACHE_S: '0' } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });
  afterEach(() => loa.hooks.clearFaults());

  const mine = async (upn: string) => (await loa.hooks.agreements()).filter((a) => a.owner === upn);

  it('says the API is busy when it answers 503, then sends on Retry exactly once', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep);
    await loa.hooks.setFaults({ create: { next: ['503'] } });
    const failed = await rep.press(review, 'Send');
    assert.match(readableText(failed), /Your LOA was not sent/);
    assert.match(readableText(failed), /busy, and nothing was sent/);
    assert.deepEqual(titles(failed), ['Retry', 'Edit', 'Cancel']);
    assert.equal((await mine(rep.member.userPrincipalName)).length, 0);

    const sent = await rep.press(failed, 'Retry');
    assert.match(readableText(sent), /LOA sent/);
    const again = await rep.press(failed, 'Retry');
    assert.match(readableText(again), /LOA sent/);
    assert.equal((await mine(rep.member.userPrincipalName)).length, 1);
  });

  it('does not resend after a 500, and warns the rep it may already exist', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep);
    await loa.hooks.setFaults({ create: { next: ['500'] } });
    const before = (await loa.hooks.calls()).create;
    const unknown = await rep.press(review, 'Send');
    assert.match(readableText(unknown), /couldn't confirm your LOA was sent/);
    assert.match(readableText(unknown), /may or may not have been created/);
    assert.deepEqual(titles(unknown), ['Retry', 'Cancel']);
    assert.equal((await loa.hooks.calls()).create - before, 1, 'one create call, no automatic resend');
    const again = await rep.press(review, 'Send');
    assert.match(readableText(again), /couldn't confirm/, 'a second Send of the same draft does not resend either');
    assert.equal((await loa.hooks.calls()).create - before, 1);
  });

  it('warns, after an unknown outcome, that a refused Retry does not mean nothing reached the signer', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep);
    await loa.hooks.setFaults({ create: { next: ['500', '503'] } });
    const unknown = await rep.press(review, 'Send');
    assert.match(readableText(unknown), /couldn't confirm/);
    const refused = await rep.press(unknown, 'Retry');
    assert.match(readableText(refused), /busy, and nothing was sent\. Press Retry in a minute\. An earlier attempt may still have reached the signer/);
  });

  it('reports a timeout with Retry, and sends again only when the rep presses Retry', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep);
    await loa.hooks.setFaults({ create: { next: ['hang'] } });
    const unknown = await rep.press(review, 'Send');
    assert.match(readableText(unknown), /did not answer in time/);
    const sent = await rep.press(unknown, 'Retry');
    assert.match(readableText(sent), /LOA sent/);
    const twice = await rep.press(unknown, 'Retry');
    assert.equal(readableText(twice), readableText(sent), 'a second press of the same Retry gets the same result');
    assert.equal((await mine(rep.member.userPrincipalName)).length, 2, 'the hung create plus the one the rep chose to retry');
  });

  it('recovers from a token the API no longer accepts (401) without bothering the rep', async () => {
    const first = h.rep();
    const reviewed = await reviewDistributorDraft(first);
    assert.match(readableText(await first.press(reviewed, 'Send')), /LOA sent/);
    await loa.hooks.reset(); // forgets every issued token
    const review = await reviewDistributorDraft(first);
    const sent = await first.press(review, 'Send');
    assert.match(readableText(sent), /LOA sent/);
    const calls = await loa.hooks.calls();
    assert.equal(calls.token, 1, 'one refresh');
    assert.equal(calls.create, 2, 'the refused create and the one after the refresh');
  });

  it('tells the rep plainly when something breaks on the bot side, and keeps the draft', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep, { signerName: 'Kept Signer' });
    h.teams.roster.delete(rep.member.id); // the Teams roster lookup now fails
    const failed = await rep.press(review, 'Send');
    assert.match(readableText(failed), /Something went wrong on my side/);
    assert.match(readableText(failed), /Reference: [0-9a-f-]{36}/);
    assert.equal((await mine(rep.member.userPrincipalName)).length, 0);
    const back = await rep.press(failed, 'Back to my draft');
    assert.equal(inputsOf(back).signerName, 'Kept Signer');
  });
});

describe('send LOA when the LOA API is slow', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    h = await ConversationHarness.start(loa.url, loa, { env: { SEND_ACK_AFTER_MS: '200', LOA_HTTP_TIMEOUT_MS: '10000' } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });

  it('answers Sending at once, then updates the same card and posts the result', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep);
    await loa.hooks.setFaults({ create: { latencyMs: 1500 } });
    const started = Date.now();
    const sending = await rep.press(review, 'Send');
    assert.ok(Date.now() - started < 1400, 'acknowledged before the API answered');
    assert.match(readableText(sending), /Sending your LOA/);
    assert.deepEqual(titles(sending), [], 'no button on the Sending card');

    const doubleClick = await rep.press(review, 'Send');
    assert.match(readableText(doubleClick), /Sending your LOA/);

    const cardId = rep.cardIdOf(review);
    await h.teams.waitFor((calls) => calls.some((c) => c.method === 'PUT' && c.activityId === cardId) && h.teams.posted(rep.conversationId).length > 0);
    const update = h.teams.updated(rep.conversationId).find((c) => c.activityId === cardId)!;
    const attachments = update.body.attachments as Array<{ content: AdaptiveCard }>;
    const [agreement] = (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
    assert.ok(agreement, 'the agreement exists');
    assert.match(readableText(attachments[0]!.content), new RegExp(`Agreement ID: ${agreement.id}`));
    assert.ok(String(h.teams.posted(rep.conversationId)[0]!.text).includes(`ref ${defaultRef(agreement.id)}.`));
    assert.equal((await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName).length, 1);
  });

  it('finishes a slow send before it shuts down', async () => {
    const own = await ConversationHarness.start(loa.url, loa, { env: { SEND_ACK_AFTER_MS: '200' } });
    const rep = own.rep();
    const review = await reviewDistributorDraft(rep);
    await loa.hooks.setFaults({ create: { latencyMs: 800 } });
    assert.match(readableText(await rep.press(review, 'Send')), /Sending/);
    await own.bot.close();
    assert.equal(own.teams.updated(rep.conversationId).length, 1, 'the result was delivered before close() resolved');
    await own.teams.stop();
    await loa.hooks.clearFaults();
  });
});

describe('send LOA when the LOA API refuses a field', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    // The bot's catalog has a field the API's template does not: the API answers 400 naming it.
    h = await ConversationHarness.start(loa.url, loa, { env: { LOA_TEMPLATES_FILE: resolve(__dirname, '../fixtures/driftedCatalog.json') } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });

  it('shows the API 400 next to the field, with the values kept', async () => {
    const rep = h.rep();
    const details = await openDistributorDraft(rep);
    const review = await rep.press(details, 'Review', distributorDetails({ f_regionCode: 'EMEA-7' }));
    const refused = await rep.press(review, 'Send');
    const text = readableText(refused);
    assert.match(text, /refused some details, and nothing was sent/);
    const card = JSON.stringify(refused);
    const inputAt = card.indexOf('"id":"f_regionCode"');
    const errorAt = card.indexOf('Sales region code is not a field of template', inputAt);
    assert.ok(inputAt > 0 && errorAt > inputAt, 'the error sits right after the regionCode input');
    assert.equal(inputsOf(refused).f_regionCode, 'EMEA-7');
    assert.equal(inputsOf(refused).signerName, 'Jane Customer');
    assert.equal((await loa.hooks.agreements()).length, 0);
  });
});

describe('send LOA when sign-in to the LOA API fails', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  const logLines: string[] = [];

  before(async () => {
    loa = await startTestSandbox();
    // The bot holds the wrong client secret: every token call is refused (401 invalid_client).
    h = await ConversationHarness.start(loa.url, { clientId: loa.clientId, clientSecret: 'not-the-secret' }, {
      overrides: { logger: createLogger({ level: 'info' }, { write: (line: string) => void logLines.push(line) }) },
    });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });

  it("blames the bot's own access, not the rep's sign-in, and tells the operator", async () => {
    const rep = h.rep();
    const refused = await rep.press(await reviewDistributorDraft(rep), 'Send');
    assert.match(readableText(refused), /The LOA bot's access to the LOA service was refused, and nothing was sent\. Your admin has been told/);
    assert.doesNotMatch(readableText(refused), /your sign-in/);
    const operatorErrors = logLines.map((l) => JSON.parse(l) as { level: string; msg: string; operatorError?: boolean }).filter((l) => l.operatorError);
    assert.ok(operatorErrors.length > 0 && operatorErrors.every((l) => l.level === 'error' && /LOA_CLIENT_ID and LOA_CLIENT_SECRET/.test(l.msg)), 'logged as an operator error naming the settings');
    assert.ok(!logLines.join('\n').includes('not-the-secret'), 'the secret is not logged');
    assert.deepEqual(titles(refused), ['Retry', 'Edit', 'Cancel']);
    assert.equal((await loa.hooks.agreements()).length, 0);
  });
});
