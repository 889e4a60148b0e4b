import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Env } from '../bot/config';
import { formatResults, runDoctor } from '../bot/doctor';
import type { CheckResult, DoctorEndpoints } from '../bot/doctor';
import { startAzurite } from './helpers/azurite';
import type { RunningAzurite } from './helpers/azurite';
import { BotFrameworkAuthority } from './helpers/botFrameworkAuth';
import { TENANT_ID } from '../testkit/fixtures';
import { FakeEntra, FakeEntraServer } from './helpers/fakeEntra';
import { FakeTokenService } from './helpers/fakeTokenService';
import { freePort } from './helpers/botProcess';
import { startTestSandbox } from '../testkit/sandbox';
import type { TestSandbox } from '../testkit/sandbox';

const APP_ID = '7d1e3c55-4b2a-4f0e-9a61-3c8b2e5f9d04';
const APP_SECRET = `bot-secret-${randomUUID()}`;
const CONNECTION = 'teams-sso';

/** `npm run doctor` against local fakes of everything it checks: it must pass a good setup and name each broken part. */
describe('npm run doctor', () => {
  let authority: BotFrameworkAuthority;
  let entra: FakeEntraServer;
  let tokens: FakeTokenService;
  let loa: TestSandbox;
  let azurite: RunningAzurite;
  let endpoints: DoctorEndpoints;
  let good: Env;

  before(async function () {
    this.timeout(60_000);
    authority = await BotFrameworkAuthority.start(APP_ID);
    entra = await new FakeEntraServer(await FakeEntra.create(), new Map([[APP_ID, APP_SECRET]])).start();
    tokens = await new FakeTokenService(APP_ID, [CONNECTION]).start();
    loa = await startTestSandbox();
    azurite = await startAzurite();
    endpoints = {
      channelOpenIdMetadataUrl: authority.authOptions().ToBotFromChannelOpenIdMetadataUrl!,
      loginUrl: entra.url,
      tokenServiceUrl: tokens.url,
      botScope: 'https://api.botframework.com/.default',
    };
    good = {
      NODE_ENV: 'test',
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: APP_SECRET,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: TENANT_ID,
      SSO_CONNECTION_NAME: CONNECTION,
      SSO_ALLOWED_TENANTS: TENANT_ID,
      SSO_AUTHORITY: entra.url,
      LOA_API_BASE_URL: loa.url,
      LOA_CLIENT_ID: loa.clientId,
      LOA_CLIENT_SECRET: loa.clientSecret,
      STATE_STORAGE: 'blob',
      STATE_BLOB_CONNECTION_STRING: azurite.connectionString,
      STATE_BLOB_CONTAINER: `doctor${randomUUID().slice(0, 8)}`,
    };
  });
  after(async () => {
    await azurite.stop();
    await loa.close();
    await tokens.stop();
    await entra.stop();
    await authority.close();
  });

  async function doctor(env: Env, loaTestIdentity: string | null = 'ana.rep@se.com'): Promise<{ results: CheckResult[]; text: string }> {
    const results = await runDoctor({ env, endpoints, timeoutMs: 3000, ...(loaTestIdentity ? { loaTestIdentity } : {}) });
    return { results, text: formatResults(results) };
  }
  const statusOf = (results: CheckResult[], name: string) => results.find((r) => r.name === name)?.status;

  it('passes every check for a working setup, and prints no secret', async function () {
    this.timeout(20_000);
    const { results, text } = await doctor(good);
    assert.deepEqual(
      results.map((r) => [r.name, r.status]),
      [
        ['Key Vault references', 'pass'],
        ['configuration', 'pass'],
        ['channel signing keys', 'pass'],
        ['SSO signing keys', 'pass'],
        ['bot credentials', 'pass'],
        ['SSO connection', 'pass'],
        ['LOA API credentials', 'pass'],
        ['state storage', 'pass'],
      ],
      text,
    );
    assert.match(text, /All checks passed\./);
    assert.deepEqual(entra.tokenRequests.at(-1), { tenant: TENANT_ID, clientId: APP_ID, scope: 'https://api.botframework.com/.default' }, 'a single-tenant bot asks its own tenant');
    for (const secret of [APP_SECRET, loa.clientSecret]) assert.ok(!text.includes(secret), 'no secret in the output');
  });

  it('names a setting that is still a Key Vault reference, and stops there', async () => {
    const { results, text } = await doctor({ ...good, LOA_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=https://loa-kv.vault.azure.net/secrets/loa-client-secret/)' });
    assert.equal(statusOf(results, 'Key Vault references'), 'fail');
    assert.match(text, /still unresolved: LOA_CLIENT_SECRET/);
    assert.match(text, /Key Vault Secrets User/);
    assert.equal(statusOf(results, 'configuration'), 'fail', 'the bot itself refuses to start on it');
    assert.equal(results.length, 2);
    assert.match(text, /1 check failed|2 checks failed/);
  });

  it('says the bot credentials were refused, and skips the connection check that needs them', async () => {
    const { results, text } = await doctor({ ...good, MicrosoftAppPassword: 'an-expired-secret' });
    assert.equal(statusOf(results, 'bot credentials'), 'fail');
    assert.match(text, /Entra ID refused app .* invalid_client/);
    assert.match(text, /MicrosoftAppPassword/);
    assert.equal(statusOf(results, 'SSO connection'), 'skip');
    assert.ok(!text.includes('an-expired-secret'));
  });

  it('says the OAuth connection does not exist and points at Test connection', async () => {
    const { results, text } = await doctor({ ...good, SSO_CONNECTION_NAME: 'no-such-connection' });
    assert.equal(statusOf(results, 'SSO connection'), 'fail');
    assert.match(text, /connection no-such-connection refused \(HTTP 404\)/);
    assert.match(text, /Test connection/);
  });

  it("blames the LOA client credentials, not the test identity, when the LOA token endpoint refuses them", async () => {
    const { results, text } = await doctor({ ...good, LOA_CLIENT_SECRET: 'not-the-loa-secret' });
    assert.equal(statusOf(results, 'LOA API credentials'), 'fail');
    assert.match(text, /refused the bot's client credentials \(invalid_client\)/);
    assert.match(text, /LOA_CLIENT_ID and LOA_CLIENT_SECRET/);
    assert.ok(!text.includes('not-the-loa-secret'));
  });

  it('asks for a test identity rather than guessing one', async () => {
    const { results, text } = await doctor(good, null);
    assert.equal(statusOf(results, 'LOA API credentials'), 'fail');
    assert.match(text, /npm run doctor -- --as someone@se\.com/);
  });

  it('says when the channel signing keys cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/v1/.well-known/openidconfiguration`;
    const results = await runDoctor({ env: good, endpoints: { ...endpoints, channelOpenIdMetadataUrl: closed }, loaTestIdentity: 'ana.rep@se.com' });
    const channel = results.find((r) => r.name === 'channel signing keys')!;
    assert.equal(channel.status, 'fail');
    assert.match(channel.detail, /unreachable: ECONNREFUSED/);
    assert.match(channel.hint!, /outbound network rules/);
  });

  it('says when the SSO signing keys or state storage cannot be reached', async function () {
    // The storage client retries a refused connection for about 15 s before it gives up.
    this.timeout(60_000);
    const closed = `127.0.0.1:${await freePort()}`;
    const { results, text } = await doctor({
      ...good,
      SSO_AUTHORITY: `http://${closed}`,
      STATE_BLOB_CONNECTION_STRING: good.STATE_BLOB_CONNECTION_STRING!.replace(/BlobEndpoint=http:\/\/[^/]+\//, `BlobEndpoint=http://${closed}/`),
    });
    assert.equal(statusOf(results, 'SSO signing keys'), 'fail');
    assert.match(text, /SSO_AUTHORITY/);
    assert.equal(statusOf(results, 'state storage'), 'fail');
    assert.match(text, /unreachable: connect ECONNREFUSED/);
    assert.match(text, /Storage Blob Data Contributor/);
    assert.ok(!text.includes('AccountKey'), 'the storage key is not printed');
  });
});
