import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from 'jose';
import { SsoTokenError, SsoTokenValidator } from '../../bot/auth/ssoTokenValidator';
import { AUTHORITY, FakeEntra } from '../helpers/fakeEntra';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('SSO token validation', () => {
  let entra: FakeEntra;
  let validator: SsoTokenValidator;

  before(async () => {
    entra = await FakeEntra.create();
    validator = new SsoTokenValidator({ appId: APP_ID, authority: AUTHORITY, allowedTenants: [TENANT], keys: entra.keys });
  });

  async function refused(token: string, reason: RegExp): Promise<void> {
    await assert.rejects(validator.validate(token), (err: unknown) => {
      assert.ok(err instanceof SsoTokenError);
      assert.match(err.message, reason);
      assert.equal(err.message.includes(token), false, 'the token is not echoed');
      return true;
    });
  }

  it('accepts a good token and says who the rep is', async () => {
    const user = entra.user(TENANT, 'Ana Rep');
    const rep = await validator.validate(await entra.ssoToken(user, APP_ID));
    assert.deepEqual(rep, { objectId: user.oid, tenantId: TENANT, upn: user.upn, name: 'Ana Rep' });
  });

  it('accepts a v1.0 token with the App ID URI as its audience and upn, as Entra ID issues by default', async () => {
    const user = entra.user(TENANT);
    assert.equal((await validator.validate(await entra.ssoTokenV1(user, APP_ID))).upn, user.upn);
    assert.equal((await validator.validate(await entra.ssoTokenV1(user, APP_ID, { aud: APP_ID }))).upn, user.upn, 'or the client id, when asked for by it');
  });

  it('refuses a v2.0 token naming the App ID URI as audience, which Entra ID never issues', async () => {
    await refused(await entra.ssoToken(entra.user(TENANT), APP_ID, { aud: `api://botid-${APP_ID}` }), /pairs a v2\.0 issuer with an App ID URI audience/);
  });

  it('refuses an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    await refused(await entra.ssoToken(entra.user(TENANT), APP_ID, { iat: past, nbf: past, exp: past + 600 }), /expired/);
  });

  it('refuses a token for another audience', async () => {
    await refused(await entra.ssoToken(entra.user(TENANT), APP_ID, { aud: 'api://botid-someone-else' }), /claim aud/);
  });

  it('refuses a token from another issuer', async () => {
    await refused(await entra.ssoToken(entra.user(TENANT), APP_ID, { iss: 'https://evil.example/issuer' }), /claim iss/);
  });

  it('refuses a tenant that is not on the allow-list', async () => {
    await refused(await entra.ssoToken(entra.user('0b2a8c1e-1111-4c3a-9a55-000000000001'), APP_ID), /Tenant 0b2a8c1e-1111-4c3a-9a55-000000000001 is not allowed/);
  });

  it('refuses a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await refused(await entra.ssoToken(entra.user(TENANT), APP_ID, {}, privateKey), /signature does not verify/);
  });

  it('refuses a token without the access_as_user scope', async () => {
    await refused(await entra.ssoToken(entra.user(TENANT), APP_ID, { scp: 'User.Read' }), /lacks the access_as_user scope/);
  });

  it('refuses something that is not a JWT', async () => {
    await refused('not-a-token', /not a JWT/);
  });

  it('fetches the signing keys from the authority once and caches them', async () => {
    let fetches = 0;
    const server = createServer((req, res) => {
      // No chaining: restify, loaded by other tests, patches writeHead to return nothing.
      if (req.url !== '/common/discovery/v2.0/keys') {
        res.writeHead(404);
        res.end();
        return;
      }
      fetches++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(entra.jwks));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const authority = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const remote = new SsoTokenValidator({ appId: APP_ID, authority, allowedTenants: [TENANT] });
      const user = entra.user(TENANT);
      for (let i = 0; i < 3; i++) {
        const rep = await remote.validate(await entra.ssoToken(user, APP_ID, { iss: `${authority}/${TENANT}/v2.0` }));
        assert.equal(rep.objectId, user.oid);
      }
      assert.equal(fetches, 1);
      await assert.rejects(remote.validate(await entra.ssoToken(user, APP_ID)), /claim iss/, 'the issuer follows the configured authority');
    } finally {
      server.close();
    }
  });

  it('never takes the identity from the optional email claim', async () => {
    const user = entra.user(TENANT);
    const rep = await validator.validate(await entra.ssoToken(user, APP_ID, { email: 'ceo@se.com' }));
    assert.equal(rep.upn, user.upn);
  });
});
