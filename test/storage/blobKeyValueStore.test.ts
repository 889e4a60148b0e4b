import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStateStorage } from '../../bot/teams/stateStorage';
import { CreateOnlyStorage } from '../../bot/teams/createOnlyStorage';
import type { StateStorage } from '../../bot/teams/stateStorage';
import { startAzurite } from '../helpers/azurite';
import type { RunningAzurite } from '../helpers/azurite';

describe('blob state storage (Azurite)', () => {
  let azurite: RunningAzurite;
  let state: StateStorage;

  before(async function () {
    this.timeout(30_000);
    azurite = await startAzurite();
    state = createStateStorage({ kind: 'blob', connectionString: azurite.connectionString, accountUrl: undefined, container: `t${randomUUID().slice(0, 8)}`, managedIdentityClientId: undefined });
    await state.init();
  });
  after(() => azurite.stop());

  it('creates a key once: a second create of the same key is refused', async () => {
    const store = state.stores<{ n: number }>('claims');
    const key = `submission/${randomUUID()}`;
    const etag = await store.create(key, { n: 1 });
    assert.ok(etag, 'the first create answers with the version it wrote');
    assert.equal(await store.create(key, { n: 2 }), undefined);
    assert.deepEqual(await store.get(key), { value: { n: 1 }, etag });
  });

  it('lets exactly one of many concurrent creates win', async () => {
    const store = state.stores<{ by: number }>('claims');
    const key = `submission/${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, by) => store.create(key, { by })));
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('replaces only the version that was read', async () => {
    const store = state.stores<{ v: string }>('records');
    const key = randomUUID();
    await store.create(key, { v: 'a' });
    const read = (await store.get(key))!;
    const written = await store.replace(key, { v: 'b' }, read.etag);
    assert.ok(written);
    assert.equal(await store.replace(key, { v: 'c' }, read.etag), undefined, 'a stale version loses');
    assert.deepEqual(await store.get(key), { value: { v: 'b' }, etag: written });
  });

  it("lets a writer replace its own write with the etag it got, and no one else's", async () => {
    const store = state.stores<{ v: string }>('claims');
    const key = randomUUID();
    const mine = (await store.create(key, { v: 'claimed' }))!;
    const theirs = await store.replace(key, { v: 'interrupted' }, mine);
    assert.ok(theirs);
    assert.equal(await store.replace(key, { v: 'my outcome' }, mine), undefined, 'my claim was written over');
    assert.deepEqual((await store.get(key))?.value, { v: 'interrupted' });
  });

  it('answers undefined for a key it never stored, and keeps stores apart', async () => {
    assert.equal(await state.stores('records').get('nope'), undefined);
    await state.stores<string>('a').create('same', 'from a');
    assert.equal(await state.stores('b').get('same'), undefined);
  });

  describe('Teams SSO exchange de-duplication', () => {
    // TeamsSSOTokenExchangeMiddleware writes { eTag: exchangeId } and reads an "etag conflict" as a duplicate.
    const exchange = (id: string) => ({ [`msteams/conv-1/${id}`]: { eTag: id } });

    it('keeps the first exchange and refuses a duplicate, through create-only writes', async () => {
      const storage = new CreateOnlyStorage(state.stores('ssoExchanges'));
      const id = randomUUID();
      await storage.write(exchange(id));
      await assert.rejects(storage.write(exchange(id)), /etag conflict/i);
      await storage.write(exchange(randomUUID()));
    });

    it("would drop even the first exchange on botbuilder's BlobsStorage, which is why it is not used", async () => {
      await assert.rejects(state.conversation.write(exchange(randomUUID())), (err: Error) => /etag conflict|precondition/i.test(err.message));
    });
  });

  it('keeps conversation state in the same account', async () => {
    await state.conversation.write({ 'msteams/conversations/c1/loa': { draft: { id: 'd1' } } });
    const items = await state.conversation.read(['msteams/conversations/c1/loa']);
    assert.deepEqual((items['msteams/conversations/c1/loa'] as { draft: unknown }).draft, { id: 'd1' });
  });
});
