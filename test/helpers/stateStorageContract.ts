import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TeamsSSOTokenExchangeMiddleware, TestAdapter } from 'botbuilder';
import type { Activity } from 'botbuilder';
import { CreateOnlyStorage } from '../../bot/teams/createOnlyStorage';
import type { StateStorage } from '../../bot/teams/stateStorage';

/**
 * What exactly-once sending and SSO de-duplication need from a shared store, run against
 * any StateStorage: `state()` is called inside each test, after the suite's `before`.
 */
export function itKeepsTheStateStorageContract(state: () => StateStorage): void {
  it('creates a key once: a second create of the same key is refused', async () => {
    const store = state().stores<{ n: number }>('claims');
    const key = `submission/${randomUUID()}`;
    const etag = await store.create(key, { n: 1 });
    assert.ok(etag, 'the first create answers with the version it wrote');
    assert.equal(await store.create(key, { n: 2 }), undefined);
    assert.deepEqual(await store.get(key), { value: { n: 1 }, etag });
  });

  it('hands out values nobody can change: not the writer through its object, not a reader through what it read', async () => {
    const store = state().stores<{ records: Array<{ id: string }> }>('records');
    const key = randomUUID();
    const written = { records: [{ id: 'a' }] };
    await store.create(key, written);
    written.records.push({ id: 'written later' });
    const read = (await store.get(key))!;
    assert.throws(() => read.value.records.push({ id: 'pushed by a reader' }), TypeError);
    assert.throws(() => {
      read.value.records[0]!.id = 'changed by a reader';
    }, TypeError);
    assert.deepEqual((await store.get(key))?.value, { records: [{ id: 'a' }] });
  });

  it('lets exactly one of many concurrent creates win', async () => {
    const store = state().stores<{ by: number }>('claims');
    const key = `submission/${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, by) => store.create(key, { by })));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.findIndex(Boolean);
    assert.deepEqual((await store.get(key))?.value, { by: winner }, 'the stored value is the winner\'s');
  });

  it('replaces only the version that was read', async () => {
    const store = state().stores<{ v: string }>('records');
    const key = randomUUID();
    await store.create(key, { v: 'a' });
    const read = (await store.get(key))!;
    const written = await store.replace(key, { v: 'b' }, read.etag);
    assert.ok(written);
    assert.equal(await store.replace(key, { v: 'c' }, read.etag), undefined, 'a stale version loses');
    assert.deepEqual(await store.get(key), { value: { v: 'b' }, etag: written });
  });

  it('lets exactly one of many concurrent replaces of the same version win', async () => {
    const store = state().stores<{ by: number }>('records');
    const key = randomUUID();
    const read = (await store.create(key, { by: -1 }))!;
    const results = await Promise.all(Array.from({ length: 20 }, (_, by) => store.replace(key, { by }, read)));
    assert.equal(results.filter(Boolean).length, 1);
  });

  it("lets a writer replace its own write with the etag it got, and no one else's", async () => {
    const store = state().stores<{ v: string }>('claims');
    const key = randomUUID();
    const mine = (await store.create(key, { v: 'claimed' }))!;
    const theirs = await store.replace(key, { v: 'interrupted' }, mine);
    assert.ok(theirs);
    assert.equal(await store.replace(key, { v: 'my outcome' }, mine), undefined, 'my claim was written over');
    assert.deepEqual((await store.get(key))?.value, { v: 'interrupted' });
  });

  it('answers undefined for a key it never stored, refuses to replace it, and keeps stores apart', async () => {
    assert.equal(await state().stores('records').get('nope'), undefined);
    assert.equal(await state().stores('records').replace(`nope-${randomUUID()}`, 'x', 'any-etag'), undefined);
    const same = `same-${randomUUID()}`;
    await state().stores<string>('a').create(same, 'from a');
    assert.equal(await state().stores('b').get(same), undefined);
  });

  it('keeps keys with characters that storage names may not hold', async () => {
    const store = state().stores<string>('records');
    const key = `a/b\\c?d#e %2F ${randomUUID()}`;
    assert.ok(await store.create(key, 'odd'));
    assert.equal((await store.get(key))?.value, 'odd');
    assert.equal(await store.get('a/b\\c?d#e %2F'), undefined);
  });

  it('keeps conversation state, and refuses a write over a version it did not read', async () => {
    const key = `msteams/conversations/${randomUUID()}/loa`;
    await state().conversation.write({ [key]: { draft: { id: 'd1' } } });
    const first = (await state().conversation.read([key]))[key] as { draft: unknown; eTag: string };
    assert.deepEqual(first.draft, { id: 'd1' });
    await state().conversation.write({ [key]: { draft: { id: 'd2' }, eTag: first.eTag } });
    await assert.rejects(state().conversation.write({ [key]: { draft: { id: 'stale' }, eTag: first.eTag } }));
    assert.deepEqual(((await state().conversation.read([key]))[key] as { draft: unknown }).draft, { id: 'd2' });
  });

  describe('Teams SSO exchange de-duplication', () => {
    const CONNECTION = 'teams-sso';
    // TeamsSSOTokenExchangeMiddleware writes { eTag: exchangeId } and reads an "etag conflict" as a duplicate.
    const exchange = (id: string) => ({ [`msteams/conv-1/${id}`]: { eTag: id } });

    it('keeps the first exchange and refuses a duplicate, through create-only writes', async () => {
      const storage = new CreateOnlyStorage(state().stores('ssoExchanges'));
      const id = randomUUID();
      await storage.write(exchange(id));
      await assert.rejects(storage.write(exchange(id)), /etag conflict/i);
      await storage.write(exchange(randomUUID()));
    });

    it('runs the turn once when two Teams clients send the same token exchange at once', async () => {
      let turns = 0;
      const adapter = new TestAdapter(
        async (context) => {
          turns++;
          await context.sendActivity({ type: 'invokeResponse', value: { status: 200 } });
        },
        { channelId: 'msteams', conversation: { id: `conv-${randomUUID()}`, conversationType: 'personal', isGroup: false, name: '' }, from: { id: '29:rep', name: 'Rep' } },
      );
      adapter.use(new TeamsSSOTokenExchangeMiddleware(new CreateOnlyStorage(state().stores('ssoExchanges')), CONNECTION));
      adapter.addExchangeableToken(CONNECTION, 'msteams', '29:rep', 'teams-client-token', 'exchanged-token');
      const tokenExchange: Partial<Activity> = { type: 'invoke', name: 'signin/tokenExchange', value: { id: randomUUID(), connectionName: CONNECTION, token: 'teams-client-token' } };

      await Promise.all([adapter.processActivity(tokenExchange), adapter.processActivity(tokenExchange)]);

      assert.equal(turns, 1, 'the turn ran for one exchange only');
      const statuses = adapter.activeQueue.filter((a) => a.type === 'invokeResponse').map((a) => (a.value as { status: number }).status);
      assert.deepEqual(statuses, [200, 200], 'both clients are answered 200');
    });
  });
}
