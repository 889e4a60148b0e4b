import assert from 'node:assert/strict';
import { format } from 'node:util';
import type { AxiosResponse } from 'axios';
import { createLogger } from '../../bot/logger';
import type { AdaptiveCard } from '../../cards/render';
import { BotFrameworkAuthority, StaticBotCredentials } from '../helpers/botFrameworkAuth';
import { ConversationHarness } from '../../testkit/conversation';
import { DISTRIBUTOR_TEMPLATE_ID, TENANT_ID, distributorDetails } from '../../testkit/fixtures';
import { readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { FakeEntra } from '../helpers/fakeEntra';
import type { EntraUser } from '../helpers/fakeEntra';
import { FakeTokenService } from '../helpers/fakeTokenService';
import { ExtensionSession, dialogOf } from '../../testkit/messageExtension';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

const APP_ID = '0c5f2f5e-7b0a-4a57-9d51-2b9f6a4e7c11';
const CONNECTION = 'teams-sso';
const OAUTH_CARD = 'application/vnd.microsoft.card.oauth';
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

interface ActivityOut {
  type?: string;
  attachments?: Array<{ contentType: string; content: unknown }>;
}

/**
 * Single sign-on as production runs it: CloudAdapter, the real UserTokenClient and the Teams
 * SSO middleware, over HTTP, against a fake of the Bot Framework token service's HTTP API.
 */
describe('Teams single sign-on through CloudAdapter and the token service', () => {
  let entra: FakeEntra;
  let authority: BotFrameworkAuthority;
  let tokens: FakeTokenService;
  let loa: TestSandbox;
  let h: ConversationHarness;
  const logLines: string[] = [];
  /** What botbuilder prints with console.error, kept out of the test output. */
  const consoleError = console.error;

  before(async () => {
    console.error = (...args: unknown[]) => void logLines.push(format(...args));
    entra = await FakeEntra.create();
    authority = await BotFrameworkAuthority.start(APP_ID);
    tokens = await new FakeTokenService(APP_ID).start();
    loa = await startTestSandbox();
    h = await ConversationHarness.start(loa.url, loa, {
      env: {
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: 'used-by-entra-only',
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppTenantId: TENANT_ID,
        SSO_CONNECTION_NAME: CONNECTION,
        SSO_ALLOWED_TENANTS: TENANT_ID,
        STATUS_POLL_FIRST_MS: '0',
      },
      overrides: {
        auth: { ...authority.authOptions(), OAuthUrl: tokens.url },
        credentials: new StaticBotCredentials(APP_ID),
        ssoKeys: entra.keys,
        logger: createLogger({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
      },
    });
    h.authorization = async (activity) => `Bearer ${await authority.signChannelToken({ serviceurl: String(activity.serviceUrl) })}`;
  });
  after(async () => {
    console.error = consoleError;
    await h.stop();
    await tokens.stop();
    await authority.close();
    await loa.close();
  });

  /** A rep, known to Entra ID under the same object id as in Teams. */
  function rep(tenant = TENANT_ID): { session: RepSession; user: EntraUser } {
    const session = h.rep('Sso Rep', tenant);
    const user: EntraUser = { oid: session.member.aadObjectId, tid: tenant, upn: session.member.userPrincipalName, name: session.member.name };
    return { session, user };
  }

  async function says(session: RepSession, text: string): Promise<ActivityOut[]> {
    const res = await h.post({ ...session.activity('message'), text, deliveryMode: 'expectReplies' });
    assert.equal(res.status, 200, JSON.stringify(res.data));
    return (res.data as { activities?: ActivityOut[] }).activities ?? [];
  }

  const signInInvoke = (session: RepSession, name: string, value: unknown): Promise<AxiosResponse<unknown>> => h.post({ ...session.activity('invoke'), name, value });
  const exchange = (session: RepSession, teamsToken: string) => signInInvoke(session, 'signin/tokenExchange', { id: `exchange-${teamsToken}`, connectionName: CONNECTION, token: teamsToken });
  const cardsOf = (activities: ActivityOut[]) => activities.flatMap((a) => (a.attachments ?? []).filter((x) => x.contentType === ADAPTIVE_CARD).map((x) => x.content as AdaptiveCard));
  const hasOAuthCard = (activities: ActivityOut[]) => activities.some((a) => a.attachments?.some((x) => x.contentType === OAUTH_CARD));
  /** Cards the bot posted into the rep's chat through the Teams connector (outside the HTTP answer). */
  const postedCards = (session: RepSession) => cardsOf(h.teams.posted(session.conversationId));

  it('signs the rep in silently on the first step that needs it, then carries on', async () => {
    const { session, user } = rep();
    const first = await says(session, 'my LOAs');
    assert.ok(hasOAuthCard(first), 'a sign-in card that Teams exchanges silently');
    assert.match(readableText(cardsOf(first)[0]!), /Sign in to continue/);
    assert.ok(tokens.callsTo('api/botsignin/GetSignInResource').length > 0, 'the card carries the token exchange resource');

    tokens.allowExchange('teams-token-1', await entra.ssoToken(user, APP_ID));
    const exchanged = await exchange(session, 'teams-token-1');
    assert.equal(exchanged.status, 200);
    await h.teams.waitFor(() => postedCards(session).length > 0);
    assert.match(readableText(postedCards(session)[0]!), /haven't sent any LOAs/, 'the waiting "my LOAs" ran');

    const later = await says(session, 'my LOAs');
    assert.equal(hasOAuthCard(later), false, 'no second sign-in');
    assert.match(readableText(cardsOf(later)[0]!), /haven't sent any LOAs/);
    for (const call of tokens.calls) assert.ok(call.authorized, `${call.method} ${call.path} carried the bot's own token`);
  });

  it("asks a French rep to sign in in French, and resumes the task once signed in", async () => {
    const { session, user } = rep();
    session.locale = 'fr-FR';
    const first = await says(session, 'mes LOA');
    const oauth = first.flatMap((a) => a.attachments ?? []).find((x) => x.contentType === OAUTH_CARD);
    assert.match(JSON.stringify(oauth?.content), /Connectez-vous avec votre compte Schneider Electric/);
    assert.match(readableText(cardsOf(first)[0]!), /Connectez-vous pour continuer/);

    tokens.allowExchange('teams-token-fr', await entra.ssoToken(user, APP_ID));
    assert.equal((await exchange(session, 'teams-token-fr')).status, 200);
    await h.teams.waitFor(() => postedCards(session).length > 0);
  });

  it('answers 412 when the exchange fails, then signs in with the button and verifyState, and resumes', async () => {
    const { session, user } = rep();
    await says(session, 'my LOAs');
    const refused = await exchange(session, 'teams-token-without-consent');
    assert.equal(refused.status, 412, 'Teams then shows the sign-in button');

    tokens.issueMagicCode('314159', await entra.ssoTokenV1(user, APP_ID));
    const verified = await signInInvoke(session, 'signin/verifyState', { state: '314159' });
    assert.equal(verified.status, 200);
    await h.teams.waitFor(() => postedCards(session).length > 0);
    assert.match(readableText(postedCards(session)[0]!), /haven't sent any LOAs/);
  });

  it('signs the rep out of the token store and in again when the stored token has expired, and the task continues', async () => {
    const { session, user } = rep();
    const past = Math.floor(Date.now() / 1000) - 7200;
    tokens.storeToken(session.member.id, CONNECTION, await entra.ssoToken(user, APP_ID, { iat: past, nbf: past, exp: past + 3600 }));
    const signOutsBefore = tokens.callsTo('api/usertoken/SignOut').length;

    const first = await says(session, 'my LOAs');
    assert.equal(tokens.callsTo('api/usertoken/SignOut').length, signOutsBefore + 1, 'signed out of the token store');
    assert.ok(hasOAuthCard(first), 'and a new sign-in started in the same turn');
    assert.doesNotMatch(JSON.stringify(first), /couldn't tell who you are|Sign out of Teams/);

    const fresh = await entra.ssoToken(user, APP_ID);
    tokens.allowExchange('teams-token-after-expiry', fresh);
    assert.equal((await exchange(session, 'teams-token-after-expiry')).status, 200);
    await h.teams.waitFor(() => postedCards(session).length > 0);
    assert.match(readableText(postedCards(session)[0]!), /haven't sent any LOAs/, 'the task the rep started continued');
    assert.equal(tokens.storedToken(session.member.id, CONNECTION), fresh);
  });

  it('processes one exchange when several Teams clients send the same one', async () => {
    const { session, user } = rep();
    await says(session, 'my LOAs');
    tokens.allowExchange('teams-token-dup', await entra.ssoToken(user, APP_ID));
    // Two clients at once: both find the prompt waiting, so only de-duplication stops a second run.
    const [a, b] = await Promise.all([exchange(session, 'teams-token-dup'), exchange(session, 'teams-token-dup')]);
    assert.deepEqual([a.status, b.status], [200, 200]);
    await h.teams.waitFor(() => postedCards(session).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(postedCards(session).length, 1, 'the task resumed once');
  });

  it('asks the rep to continue in 1:1 when asked in a group chat, without a sign-in', async () => {
    const { session } = rep();
    const activity = session.activity('message');
    const res = await h.post({ ...activity, text: 'my LOAs', deliveryMode: 'expectReplies', conversation: { ...(activity.conversation as object), id: `19:${session.member.aadObjectId}@thread.v2`, conversationType: 'groupChat', isGroup: true } });
    const replies = (res.data as { activities: ActivityOut[] }).activities;
    assert.equal(hasOAuthCard(replies), false);
    const card = cardsOf(replies)[0]!;
    assert.match(readableText(card), /continue in our 1:1 chat/);
    assert.match(JSON.stringify(card), new RegExp(`https://teams.microsoft.com/l/chat/0/0\\?users=28:${APP_ID}`));
  });

  it('reads the token store without an empty magic code', async () => {
    const { session, user } = rep();
    tokens.storeToken(session.member.id, CONNECTION, await entra.ssoToken(user, APP_ID));
    await says(session, 'my LOAs');
    const reads = tokens.callsTo('api/usertoken/GetToken').filter((c) => c.query.userId === session.member.id);
    assert.ok(reads.length > 0);
    for (const read of reads) assert.equal('code' in read.query, false, `GetToken?${new URLSearchParams(read.query).toString()}`);
  });

  it('logs a signin/failure as an operator error and tells the rep plainly', async () => {
    const { session } = rep();
    const res = await signInInvoke(session, 'signin/failure', { code: 'resourcematchfailed', message: 'Resource match failed' });
    assert.equal(res.status, 200);
    await h.teams.waitFor(() => postedCards(session).length > 0);
    const told = readableText(postedCards(session)[0]!);
    assert.match(told, /I couldn't sign you in/);
    assert.match(told, /Your admin has been told/);
    assert.doesNotMatch(told, /resourcematchfailed/, 'no code for the rep');
    const logged = logLines.filter((l) => l.includes('resourcematchfailed')).map((l) => JSON.parse(l) as { level: string; operatorError?: boolean; msg: string });
    assert.ok(logged.some((l) => l.level === 'error' && l.operatorError && /App ID URI/.test(l.msg)), 'an operator error naming what to check');
  });

  it('tells a rep whose organisation the bot does not serve so, without a sign-in loop', async () => {
    const other = '0b2a8c1e-1111-4c3a-9a55-000000000001';
    const { session, user } = rep(other);
    tokens.storeToken(session.member.id, CONNECTION, await entra.ssoToken(user, APP_ID));
    const replies = await says(session, 'my LOAs');
    assert.equal(hasOAuthCard(replies), false);
    assert.match(readableText(cardsOf(replies)[0]!), /not open to your organisation/);
  });

  it('acts as the signed-in rep, whatever email the card data carries', async () => {
    const { session, user } = rep();
    tokens.storeToken(session.member.id, CONNECTION, await entra.ssoTokenV1(user, APP_ID));
    const chooser = cardsOf(await says(session, 'send LOA'))[0]!;
    const draftId = /"draftId":"([^"]+)"/.exec(JSON.stringify(chooser))![1]!;
    const forged = { email: 'ceo@se.com', upn: 'ceo@se.com' };
    const details = await session.invoke('loa.chooseTemplate', { draftId, templateId: DISTRIBUTOR_TEMPLATE_ID, ...forged }, chooser);
    const review = await session.invoke('loa.reviewDraft', { draftId, ...distributorDetails(), ...forged }, details);
    const sent = await session.invoke('loa.sendDraft', { draftId, ...forged }, review);
    assert.match(readableText(sent), /LOA sent/);
    const owners = (await loa.hooks.agreements()).map((a) => a.owner);
    assert.ok(owners.includes(user.upn));
    assert.equal(owners.includes('ceo@se.com'), false);
  });
  describe('message extension', () => {
    it('answers an invoke without a token with the sign-in for the SSO connection, and no LOA data', async () => {
      const { session } = rep();
      const me = new ExtensionSession(h, session);
      for (const answer of [await me.fetchTask('send the distributor pricing LOA to Jane Doe jane@acme.example'), await me.query('acme')]) {
        assert.equal(answer.status, 200);
        const auth = answer.body?.composeExtension;
        assert.ok(auth && ['auth', 'silentAuth'].includes(auth.type), JSON.stringify(answer.body));
        assert.match(auth.suggestedActions?.actions[0]?.value ?? '', /\/api\/oauth\/signin\?signin=/);
        assert.equal(answer.body?.task, undefined, 'no dialog');
        assert.equal(auth.attachments, undefined, 'no results');
      }
    });

    it('refuses an SSO token Teams could not exchange with 412, so Teams shows the sign-in page', async () => {
      const me = new ExtensionSession(h, rep().session);
      const refused = await me.query('acme', { authentication: { token: 'teams-token-without-consent' } });
      assert.equal(refused.status, 412);
    });

    it('exchanges the SSO token Teams brings back after silentAuth, then answers as the rep', async () => {
      const { session, user } = rep();
      tokens.allowExchange('me-teams-token', await entra.ssoToken(user, APP_ID));
      const answer = await new ExtensionSession(h, session).query('acme', { authentication: { token: 'me-teams-token' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.body?.composeExtension?.type, 'result', JSON.stringify(answer.body));
      assert.ok(tokens.storedToken(session.member.id, CONNECTION), 'kept in the token store for the next invoke');
    });

    it('signs the rep in with the magic code Teams brings back, then runs the task as them', async () => {
      const { session, user } = rep();
      tokens.issueMagicCode('271828', await entra.ssoToken(user, APP_ID));
      const me = new ExtensionSession(h, session);
      const answer = await me.fetchTask(undefined, { state: '271828' });
      assert.match(readableText(dialogOf(answer)), /template/i);
      const search = await me.query('');
      assert.deepEqual(search.body?.composeExtension?.attachments, [], 'signed in: their own (no) LOAs');
    });
  });
});
