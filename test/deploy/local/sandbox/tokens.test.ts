import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT } from 'jose';
import type pino from 'pino';
import { GRANT, PATHS } from '../../../../bot/loa/contract';
import { createLogger } from '../../../../bot/logger';
import { ManualClock } from '../../../helpers/manualClock';
import type { TestSandbox } from '../../../../testkit/sandbox';
import { bearer, startTestSandbox, unsignedIdToken, validCreateBody } from '../../../../testkit/sandbox';
import { SANDBOX_CIAM_ISSUER } from '../../../../deploy/local/sandbox/sandboxServer';
import { FakeEntra } from '../../../helpers/fakeEntra';
import type { EntraUser } from '../../../helpers/fakeEntra';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signed as the sandbox's cIAM would, with the right issuer, but with a key of its own. */
async function forgedCiamIdToken(claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ iss: SANDBOX_CIAM_ISSUER, ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(privateKey);
}

/** The token with its claims changed and its signature kept. */
async function tampered(token: Promise<string>, claims: Record<string, unknown>): Promise<string> {
  const [header, payload, signature] = (await token).split('.');
  const changed = { ...(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>), ...claims };
  return `${header}.${b64(changed)}.${signature}`;
}

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
    const ciamIdToken = (claims: Record<string, unknown>) => t.hooks.mintCiamIdToken(claims);

    it('binds the token to the email claim, lowercased, so it acts as the same customer as impersonation', async () => {
      const impersonated = await t.tokenFor('jane@example.com');
      const created = await t.api.post<{ id: string }>(PATHS.agreements, validCreateBody(), bearer(impersonated));
      const idToken = await ciamIdToken({ email: 'Jane@Example.com', sub: 'abc-123', exp: nowS() + 300 });

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
        const token = await t.tokenFor({ type: 'id_token', idToken: await ciamIdToken({ ...claims, exp: nowS() + 300 }) });
        assert.equal(await ownerOfAgreementCreatedWith(token), owner);
      });
    }

    const badTokens: Array<[string, () => Promise<string> | string, RegExp]> = [
      ['an id_token that has expired by the sandbox clock', () => ciamIdToken({ email: 'a@example.com', exp: nowS() }), /expired/],
      ['an id_token without exp', () => ciamIdToken({ email: 'a@example.com' }), /exp/],
      ['an id_token that names no identity', () => ciamIdToken({ exp: nowS() + 300 }), /names no identity/],
      ['an id_token from another issuer, even with the sandbox\'s signature', () => ciamIdToken({ iss: 'https://ciam.elsewhere.example', email: 'a@example.com', exp: nowS() + 300 }), /iss/],
      ['an unsigned id_token', () => unsignedIdToken({ email: 'a@example.com', exp: nowS() + 300 }), /signature|algorithm/],
      ['an id_token whose header says alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: SANDBOX_CIAM_ISSUER, email: 'a@example.com', exp: nowS() + 300 })}.`, /signature|algorithm|well-formed/],
      ['an id_token signed with a key that is not cIAM\'s', () => forgedCiamIdToken({ email: 'a@example.com', exp: nowS() + 300 }), /signature/],
      ['a cIAM id_token whose claims were changed after signing', () => tampered(ciamIdToken({ email: 'a@example.com', exp: nowS() + 300 }), { email: 'ceo@example.com' }), /signature/],
      ['a string that is not a JWT', () => 'base64encodedidtokenfromciam', /not a JWT/],
      ['a JWT whose payload is not JSON', () => `e30.${Buffer.from('not json').toString('base64url')}.sig`, /not a JWT/],
    ];
    for (const [what, idToken, reason] of badTokens) {
      it(`refuses ${what} with invalid_grant`, async () => {
        const response = await t.api.post(PATHS.idTokenExchange, idTokenForm({ id_token: await idToken() }));
        assert.equal(response.status, 400);
        assert.equal(response.data.error, 'invalid_grant');
        assert.match(response.data.error_description ?? '', reason);
      });
    }

    it('signs its cIAM id_tokens with a key of its own, made at start, that no other sandbox shares', async () => {
      const idToken = await ciamIdToken({ email: 'a@example.com', exp: nowS() + 300 });
      const [header, payload] = idToken.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
      assert.equal(header!.alg, 'ES256');
      assert.equal(payload!.iss, SANDBOX_CIAM_ISSUER);
      const other = await startTestSandbox({ clock });
      try {
        const response = await other.api.post(PATHS.idTokenExchange, new URLSearchParams({ grant_type: GRANT.idToken, client_id: other.clientId, client_secret: other.clientSecret, id_token: idToken }));
        assert.equal(response.status, 400, 'another sandbox has another cIAM key');
        assert.equal(response.data.error, 'invalid_grant');
      } finally {
        await other.close();
      }
    });

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
      const response = await t.api.post(PATHS.idTokenExchange, idTokenForm({ id_token: await t.hooks.mintCiamIdToken({ sub: 'x', exp: nowS() + 60 }), client_id: 'someone-else' }));
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
      const idToken = await t.hooks.mintCiamIdToken({ email: 'a@example.com', exp: nowS() + 300 });

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

describe('LOA sandbox: Entra ID tokens at the id_token grant', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const LOA_BRIDGE = 'api://loa-bridge';
  let entra: FakeEntra;
  let user: EntraUser;
  const opened: TestSandbox[] = [];

  /** An access token as Entra ID issues one on the user's behalf (v2.0) for the API `audience`. */
  const entraAccessToken = (audience: string, claims: Record<string, unknown> = {}) => entra.ssoToken(user, audience, { scp: 'access_as_user', azp: 'bot-app-id', ...claims });
  const exchange = async (t: TestSandbox, idToken: string) =>
    t.api.post(PATHS.idTokenExchange, new URLSearchParams({ grant_type: GRANT.idToken, client_id: t.clientId, client_secret: t.clientSecret, id_token: idToken }));
  const sandbox = async (options: Parameters<typeof startTestSandbox>[0] = {}) => {
    const t = await startTestSandbox(options);
    opened.push(t);
    return t;
  };

  before(async () => {
    entra = await FakeEntra.create();
    user = entra.user(TENANT, 'Ana Rep');
  });

  afterEach(async () => {
    for (const t of opened.splice(0)) {
      await t.close();
      assert.deepEqual(t.contractFailures, []);
    }
  });

  it('refuses an Entra ID token by default, however well signed: the grant takes a cIAM id_token', async () => {
    const response = await exchange(await sandbox(), await entraAccessToken(LOA_BRIDGE));
    assert.equal(response.status, 400);
    assert.equal(response.data.error, 'invalid_grant');
    assert.match(response.data.error_description ?? '', /issued by Entra ID, not cIAM/);
  });

  it('accepts an Entra ID token for a trusted audience when configured, v2.0 and v1.0 issuers alike, acting as its user', async () => {
    const t = await sandbox({ entra: { keys: entra.jwks, audiences: [LOA_BRIDGE] } });
    for (const idToken of [await entraAccessToken(LOA_BRIDGE), await entra.ssoTokenV1(user, 'unused', { aud: LOA_BRIDGE })]) {
      const response = await exchange(t, idToken);
      assert.equal(response.status, 200, JSON.stringify(response.data));
      const created = await t.api.post<{ id: string }>(PATHS.agreements, validCreateBody(), bearer(response.data.access_token ?? ''));
      assert.equal((await t.hooks.agreements()).find((a) => a.id === created.data.id)?.owner, user.upn);
    }
  });

  const refusedWhenConfigured: Array<[string, () => Promise<string>, RegExp]> = [
    ['for another audience', () => entraAccessToken('api://someone-else'), /aud/],
    ['signed with a key that Entra ID did not publish', async () => entra.ssoToken(user, LOA_BRIDGE, {}, (await generateKeyPair('RS256')).privateKey), /signature/],
    ['whose claims were changed after signing', () => tampered(entraAccessToken(LOA_BRIDGE), { preferred_username: 'ceo@se.com' }), /signature/],
    ['whose tid is not the tenant of its issuer', () => entraAccessToken(LOA_BRIDGE, { tid: '0b2a8c1e-1111-4c3a-9a55-000000000001' }), /iss|tid/],
    ['that has expired', () => entraAccessToken(LOA_BRIDGE, { exp: Math.floor(Date.now() / 1000) - 10, nbf: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
  ];
  for (const [what, idToken, reason] of refusedWhenConfigured) {
    it(`refuses an Entra ID token ${what}, even when Entra ID tokens are trusted`, async () => {
      const response = await exchange(await sandbox({ entra: { keys: entra.jwks, audiences: [LOA_BRIDGE] } }), await idToken());
      assert.equal(response.status, 400);
      assert.equal(response.data.error, 'invalid_grant');
      assert.match(response.data.error_description ?? '', reason);
    });
  }
});
