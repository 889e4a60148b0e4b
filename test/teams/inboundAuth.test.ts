import assert from 'node:assert/strict';
import { format } from 'node:util';
import axios from 'axios';
import type { AxiosResponse } from 'axios';
import { generateKeyPair } from 'jose';
import type { RepIdentity } from '../../bot/domain/rep';
import { createLogger } from '../../bot/logger';
import type { AdaptiveCard } from '../../cards/render';
import { BotFrameworkAuthority } from '../helpers/botFrameworkAuth';
import { ConversationHarness } from '../../testkit/conversation';
import { TENANT_ID } from '../../testkit/fixtures';
import { readableText } from '../../testkit/cards';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

const APP_ID = '3f2b6c1e-8d4a-4e7b-9c15-2a6f0d8e4b71';
const OTHER_APP_ID = 'a7d09e42-51c3-4b8f-8e26-9f1c3b5d7e20';

/** The Bot Framework's own tenant: tokens from the Emulator are issued there. */
const BOT_FRAMEWORK_TENANT = 'd6d49420-f39b-4df7-a1dc-d59a935871db';

const REP: RepIdentity = { objectId: '0c6e9a41-7f2d-4b38-a5e1-3d9b8c2f6a07', tenantId: TENANT_ID, upn: 'ana.rep@se.com', name: 'Ana Rep' };

const minutes = (n: number) => n * 60;
const nowS = () => Math.floor(Date.now() / 1000);

/** The Authorization header to send with an activity, if any. */
type Authorization = (activity: { serviceUrl: string }) => Promise<string | undefined>;

interface ExpectedRepliesBody {
  activities?: Array<{ attachments?: Array<{ content: AdaptiveCard }> }>;
}

describe('inbound authentication', () => {
  let loa: TestSandbox;
  let authority: BotFrameworkAuthority;
  let h: ConversationHarness;
  const logLines: string[] = [];
  /** What botbuilder prints with console.error on every refusal, kept out of the test output. */
  const consoleErrors: string[] = [];
  const consoleError = console.error;

  before(async () => {
    console.error = (...args: unknown[]) => void consoleErrors.push(format(...args));
    loa = await startTestSandbox();
    authority = await BotFrameworkAuthority.start(APP_ID);
    h = await ConversationHarness.start(loa.url, loa, {
      env: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'test-secret',
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppTenantId: TENANT_ID,
        // Single sign-on is required once MicrosoftAppId is set; its authority points here so nothing reaches Entra.
        SSO_CONNECTION_NAME: 'test-sso',
        SSO_ALLOWED_TENANTS: TENANT_ID,
        SSO_AUTHORITY: `${authority.url}/sso`,
      },
      overrides: {
        auth: authority.authOptions(),
        // These tests are about the HTTP layer: who the rep is does not matter here.
        identity: { resolve: () => Promise.resolve({ rep: REP }) },
        logger: createLogger({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
      },
    });
  });
  after(async () => {
    console.error = consoleError;
    await h.stop();
    await authority.close();
    await loa.close();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') consoleError(consoleErrors.join('\n'));
    consoleErrors.length = 0;
  });

  /** A rep's "help" message as Teams posts it, with the given Authorization header, if any. */
  async function postHelp(authorization: Authorization, extra: Record<string, unknown> = {}): Promise<AxiosResponse<unknown>> {
    const activity: Record<string, unknown> = { ...h.rep().activity('message'), text: 'help', deliveryMode: 'expectReplies', ...extra };
    const header = await authorization({ serviceUrl: String(activity.serviceUrl) });
    return axios.post(`${h.bot.url}/api/messages`, activity, { headers: header === undefined ? {} : { Authorization: header }, validateStatus: () => true });
  }

  const bearer = (token: string) => `Bearer ${token}`;
  const turnsTaken = () => logLines.filter((line) => (JSON.parse(line) as { msg?: string }).msg === 'Message').length;

  it('accepts a message with a channel token signed by the published key and answers in the body', async () => {
    const turnsBefore = turnsTaken();
    const res = await postHelp(async ({ serviceUrl }) => bearer(await authority.signChannelToken({ serviceurl: serviceUrl })));

    assert.equal(res.status, 200, `answered ${res.status}: ${JSON.stringify(res.data)}`);
    const activities = (res.data as ExpectedRepliesBody).activities ?? [];
    assert.equal(activities.length, 1);
    assert.match(readableText(activities[0]!.attachments![0]!.content), /send LOA: Start a new Letter of Agreement/);
    assert.equal(turnsTaken(), turnsBefore + 1);
    assert.ok(authority.requests.includes('/v1/.well-known/keys'), 'the signing key came from the local authority');
    assert.deepEqual(authority.requests.filter((path) => !path.includes('/.well-known/')), [], 'only OpenID configurations and keys were fetched');
    assert.deepEqual(h.teams.calls, [], 'the replies came in the body, with no call to the connector');
  });

  const refused: Array<{ behaviour: string; authorization: Authorization; extra?: Record<string, unknown> }> = [
    {
      behaviour: 'refuses a request without an Authorization header',
      authorization: () => Promise.resolve(undefined),
    },
    {
      behaviour: 'refuses a token that is not a bearer token',
      authorization: async ({ serviceUrl }) => `Basic ${await authority.signChannelToken({ serviceurl: serviceUrl })}`,
    },
    {
      behaviour: 'refuses an unsigned token (alg none) naming the published key',
      authorization: ({ serviceUrl }) => Promise.resolve(bearer(authority.unsignedChannelToken({ serviceurl: serviceUrl }, 'none'))),
    },
    {
      behaviour: 'refuses a token whose signature is garbage',
      authorization: ({ serviceUrl }) => Promise.resolve(bearer(authority.unsignedChannelToken({ serviceurl: serviceUrl }, 'garbage'))),
    },
    {
      behaviour: 'refuses a token signed by another key under the published key id',
      authorization: async ({ serviceUrl }) => {
        const forger = await generateKeyPair('RS256');
        return bearer(await authority.signChannelToken({ serviceurl: serviceUrl }, { privateKey: forger.privateKey }));
      },
    },
    {
      behaviour: 'refuses a token that expired longer ago than the 5-minute clock skew',
      authorization: async ({ serviceUrl }) =>
        bearer(await authority.signChannelToken({ serviceurl: serviceUrl, iat: nowS() - minutes(70), nbf: nowS() - minutes(70), exp: nowS() - minutes(10) })),
    },
    {
      behaviour: 'refuses a token that is not valid yet, beyond the clock skew',
      authorization: async ({ serviceUrl }) =>
        bearer(await authority.signChannelToken({ serviceurl: serviceUrl, iat: nowS(), nbf: nowS() + minutes(10), exp: nowS() + minutes(70) })),
    },
    {
      behaviour: 'refuses a token issued for another bot (audience)',
      authorization: async ({ serviceUrl }) => bearer(await authority.signChannelToken({ serviceurl: serviceUrl, aud: OTHER_APP_ID })),
    },
    {
      behaviour: 'refuses a token from another issuer',
      authorization: async ({ serviceUrl }) => bearer(await authority.signChannelToken({ serviceurl: serviceUrl, iss: 'https://issuer.example' })),
    },
    {
      behaviour: 'refuses a token issued for another service URL than the activity names',
      authorization: async () => bearer(await authority.signChannelToken({ serviceurl: 'https://smba.trafficmanager.net/emea/' })),
    },
    {
      behaviour: 'refuses an activity from a channel the signing key is not endorsed for',
      authorization: async ({ serviceUrl }) => bearer(await authority.signChannelToken({ serviceurl: serviceUrl })),
      extra: { channelId: 'webchat' },
    },
    {
      behaviour: 'refuses a token in the Emulator\'s shape',
      authorization: async ({ serviceUrl }) =>
        bearer(await authority.signChannelToken({ serviceurl: serviceUrl, iss: `https://sts.windows.net/${BOT_FRAMEWORK_TENANT}/`, ver: '1.0', appid: APP_ID })),
    },
  ];

  for (const { behaviour, authorization, extra } of refused) {
    it(behaviour, async () => {
      const turnsBefore = turnsTaken();
      const res = await postHelp(authorization, extra);

      assert.equal(res.status, 401, `answered ${res.status}: ${JSON.stringify(res.data)}`);
      assert.equal((res.data as ExpectedRepliesBody | undefined)?.activities, undefined, 'no replies in the body');
      assert.equal(turnsTaken(), turnsBefore, 'no turn ran');
      assert.deepEqual(h.teams.calls, [], 'nothing was sent to Teams');
    });
  }

  it('keeps the app password and tokens out of the logs and the console', async () => {
    logLines.length = 0;
    const signed: Authorization = async ({ serviceUrl }) => bearer(await authority.signChannelToken({ serviceurl: serviceUrl }));
    assert.equal((await postHelp(signed)).status, 200);
    assert.equal((await postHelp(signed, { channelId: 'webchat' })).status, 401);
    assert.equal((await postHelp(({ serviceUrl }) => Promise.resolve(bearer(authority.unsignedChannelToken({ serviceurl: serviceUrl }, 'garbage'))))).status, 401);

    const printed = [...logLines, ...consoleErrors].join('\n');
    assert.ok(logLines.length > 0 && consoleErrors.length > 0, 'the turn was logged and the refusals were printed');
    assert.doesNotMatch(printed, /test-secret/);
    assert.doesNotMatch(printed, /eyJ[\w-]+\.eyJ[\w-]+/, 'no JWT');
  });
});
