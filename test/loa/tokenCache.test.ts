import assert from 'node:assert/strict';
import type { AccessToken } from '../../bot/loa/contract';
import { TokenCache } from '../../bot/loa/tokenCache';
import { ManualClock } from '../helpers/manualClock';

/** A token source that hands out tok-1, tok-2, … and counts the calls. */
function tokenSource(expiresInS = 3600): { fetch: () => Promise<AccessToken>; calls: () => number } {
  let calls = 0;
  return {
    fetch: () => {
      calls += 1;
      return Promise.resolve({ value: `tok-${calls}`, expiresInS });
    },
    calls: () => calls,
  };
}

describe('token cache', function () {
  it('refreshes a long-lived token at most a minute before it expires', async function () {
    const clock = new ManualClock();
    const cache = new TokenCache(clock);
    const source = tokenSource(3600);
    await cache.get('rep', source.fetch);

    clock.advance(3539_000);
    assert.equal(await cache.get('rep', source.fetch), 'tok-1');
    clock.advance(1000);
    assert.equal(await cache.get('rep', source.fetch), 'tok-2');
  });

  it('refreshes a short-lived token at 90% of its life', async function () {
    const clock = new ManualClock();
    const cache = new TokenCache(clock);
    const source = tokenSource(100);
    await cache.get('rep', source.fetch);

    clock.advance(89_999);
    assert.equal(await cache.get('rep', source.fetch), 'tok-1');
    clock.advance(1);
    assert.equal(await cache.get('rep', source.fetch), 'tok-2');
  });

  it('does not keep a failed fetch: the next request tries again', async function () {
    const cache = new TokenCache(new ManualClock());
    const failure = new Error('token endpoint down');

    const results = await Promise.allSettled([cache.get('rep', () => Promise.reject(failure)), cache.get('rep', () => Promise.reject(new Error('second fetch')))]);

    assert.deepEqual(results, [
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
    assert.equal(await cache.get('rep', tokenSource().fetch), 'tok-1');
  });

  it('drops a refused token but keeps a newer one that already replaced it', async function () {
    const cache = new TokenCache(new ManualClock());
    const source = tokenSource();
    await cache.get('rep', source.fetch);

    cache.invalidate('rep', 'tok-1');
    assert.equal(await cache.get('rep', source.fetch), 'tok-2');
    cache.invalidate('rep', 'tok-1');
    assert.equal(await cache.get('rep', source.fetch), 'tok-2');
    assert.equal(source.calls(), 2);
  });

  it('evicts the oldest principal once it holds maxEntries tokens', async function () {
    const cache = new TokenCache(new ManualClock(), 2);
    const sources = { a: tokenSource(), b: tokenSource(), c: tokenSource() };
    await cache.get('a', sources.a.fetch);
    await cache.get('b', sources.b.fetch);
    await cache.get('c', sources.c.fetch);

    assert.equal(cache.size, 2);
    await cache.get('b', sources.b.fetch);
    await cache.get('c', sources.c.fetch);
    await cache.get('a', sources.a.fetch);
    assert.deepEqual([sources.a.calls(), sources.b.calls(), sources.c.calls()], [2, 1, 1]);
  });
});
