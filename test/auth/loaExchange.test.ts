import assert from 'node:assert/strict';
import type pino from 'pino';
import { GraphMailbox } from '../../bot/auth/graphMailbox';
import { EntraOnBehalfOf } from '../../bot/auth/onBehalfOf';
import { failureCause } from '../../bot/flows/failureWords';
import { translatorFor } from '../../bot/i18n';
import { LoaApiError } from '../../bot/loa/loaApiError';
import { LoaClient } from '../../bot/loa/loaClient';
import { loaFailureOf } from '../../bot/domain/loaService';
import { LoaPrincipals, NoTokenSourceError } from '../../bot/loa/principals';
import { createLogger } from '../../bot/logger';
import type { RepIdentity } from '../../bot/domain/rep';
import { AUTHORITY, FakeEntra } from '../helpers/fakeEntra';
import type { EntraUser } from '../helpers/fakeEntra';
import { FakeEntraOboEndpoint } from '../helpers/fakeEntraOboEndpoint';
import { FakeGraph } from '../helpers/fakeGraph';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

const APP_ID = '0c5f2f5e-7b0a-4a57-9d51-2b9f6a4e7c11';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SECRET = 'app-client-secret-0123456789abcdef';
const LOA_BRIDGE = 'api://loa-bridge';

describe('LOA token exchange', () => {
  let loa: TestSandbox;
  let entra: FakeEntra;
  let graph: FakeGraph;
  let endpoint: FakeEntraOboEndpoint;
  let user: EntraUser;
  let rep: RepIdentity;
  let ssoToken: string;
  let logLines: string[];

  before(async () => {
    entra = await FakeEntra.create();
    // The LOA side set up to accept Entra access tokens for the bridge API, as id_token mode needs.
    loa = await startTestSandbox({ entra: { keys: entra.jwks, audiences: [LOA_BRIDGE] } });
    graph = await new FakeGraph(entra).start();
    user = entra.user(TENANT, 'Ana Rep');
    rep = { objectId: user.oid, tenantId: TENANT, upn: user.upn, name: user.name };
    ssoToken = await entra.ssoToken(user, APP_ID);
  });
  after(async () => {
    await graph.stop();
    await loa.close();
    assert.deepEqual(loa.contractFailures, []);
  });
  beforeEach(() => {
    endpoint = new FakeEntraOboEndpoint(entra, { clientId: APP_ID, clientSecret: SECRET });
    graph.users.clear();
    graph.calls.length = 0;
    logLines = [];
  });

  const client = () => {
    const destination: pino.DestinationStream = { write: (line: string) => void logLines.push(line) };
    return new LoaClient({ baseUrl: loa.url, clientId: loa.clientId, clientSecret: loa.clientSecret, timeoutMs: 2000, maxRetries: 0, logger: createLogger({ level: 'debug' }, destination) });
  };
  const onBehalfOf = () => new EntraOnBehalfOf({ clientId: APP_ID, credential: { kind: 'secret', clientSecret: SECRET }, authorityHost: AUTHORITY, httpClient: endpoint });
  const mailPrincipals = () => new LoaPrincipals({ mode: 'impersonate', impersonateAs: 'mail', mailbox: new GraphMailbox({ onBehalfOf: onBehalfOf(), timeoutMs: 2000, cacheMs: 300_000, baseUrl: graph.url }) });
  const idTokenPrincipals = () => new LoaPrincipals({ mode: 'id_token', onBehalfOf: onBehalfOf(), scope: `${LOA_BRIDGE}/.default` });
  const ownerOf = async (id: string) => (await loa.hooks.agreements()).find((a) => a.id === id)?.owner;
  const request = { templateId: '6c0c1f8e-3f0e-4a39-9d2b-5f1d2a7b9e41', signer: { name: 'Signer', email: 'signer@acme.example' }, formData: [
    { name: 'projectName', value: 'Depot' }, { name: 'endUserSite', value: 'Lyon' }, { name: 'quoteReference', value: 'Q-2026-00123' }, { name: 'totalValueEur', value: '1000' }, { name: 'validUntil', value: '2026-12-31' },
  ] };

  describe('impersonate mode', () => {
    it('impersonates the rep by their verified UPN with LOA_IMPERSONATE_AS=upn', async () => {
      const created = await client().createAgreement(new LoaPrincipals({ mode: 'impersonate', impersonateAs: 'upn' }).forTurn(rep, ssoToken), request);
      assert.equal(await ownerOf(created.id), rep.upn);
    });

    it('impersonates the rep by their mailbox address from Graph with LOA_IMPERSONATE_AS=mail', async () => {
      graph.users.set(user.oid, { userPrincipalName: user.upn, mail: 'Ana.Rep@Schneider-Electric.example' });
      const created = await client().createAgreement(mailPrincipals().forTurn(rep, ssoToken), request);
      assert.equal(await ownerOf(created.id), 'ana.rep@schneider-electric.example');
      assert.deepEqual(endpoint.requests.map((r) => r.tenant), [TENANT]);
    });

    it('tells the rep their account has no mailbox address, logs it, and asks the LOA API nothing', async () => {
      graph.users.set(user.oid, { userPrincipalName: user.upn, mail: null });
      const tokenCallsBefore = (await loa.hooks.calls()).token;
      await assert.rejects(client().createAgreement(mailPrincipals().forTurn(rep, ssoToken), request), (err: unknown) => {
        assert.ok(err instanceof LoaApiError);
        assert.equal(err.code, 'NO_MAILBOX');
        assert.equal(err.outcomeUnknown, false);
        assert.equal(loaFailureOf(err), 'noMailbox');
        assert.match(failureCause(translatorFor('en-US'), loaFailureOf(err)), /^Your account has no mailbox address/);
        return true;
      });
      assert.equal((await loa.hooks.calls()).token, tokenCallsBefore);
      assert.ok(logLines.some((line) => line.includes('"grantFailure":"NoMailboxError"') && line.includes('no mailbox address')), logLines.join(''));
    });

    it('uses the cached address for background work, and needs the rep signed in once it is gone', async () => {
      graph.users.set(user.oid, { userPrincipalName: user.upn, mail: 'ana@se.example' });
      const principals = mailPrincipals();
      const loaClient = client();
      const created = await loaClient.createAgreement(principals.forTurn(rep, ssoToken), request);
      assert.equal((await client().getAgreement(principals.forBackground(rep), created.id)).id, created.id, 'a new LOA token from the cached address');

      await assert.rejects(client().getAgreement(mailPrincipals().forBackground(rep), created.id), (err: unknown) => {
        assert.ok(err instanceof LoaApiError);
        assert.equal(err.code, 'GRANT_UNAVAILABLE');
        assert.match(err.message, new RegExp(NoTokenSourceError.name));
        return true;
      });
    });
  });

  describe('id_token mode', () => {
    it('sends /v1/oauth/token an Entra access token for LOA_OBO_SCOPE, obtained on the rep\'s behalf in their tenant, never the SSO token', async () => {
      const loaClient = client();
      const principal = idTokenPrincipals().forTurn(rep, ssoToken);
      const created = await loaClient.createAgreement(principal, request);

      assert.deepEqual(endpoint.requests, [{ tenant: TENANT, clientId: APP_ID, clientAuthentication: 'secret', scope: `${LOA_BRIDGE}/.default`, assertionOid: rep.objectId }]);
      assert.equal(await ownerOf(created.id), rep.upn);
      const tokenCallsBefore = (await loa.hooks.calls()).token;
      await loaClient.createAgreement(principal, request);
      assert.equal(endpoint.requests.length, 1, 'the LOA token is cached: no second exchange');
      assert.equal((await loa.hooks.calls()).token, tokenCallsBefore);
    });

    it('is refused by an LOA API that takes cIAM id_tokens only', async () => {
      const strict = await startTestSandbox();
      try {
        const loaClient = new LoaClient({ baseUrl: strict.url, clientId: strict.clientId, clientSecret: strict.clientSecret, timeoutMs: 2000, maxRetries: 0, logger: createLogger({ level: 'silent' }) });
        await assert.rejects(loaClient.createAgreement(idTokenPrincipals().forTurn(rep, ssoToken), request), (err: unknown) => {
          assert.ok(err instanceof LoaApiError);
          assert.equal(err.code, 'invalid_grant');
          assert.equal(loaFailureOf(err), 'repSignIn');
          return true;
        });
      } finally {
        await strict.close();
      }
    });

    it('cannot get a new LOA token outside a turn', async () => {
      await assert.rejects(client().createAgreement(idTokenPrincipals().forBackground(rep), request), (err: unknown) => {
        assert.ok(err instanceof LoaApiError);
        assert.equal(err.code, 'GRANT_UNAVAILABLE');
        assert.equal(err.outcomeUnknown, false, 'nothing reached the LOA API');
        assert.match(err.message, new RegExp(NoTokenSourceError.name));
        return true;
      });
      assert.deepEqual(endpoint.requests, []);
    });

    it('reuses the rep\'s cached LOA token for background work', async () => {
      const principals = idTokenPrincipals();
      const loaClient = client();
      const created = await loaClient.createAgreement(principals.forTurn(rep, ssoToken), request);
      const polled = await loaClient.getAgreement(principals.forBackground(rep), created.id);
      assert.equal(polled.id, created.id);
    });

    it('keeps the SSO token and the Entra access token out of the log', async () => {
      await client().createAgreement(idTokenPrincipals().forTurn(rep, ssoToken), request);
      const log = logLines.join('');
      assert.ok(logLines.length > 0);
      assert.equal(log.includes(ssoToken), false);
      assert.equal(/eyJ[A-Za-z0-9_-]{10,}\./.test(log), false, 'no JWT in the log');
    });
  });
});
