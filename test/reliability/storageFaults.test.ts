import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { randomUUID } from 'node:crypto';
import type { AdaptiveCard } from '../../cards/render';
import { ConversationHarness } from '../../testkit/conversation';
import { actionsOf, inputsOf, readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { startAzurite } from '../helpers/azurite';
import type { RunningAzurite } from '../helpers/azurite';
import { reviewDistributorDraft, sendDistributorLoa } from '../../testkit/loaFlow';
import { distributorDetails } from '../../testkit/fixtures';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';
import { StorageFaultProxy } from '../helpers/storageFaultProxy';

/**
 * The bot on Blob Storage (Azurite) behind a proxy that fails storage the way Azure does:
 * throttling (503), errors (500) and requests that never answer.
 */
describe('when storage fails', function () {
  this.timeout(90_000);
  let azurite: RunningAzurite;
  let proxy: StorageFaultProxy;
  let loa: TestSandbox;
  let h: ConversationHarness;
  const unhandled: unknown[] = [];
  const countUnhandled = (reason: unknown) => void unhandled.push(reason);

  before(async () => {
    process.on('unhandledRejection', countUnhandled);
    azurite = await startAzurite();
    proxy = await StorageFaultProxy.forConnectionString(azurite.connectionString);
    loa = await startTestSandbox();
    h = await ConversationHarness.start(loa.url, loa, {
      env: { STATE_STORAGE: 'blob', STATE_BLOB_CONNECTION_STRING: proxy.proxied(azurite.connectionString), STATE_BLOB_CONTAINER: `sf${randomUUID().slice(0, 8)}`, STATUS_POLL_FIRST_MS: '200' },
    });
  });
  after(async () => {
    process.off('unhandledRejection', countUnhandled);
    await h.stop();
    await loa.close();
    await proxy.stop();
    await azurite.stop();
  });
  afterEach(async () => {
    proxy.plan = {};
    await loa.hooks.clearFaults();
  });

  const owned = async (rep: RepSession) => (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);

  it('says nothing was sent when it cannot claim the draft, keeps the draft, and sends once when storage is back', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep, { signerName: 'Storage Was Down' });
    proxy.plan = { pathIncludes: '/kv/submissions', methods: ['PUT'], rates: { '503': 1 } };
    const started = Date.now();
    const refused = await rep.press(review, 'Send');
    assert.ok(Date.now() - started < 12_000, `answered in ${Date.now() - started} ms`);
    assert.match(readableText(refused), /I couldn't save that\nMy storage did not answer just now, so nothing was sent or changed/);
    assert.equal((await owned(rep)).length, 0, 'nothing reached the LOA API');

    proxy.plan = {};
    const back = await rep.press(refused, 'Back to my draft');
    assert.equal(actionsOf(back).some((a) => a.title === 'Review'), true, 'back on the draft');
    assert.equal(inputsOf(back).signerName, 'Storage Was Down', 'with everything typed');
    const sent = await rep.press(await rep.press(back, 'Review', distributorDetails({ signerName: 'Storage Was Down' })), 'Send');
    assert.match(readableText(sent), /LOA sent/);
    assert.equal((await owned(rep)).length, 1);
  });

  it('answers a turn within Teams\' time when storage hangs, and says nothing new was sent', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep);
    proxy.plan = { rates: { hang: 1 } };
    const started = Date.now();
    const answer = await rep.press(review, 'Send');
    const ms = Date.now() - started;
    assert.ok(ms < 15_000, `answered in ${ms} ms`);
    // The chat state cannot be read: the rep is told it is storage, and what to do.
    assert.match(readableText(answer), /I couldn't save that\nMy storage did not answer just now, so nothing was sent or changed. Your draft is kept/);
    assert.equal((await owned(rep)).length, 0);
  });

  it('tells a rep who types while storage hangs that storage did not answer, not that something went wrong', async () => {
    const rep = h.rep();
    await rep.says('hello');
    proxy.plan = { rates: { hang: 1 } };
    const started = Date.now();
    const reply = await rep.says('my LOAs');
    assert.ok(Date.now() - started < 15_000, `answered in ${Date.now() - started} ms`);
    assert.deepEqual(reply.texts, ['My storage did not answer just now, so nothing was sent or changed. Try again in a minute.']);
    proxy.plan = {};
    assert.match(readableText((await rep.says('my LOAs')).cards[0]!), /^Your LOAs/);
  });

  it('keeps the record of an agreement the API created while storage refused to write it, and shows it once storage is back', async () => {
    const rep = h.rep();
    const review = await reviewDistributorDraft(rep, { signerName: 'Recorded Later' });
    // The claim goes through; every write of the rep's records is refused for a while.
    proxy.plan = { pathIncludes: '/kv/agreements', methods: ['PUT'], next: Array.from({ length: 6 }, () => '503' as const) };
    const sent = await rep.press(review, 'Send');
    assert.match(readableText(sent), /LOA sent/, 'the rep is told the truth at once');
    const [agreement] = await owned(rep);
    assert.ok(agreement);
    const deadline = Date.now() + 20_000;
    let listed = '';
    while (Date.now() < deadline && !listed.includes(`ref ${defaultRef(agreement.id)}`)) {
      listed = readableText((await rep.says('my LOAs')).cards[0]!);
      if (!listed.includes(`ref ${defaultRef(agreement.id)}`)) await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(listed, /To Recorded Later/, 'the record was written once storage took it');
    assert.equal((await owned(rep)).length, 1, 'and nothing was sent twice');
  });

  it('says nothing was deleted when it cannot claim the delete, and deletes once when storage is back', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep);
    const [agreement] = await owned(rep);
    const confirm = await rep.press((await rep.says('my LOAs')).cards[0]!, 'Delete');
    proxy.plan = { pathIncludes: '/kv/deletions', methods: ['PUT'], rates: { '500': 1 } };
    const deletesBefore = (await loa.hooks.calls()).delete;
    const refused = await rep.press(confirm, 'Delete');
    assert.match(readableText(refused), /nothing was sent or changed/);
    assert.equal((await loa.hooks.calls()).delete, deletesBefore, 'no DELETE reached the API');
    proxy.plan = {};
    assert.match(readableText(await rep.press(confirm, 'Delete')), /LOA deleted/);
    assert.equal((await loa.hooks.agreements()).find((a) => a.id === agreement!.id)!.status, 'DELETED');
  });

  it('tells the chat once that an LOA is deleted when storage fails the write of the outcome', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Outcome Not Written' });
    const [agreement] = await owned(rep);
    const confirm = await rep.press((await rep.says('my LOAs')).cards[0]!, 'Delete');
    // The claim goes through; the outcome's write fails all three of the client's tries.
    proxy.plan = { pathIncludes: '/kv/deletions', methods: ['PUT'], next: ['pass', '503', '503', '503'] };
    assert.match(readableText(await rep.press(confirm, 'Delete')), /^LOA deleted/);
    assert.equal((await loa.hooks.agreements()).find((a) => a.id === agreement!.id)!.status, 'DELETED');
    await h.teams.waitFor(() => h.teams.messages(rep.conversationId, /is deleted\.$/).length === 1, 5_000);
    // Pressed again later, and storage well: the outcome is known, and nobody is told twice.
    await new Promise((r) => setTimeout(r, 1500));
    assert.match(readableText(await rep.press(confirm, 'Delete')), /^LOA deleted|^Already/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(h.teams.messages(rep.conversationId, /is deleted\.$/).length, 1, 'told once');
  });

  it('says an LOA is deleted, and tells the chat, when storage fails as the bot names it afterwards', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Named After Delete' });
    const [agreement] = await owned(rep);
    const confirm = await rep.press((await rep.says('my LOAs')).cards[0]!, 'Delete');
    // The ownership check reads the owner index first; the read that finds the LOA's short ref, after the DELETE, fails.
    proxy.plan = { pathIncludes: '/kv/agreementOwners', methods: ['GET'], next: ['pass', '503', '503', '503'] };
    const answer = readableText(await rep.press(confirm, 'Delete'));
    assert.match(answer, /^LOA deleted/, `the rep is told what happened, not that nothing changed: ${answer}`);
    assert.equal((await loa.hooks.agreements()).find((a) => a.id === agreement!.id)!.status, 'DELETED');
    await h.teams.waitFor(() => h.teams.messages(rep.conversationId, /is deleted\.$/).length === 1, 5_000);
  });

  it('does not leave a Delete at "Deleting…" when its claim write hangs past the answer', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep);
    const confirm = await rep.press((await rep.says('my LOAs')).cards[0]!, 'Delete');
    proxy.plan = { pathIncludes: '/kv/deletions', methods: ['PUT'], next: ['hang'] };
    const deletesBefore = (await loa.hooks.calls()).delete;
    assert.match(readableText(await rep.press(confirm, 'Delete')), /Deleting…/);
    await h.teams.waitFor(() => h.teams.updated(rep.conversationId).some((u) => u.activityId === rep.cardIdOf(confirm)), 15_000);
    const update = h.teams.updated(rep.conversationId).filter((u) => u.activityId === rep.cardIdOf(confirm)).at(-1)!;
    const card = (update.body as { attachments: Array<{ content: AdaptiveCard }> }).attachments[0]!.content;
    assert.match(readableText(card), /nothing was deleted/);
    assert.equal((await loa.hooks.calls()).delete, deletesBefore, 'no DELETE was sent');
  });

  it('keeps polling statuses through storage errors, without an unhandled rejection', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Polled Through' });
    const [agreement] = await owned(rep);
    proxy.plan = { pathIncludes: '/kv/statusWatch', rates: { '503': 0.5, '500': 0.3 } };
    await new Promise((r) => setTimeout(r, 2000));
    proxy.plan = {};
    await loa.hooks.setStatus(agreement!.id, 'SIGNED');
    await h.teams.waitFor(() => h.teams.messages(rep.conversationId, /Polled Through.*was signed/).length === 1, 20_000);
    assert.deepEqual(unhandled, []);
  });
});
