import assert from 'node:assert/strict';
import { TestAdapter } from 'botbuilder';
import type { Activity, TokenExchangeRequest, TokenResponse, TurnContext } from 'botbuilder';
import { loadConfig } from '../../bot/config';
import { composeBot } from '../../bot/index';
import type { ComposedBot } from '../../bot/index';
import type { AdaptiveCard } from '../../cards/render';
import { readableText } from '../helpers/conversation';
import { FakeEntra } from '../helpers/fakeEntra';
import type { EntraUser } from '../helpers/fakeEntra';
import { distributorDetails } from '../helpers/loaFlow';
import { DISTRIBUTOR_TEMPLATE_ID, startTestSandbox } from '../helpers/sandbox';
import type { TestSandbox } from '../helpers/sandbox';

const APP_ID = '0c5f2f5e-7b0a-4a57-9d51-2b9f6a4e7c11';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CONNECTION = 'teams-sso';
const OAUTH_CARD = 'application/vnd.microsoft.card.oauth';

/**
 * TestAdapter with one behaviour of the real Bot Framework token service added: a token
 * obtained by a successful exchange stays in the user's token store.
 */
class TokenStoreTestAdapter extends TestAdapter {
  override async exchangeToken(context: TurnContext, connectionName: string, userId: string, request: TokenExchangeRequest): Promise<TokenResponse> {
    const response = await super.exchangeToken(context, connectionName, userId, request);
    if (response?.token) this.addUserToken(connectionName, context.activity.channelId, userId, response.token);
    return response;
  }
}

interface Rep {
  user: EntraUser;
  teamsId: string;
  adapter: TokenStoreTestAdapter;
}

function cardsIn(activities: Partial<Activity>[]): AdaptiveCard[] {
  return activities.flatMap((a) => (a.attachments ?? []).filter((x) => x.contentType === 'application/vnd.microsoft.card.adaptive').map((x) => x.content as AdaptiveCard));
}

describe('Teams single sign-on', () => {
  let entra: FakeEntra;
  let loa: TestSandbox;
  let composed: ComposedBot;

  before(async () => {
    entra = await FakeEntra.create();
    loa = await startTestSandbox();
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-used-by-the-test-adapter',
      SSO_CONNECTION_NAME: CONNECTION,
      SSO_ALLOWED_TENANTS: TENANT,
      LOA_API_BASE_URL: loa.url,
      LOA_CLIENT_ID: loa.clientId,
      LOA_CLIENT_SECRET: loa.clientSecret,
      LOG_LEVEL: 'silent',
      STATUS_POLL_FIRST_MS: '0',
    });
    // One bot, as in production; each rep talks to it through their own TestAdapter conversation.
    composed = await composeBot(config, new TestAdapter(), { ssoKeys: entra.keys });
  });
  after(async () => {
    await composed.close();
    await loa.close();
  });

  function rep(conversationType = 'personal', tenant = TENANT): Rep {
    const user = entra.user(tenant);
    const teamsId = `29:${user.oid}`;
    const adapter = new TokenStoreTestAdapter((ctx) => composed.bot.run(ctx), {
      channelId: 'msteams',
      conversation: { id: `conv-${user.oid}`, conversationType, tenantId: tenant, isGroup: conversationType !== 'personal', name: '' },
      from: { id: teamsId, name: user.name, aadObjectId: user.oid },
      recipient: { id: `28:${APP_ID}`, name: 'LOA bot' },
    });
    composed.middleware.forEach((m) => adapter.use(m));
    return { user, teamsId, adapter };
  }

  /** Sends an activity and returns what the bot sent back in that turn. */
  async function turn(r: Rep, activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    r.adapter.activeQueue.splice(0);
    await r.adapter.processActivity(activity);
    return r.adapter.activeQueue.splice(0);
  }

  const invokeStatus = (activities: Partial<Activity>[]) => (activities.find((a) => a.type === 'invokeResponse')?.value as { status?: number } | undefined)?.status;

  function tokenExchange(r: Rep, token: string): Partial<Activity> {
    return { type: 'invoke', name: 'signin/tokenExchange', value: { id: `exchange-${r.user.oid}`, connectionName: CONNECTION, token } };
  }

  it('signs the rep in silently on the first step that needs it, then carries on', async () => {
    const r = rep();
    const first = await turn(r, { type: 'message', text: 'my LOAs' });
    assert.ok(first.some((a) => a.attachments?.some((x) => x.contentType === OAUTH_CARD)), 'a sign-in card that Teams exchanges silently');
    assert.match(readableText(cardsIn(first)[0]!), /Sign in to continue/);

    r.adapter.addExchangeableToken(CONNECTION, 'msteams', r.teamsId, 'teams-client-token', await entra.ssoToken(r.user, APP_ID));
    const resumed = await turn(r, tokenExchange(r, 'teams-client-token'));
    assert.equal(invokeStatus(resumed), 200);
    assert.match(readableText(cardsIn(resumed)[0]!), /haven't sent any LOAs/, 'the waiting "my LOAs" ran');

    const later = await turn(r, { type: 'message', text: 'my LOAs' });
    assert.equal(later.some((a) => a.attachments?.some((x) => x.contentType === OAUTH_CARD)), false, 'no second sign-in');
  });

  it('falls back to a sign-in button when the silent exchange fails (412), and resumes after it', async () => {
    const r = rep();
    await turn(r, { type: 'message', text: 'my LOAs' });
    r.adapter.throwOnExchangeRequest(CONNECTION, 'msteams', r.teamsId, 'needs-consent');
    const refused = await turn(r, tokenExchange(r, 'needs-consent'));
    assert.equal(invokeStatus(refused), 412, 'Teams then shows the sign-in button');
    assert.equal(cardsIn(refused).length, 0);

    r.adapter.addUserToken(CONNECTION, 'msteams', r.teamsId, await entra.ssoToken(r.user, APP_ID), '314159');
    const resumed = await turn(r, { type: 'invoke', name: 'signin/verifyState', value: { state: '314159' } });
    assert.match(readableText(cardsIn(resumed)[0]!), /haven't sent any LOAs/);
  });

  it('processes one exchange when several Teams clients send the same one', async () => {
    const r = rep();
    await turn(r, { type: 'message', text: 'my LOAs' });
    r.adapter.addExchangeableToken(CONNECTION, 'msteams', r.teamsId, 'dup', await entra.ssoToken(r.user, APP_ID));
    r.adapter.activeQueue.splice(0);
    // Two clients at once: both find the prompt waiting, so only de-duplication stops a second run.
    await Promise.all([r.adapter.processActivity(tokenExchange(r, 'dup')), r.adapter.processActivity(tokenExchange(r, 'dup'))]);
    const replies = r.adapter.activeQueue.splice(0);
    assert.equal(cardsIn(replies).length, 1, 'the task resumed once');
    const statuses = replies.filter((a) => a.type === 'invokeResponse').map((a) => (a.value as { status: number }).status);
    assert.ok(statuses.length >= 2 && statuses.every((s) => s === 200), `both clients get 200, got ${statuses.join(', ')}`);
  });

  it('asks the rep to continue in 1:1 when asked in a group chat', async () => {
    const r = rep('groupChat');
    const replies = await turn(r, { type: 'message', text: 'my LOAs' });
    assert.equal(replies.some((a) => a.attachments?.some((x) => x.contentType === OAUTH_CARD)), false, 'no sign-in in a group chat');
    const card = cardsIn(replies)[0]!;
    assert.match(readableText(card), /continue in our 1:1 chat/);
    assert.match(JSON.stringify(card), new RegExp(`https://teams.microsoft.com/l/chat/0/0\\?users=28:${APP_ID}`));
  });

  it('refuses a token from a tenant that is not allowed, and sends nothing', async () => {
    const r = rep('personal', '0b2a8c1e-1111-4c3a-9a55-000000000001');
    r.adapter.addUserToken(CONNECTION, 'msteams', r.teamsId, await entra.ssoToken(r.user, APP_ID));
    const replies = await turn(r, { type: 'message', text: 'my LOAs' });
    assert.match(readableText(cardsIn(replies)[0]!), /couldn't tell who you are/);
  });

  it('acts as the signed-in rep, whatever email the card data carries', async () => {
    const r = rep();
    r.adapter.addUserToken(CONNECTION, 'msteams', r.teamsId, await entra.ssoToken(r.user, APP_ID));
    const chooser = cardsIn(await turn(r, { type: 'message', text: 'send LOA' }))[0]!;
    const draftId = /"draftId":"([^"]+)"/.exec(JSON.stringify(chooser))![1]!;
    const press = (verb: string, data: Record<string, unknown>) =>
      turn(r, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data: { draftId, ...data, email: 'ceo@se.com', upn: 'ceo@se.com' } } } });
    await press('loa.chooseTemplate', { templateId: DISTRIBUTOR_TEMPLATE_ID });
    await press('loa.reviewDraft', distributorDetails());
    const sent = await press('loa.sendDraft', {});
    assert.match(JSON.stringify(sent), /LOA sent/);
    const owners = (await loa.hooks.agreements()).map((a) => a.owner);
    assert.ok(owners.includes(r.user.upn));
    assert.equal(owners.includes('ceo@se.com'), false);
  });
});
