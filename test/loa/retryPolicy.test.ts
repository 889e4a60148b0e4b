import assert from 'node:assert/strict';
import type { LoaOperation } from '../../bot/loa/loaApiError';
import { backoffDelay, isSafeToRetry, mayHaveTakenEffect, parseRetryAfter } from '../../bot/loa/retryPolicy';
import type { NetworkFailure } from '../../bot/loa/retryPolicy';

describe('LOA retry policy', function () {
  describe('which failures are sent again', function () {
    const failures: (number | NetworkFailure)[] = [400, 401, 404, 429, 500, 502, 503, 504, 'refused', 'reset', 'timeout'];
    const expected: Record<LoaOperation, (number | NetworkFailure)[]> = {
      create: [429, 503, 'refused'],
      token: [429, 502, 503, 504, 'refused', 'reset', 'timeout'],
      get: [429, 502, 503, 504, 'refused', 'reset', 'timeout'],
      delete: [429, 502, 503, 504, 'refused', 'reset', 'timeout'],
    };

    for (const [operation, retried] of Object.entries(expected) as [LoaOperation, (number | NetworkFailure)[]][]) {
      it(`resends ${operation} only after ${retried.join(', ')}`, function () {
        assert.deepEqual(
          failures.filter((failure) => isSafeToRetry(operation, failure)),
          retried,
        );
      });
    }
  });

  it('treats a create as possibly created after a server error or a lost answer, not after a refusal', function () {
    const failures: (number | NetworkFailure)[] = [400, 401, 429, 500, 502, 503, 504, 'refused', 'reset', 'timeout'];

    assert.deepEqual(
      failures.filter((failure) => mayHaveTakenEffect(failure)),
      [500, 502, 504, 'reset', 'timeout'],
    );
  });

  describe('Retry-After', function () {
    const now = Date.parse('2026-03-02T09:00:00.000Z');

    it('reads seconds', function () {
      assert.equal(parseRetryAfter('3', now), 3000);
      assert.equal(parseRetryAfter('0', now), 0);
    });

    it('reads an HTTP date relative to the clock, and a past date as no wait', function () {
      assert.equal(parseRetryAfter('Mon, 02 Mar 2026 09:00:05 GMT', now), 5000);
      assert.equal(parseRetryAfter('Mon, 02 Mar 2026 08:59:00 GMT', now), 0);
    });

    it('ignores a missing or unreadable header', function () {
      for (const header of [undefined, '', '  ', 'soon', 42]) assert.equal(parseRetryAfter(header, now), undefined, String(header));
    });
  });

  describe('backoff', function () {
    const options = { baseMs: 200, capMs: 1000, random: () => 1 };

    it('doubles with each attempt up to the cap', function () {
      assert.deepEqual([0, 1, 2, 3, 10].map((attempt) => backoffDelay(attempt, undefined, options)), [200, 400, 800, 1000, 1000]);
    });

    it('jitters over the whole interval', function () {
      assert.equal(backoffDelay(2, undefined, { ...options, random: () => 0 }), 0);
      assert.equal(backoffDelay(2, undefined, { ...options, random: () => 0.25 }), 200);
    });

    it('never waits less than Retry-After', function () {
      assert.equal(backoffDelay(0, 5000, options), 5000);
      assert.equal(backoffDelay(3, 100, options), 1000);
    });
  });
});
