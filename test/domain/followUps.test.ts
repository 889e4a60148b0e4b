import assert from 'node:assert/strict';
import { FollowUps, NotHeld } from '../../bot/domain/followUps';
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
