import assert from 'node:assert/strict';
import { rawSsoToken } from '../../bot/auth/idTokenSource';
import { LoaApiError } from '../../bot/loa/loaApiError';
import { LoaClient } from '../../bot/loa/loaClient';
import { LoaPrincipals, NoTokenSourceError } from '../../bot/loa/principals';
import { createLogger } from '../../bot/logger';
import type { RepIdentity } from '../../bot/domain/rep';
import { FakeEntra } from '../helpers/fakeEntra';
import { startTestSandbox } from '../helpers/sandbox';
import type { TestSandbox } from '../helpers/sandbox';

const APP_ID = '0c5f2f5e-7b0a-4a57-9d51-2b9f6a4e7c11';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('LOA token exchange', () => {
  let loa: TestSandbox;
  let entra: FakeEntra;
  let rep: RepIdentity;
  let ssoToken: string;

  before(async () => {
    loa = await startTestSandbox();
    entra = await FakeEntra.create();
    const user = entra.user(TENANT, 'Ana Rep');
    rep = { objectId: user.oid, tenantId: TENANT, upn: user.upn, name: user.name };
    ssoToken = await entra.ssoToken(user, APP_ID);
  });
  after(() => loa.close());

  const client = () => new LoaClient({ baseUrl: loa.url, clientId: loa.clientId, clientSecret: loa.clientSecret, timeoutMs: 2000, maxRetries: 0, logger: createLogger({ level: 'silent' }) });
  const request = { templateId: '6c0c1f8e-3f0e-4a39-9d2b-5f1d2a7b9e41', signer: { name: 'Signer', email: 'signer@acme.example' }, formData: [
    { name: 'projectName', value: 'Depot' }, { name: 'endUserSite', value: 'Lyon' }, { name: 'quoteReference', value: 'Q-2026-00123' }, { name: 'totalValueEur', value: '1000' }, { name: 'validUntil', value: '2026-12-31' },
  ] };

  it('impersonates the rep by their verified UPN in impersonate mode', async () => {
    const created = await client().createAgreement(new LoaPrincipals('impersonate').forTurn(rep, ssoToken), request);
    const stored = (await loa.hooks.agreements()).find((a) => a.id === created.id)!;
    assert.equal(stored.owner, rep.upn);
  });

  it('cannot get a new LOA token outside a turn in id_token mode', async () => {
    const principals = new LoaPrincipals('id_token', rawSsoToken);
    await assert.rejects(client().createAgreement(principals.forBackground(rep), request), (err: unknown) => {
      assert.ok(err instanceof LoaApiError);
      assert.equal(err.code, 'GRANT_UNAVAILABLE');
      assert.equal(err.outcomeUnknown, false, 'nothing reached the LOA API');
      assert.match(err.message, new RegExp(NoTokenSourceError.name));
      return true;
    });
  });
});
