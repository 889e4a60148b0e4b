import assert from 'node:assert/strict';
import type pino from 'pino';
import { GRANT, PATHS } from '../../../../bot/loa/contract';
import { createLogger } from '../../../../bot/logger';
import { ManualClock } from '../../../helpers/manualClock';
import type { TestSandbox } from '../../../helpers/sandbox';
import { bearer, startTestSandbox, unsignedIdToken, validCreateBody } from '../../../helpers/sandbox';

describe('LOA sandbox tokens', () => {
  let clock: ManualClock;
  let t: TestSandbox;

  const nowS = () => Math.floor(clock.now() / 1000);
  const impersonationForm = (fields: Record<string, string>) =>
    new URLSearchParams({ grant_type: GRANT.impersonate, client_id: t.clientId, client_secret: t.clientSecret, ...fields });
  const idTokenForm = (fields: Record<string, string>) =>
    new URLSearchParams({ grant_type: GRANT.idToken, client_id: t.clientId, client_secret: t.clientSecret, ...fields });
  const ownerOfAgreementCreatedWith = async (token: string) => {
    const created = await t.api.post<{ id: string }>(PATHS.agreements, validCreateBody(), bearer(token));
    assert.equal(created.status, 201);
    const stored = (await t.hooks.agreements()).find((a) => a.id === created.data.id);
    return stored?.owner;
  };

  beforeEach(async () => {
    // Far in the past, so that only the injected clock can make these tokens look unexpired.
    clock = new ManualClock(Date.parse('2001-01-01T00:00:00.000Z'));
    t = await startTestSandbox({ clock, tokenTtlS: 60 });
  });

  afterEach(async () => {
    await t.close();
    assert.deepEqual(t.contractFailures, []);
  });

  describe('impersonation (user_token)', () => {
    it('issues a bearer token for the customer with the configured lifetime', async () => {
      const response = await t.api.post(PATHS.impersonateToken, impersonationForm({ email: 'john.doe@yopmail.com' }));

      assert.equal(response.status, 200);
      assert.equal(response.data.token_type, 'Bearer');
      assert.equal(response.data.expires_in, 60);
      assert.match(response.data.access_token ?? '', /^[A-Za-z0-9_-]{32,}$/);
      assert.equal(response.headers['cache-control'], 'no-store');
    });

    it('issues a different token on every request', async () => {
      const first = await t.tokenFor('john.doe@yopmail.com');
      const second = await t.tokenFor('john.doe@yopmail.com');
      assert.notEqual(first, second);
    });

    it('binds the token to the email, lowercased', async () => {
      const token = await t.tokenFor('John.Doe@YopMail.com');
      assert.equal(await ownerOfAgreementCreatedWith(token), 'john.doe@yopmail.com');
    });

    it('refuses a request without an email with invalid_request', async () => {
      const response = await t.api.post(PATHS.impersonateToken, impersonationForm({}));
      assert.equal(response.status, 400);
      assert.equal(response.data.error, 'invalid_request');
      assert.match(response.data.error_description ?? '', /email/);
    });

    it('refuses an email that is not an address with invalid_request', async () => {
      const response = await t.api.post(PATHS.impersonateToken, impersonationForm({ email: 'john.doe' }));
      assert.equal(response.status, 400);
      assert.equal(response.data.error, 'invalid_request');
    });
  });

  describe('cIAM id_token exchange (id_token)', () => {
    it('binds the token to the email claim, lowercased, so it acts as the same customer as impersonation', async () => {
      const impersonated = await t.tokenFor('jane@example.com');
      const created = await t.api.post<{ id: string }>(PATHS.agreements, validCreateBody(), bearer(impersonated));
      const idToken = unsignedIdToken({ email: 'Jane@Example.com', sub: 'abc-123', exp: nowS() + 300 });

      const response = await t.api.post(PATHS.idTokenExchange, idTokenForm({ id_token: idToken }));
      assert.equal(response.status, 200);
      assert.equal(response.data.expires_in, 60);
      const read = await t.api.get(PATHS.agreement(created.data.id), bearer(response.data.access_token ?? ''));
      assert.equal(read.status, 200);
    });

    const identityCases: Array<[string, Record<string, string>, string]> = [
      ['preferred_username when there is no email', { preferred_username: 'Pat@Example.com', upn: 'upn@example.com', sub: 's1' }, 'pat@example.com'],
      ['upn when there is neither email nor preferred_username', { upn: 'UPN@example.com', sub: 's1' }, 'upn@example.com'],
      ['sub as the last resort', { sub: 'CIAM-Subject-42' }, 'ciam-subject-42'],
    ];
    for (const [which, claims, owner] of identityCases) {
      it(`takes the identity from ${which}`, async () => {
        const token = await t.tokenFor({ type: 'id_token', idToken: unsignedIdToken({ ...claims, exp: nowS() + 300 }) });
        assert.equal(await ownerOfAgreementCreatedWith(token), owner);
      });
    }

    const badTokens: Array<[string, () => string]> = [
      ['an id_token that has expired by the sandbox clock', () => unsignedIdToken({ email: 'a@example.com', exp: nowS() })],
      ['an id_token without exp', () => unsignedIdToken({ email: 'a@example.com' })],
      ['an id_token that names no identity', () => unsignedIdToken({ exp: nowS() + 300 })],
      ['a string that is not a JWT', () => 'base64encodedidtokenfromciam'],
      ['a JWT whose payload is not JSON', () => `e30.${Buffer.from('not json').toString('base64url')}.sig`],
    ];
    for (const [what, idToken] of badTokens) {
      it(`refuses ${what} with invalid_grant`, async () => {
        const response = await t.api.post(PATHS.idTokenExchange, idTokenForm({ id_token: idToken() }));
        assert.equal(response.status, 400);
        assert.equal(response.data.error, 'invalid_grant');
      });
    }

    it('refuses a request without an id_token with invalid_request', async () => {
      const response = await t.api.post(PATHS.idTokenExchange, idTokenForm({}));
      assert.equal(response.status, 400);
      assert.equal(response.data.error, 'invalid_request');
    });
  });

  describe('client credentials and grant checks', () => {
    it('refuses a token request with the wrong client secret', async () => {
      const response = await t.api.post(PATHS.impersonateToken, impersonationForm({ email: 'a@example.com', client_secret: `${t.clientSecret}x` }));
      assert.equal(response.status, 401);
      assert.equal(response.data.error, 'invalid_client');
    });

    it('refuses a token request from an unknown client id', async () => {
      const response = await t.api.post(PATHS.idTokenExchange, idTokenForm({ id_token: unsignedIdToken({ sub: 'x', exp: nowS() + 60 }), client_id: 'someone-else' }));
      assert.equal(response.status, 401);
      assert.equal(response.data.error, 'invalid_client');
    });

    for (const missing of ['grant_type', 'client_id', 'client_secret']) {
      it(`refuses a token request without ${missing} with invalid_request`, async () => {
        const form = impersonationForm({ email: 'a@example.com' });
        form.delete(missing);
        const response = await t.api.post(PATHS.impersonateToken, form);
        assert.equal(response.status, 400);
        assert.equal(response.data.error, 'invalid_request');
        assert.match(response.data.error_description ?? '', new RegExp(missing));
      });
    }

    it('refuses a repeated parameter with invalid_request', async () => {
      const form = impersonationForm({ email: 'a@example.com' });
      form.append('email', 'b@example.com');
      const response = await t.api.post(PATHS.impersonateToken, form);
      assert.equal(response.status, 400);
      assert.equal(response.data.error, 'invalid_request');
    });

    it('refuses the id_token grant on the impersonation endpoint with unsupported_grant_type', async () => {
      const response = await t.api.post(PATHS.impersonateToken, impersonationForm({ email: 'a@example.com', grant_type: GRANT.idToken }));
      assert.equal(response.status, 400);
      assert.equal(response.data.error, 'unsupported_grant_type');
    });

    it('refuses the user_token grant on the id_token endpoint with unsupported_grant_type', async () => {
      const response = await t.api.post(PATHS.idTokenExchange, idTokenForm({ id_token: 'x.y.z', grant_type: GRANT.impersonate }));
      assert.equal(response.status, 400);
      assert.equal(response.data.error, 'unsupported_grant_type');
    });

    it('refuses a JSON body, since the token endpoints take a form', async () => {
      const response = await t.api.post(PATHS.impersonateToken, { grant_type: GRANT.impersonate, client_id: t.clientId, client_secret: t.clientSecret, email: 'a@example.com' });
      assert.equal(response.status, 400);
      assert.equal(response.data.error, 'invalid_request');
    });
  });

  describe('expiry', () => {
    it('accepts a token until its lifetime has passed on the injected clock, then answers 401 expired', async () => {
      const token = await t.tokenFor('a@example.com');
      const created = await t.api.post<{ id: string }>(PATHS.agreements, validCreateBody(), bearer(token));

      clock.advance(59_999);
      assert.equal((await t.api.get(PATHS.agreement(created.data.id), bearer(token))).status, 200);

      clock.advance(1);
      const expired = await t.api.get(PATHS.agreement(created.data.id), bearer(token));
      assert.equal(expired.status, 401);
      assert.equal(expired.data.code, 'UNAUTHORIZED');
      assert.match(expired.data.message ?? '', /expired/);
      assert.match(String(expired.headers['www-authenticate']), /error="invalid_token"/);
    });
  });

  describe('logging', () => {
    it('never logs the client secret, tokens, id_tokens or the Authorization header', async () => {
      const lines: string[] = [];
      const destination: pino.DestinationStream = { write: (line: string) => void lines.push(line) };
      await t.close();
      t = await startTestSandbox({ clock, logger: createLogger({ level: 'trace', name: 'sandbox-test' }, destination) });
      const idToken = unsignedIdToken({ email: 'a@example.com', exp: nowS() + 300 });

      const accessToken = await t.tokenFor({ type: 'id_token', idToken });
      await t.api.post(PATHS.agreements, validCreateBody(), bearer(accessToken));
      await t.api.get(PATHS.agreement('unknown'), bearer('not-a-real-token'));
      await t.api.post(PATHS.impersonateToken, impersonationForm({ email: 'a@example.com', client_secret: 'wrong-secret' }));

      const log = lines.join('');
      assert.ok(lines.length >= 4, 'the sandbox should log each request');
      for (const secret of [t.clientSecret, accessToken, idToken, 'not-a-real-token', 'wrong-secret', 'Bearer ']) {
        assert.ok(!log.includes(secret), `the log contains ${secret}`);
      }
    });
  });
});
