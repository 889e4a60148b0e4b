import assert from 'node:assert/strict';
import axios from 'axios';
import { API_ERROR_CODES, PATHS } from '../../../../bot/loa/contract';
import type { FaultPlan } from '../../../../deploy/local/sandbox/faults';
import type { WireAgreement } from '../../../../deploy/local/sandbox/sandboxServer';
import { FaultInjector, parseFaultPlan } from '../../../../deploy/local/sandbox/faults';
import type { ApiErrorAnswer, TestSandbox } from '../../../../testkit/sandbox';
import { bearer, startTestSandbox, validCreateBody } from '../../../../testkit/sandbox';
import { scriptedRandom, seededRandom } from '../../../../testkit/seededRandom';

/** The failure axios reports when no answer arrives at all. */
async function noAnswer(request: Promise<unknown>): Promise<string | undefined> {
  try {
    await request;
  } catch (err) {
    assert.ok(axios.isAxiosError(err), `expected an axios error, got ${String(err)}`);
    assert.equal(err.response, undefined);
    return err.code;
  }
  assert.fail('the request was answered');
}

describe('LOA sandbox fault injection', () => {
  let t: TestSandbox;
  let token: string;

  const create = () => t.api.post<WireAgreement & Partial<ApiErrorAnswer>>(PATHS.agreements, validCreateBody(), bearer(token));
  const storedCount = async () => (await t.hooks.agreements()).length;

  beforeEach(async () => {
    t = await startTestSandbox();
    token = await t.tokenFor('rep.customer@example.com');
  });

  afterEach(async () => {
    await t.close();
    assert.deepEqual(t.contractFailures, []);
  });

  describe('queued faults on create', () => {
    it('answers 429 RATE_LIMITED with Retry-After before storing anything, then serves the next request', async () => {
      await t.hooks.setFaults({ create: { next: ['429'], retryAfterS: 7 } });

      const limited = await create();
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['retry-after'], '7');
      assert.equal(limited.data.code, API_ERROR_CODES.rateLimited);
      assert.equal(await storedCount(), 0);

      assert.equal((await create()).status, 201);
      assert.equal(await storedCount(), 1);
    });

    it('gives Retry-After 1 when the plan sets none', async () => {
      await t.hooks.setFaults({ create: { next: ['429'] } });
      assert.equal((await create()).headers['retry-after'], '1');
    });

    it('answers 503 SERVICE_UNAVAILABLE before storing anything', async () => {
      await t.hooks.setFaults({ create: { next: ['503'] } });

      const response = await create();

      assert.equal(response.status, 503);
      assert.equal(response.data.code, API_ERROR_CODES.unavailable);
      assert.equal(await storedCount(), 0);
    });

    it('answers 500 INTERNAL_ERROR after the agreement was stored, as the worst case for duplicates', async () => {
      await t.hooks.setFaults({ create: { next: ['500'] } });

      const response = await create();

      assert.equal(response.status, 500);
      assert.equal(response.data.code, API_ERROR_CODES.internal);
      const stored = await t.hooks.agreements();
      assert.equal(stored.length, 1);
      assert.equal(stored[0]?.status, 'SENT');
    });

    it('resets the connection after the agreement was stored', async () => {
      await t.hooks.setFaults({ create: { next: ['reset'] } });

      assert.equal(await noAnswer(create()), 'ECONNRESET');
      assert.equal(await storedCount(), 1);
    });

    it('never answers after the agreement was stored, until the client gives up', async () => {
      await t.hooks.setFaults({ create: { next: ['hang'] } });

      const started = Date.now();
      const code = await noAnswer(t.api.post(PATHS.agreements, validCreateBody(), { ...bearer(token), timeout: 300 }));

      assert.equal(code, 'ECONNABORTED');
      assert.ok(Date.now() - started >= 290);
      assert.equal(await storedCount(), 1);
    });

    it('serves queued faults in order, one per request', async () => {
      await t.hooks.setFaults({ create: { next: ['503', '429', '500'] } });
      const statuses = [(await create()).status, (await create()).status, (await create()).status, (await create()).status];
      assert.deepEqual(statuses, [503, 429, 500, 201]);
    });
  });

  describe('faults on token, get and delete strike before processing', () => {
    it('answers 503 to a token request without issuing a token', async () => {
      await t.hooks.setFaults({ token: { next: ['503'] } });
      const response = await t.api.post(PATHS.impersonateToken, new URLSearchParams({ grant_type: 'user_token', client_id: t.clientId, client_secret: t.clientSecret, email: 'a@example.com' }));
      assert.equal(response.status, 503);
      assert.equal(response.data.access_token, undefined);
    });

    it('answers 500 to a delete and leaves the agreement in place', async () => {
      const created = await create();
      await t.hooks.setFaults({ delete: { next: ['500'] } });

      assert.equal((await t.api.delete(PATHS.agreement(created.data.id), bearer(token))).status, 500);

      assert.equal((await t.api.get(PATHS.agreement(created.data.id), bearer(token))).status, 200);
    });

    it('resets a get without an answer', async () => {
      const created = await create();
      await t.hooks.setFaults({ get: { next: ['reset'] } });
      assert.equal(await noAnswer(t.api.get(PATHS.agreement(created.data.id), bearer(token))), 'ECONNRESET');
    });

    it('closes promptly while a request hangs, failing that request', async () => {
      await t.hooks.setFaults({ get: { next: ['hang'] } });
      const hanging = noAnswer(t.api.get(PATHS.agreement('any'), { ...bearer(token), timeout: 0 }));
      await new Promise((resolve) => setTimeout(resolve, 50));

      const started = Date.now();
      await t.sandbox.close();

      assert.ok(Date.now() - started < 1000, 'close() waited for the hanging request');
      assert.ok(await hanging);
    });
  });

  describe('plan semantics', () => {
    it("lets a route's settings win over '*', and drains the route's queue before the one under '*'", async () => {
      await t.hooks.setFaults({ '*': { retryAfterS: 9, next: ['429', '429'] }, create: { retryAfterS: 3, next: ['503'] } });

      const fromRouteQueue = await create();
      const fromStarQueue = await create();
      const tokenFromStarQueue = await t.api.post(PATHS.impersonateToken, new URLSearchParams({ grant_type: 'user_token', client_id: t.clientId, client_secret: t.clientSecret, email: 'a@example.com' }));

      assert.equal(fromRouteQueue.status, 503);
      assert.deepEqual([fromStarQueue.status, fromStarQueue.headers['retry-after']], [429, '3']);
      assert.deepEqual([tokenFromStarQueue.status, tokenFromStarQueue.headers['retry-after']], [429, '9']);
      assert.equal((await create()).status, 201);
    });

    it('adds the configured latency before answering', async () => {
      await t.hooks.setFaults({ '*': { latencyMs: 150 } });
      const started = Date.now();
      await create();
      assert.ok(Date.now() - started >= 145, `answered after ${Date.now() - started} ms`);
    });

    it('counts every request per route, faulted ones included, and not the hooks', async () => {
      await t.hooks.setFaults({ create: { next: ['429', '503'] } });
      await create();
      await create();
      const created = await create();
      await t.api.get(PATHS.agreement(created.data.id), bearer(token));
      await t.api.delete(PATHS.agreement(created.data.id), bearer(token));

      assert.deepEqual(await t.hooks.calls(), { token: 1, create: 3, get: 1, delete: 1 });
    });

    it('does not fault the test hooks', async () => {
      await t.hooks.setFaults({ '*': { rates: { '503': 1 } } });
      assert.deepEqual(await t.hooks.agreements(), []);
      assert.equal((await create()).status, 503);
    });

    it('clears the plan', async () => {
      await t.hooks.setFaults({ '*': { rates: { '503': 1 } } });
      await t.hooks.clearFaults();
      assert.equal((await create()).status, 201);
    });

    it('refuses an invalid plan with 400 and keeps the current one', async () => {
      await t.hooks.setFaults({ create: { next: ['503'] } });

      const invalid = [{ create: { next: ['418'] } }, { create: { rates: { '500': 0.7, '503': 0.6 } } }, { post: {} }];
      for (const plan of invalid) {
        const response = await axios.put(`${t.url}/_sandbox/faults`, plan, { validateStatus: () => true });
        assert.equal(response.status, 400, JSON.stringify(plan));
      }
      assert.equal((await create()).status, 503);
    });

    it('copies the plan it is given, so draining the queue leaves the caller’s object alone', () => {
      const plan: FaultPlan = { create: { next: ['503'] } };
      t.sandbox.setFaults(plan);
      assert.deepEqual(plan, { create: { next: ['503'] } });
    });
  });

  describe('rates', () => {
    it('rolls the rates cumulatively in the order 429, 500, 503, hang, reset', () => {
      const injector = new FaultInjector({ get: { rates: { '429': 0.1, '500': 0.2, '503': 0.3, hang: 0.1, reset: 0.1 } } }, scriptedRandom(0.05, 0.15, 0.45, 0.65, 0.75, 0.85));
      const faults = Array.from({ length: 6 }, () => injector.nextFault('get'));
      assert.deepEqual(faults, ['429', '500', '503', 'hang', 'reset', undefined]);
    });

    it('injects faults over HTTP exactly as the injected random decides', async () => {
      await t.close();
      t = await startTestSandbox({ random: scriptedRandom(0.1, 0.45, 0.7, 0.95) });
      token = await t.tokenFor('a@example.com');
      await t.hooks.setFaults({ create: { rates: { '429': 0.3, '500': 0.3, '503': 0.3 } } });

      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await create()).status);

      assert.deepEqual(statuses, [429, 500, 503, 201]);
      assert.equal(await storedCount(), 2, 'the 500 and the 201 both stored an agreement');
    });

    it('repeats the same fault sequence for the same seed', async () => {
      const SEED = 20260302;
      await t.close();
      t = await startTestSandbox({ random: seededRandom(SEED), faults: { get: { rates: { '503': 0.4 } } } });
      token = await t.tokenFor('a@example.com');

      const expectedRoll = seededRandom(SEED);
      const expected = Array.from({ length: 25 }, () => (expectedRoll() < 0.4 ? 503 : 404));
      const actual = [];
      for (let i = 0; i < 25; i += 1) actual.push((await t.api.get(PATHS.agreement('unknown'), bearer(token))).status);

      assert.deepEqual(actual, expected);
      assert.ok(actual.includes(503) && actual.includes(404), 'the seed should produce both outcomes');
    });
  });

  describe('LOA_SANDBOX_FAULTS', () => {
    it('names every problem of an invalid plan', () => {
      assert.throws(
        () => parseFaultPlan({ create: { latencyMs: -1, next: ['boom'] }, everything: {} }, 'fault plan in LOA_SANDBOX_FAULTS'),
        (err: Error) =>
          /LOA_SANDBOX_FAULTS/.test(err.message) && /create\.latencyMs/.test(err.message) && /create\.next\.0/.test(err.message) && /everything/.test(err.message),
      );
    });

    it('starts with the plan it is given', async () => {
      await t.close();
      t = await startTestSandbox({ faults: parseFaultPlan(JSON.parse('{"token":{"next":["503"]}}')) });
      const response = await t.api.post(PATHS.impersonateToken, new URLSearchParams({ grant_type: 'user_token', client_id: t.clientId, client_secret: t.clientSecret, email: 'a@example.com' }));
      assert.equal(response.status, 503);
    });
  });
});
