import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { OnBehalfOfCredentialOptions, TokenCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { appCredentialOf, EntraOnBehalfOf, OnBehalfOfError } from '../../bot/auth/onBehalfOf';
import type { AppCredential } from '../../bot/auth/onBehalfOf';
import { AUTHORITY, FakeEntra } from '../helpers/fakeEntra';
import type { EntraUser } from '../helpers/fakeEntra';
import { FakeEntraOboEndpoint } from '../helpers/fakeEntraOboEndpoint';

const APP_ID = '0c5f2f5e-7b0a-4a57-9d51-2b9f6a4e7c11';
const HOME_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = '0b2a8c1e-1111-4c3a-9a55-000000000001';
const SECRET = 'app-client-secret-0123456789abcdef';
const THUMBPRINT = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';
const LOA_SCOPE = 'api://loa-bridge/.default';

describe('on-behalf-of exchange', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const certificate: AppCredential = { kind: 'certificate', thumbprint: THUMBPRINT, privateKeyPem };
  let entra: FakeEntra;
  let endpoint: FakeEntraOboEndpoint;
  let rep: EntraUser;
  let guest: EntraUser;

  before(async () => {
    entra = await FakeEntra.create();
    rep = entra.user(HOME_TENANT, 'Ana Rep');
    guest = entra.user(OTHER_TENANT, 'Gus Partner');
  });

  beforeEach(() => {
    endpoint = new FakeEntraOboEndpoint(entra, { clientId: APP_ID, clientSecret: SECRET, certificate: { thumbprint: THUMBPRINT, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
  });

  const exchange = (credential: AppCredential) => new EntraOnBehalfOf({ clientId: APP_ID, credential, authorityHost: AUTHORITY, httpClient: endpoint });
  const signedIn = async (user: EntraUser) => ({ tenantId: user.tid, ssoToken: await entra.ssoToken(user, APP_ID) });

  it('proves the app with its client secret and asks the rep\'s own tenant, never organizations', async () => {
    const token = await exchange({ kind: 'secret', clientSecret: SECRET }).accessTokenFor(await signedIn(rep), LOA_SCOPE);

    assert.deepEqual(endpoint.requests, [{ tenant: HOME_TENANT, clientId: APP_ID, clientAuthentication: 'secret', scope: LOA_SCOPE, assertionOid: rep.oid }]);
    const claims = decodeJwt(token);
    assert.equal(claims.aud, 'api://loa-bridge');
    assert.equal(claims.iss, `${AUTHORITY}/${HOME_TENANT}/v2.0`, 'an Entra access token, not a cIAM id_token');
    assert.equal(claims.oid, rep.oid);
  });

  it('proves the app with a client assertion signed by the bot certificate, and sends no secret', async () => {
    const token = await exchange(certificate).accessTokenFor(await signedIn(rep), LOA_SCOPE);

    assert.deepEqual(endpoint.requests.map((r) => [r.tenant, r.clientAuthentication]), [[HOME_TENANT, 'certificate']]);
    assert.equal(decodeJwt(token).oid, rep.oid);
  });

  it('asks the tenant of each rep\'s token: a rep of another allowed tenant gets a token from theirs', async () => {
    for (const credential of [{ kind: 'secret', clientSecret: SECRET } as const, certificate]) {
      const token = await exchange(credential).accessTokenFor(await signedIn(guest), LOA_SCOPE);
      assert.equal(decodeJwt(token).tid, OTHER_TENANT);
    }
    assert.deepEqual(endpoint.requests.map((r) => r.tenant), [OTHER_TENANT, OTHER_TENANT]);
  });

  it('gives the credential the rep\'s tenant, the assertion and exactly one kind of app credential', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const recording = (credential: AppCredential) =>
      new EntraOnBehalfOf({
        clientId: APP_ID,
        credential,
        authorityHost: `${AUTHORITY}/`,
        credentialFor: (options: OnBehalfOfCredentialOptions): TokenCredential => {
          seen.push({ ...options });
          return { getToken: () => Promise.resolve({ token: 'entra-access-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
        },
      });
    const ana = await signedIn(rep);
    await recording({ kind: 'secret', clientSecret: SECRET }).accessTokenFor(ana, LOA_SCOPE);
    await recording(certificate).accessTokenFor(ana, LOA_SCOPE);

    const [withSecret, withCertificate] = seen;
    for (const options of [withSecret!, withCertificate!]) {
      assert.equal(options.tenantId, HOME_TENANT);
      assert.equal(options.clientId, APP_ID);
      assert.equal(options.userAssertionToken, ana.ssoToken);
      assert.equal(options.authorityHost, AUTHORITY);
    }
    assert.equal(withSecret!.clientSecret, SECRET);
    assert.equal(withSecret!.getAssertion, undefined);
    assert.equal(withCertificate!.clientSecret, undefined);
    assert.equal(withCertificate!.certificatePath, undefined);
    const assertion = await (withCertificate!.getAssertion as () => Promise<string>)();
    assert.equal(decodeJwt(assertion).aud, `${AUTHORITY}/${HOME_TENANT}/oauth2/v2.0/token`);
  });

  it('fails with its own error, which holds neither the secret nor the rep\'s token, when Entra ID refuses', async () => {
    const ana = await signedIn(rep);
    await assert.rejects(exchange({ kind: 'secret', clientSecret: 'a-wrong-secret-value' }).accessTokenFor(ana, LOA_SCOPE), (err: unknown) => {
      assert.ok(err instanceof OnBehalfOfError);
      for (const secret of ['a-wrong-secret-value', SECRET, ana.ssoToken]) assert.equal(err.message.includes(secret), false);
      return true;
    });
    assert.equal(endpoint.requests[0]?.clientAuthentication, 'secret');
  });

  it('is refused for a certificate that Entra ID does not know', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    await assert.rejects(exchange({ kind: 'certificate', thumbprint: THUMBPRINT, privateKeyPem: stranger }).accessTokenFor(await signedIn(rep), LOA_SCOPE), OnBehalfOfError);
  });

  it('refuses at startup a certificate private key that is not PEM, or a thumbprint that is not SHA-1 hex', () => {
    assert.throws(() => exchange({ kind: 'certificate', thumbprint: THUMBPRINT, privateKeyPem: 'not a key' }), /CertificatePrivateKey is not a PEM private key/);
    assert.throws(() => exchange({ kind: 'certificate', thumbprint: 'AB12', privateKeyPem }), /CertificateThumbprint must be/);
  });

  describe('the app credential the bot uses', () => {
    it('is the bot certificate when it has one, as for its Bot Framework credential, and otherwise the client secret', () => {
      assert.deepEqual(appCredentialOf({ appPassword: SECRET, certificateThumbprint: THUMBPRINT, certificatePrivateKey: privateKeyPem }), certificate);
      assert.deepEqual(appCredentialOf({ appPassword: '', certificateThumbprint: THUMBPRINT, certificatePrivateKey: privateKeyPem }), certificate);
      assert.deepEqual(appCredentialOf({ appPassword: SECRET, certificateThumbprint: undefined, certificatePrivateKey: undefined }), { kind: 'secret', clientSecret: SECRET });
    });
  });
});
