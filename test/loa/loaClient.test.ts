import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import type { AgreementRequest } from '../../bot/domain/agreement';
import { PATHS } from '../../bot/loa/contract';
import { LoaApiError } from '../../bot/loa/loaApiError';
import type { LoaOperation } from '../../bot/loa/loaApiError';
import { GET_UNSUPPORTED_FOR_MS, LoaClient } from '../../bot/loa/loaClient';
import type { LoaClientOptions, LoaPrincipal } from '../../bot/loa/loaClient';
import { LoaPrincipals } from '../../bot/loa/principals';
import { createLogger } from '../../bot/logger';
import type { FaultPlan, SandboxOptions, SandboxRoute } from '../../deploy/local/sandbox/sandboxServer';
import { ManualClock } from '../helpers/manualClock';
import { conformanceInterceptor } from '../../testkit/openApi';
import { DISTRIBUTOR_FORM_DATA, startTestSandbox } from '../../testkit/sandbox';
import { DISTRIBUTOR_TEMPLATE_ID } from '../../testkit/fixtures';
import type { TestSandbox } from '../../testkit/sandbox';
import { seededRandom } from '../../testkit/seededRandom';

const TOKEN_TTL_S = 3600;

interface ClientRig {
  client: LoaClient;
  /** The client's transport, for tests that need to intercept what goes over the wire. */
  http: AxiosInstance;
  /** Every wait the client asked for, in order; none of them is actually waited. */
  delays: number[];
  logLines: string[];
  /** Every access token the sandbox handed to this client. */
  issuedTokens: string[];
}

interface Rig extends ClientRig {
  sandbox: TestSandbox;
  clock: ManualClock;
}

type ClientSettings = Pick<LoaClientOptions, 'baseUrl' | 'clientId' | 'clientSecret'> & Partial<LoaClientOptions>;

const openSandboxes: TestSandbox[] = [];
const contractFailureLists: string[][] = [];

function captureLogs(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter((line) => line !== ''));
      done();
    },
  });
}

/** A real LoaClient whose every answer is checked against the contract and whose waits are recorded, not slept. */
function createClient(settings: ClientSettings, logLines: string[] = []): ClientRig {
  // No keep-alive: a pooled socket that the sandbox destroys would fail the next request.
  const http = axios.create({ httpAgent: new Agent({ keepAlive: false }) });
  const issuedTokens: string[] = [];
  http.interceptors.response.use((response) => {
    const token: unknown = (response.data as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token === 'string') issuedTokens.push(token);
    return response;
  });
  contractFailureLists.push(conformanceInterceptor(http));
  const delays: number[] = [];
  const client = new LoaClient({
    timeoutMs: 2000,
    maxRetries: 3,
    logger: createLogger({ level: 'trace' }, captureLogs(logLines)),
    http,
    random: () => 0.5,
    delay: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    ...settings,
  });
  return { client, http, delays, logLines, issuedTokens };
}

interface RigOptions {
  sandbox?: Partial<SandboxOptions>;
  client?: Partial<LoaClientOptions>;
}

/** A sandbox and a client sharing one ManualClock, unless `sandbox.clock` gives the sandbox its own. */
async function startRig(options: RigOptions = {}): Promise<Rig> {
  const clock = new ManualClock();
  const sandbox = await startTestSandbox({ clock, tokenTtlS: TOKEN_TTL_S, random: seededRandom(7), ...options.sandbox });
  openSandboxes.push(sandbox);
  const rig = createClient({ baseUrl: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, clock, ...options.client });
  return { ...rig, sandbox, clock };
}

function rep(email: string): LoaPrincipal {
  return new LoaPrincipals({ mode: 'impersonate', impersonateAs: 'upn' }).forTurn({ tenantId: 'tenant-1', objectId: `oid-${email}`, upn: email, name: email });
}

function idTokenPrincipal(key: string, idToken: string): LoaPrincipal {
  return { key, grant: () => Promise.resolve({ type: 'id_token', idToken }) };
}

/** A cIAM id_token for `email`, signed by the rig's sandbox, expiring `lifetimeS` from the rig's clock. */
function idTokenFor(rig: Rig, email: string, lifetimeS = 3600): Promise<string> {
  return rig.sandbox.sandbox.mintCiamIdToken({ sub: `sub-${email}`, email, exp: Math.floor(rig.clock.now() / 1000) + lifetimeS });
}

const alice = rep('alice@se.com');
const bob = rep('bob@se.com');

function agreementRequest(overrides: Partial<AgreementRequest> = {}): AgreementRequest {
  return {
    templateId: DISTRIBUTOR_TEMPLATE_ID,
    signer: { name: 'Signer Example', email: 'example@example.com' },
    formData: DISTRIBUTOR_FORM_DATA.map((f) => ({ ...f })),
    ...overrides,
  };
}

function withFormValue(name: string, value: string): AgreementRequest {
  const request = agreementRequest();
  return { ...request, formData: [...request.formData.filter((f) => f.name !== name), { name, value }] };
}

async function rejectionOf(call: Promise<unknown>): Promise<LoaApiError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (err) {
    assert.ok(err instanceof LoaApiError, `expected a LoaApiError, got ${inspect(err)}`);
    return err;
  }
  return assert.fail(`expected the call to fail, it returned ${inspect(outcome)}`);
}

/** The parts of a LoaApiError a caller acts on, for one deepEqual per error. */
function summary(err: LoaApiError): Record<string, unknown> {
  return { operation: err.operation, status: err.status, code: err.code, retryable: err.retryable, outcomeUnknown: err.outcomeUnknown };
}

async function callCount(rig: Rig, route: SandboxRoute): Promise<number> {
  return (await rig.sandbox.hooks.calls())[route];
}

describe('LOA client', function () {
  afterEach(async function () {
    await Promise.all(openSandboxes.splice(0).map((sandbox) => sandbox.close()));
    const failures = contractFailureLists.splice(0).flat();
    assert.deepEqual(failures, [], 'every answer the client saw must conform to bot/loa/openapi.yaml');
  });

  describe('tokens', function () {
    it('acts as the impersonated rep with a user_token grant', async function () {
      const rig = await startRig();

      const agreement = await rig.client.createAgreement(rep('Rep.One@se.com'), agreementRequest());

      const stored = await rig.sandbox.hooks.agreements();
      assert.deepEqual(stored.map((a) => [a.id, a.owner]), [[agreement.id, 'rep.one@se.com']]);
    });

    it("acts as the id_token's identity with an id_token grant", async function () {
      const rig = await startRig();
      const principal = idTokenPrincipal('tenant-1:oid-carol', await idTokenFor(rig, 'carol@se.com'));

      const agreement = await rig.client.createAgreement(principal, agreementRequest());

      const stored = await rig.sandbox.hooks.agreements();
      assert.deepEqual(stored.map((a) => [a.id, a.owner]), [[agreement.id, 'carol@se.com']]);
      assert.equal(await callCount(rig, 'token'), 1);
    });

    it('reuses the cached token for the same rep', async function () {
      const rig = await startRig();

      await rig.client.createAgreement(alice, agreementRequest());
      await rig.client.createAgreement(alice, agreementRequest());

      assert.equal(await callCount(rig, 'token'), 1);
      assert.equal(await callCount(rig, 'create'), 2);
    });

    it('fetches a separate token for each rep', async function () {
      const rig = await startRig();

      await rig.client.createAgreement(alice, agreementRequest());
      await rig.client.createAgreement(bob, agreementRequest());
      await rig.client.createAgreement(alice, agreementRequest());

      assert.equal(await callCount(rig, 'token'), 2);
      assert.equal(new Set(rig.issuedTokens).size, 2);
      const owners = (await rig.sandbox.hooks.agreements()).map((a) => a.owner);
      assert.deepEqual(owners, ['alice@se.com', 'bob@se.com', 'alice@se.com']);
    });

    it('shares one token call between concurrent requests for the same rep', async function () {
      const rig = await startRig();
      let grants = 0;
      const principal: LoaPrincipal = {
        key: 'tenant-1:oid-dave',
        grant: () => {
          grants += 1;
          return Promise.resolve({ type: 'user_token', email: 'dave@se.com' });
        },
      };

      const created = await Promise.all(Array.from({ length: 10 }, () => rig.client.createAgreement(principal, agreementRequest())));

      assert.equal(new Set(created.map((a) => a.id)).size, 10);
      assert.equal(await callCount(rig, 'token'), 1);
      assert.equal(grants, 1);
    });

    it('keeps using a token well within its lifetime', async function () {
      const rig = await startRig();

      await rig.client.createAgreement(alice, agreementRequest());
      rig.clock.advance((TOKEN_TTL_S / 2) * 1000);
      await rig.client.createAgreement(alice, agreementRequest());

      assert.equal(await callCount(rig, 'token'), 1);
    });

    it('fetches a new token once the cached one has expired, without the caller seeing a 401', async function () {
      const rig = await startRig();

      await rig.client.createAgreement(alice, agreementRequest());
      rig.clock.advance(TOKEN_TTL_S * 1000 + 1);
      await rig.client.createAgreement(alice, agreementRequest());

      assert.deepEqual(await rig.sandbox.hooks.calls(), { token: 2, create: 2, get: 0, delete: 0 });
      assert.equal(new Set(rig.issuedTokens).size, 2);
    });

    it('refreshes a token shortly before it expires', async function () {
      const rig = await startRig();

      await rig.client.createAgreement(alice, agreementRequest());
      rig.clock.advance((TOKEN_TTL_S - 10) * 1000);
      await rig.client.createAgreement(alice, agreementRequest());

      assert.deepEqual(await rig.sandbox.hooks.calls(), { token: 2, create: 2, get: 0, delete: 0 });
    });

    it('recovers with exactly one refresh when the API has forgotten the token', async function () {
      const rig = await startRig();
      await rig.client.createAgreement(alice, agreementRequest());
      await rig.sandbox.hooks.reset();

      const agreement = await rig.client.createAgreement(alice, agreementRequest());

      assert.deepEqual(await rig.sandbox.hooks.calls(), { token: 1, create: 2, get: 0, delete: 0 });
      assert.deepEqual((await rig.sandbox.hooks.agreements()).map((a) => a.id), [agreement.id]);
    });

    it('shares one refresh between concurrent requests refused with the same stale token', async function () {
      const rig = await startRig();
      await rig.client.createAgreement(alice, agreementRequest());
      await rig.sandbox.hooks.reset();

      await Promise.all(Array.from({ length: 10 }, () => rig.client.createAgreement(alice, agreementRequest())));

      assert.deepEqual(await rig.sandbox.hooks.calls(), { token: 1, create: 20, get: 0, delete: 0 });
      assert.equal((await rig.sandbox.hooks.agreements()).length, 10);
    });

    it("recovers with exactly one refresh when the API's clock says the token has expired", async function () {
      const sandboxClock = new ManualClock();
      const rig = await startRig({ sandbox: { clock: sandboxClock } });
      await rig.client.createAgreement(alice, agreementRequest());
      sandboxClock.advance(TOKEN_TTL_S * 1000);

      await rig.client.createAgreement(alice, agreementRequest());

      assert.deepEqual(await rig.sandbox.hooks.calls(), { token: 2, create: 3, get: 0, delete: 0 });
      assert.equal((await rig.sandbox.hooks.agreements()).length, 2);
    });

    it('gives up with a 401 when the refreshed token is refused as well', async function () {
      const sandboxClock = new ManualClock();
      const rig = await startRig({ sandbox: { clock: sandboxClock } });
      // The API's clock jumps past the token lifetime before every agreement call: no token ever works.
      rig.http.interceptors.request.use((config) => {
        if (config.url?.startsWith(PATHS.agreements)) sandboxClock.advance(TOKEN_TTL_S * 1000);
        return config;
      });

      const err = await rejectionOf(rig.client.createAgreement(alice, agreementRequest()));

      assert.deepEqual(summary(err), { operation: 'create', status: 401, code: 'UNAUTHORIZED', retryable: false, outcomeUnknown: false });
      assert.equal(err.message, 'The access token has expired');
      assert.deepEqual(await rig.sandbox.hooks.calls(), { token: 2, create: 2, get: 0, delete: 0 });
      assert.deepEqual(await rig.sandbox.hooks.agreements(), []);
    });

    it('fails on the token call with 401 invalid_client when the client secret is wrong', async function () {
      const rig = await startRig({ client: { clientSecret: 'not-the-secret' } });

      const err = await rejectionOf(rig.client.createAgreement(alice, agreementRequest()));

      assert.deepEqual(summary(err), { operation: 'token', status: 401, code: 'invalid_client', retryable: false, outcomeUnknown: false });
      assert.equal(err.message, 'Unknown client or wrong client secret');
      assert.deepEqual(await rig.sandbox.hooks.calls(), { token: 1, create: 0, get: 0, delete: 0 });
    });

    it('fails on the token call with invalid_grant when the id_token has expired', async function () {
      const rig = await startRig();
      const expired = await idTokenFor(rig, 'carol@se.com', -60);

      const err = await rejectionOf(rig.client.createAgreement(idTokenPrincipal('tenant-1:oid-carol', expired), agreementRequest()));

      assert.deepEqual(summary(err), { operation: 'token', status: 400, code: 'invalid_grant', retryable: false, outcomeUnknown: false });
      assert.match(err.message, /expired/);
      assert.equal(await callCount(rig, 'create'), 0);
    });
  });

  describe('agreements', function () {
    it('creates an agreement and maps the answer to a domain Agreement', async function () {
      const rig = await startRig();
      const request = agreementRequest();

      const agreement = await rig.client.createAgreement(alice, request);

      const [stored] = await rig.sandbox.hooks.agreements();
      assert.ok(stored);
      assert.deepEqual(agreement, {
        id: stored.id,
        templateId: DISTRIBUTOR_TEMPLATE_ID,
        status: 'SENT',
        createdAt: new Date(rig.clock.now()).toISOString(),
        signer: request.signer,
        formData: request.formData,
      });
    });

    it('sends cc, form data, notification, email subject and message and the previous agreement to the API', async function () {
      const rig = await startRig();
      const previous = await rig.client.createAgreement(alice, agreementRequest());
      const request = agreementRequest({
        signer: { name: 'Jeanne Martin', email: 'jeanne.martin@example.com' },
        cc: { name: 'Paul Durand', email: 'paul.durand@example.com' },
        formData: [...agreementRequest().formData, { name: 'specialTerms', value: 'Net 60.\nFreight included.' }],
        notification: { isEnabled: true, emails: ['alice@se.com', 'sales-ops@se.com'] },
        emailSubject: 'Your distributor pricing agreement',
        emailMessage: 'Hello Jeanne,\nplease review and sign.',
        previousAgreementId: previous.id,
      });

      const agreement = await rig.client.createAgreement(alice, request);

      const stored = (await rig.sandbox.hooks.agreements()).find((a) => a.id === agreement.id);
      assert.ok(stored);
      assert.deepEqual(
        {
          signer: stored.signer,
          cc: stored.cc,
          formData: stored.formData,
          notification: stored.notification,
          emailSubject: stored.emailSubject,
          emailMessage: stored.emailMessage,
          previousAgreementId: stored.previousAgreementId,
        },
        {
          signer: request.signer,
          cc: request.cc,
          formData: request.formData,
          notification: request.notification,
          emailSubject: request.emailSubject,
          emailMessage: request.emailMessage,
          previousAgreementId: previous.id,
        },
      );
      assert.deepEqual(agreement.cc, request.cc);
      assert.equal(agreement.previousAgreementId, previous.id);
    });

    it('reads an agreement back with its current status', async function () {
      const rig = await startRig();
      const created = await rig.client.createAgreement(alice, agreementRequest());
      await rig.sandbox.hooks.setStatus(created.id, 'VIEWED');

      const agreement = await rig.client.getAgreement(alice, created.id);

      assert.deepEqual(agreement, { ...created, status: 'VIEWED' });
      assert.equal(rig.client.canGetAgreement, true);
    });

    it('deletes an agreement', async function () {
      const rig = await startRig();
      const created = await rig.client.createAgreement(alice, agreementRequest());

      await rig.client.deleteAgreement(alice, created.id);

      const stored = await rig.sandbox.hooks.agreements();
      assert.deepEqual(stored.map((a) => [a.id, a.status]), [[created.id, 'DELETED']]);
    });
  });

  describe('API errors', function () {
    const validationCases: { name: string; request: () => AgreementRequest; details: { field: string; message: string }[] }[] = [
      {
        name: 'a bad signer email',
        request: () => agreementRequest({ signer: { name: 'Signer Example', email: 'not-an-email' } }),
        details: [{ field: 'signer.email', message: 'must be a valid email address' }],
      },
      {
        name: 'an unknown template',
        request: () => agreementRequest({ templateId: 'no-such-template' }),
        details: [{ field: 'templateId', message: 'is not a known template' }],
      },
      {
        name: 'a form field the template does not have',
        request: () => withFormValue('favouriteColour', 'green'),
        details: [{ field: 'formData.favouriteColour', message: 'is not a field of template "Distributor pricing agreement"' }],
      },
      {
        name: 'a form value that is too long',
        request: () => withFormValue('customerName', 'A'.repeat(121)),
        details: [{ field: 'formData.customerName', message: 'must be at most 120 characters' }],
      },
      {
        name: 'an email subject that is too long',
        request: () => agreementRequest({ emailSubject: 'S'.repeat(201) }),
        details: [{ field: 'emailSubject', message: 'must be at most 200 characters' }],
      },
    ];

    for (const { name, request, details } of validationCases) {
      it(`reports ${name} as a 400 naming the field, without retrying`, async function () {
        const rig = await startRig();

        const err = await rejectionOf(rig.client.createAgreement(alice, request()));

        assert.deepEqual(summary(err), { operation: 'create', status: 400, code: 'VALIDATION_ERROR', retryable: false, outcomeUnknown: false });
        assert.equal(err.message, 'The agreement request has 1 problem');
        assert.deepEqual(err.details, details);
        assert.equal(await callCount(rig, 'create'), 1);
        assert.deepEqual(await rig.sandbox.hooks.agreements(), []);
      });
    }

    it('reports every problem of a request at once', async function () {
      const rig = await startRig();
      const request = { ...withFormValue('discountPercent', '75'), signer: { name: '', email: 'not-an-email' } };

      const err = await rejectionOf(rig.client.createAgreement(alice, request));

      assert.equal(err.message, 'The agreement request has 3 problems');
      assert.deepEqual(
        err.details.map((d) => d.field),
        ['signer.name', 'signer.email', 'formData.discountPercent'],
      );
    });

    it('reports a body over 1 MB as 413 PAYLOAD_TOO_LARGE', async function () {
      const rig = await startRig();

      const err = await rejectionOf(rig.client.createAgreement(alice, withFormValue('specialTerms', 'x'.repeat(1024 * 1024 + 1))));

      assert.deepEqual(summary(err), { operation: 'create', status: 413, code: 'PAYLOAD_TOO_LARGE', retryable: false, outcomeUnknown: false });
      assert.deepEqual(await rig.sandbox.hooks.agreements(), []);
    });

    for (const operation of ['get', 'delete'] as const) {
      it(`reports an unknown id on ${operation} as 404 AGREEMENT_NOT_FOUND`, async function () {
        const rig = await startRig();

        const err = await rejectionOf(
          operation === 'get' ? rig.client.getAgreement(alice, 'no-such-agreement') : rig.client.deleteAgreement(alice, 'no-such-agreement'),
        );

        assert.deepEqual(summary(err), { operation, status: 404, code: 'AGREEMENT_NOT_FOUND', retryable: false, outcomeUnknown: false });
        assert.equal(err.message, 'There is no agreement no-such-agreement');
        assert.equal(await callCount(rig, operation), 1);
      });
    }

    for (const operation of ['get', 'delete'] as const) {
      it(`refuses to ${operation} another identity's agreement with 403 FORBIDDEN`, async function () {
        const rig = await startRig();
        const created = await rig.client.createAgreement(alice, agreementRequest());

        const err = await rejectionOf(operation === 'get' ? rig.client.getAgreement(bob, created.id) : rig.client.deleteAgreement(bob, created.id));

        assert.deepEqual(summary(err), { operation, status: 403, code: 'FORBIDDEN', retryable: false, outcomeUnknown: false });
        assert.equal(err.message, 'The agreement belongs to another identity');
        assert.deepEqual((await rig.sandbox.hooks.agreements()).map((a) => a.status), ['SENT']);
      });
    }

    it('reports NOT_SUPPORTED after a 405 and does not ask again for ten minutes', async function () {
      const rig = await startRig();
      const created = await rig.client.createAgreement(alice, agreementRequest());
      await rig.sandbox.hooks.setCapabilities({ getAgreement: false });

      const first = await rejectionOf(rig.client.getAgreement(alice, created.id));
      rig.clock.advance(GET_UNSUPPORTED_FOR_MS - 1);
      const second = await rejectionOf(rig.client.getAgreement(alice, created.id));

      for (const err of [first, second]) {
        assert.deepEqual(summary(err), { operation: 'get', status: undefined, code: 'NOT_SUPPORTED', retryable: false, outcomeUnknown: false });
      }
      assert.equal(rig.client.canGetAgreement, false);
      assert.equal(await callCount(rig, 'get'), 1);
      assert.deepEqual(rig.delays, []);
    });

    it('asks again ten minutes after a 405, and reads the status once the API offers GET again', async function () {
      const rig = await startRig();
      const created = await rig.client.createAgreement(alice, agreementRequest());
      await rig.sandbox.hooks.setCapabilities({ getAgreement: false });
      await rejectionOf(rig.client.getAgreement(alice, created.id));
      await rig.sandbox.hooks.setCapabilities({ getAgreement: true });
      await rig.sandbox.hooks.setStatus(created.id, 'VIEWED');

      rig.clock.advance(GET_UNSUPPORTED_FOR_MS);

      assert.equal(rig.client.canGetAgreement, true);
      assert.equal((await rig.client.getAgreement(alice, created.id)).status, 'VIEWED');
      assert.equal(rig.client.canGetAgreement, true);
      assert.equal(await callCount(rig, 'get'), 2);
    });

    it('turns status checks off again for the configured time when the API still refuses GET', async function () {
      const rig = await startRig({ client: { getUnsupportedForMs: 60_000 } });
      const created = await rig.client.createAgreement(alice, agreementRequest());
      await rig.sandbox.hooks.setCapabilities({ getAgreement: false });
      await rejectionOf(rig.client.getAgreement(alice, created.id));

      rig.clock.advance(60_000);
      assert.equal(rig.client.canGetAgreement, true, 'the time is up: the next call asks');
      assert.equal((await rejectionOf(rig.client.getAgreement(alice, created.id))).code, 'NOT_SUPPORTED');
      assert.equal(rig.client.canGetAgreement, false);
      rig.clock.advance(59_999);
      await rejectionOf(rig.client.getAgreement(alice, created.id));

      assert.equal(await callCount(rig, 'get'), 2, 'one probe per period');
    });
  });

  describe('retries of token, get and delete', function () {
    /** Runs one call of `operation` for alice, creating the agreement that get and delete need first. */
    async function callFor(rig: Rig, operation: 'token' | 'get' | 'delete', faults: FaultPlan): Promise<unknown> {
      if (operation === 'token') {
        await rig.sandbox.hooks.setFaults(faults);
        return rig.client.createAgreement(alice, agreementRequest());
      }
      const { id } = await rig.client.createAgreement(alice, agreementRequest());
      await rig.sandbox.hooks.setFaults(faults);
      return operation === 'get' ? rig.client.getAgreement(alice, id) : rig.client.deleteAgreement(alice, id);
    }

    for (const operation of ['token', 'get', 'delete'] as const) {
      it(`waits at least Retry-After before retrying a rate-limited ${operation} call`, async function () {
        const rig = await startRig();

        await callFor(rig, operation, { [operation]: { next: ['429'], retryAfterS: 3 } });

        assert.equal(rig.delays.length, 1);
        assert.ok(rig.delays[0]! >= 3000, `waited ${rig.delays[0]} ms, Retry-After asked for 3000`);
        assert.equal(await callCount(rig, operation), 2);
      });

      it(`retries a 503 on ${operation} up to maxRetries, then fails as retryable`, async function () {
        const rig = await startRig({ client: { maxRetries: 2 } });

        const err = await rejectionOf(callFor(rig, operation, { [operation]: { next: ['503', '503', '503', '503'] } }));

        assert.deepEqual(summary(err), { operation, status: 503, code: 'SERVICE_UNAVAILABLE', retryable: true, outcomeUnknown: false });
        assert.equal(await callCount(rig, operation), 3);
        assert.equal(rig.delays.length, 2);
      });

      it(`retries a dropped connection on ${operation} up to maxRetries, then fails as retryable`, async function () {
        const rig = await startRig({ client: { maxRetries: 2 } });

        const err = await rejectionOf(callFor(rig, operation, { [operation]: { next: ['reset', 'reset', 'reset', 'reset'] } }));

        // A delete whose answer never came may have deleted all the same; token and get change nothing.
        assert.deepEqual(summary(err), { operation, status: undefined, code: 'NETWORK_ERROR', retryable: true, outcomeUnknown: operation === 'delete' });
        assert.equal(await callCount(rig, operation), 3);
      });

      it(`succeeds when a flaky ${operation} call recovers before the retry limit`, async function () {
        const rig = await startRig({ client: { maxRetries: 3 } });

        await callFor(rig, operation, { [operation]: { next: ['503', 'reset', '429'] } });

        assert.equal(await callCount(rig, operation), 4);
        assert.equal(rig.delays.length, 3);
      });
    }

    it('retries a call that timed out', async function () {
      const rig = await startRig({ client: { timeoutMs: 300 } });
      const created = await rig.client.createAgreement(alice, agreementRequest());
      await rig.sandbox.hooks.setFaults({ get: { next: ['hang'] } });

      const agreement = await rig.client.getAgreement(alice, created.id);

      assert.equal(agreement.id, created.id);
      assert.equal(await callCount(rig, 'get'), 2);
    });

    it('backs off exponentially between retries', async function () {
      const rig = await startRig({ client: { maxRetries: 3, backoffBaseMs: 100, backoffCapMs: 10_000, random: () => 1 } });

      await callFor(rig, 'get', { get: { next: ['503', '503', '503'] } });

      assert.deepEqual(rig.delays, [100, 200, 400]);
    });

    it('fails as retryable without waiting when Retry-After is longer than the client will wait', async function () {
      const rig = await startRig({ client: { maxRetryAfterMs: 2000 } });

      const err = await rejectionOf(callFor(rig, 'get', { get: { next: ['429'], retryAfterS: 60 } }));

      assert.deepEqual(summary(err), { operation: 'get', status: 429, code: 'RATE_LIMITED', retryable: true, outcomeUnknown: false });
      assert.equal(err.retryAfterMs, 60_000);
      assert.deepEqual(rig.delays, []);
      assert.equal(await callCount(rig, 'get'), 1);
    });
  });

  describe('creating without duplicates', function () {
    const unknownOutcomes: { fault: 'reset' | 'hang'; code: string }[] = [
      { fault: 'reset', code: 'NETWORK_ERROR' },
      { fault: 'hang', code: 'TIMEOUT' },
    ];

    it('does not resend a create answered with 500, and reports that it may have been created', async function () {
      const rig = await startRig();
      await rig.client.token(alice);
      await rig.sandbox.hooks.setFaults({ create: { next: ['500'] } });

      const err = await rejectionOf(rig.client.createAgreement(alice, agreementRequest()));

      assert.deepEqual(summary(err), { operation: 'create', status: 500, code: 'INTERNAL_ERROR', retryable: false, outcomeUnknown: true });
      assert.equal(await callCount(rig, 'create'), 1);
      assert.equal((await rig.sandbox.hooks.agreements()).length, 1);
      assert.deepEqual(rig.delays, []);
    });

    for (const { fault, code } of unknownOutcomes) {
      it(`does not resend a create that got no answer (${fault}), and reports ${code} with an unknown outcome`, async function () {
        const rig = await startRig({ client: { timeoutMs: 300 } });
        await rig.client.token(alice);
        await rig.sandbox.hooks.setFaults({ create: { next: [fault] } });

        const err = await rejectionOf(rig.client.createAgreement(alice, agreementRequest()));

        assert.deepEqual(summary(err), { operation: 'create', status: undefined, code, retryable: false, outcomeUnknown: true });
        assert.equal(await callCount(rig, 'create'), 1);
        assert.equal((await rig.sandbox.hooks.agreements()).length, 1);
        assert.deepEqual(rig.delays, []);
      });
    }

    it('reports a create the API accepted but whose answer cannot be read as possibly created', async function () {
      const rig = await startRig();
      // Registered after the contract check, which sees the real answer: this stands for an API that drifted from the contract.
      rig.http.interceptors.response.use((response) =>
        response.config.method === 'post' && response.config.url === PATHS.agreements ? { ...response, data: { agreementId: 'a-1' } } : response,
      );

      const err = await rejectionOf(rig.client.createAgreement(alice, agreementRequest()));

      assert.deepEqual(summary(err), { operation: 'create', status: 201, code: 'BAD_RESPONSE', retryable: false, outcomeUnknown: true });
      assert.equal(await callCount(rig, 'create'), 1);
      assert.equal((await rig.sandbox.hooks.agreements()).length, 1);
    });

    it('resends a create rejected with 503 and 429 and creates exactly one agreement', async function () {
      const rig = await startRig();
      await rig.sandbox.hooks.setFaults({ create: { next: ['503', '429'], retryAfterS: 2 } });

      const agreement = await rig.client.createAgreement(alice, agreementRequest());

      assert.equal(await callCount(rig, 'create'), 3);
      assert.deepEqual((await rig.sandbox.hooks.agreements()).map((a) => a.id), [agreement.id]);
      assert.equal(rig.delays.length, 2);
      assert.ok(rig.delays[1]! >= 2000, `waited ${rig.delays[1]} ms after the 429, Retry-After asked for 2000`);
    });

    it('fails as retryable with a known outcome when every create is rejected before processing', async function () {
      const rig = await startRig({ client: { maxRetries: 2 } });
      await rig.sandbox.hooks.setFaults({ create: { next: ['503', '429', '503'] } });

      const err = await rejectionOf(rig.client.createAgreement(alice, agreementRequest()));

      assert.deepEqual(summary(err), { operation: 'create', status: 503, code: 'SERVICE_UNAVAILABLE', retryable: true, outcomeUnknown: false });
      assert.equal(await callCount(rig, 'create'), 3);
      assert.deepEqual(await rig.sandbox.hooks.agreements(), []);
    });

    it('never creates a duplicate under random faults', async function () {
      const rig = await startRig({ client: { maxRetries: 3 }, sandbox: { random: seededRandom(20260302) } });
      await rig.sandbox.hooks.setFaults({ create: { rates: { '429': 0.08, '500': 0.07, '503': 0.08, reset: 0.07 }, retryAfterS: 1 } });
      const outcomes: { signer: string; agreementId?: string; error?: LoaApiError }[] = [];

      for (let i = 1; i <= 40; i++) {
        const signer = `Signer ${i}`;
        try {
          const agreement = await rig.client.createAgreement(alice, agreementRequest({ signer: { name: signer, email: `signer${i}@example.com` } }));
          outcomes.push({ signer, agreementId: agreement.id });
        } catch (err) {
          assert.ok(err instanceof LoaApiError, inspect(err));
          outcomes.push({ signer, error: err });
        }
      }

      const stored = await rig.sandbox.hooks.agreements();
      const storedBySigner = new Map<string, string[]>();
      for (const a of stored) storedBySigner.set(a.signer.name, [...(storedBySigner.get(a.signer.name) ?? []), a.id]);
      for (const [signer, ids] of storedBySigner) assert.equal(ids.length, 1, `${signer} was created ${ids.length} times`);
      for (const outcome of outcomes) {
        const ids = storedBySigner.get(outcome.signer) ?? [];
        if (outcome.agreementId) assert.deepEqual(ids, [outcome.agreementId], `${outcome.signer} succeeded`);
        else if (!outcome.error?.outcomeUnknown) assert.deepEqual(ids, [], `${outcome.signer} failed with a known outcome`);
      }
      // The seed must exercise both paths, or the test proves nothing.
      assert.ok(rig.delays.length > 0, 'no create was resent');
      assert.ok(outcomes.some((o) => o.error?.outcomeUnknown), 'no create ended with an unknown outcome');
      assert.ok(outcomes.filter((o) => o.agreementId).length >= 20, 'too few creates succeeded to be meaningful');
    });

    it('resends a create when the connection is refused, since nothing reached the API', async function () {
      const rig = await startRig({ client: { maxRetries: 2 } });
      await rig.client.token(alice);
      await rig.sandbox.close();

      const err = await rejectionOf(rig.client.createAgreement(alice, agreementRequest()));

      assert.deepEqual(summary(err), { operation: 'create', status: undefined, code: 'CONNECTION_REFUSED', retryable: true, outcomeUnknown: false });
      assert.equal(rig.delays.length, 2);
      assert.equal(rig.logLines.filter((line) => line.includes('LOA API call failed without an answer')).length, 3);
    });

    it('reports CONNECTION_REFUSED on the token call when the API is not listening', async function () {
      const rig = await startRig({ client: { maxRetries: 1 } });
      await rig.sandbox.close();

      const err = await rejectionOf(rig.client.createAgreement(alice, agreementRequest()));

      assert.deepEqual(summary(err), { operation: 'token', status: undefined, code: 'CONNECTION_REFUSED', retryable: true, outcomeUnknown: false });
      assert.equal(rig.delays.length, 1);
    });
  });

  describe('secrets', function () {
    it('keeps the client secret, access tokens and id_token out of logs and errors', async function () {
      const rig = await startRig({ client: { timeoutMs: 300, maxRetries: 1 } });
      const idToken = await idTokenFor(rig, 'carol@se.com');
      const expiredIdToken = await idTokenFor(rig, 'carol@se.com', -60);
      const carol = idTokenPrincipal('tenant-1:oid-carol', idToken);
      const wrongSecret = `${rig.sandbox.clientSecret}-wrong`;
      const impostor = createClient({ baseUrl: rig.sandbox.url, clientId: rig.sandbox.clientId, clientSecret: wrongSecret, clock: rig.clock }, rig.logLines);
      const errors: LoaApiError[] = [];
      const failing = async (call: Promise<unknown>) => errors.push(await rejectionOf(call));

      const created = await rig.client.createAgreement(alice, agreementRequest());
      await rig.client.createAgreement(carol, agreementRequest());
      await rig.client.getAgreement(alice, created.id);
      await failing(rig.client.createAgreement(alice, agreementRequest({ signer: { name: 'X', email: 'bad' } })));
      await failing(rig.client.deleteAgreement(carol, created.id));
      await failing(impostor.client.createAgreement(alice, agreementRequest()));
      await failing(rig.client.createAgreement(idTokenPrincipal('tenant-1:oid-old', expiredIdToken), agreementRequest()));
      for (const fault of ['500', 'hang', 'reset'] as const) {
        await rig.sandbox.hooks.setFaults({ create: { next: [fault] } });
        await failing(rig.client.createAgreement(alice, agreementRequest()));
      }
      await rig.sandbox.hooks.setFaults({ get: { next: ['503', '503'] } });
      await failing(rig.client.getAgreement(alice, created.id));
      await rig.sandbox.hooks.reset();
      await rig.sandbox.hooks.setFaults({ token: { next: ['429'] } });
      await rig.client.deleteAgreement(alice, (await rig.client.createAgreement(alice, agreementRequest())).id);

      const operationsFailed = new Set<LoaOperation>(errors.map((e) => e.operation));
      assert.deepEqual([...operationsFailed].sort(), ['create', 'delete', 'get', 'token']);
      assert.equal(errors.length, 8);
      assert.ok(rig.issuedTokens.length >= 3, 'the sandbox must have issued tokens to look for');
      assert.ok(rig.logLines.some((line) => line.includes('"level":"debug"')), 'trace-level logging must be on');
      assert.ok(rig.logLines.some((line) => line.includes('"level":"warn"')), 'failures must have been logged');

      const secrets = [rig.sandbox.clientSecret, wrongSecret, idToken, idToken.split('.')[1]!, expiredIdToken, ...rig.issuedTokens];
      const exposures = [
        ...rig.logLines.map((line, i) => ({ where: `log line ${i + 1}`, text: line })),
        ...errors.flatMap((err, i) => [
          { where: `error ${i + 1} message`, text: err.message },
          { where: `error ${i + 1} JSON`, text: JSON.stringify(err) },
          { where: `error ${i + 1} String()`, text: String(err) },
          { where: `error ${i + 1} stack`, text: err.stack ?? '' },
          { where: `error ${i + 1} inspect()`, text: inspect(err, { depth: 10 }) },
        ]),
      ];
      for (const secret of secrets) {
        const leaks = exposures.filter((e) => e.text.includes(secret)).map((e) => e.where);
        assert.deepEqual(leaks, [], `a secret (${secret.slice(0, 4)}…) leaked`);
      }
    });
  });
});
