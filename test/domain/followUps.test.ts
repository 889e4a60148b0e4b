import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FollowUps, NotHeld } from '../../bot/domain/followUps';
import type { PendingFollowUp } from '../../bot/domain/followUps';
import { MemoryKeyValueStore } from '../../bot/domain/keyValueStore';

/**
 * The stored promises of "this card updates when it is done". A Retry, or Delete pressed
 * again, promises again for the same draft or agreement: the first promise's delivery must
 * neither forget the second nor deliver in its place.
 */
describe('promised results in storage', () => {
  let now = 1_000_000;
  const clock = { now: () => now };
  const origin = { reference: { conversation: { id: 'a:chat' } } };
  const promise = { kind: 'send', id: 'draft-1', owner: 'tenant/rep', origin } as const;
  let followUps: FollowUps;

  beforeEach(() => {
    now = 1_000_000;
    followUps = new FollowUps(new MemoryKeyValueStore(), clock);
  });

  it('keeps a Retry\'s promise when the first Send\'s delivery finishes after it, and refuses that delivery a hold', async () => {
    const first = await followUps.add(promise);
    now += 1_000;
    const retry = await followUps.add(promise);
    await followUps.remove(first);
    assert.equal((await followUps.get(promise))?.promiseId, retry.promiseId, "the Retry's promise is still there");
    await assert.rejects(followUps.lease(first, 20_000), NotHeld);
    await followUps.lease(retry, 20_000);
  });

  it('does not let a redelivery take a promise its instance holds, and lets it once the hold ends', async () => {
    const held = await followUps.add(promise);
    await followUps.lease(held, 90_000);
    now += 60_000;
    assert.deepEqual(await followUps.due(30_000), [], 'not due while held');
    assert.equal(await followUps.take(promise), undefined, 'not taken while held');
    now += 40_000;
    assert.equal((await followUps.take(promise))?.promiseId, held.promiseId);
    await assert.rejects(followUps.lease(held, 20_000), NotHeld, 'its instance learns it was taken');
  });

  it('does not redeliver a promise whose chat is gone, until the rep writes there again', async () => {
    await followUps.add(promise);
    const taken = (await followUps.take(promise))!;
    await followUps.restore({ ...taken, chatGone: true });
    now += 120_000;
    assert.deepEqual(await followUps.due(60_000), []);
    assert.equal((await followUps.get(promise))?.chatGone, true, "kept for the rep's next turn");
  });
});

describe('promised results under load, and across the change to 32 shards', () => {
  const clock = { now: () => 1_000_000 };
  const origin = { reference: { conversation: { id: 'a:chat' } } };
  const promiseFor = (id: string) => ({ kind: 'send', id, owner: 'tenant/rep', origin }) as const;

  it('stores every promise when 300 reps get "Sending…" at the same moment', async () => {
    // Each promise rewrites one shard with an etag; with 8 shards about 37 writers met on one
    // document, past the 20 tries a write gets, and the rep's result waited for a redelivery.
    const followUps = new FollowUps(new MemoryKeyValueStore(), clock);
    const ids = Array.from({ length: 300 }, (_, i) => `draft-${i}`);
    const outcomes = await Promise.allSettled(ids.map((id) => followUps.add(promiseFor(id))));
    assert.deepEqual(outcomes.filter((o) => o.status === 'rejected'), []);
    assert.equal((await followUps.due(0)).length, 300);
  });

  it('finds, holds, delivers and forgets a promise stored by the release with 8 shards', async () => {
    const store = new MemoryKeyValueStore<{ entries: PendingFollowUp[] }>();
    const followUps = new FollowUps(store, clock);
    // The 8-shard release stored a promise in followUps/<first byte of its id's SHA-256 % 8>.
    const byte = (id: string) => createHash('sha256').update(id).digest()[0]!;
    const id = Array.from({ length: 50 }, (_, i) => `draft-old-${i}`).find((x) => byte(x) % 32 >= 8)!;
    const legacy: PendingFollowUp = { ...promiseFor(id), since: 900_000, promiseId: 'p-old' };
    await store.create(`followUps/${byte(id) % 8}`, { entries: [legacy] });

    assert.deepEqual(await followUps.due(0), [legacy], 'the redelivery loop sees it');
    assert.equal((await followUps.get(legacy))?.promiseId, 'p-old', "the rep's next turn finds it");
    await followUps.lease(legacy, 20_000);
    assert.deepEqual(await followUps.due(0), [], 'not redelivered while its instance holds it');
    await followUps.release(legacy);
    const taken = await followUps.take(legacy);
    assert.equal(taken?.promiseId, 'p-old', 'taken once');
    assert.equal(await followUps.take(legacy), undefined, 'and only once');
    await followUps.restore(taken);
    assert.equal((await followUps.get(legacy))?.promiseId, 'p-old', 'a failed delivery puts it back');
    await followUps.remove(legacy);
    assert.equal(await followUps.get(legacy), undefined, 'delivered: forgotten');
    assert.deepEqual(await followUps.due(0), []);
  });
});
