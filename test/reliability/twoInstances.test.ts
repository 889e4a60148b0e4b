import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { randomUUID } from 'node:crypto';
import type { Env } from '../../bot/config';
import { loadConfig } from '../../bot/config';
import { createStateStorage } from '../../bot/teams/stateStorage';
import type { StateStorageOptions } from '../../bot/teams/stateStorage';
import { ConversationHarness } from '../../testkit/conversation';
import { readableText } from '../../testkit/cards';
import { startAzurite } from '../helpers/azurite';
import { startCosmosDb } from '../helpers/cosmosDb';
import { openDistributorDraft, sendDistributorLoa } from '../../testkit/loaFlow';
import { distributorDetails } from '../../testkit/fixtures';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

interface RunningSharedStorage {
  /** The configuration that points an instance at `container` in this storage. */
  env(container: string): Env;
  options: StateStorageOptions;
  stop(): Promise<void>;
}

/** The stores the bot can share between instances, each on a local server. */
const SHARED_STORAGES: { name: string; start(): Promise<RunningSharedStorage> }[] = [
  {
    name: 'blob storage (Azurite)',
    async start() {
      const azurite = await startAzurite();
      return {
        env: (container) => ({ STATE_STORAGE: 'blob', STATE_BLOB_CONNECTION_STRING: azurite.connectionString, STATE_BLOB_CONTAINER: container }),
        options: {},
        stop: () => azurite.stop(),
      };
    },
  },
  {
    name: 'one Cosmos DB container (cosmosdb-server)',
    async start() {
      const cosmos = await startCosmosDb();
      return {
        env: (container) => ({ STATE_STORAGE: 'cosmos', STATE_COSMOS_ENDPOINT: cosmos.endpoint, STATE_COSMOS_KEY: cosmos.key, STATE_COSMOS_CONTAINER: container }),
        options: { cosmosAgent: cosmos.agent },
        stop: () => cosmos.stop(),
      };
    },
  },
];

for (const sharedStorage of SHARED_STORAGES) describe(`two bot instances sharing ${sharedStorage.name}`, () => {
  let storage: RunningSharedStorage;
  let loa: TestSandbox;
  let a: ConversationHarness;
  let b: ConversationHarness;

  /** A bot instance on the storage the config selects, as in production, reached with the test's options. */
  const startInstance = (env: Env) =>
    ConversationHarness.start(loa.url, loa, { env, overrides: { state: createStateStorage(loadConfig({ NODE_ENV: 'test', ...env }).storage, storage.options) } });

  before(async function () {
    this.timeout(60_000);
    storage = await sharedStorage.start();
    loa = await startTestSandbox();
    const env = storage.env(`two${randomUUID().slice(0, 8)}`);
    a = await startInstance(env);
    b = await startInstance(env);
  });
  after(async () => {
    await a.stop();
    await b.stop();
    await loa.close();
    await storage.stop();
  });

  it('continues on one instance a flow started on the other', async () => {
    const onA = a.rep();
    const onB = onA.via(b);
    const details = await openDistributorDraft(onA);
    const review = await onB.press(details, 'Review', distributorDetails({ signerName: 'Across Instances' }));
    assert.match(readableText(review), /Signer: Across Instances/);
    const sent = await onA.press(review, 'Send');
    assert.match(readableText(sent), /LOA sent/);
    const { cards } = await onB.says('my LOAs');
    assert.match(readableText(cards[0]!), /To Across Instances/, 'records are shared too');
  });

  it('creates exactly one agreement when both instances get the same Send at once', async () => {
    for (let round = 0; round < 5; round++) {
      const onA = a.rep();
      const onB = onA.via(b);
      const details = await openDistributorDraft(onA);
      const review = await onA.press(details, 'Review', distributorDetails({ signerName: `Race ${round}` }));
      const results = await Promise.all([onA.press(review, 'Send'), onB.press(review, 'Send'), onA.press(review, 'Send'), onB.press(review, 'Send')]);
      const mine = (await loa.hooks.agreements()).filter((x) => x.owner === onA.member.userPrincipalName);
      assert.equal(mine.length, 1, `round ${round}: one agreement`);
      for (const card of results) assert.match(readableText(card), new RegExp(`${mine[0]!.id}|Sending your LOA`), `round ${round}: every press shows that agreement or that it is on its way`);
    }
  });

  it('answers a Send still running on the other instance with its result, not a second agreement', async () => {
    const onA = a.rep();
    const onB = onA.via(b);
    const details = await openDistributorDraft(onA);
    const review = await onA.press(details, 'Review', distributorDetails({ signerName: 'Slow Race' }));
    await loa.hooks.setFaults({ create: { latencyMs: 1200 } });
    try {
      const first = onA.press(review, 'Send');
      await new Promise((r) => setTimeout(r, 300));
      const second = await onB.press(review, 'Send');
      assert.match(readableText(second), /LOA sent|Sending your LOA/);
      assert.match(readableText(await first), /LOA sent|Sending your LOA/);
    } finally {
      await loa.hooks.clearFaults();
    }
    const mine = async () => (await loa.hooks.agreements()).filter((x) => x.owner === onA.member.userPrincipalName);
    // The first Send may still be finishing in the background after its "Sending…".
    for (let waited = 0; (await mine()).length === 0 && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    // The card is updated once, by whichever instance holds the promise: the second press replaced the first's.
    const updates = () => [...a.teams.updated(onA.conversationId), ...b.teams.updated(onA.conversationId)];
    const told = () => [...a.teams.messages(onA.conversationId, /^LOA sent to Slow Race/), ...b.teams.messages(onA.conversationId, /^LOA sent to Slow Race/)];
    await a.teams.waitFor(() => updates().length > 0 && told().length > 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(updates().length, 1, 'the card updated once');
    assert.equal(told().length, 1, 'one "LOA sent" message');
    assert.equal((await mine()).length, 1);
  });

  describe('both polling statuses', () => {
    let c: ConversationHarness;
    let d: ConversationHarness;

    before(async () => {
      const env = { ...storage.env(`poll${randomUUID().slice(0, 8)}`), STATUS_POLL_FIRST_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '200' };
      c = await startInstance(env);
      d = await startInstance(env);
    });
    after(async () => {
      await c.stop();
      await d.stop();
    });

    it('tells the rep about each status change once, though both instances poll it', async function () {
      this.timeout(30_000);
      const reps = Array.from({ length: 8 }, (_, i) => c.rep(`Polled Rep ${"ABCDEFGH"[i]}`));
      for (const rep of reps) await sendDistributorLoa(rep);
      const agreements = (await loa.hooks.agreements()).filter((x) => reps.some((r) => r.member.userPrincipalName === x.owner));
      assert.equal(agreements.length, reps.length);
      // Wait until both instances are polling these agreements, then sign them all at once.
      await new Promise((r) => setTimeout(r, 300));
      await Promise.all(agreements.map((x) => loa.hooks.setStatus(x.id, 'VIEWED')));
      const news = (rep: (typeof reps)[number], pattern: RegExp) => c.teams.posted(rep.conversationId).filter((m) => pattern.test(String(m.text)));
      await c.teams.waitFor(() => reps.every((rep) => news(rep, /was opened by the signer/).length > 0), 10_000);
      await Promise.all(agreements.map((x) => loa.hooks.setStatus(x.id, 'SIGNED')));
      await c.teams.waitFor(() => reps.every((rep) => news(rep, /was signed/).length > 0), 10_000);
      // Give a second announcement time to arrive, were there one.
      await new Promise((r) => setTimeout(r, 600));
      for (const rep of reps) {
        assert.equal(news(rep, /was opened by the signer/).length, 1, 'one message for VIEWED');
        assert.equal(news(rep, /was signed/).length, 1, 'one message for SIGNED');
      }
    });
  });

  it('keeps each rep\'s agreements apart', async () => {
    const one = a.rep('One Rep');
    const two = b.rep('Two Rep');
    await sendDistributorLoa(one, { signerName: 'For One' });
    await sendDistributorLoa(two, { signerName: 'For Two' });
    const listOne = readableText((await one.via(b).says('my LOAs')).cards[0]!);
    assert.match(listOne, /For One/);
    assert.doesNotMatch(listOne, /For Two/);
  });

  it('tells the chat once per outcome when 20 presses of Send, then of Delete, are spread over both instances', async function () {
    this.timeout(60_000);
    const onA = a.rep();
    const onB = onA.via(b);
    const messages = (pattern: RegExp) => [...a.teams.messages(onA.conversationId, pattern), ...b.teams.messages(onA.conversationId, pattern)];
    const details = await openDistributorDraft(onA);
    const review = await onA.press(details, 'Review', distributorDetails({ signerName: 'Announced Once' }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? onA : onB).press(review, 'Send')));
    const mine = (await loa.hooks.agreements()).filter((x) => x.owner === onA.member.userPrincipalName);
    assert.equal(mine.length, 1, 'one agreement');
    await new Promise((r) => setTimeout(r, 1500)); // any follow-up still on its way
    assert.equal(messages(/^LOA sent to /).length, 1, 'one "LOA sent" message across both instances');

    const list = (await onA.says('my LOAs')).cards[0]!;
    const confirm = await onA.press(list, 'Delete');
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? onA : onB).press(confirm, 'Delete')));
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(messages(/is deleted/), [`LOA ${defaultRef(mine[0]!.id)} to Announced Once is deleted.`]);
  });
});
