import assert from 'node:assert/strict';
import { GRAPH_USER_READ_SCOPE, GraphError, GraphMailbox } from '../../bot/auth/graphMailbox';
import { EntraOnBehalfOf } from '../../bot/auth/onBehalfOf';
import type { SignedInRep } from '../../bot/auth/onBehalfOf';
import { repKey } from '../../bot/domain/rep';
import { AUTHORITY, FakeEntra } from '../helpers/fakeEntra';
import type { EntraUser } from '../helpers/fakeEntra';
import { FakeEntraOboEndpoint } from '../helpers/fakeEntraOboEndpoint';
import { FakeGraph } from '../helpers/fakeGraph';
import { ManualClock } from '../helpers/manualClock';

const APP_ID = '0c5f2f5e-7b0a-4a57-9d51-2b9f6a4e7c11';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SECRET = 'app-client-secret-0123456789abcdef';
const FIVE_MINUTES = 5 * 60_000;

describe('mailbox address from Microsoft Graph', () => {
  let entra: FakeEntra;
  let graph: FakeGraph;
  let endpoint: FakeEntraOboEndpoint;
  let clock: ManualClock;
  let ana: EntraUser;
  let signedIn: SignedInRep;

  before(async () => {
    entra = await FakeEntra.create();
    graph = await new FakeGraph(entra).start();
  });
  after(() => graph.stop());

  beforeEach(async () => {
    graph.users.clear();
    graph.calls.length = 0;
    graph.delayMs = 0;
    clock = new ManualClock();
    endpoint = new FakeEntraOboEndpoint(entra, { clientId: APP_ID, clientSecret: SECRET });
    ana = entra.user(TENANT, 'Ana Rep');
    signedIn = { tenantId: TENANT, ssoToken: await entra.ssoToken(ana, APP_ID) };
  });

  const mailbox = (options: { cacheMs?: number; timeoutMs?: number } = {}) =>
    new GraphMailbox({
      onBehalfOf: new EntraOnBehalfOf({ clientId: APP_ID, credential: { kind: 'secret', clientSecret: SECRET }, authorityHost: AUTHORITY, httpClient: endpoint }),
      timeoutMs: options.timeoutMs ?? 2000,
      cacheMs: options.cacheMs ?? FIVE_MINUTES,
      baseUrl: graph.url,
      clock,
    });

  it('reads the mail of /me with a User.Read token obtained on the rep\'s behalf, in their tenant', async () => {
    graph.users.set(ana.oid, { userPrincipalName: ana.upn, mail: 'Ana.Rep@Schneider-Electric.com' });

    assert.equal(await mailbox().mailOf(repKey({ tenantId: TENANT, objectId: ana.oid }), signedIn), 'ana.rep@schneider-electric.com');
    assert.deepEqual(endpoint.requests.map((r) => [r.tenant, r.scope]), [[TENANT, GRAPH_USER_READ_SCOPE]]);
    assert.deepEqual(graph.calls, [{ path: '/v1.0/me', select: 'mail' }]);
  });

  it('reuses a rep\'s address for the cache time, then asks Graph again', async () => {
    graph.users.set(ana.oid, { userPrincipalName: ana.upn, mail: 'ana@se.com' });
    const lookup = mailbox();
    const key = repKey({ tenantId: TENANT, objectId: ana.oid });

    await lookup.mailOf(key, signedIn);
    clock.advance(FIVE_MINUTES - 1);
    assert.equal(await lookup.mailOf(key, signedIn), 'ana@se.com');
    assert.equal(lookup.cachedMailOf(key), 'ana@se.com');
    assert.equal(graph.calls.length, 1);

    clock.advance(1);
    assert.equal(lookup.cachedMailOf(key), undefined);
    graph.users.set(ana.oid, { userPrincipalName: ana.upn, mail: 'ana.new@se.com' });
    assert.equal(await lookup.mailOf(key, signedIn), 'ana.new@se.com');
    assert.equal(graph.calls.length, 2);
  });

  it('asks once for lookups of one rep that overlap', async () => {
    graph.users.set(ana.oid, { userPrincipalName: ana.upn, mail: 'ana@se.com' });
    const lookup = mailbox();
    const key = repKey({ tenantId: TENANT, objectId: ana.oid });
    assert.deepEqual(await Promise.all([lookup.mailOf(key, signedIn), lookup.mailOf(key, signedIn)]), ['ana@se.com', 'ana@se.com']);
    assert.equal(graph.calls.length, 1);
  });

  it('says an account has no mailbox, and asks again next time rather than keep that answer', async () => {
    graph.users.set(ana.oid, { userPrincipalName: ana.upn, mail: null });
    const lookup = mailbox();
    const key = repKey({ tenantId: TENANT, objectId: ana.oid });

    assert.equal(await lookup.mailOf(key, signedIn), undefined);
    graph.users.set(ana.oid, { userPrincipalName: ana.upn, mail: 'ana@se.com' });
    assert.equal(await lookup.mailOf(key, signedIn), 'ana@se.com');
    assert.equal(graph.calls.length, 2);
  });

  it('keeps nothing with a cache time of 0', async () => {
    graph.users.set(ana.oid, { userPrincipalName: ana.upn, mail: 'ana@se.com' });
    const lookup = mailbox({ cacheMs: 0 });
    const key = repKey({ tenantId: TENANT, objectId: ana.oid });
    await lookup.mailOf(key, signedIn);
    await lookup.mailOf(key, signedIn);
    assert.equal(lookup.cachedMailOf(key), undefined);
    assert.equal(graph.calls.length, 2);
  });

  it('fails with a GraphError that carries the status and never the token when Graph refuses', async () => {
    await assert.rejects(mailbox().mailOf('unknown-rep', signedIn), (err: unknown) => {
      assert.ok(err instanceof GraphError);
      assert.equal(err.status, 404);
      assert.equal(JSON.stringify({ ...err, message: err.message }).includes('eyJ'), false, 'no JWT in the error');
      return true;
    });
  });

  it('gives up on a Graph that does not answer within the timeout', async () => {
    graph.users.set(ana.oid, { userPrincipalName: ana.upn, mail: 'ana@se.com' });
    graph.delayMs = 1000;
    const started = Date.now();
    await assert.rejects(mailbox({ timeoutMs: 100 }).mailOf('ana', signedIn), (err: unknown) => err instanceof GraphError && /did not answer \(a timeout\)/.test(err.message));
    assert.ok(Date.now() - started < 900, 'it did not wait for the answer');
  });
});
