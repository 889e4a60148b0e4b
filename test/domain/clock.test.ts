import assert from 'node:assert/strict';
import { setTimeout as wait } from 'node:timers/promises';
import { withDeadline } from '../../bot/domain/clock';

describe('withDeadline, the bound on every outbound call (LOA API, Graph, Blob Storage)', () => {
  it('aborts a call that hangs, with a TimeoutError, after the time given', async () => {
    let seen: AbortSignal | undefined;
    const started = Date.now();
    await assert.rejects(
      withDeadline(50, (signal) => {
        seen = signal;
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      }),
      (err: Error) => err.name === 'TimeoutError',
    );
    assert.ok(Date.now() - started >= 45, 'not before its time');
    assert.equal(seen?.aborted, true);
  });

  it('stops its timer once the call is answered: the signal of a finished call never fires later', async () => {
    let seen: AbortSignal | undefined;
    let aborted = false;
    const answer = await withDeadline(30, (signal) => {
      seen = signal;
      signal.addEventListener('abort', () => (aborted = true));
      return Promise.resolve('answered');
    });
    assert.equal(answer, 'answered');
    await wait(80);
    assert.equal(aborted, false, 'no abort after the call settled');
    assert.equal(seen?.aborted, false);
  });

  it('stops it for a call that fails too, and passes the failure on as it is', async () => {
    let aborted = false;
    await assert.rejects(
      withDeadline(30, (signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return Promise.reject(new Error('refused'));
      }),
      /refused/,
    );
    await wait(80);
    assert.equal(aborted, false);
  });
});
