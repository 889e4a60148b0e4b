import assert from 'node:assert/strict';
import { TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import { SsoTokenValidator } from '../../bot/auth/ssoTokenValidator';
import { IdentityError, SignInRequired, SsoIdentityProvider } from '../../bot/teams/identity';
import type { RepIdentityProvider, ResolvedRep } from '../../bot/teams/identity';
import { CachingIdentityProvider } from '../../bot/teams/identityCache';
import { ConversationHarness } from '../../testkit/conversation';
import { AUTHORITY, FakeEntra } from '../helpers/fakeEntra';
import { sendDistributorLoa } from '../../testkit/loaFlow';
import { ManualClock } from '../helpers/manualClock';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

describe('rep identity reuse', () => {
  describe('in a conversation (roster identity, default settings)', () => {
    let loa: TestSandbox;
    let h: ConversationHarness;
    const clock = new ManualClock(Date.now());

    before(async () => {
      loa = await startTestSandbox();
      h = await ConversationHarness.start(loa.url, loa, { overrides: { clock } });
    });
    after(async () => {
      await h.stop();
      await loa.close();
    });

    it('asks Teams who the rep is once for a whole send, list and delete', async () => {
      const rep = h.rep();
      const before = h.teams.rosterLookups;
      await sendDistributorLoa(rep);
      const { cards } = await rep.says('my LOAs');
      const confirm = await rep.press(cards[0]!, 'Delete');
      await rep.press(confirm, 'Delete');
      assert.equal(h.teams.rosterLookups - before, 1);
      assert.equal((await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName).length, 1);
    });

    it("acts on a change to the rep's Teams account once the reuse period (300 s by default) is over", async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep);
      const moved = `moved.${rep.member.userPrincipalName}`;
      h.teams.addMember({ ...rep.member, userPrincipalName: moved, email: moved });

      clock.advance(299_000);
      await sendDistributorLoa(rep);
      clock.advance(2_000);
      await sendDistributorLoa(rep);

      const owners = (await loa.hooks.agreements()).filter((a) => a.owner.endsWith(rep.member.userPrincipalName)).map((a) => a.owner);
      assert.deepEqual(owners, [rep.member.userPrincipalName, rep.member.userPrincipalName, moved]);
    });

    it('keeps reps apart: each is looked up for themselves', async () => {
      const ana = h.rep('Ana Rep');
      const ben = h.rep('Ben Rep');
      await sendDistributorLoa(ana);
      await sendDistributorLoa(ben);
      const owners = (await loa.hooks.agreements()).map((a) => a.owner);
      assert.ok(owners.includes(ana.member.userPrincipalName));
      assert.ok(owners.includes(ben.member.userPrincipalName));
    });
  });

  describe('turned off (REP_IDENTITY_CACHE_S=0)', () => {
    let loa: TestSandbox;
    let h: ConversationHarness;

    before(async () => {
      loa = await startTestSandbox();
      h = await ConversationHarness.start(loa.url, loa, { env: { REP_IDENTITY_CACHE_S: '0' } });
    });
    after(async () => {
      await h.stop();
      await loa.close();
    });

    it('asks Teams on every turn that acts for the rep', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep);
      const before = h.teams.rosterLookups;
      await rep.says('my LOAs');
      await rep.says('my LOAs');
      assert.equal(h.teams.rosterLookups - before, 2);
    });
  });

  describe('CachingIdentityProvider', () => {
    const ana: ResolvedRep = { rep: { objectId: 'oid-ana', tenantId: 'tid', upn: 'ana@se.com', name: 'Ana' } };

    /** An identity provider that answers from a script and counts its calls. */
    class ScriptedProvider implements RepIdentityProvider {
      calls = 0;
      constructor(private readonly answers: Array<() => Promise<ResolvedRep>>) {}
      resolve(): Promise<ResolvedRep> {
        const answer = this.answers[Math.min(this.calls, this.answers.length - 1)]!;
        this.calls++;
        return answer();
      }
    }

    function turn(overrides: Partial<Activity> = {}): TurnContext {
      const activity = {
        type: 'message',
        channelId: 'msteams',
        from: { id: '29:ana', aadObjectId: 'oid-ana', name: 'Ana' },
        conversation: { id: 'a:1ana', conversationType: 'personal', tenantId: 'tid' },
        recipient: { id: '28:bot', name: 'bot' },
        ...overrides,
      } as Activity;
      return new TurnContext({} as never, activity);
    }

    it('never keeps a failure: a rep who signs in is recognised on the next turn', async () => {
      const inner = new ScriptedProvider([() => Promise.reject(new SignInRequired('No SSO token yet')), () => Promise.resolve(ana)]);
      const cache = new CachingIdentityProvider(inner, { ttlMs: 300_000, maxEntries: 10, clock: new ManualClock() });
      await assert.rejects(cache.resolve(turn()), SignInRequired);
      assert.deepEqual(await cache.resolve(turn()), ana);
      assert.deepEqual(await cache.resolve(turn()), ana);
      assert.equal(inner.calls, 2);
    });

    it('has an SSO identity resolved again 5 minutes before its token expires', async () => {
      const entra = await FakeEntra.create();
      const appId = '11111111-2222-3333-4444-555555555555';
      const exp = Math.floor(Date.now() / 1000) + 1800;
      const token = await entra.ssoToken(entra.user('tid'), appId, { exp });
      const sso = new SsoIdentityProvider('sso', new SsoTokenValidator({ appId, authority: AUTHORITY, allowedTenants: ['tid'], keys: entra.keys }));
      const UserTokenClientKey = Symbol('UserTokenClient');
      const context = new TurnContext({ UserTokenClientKey } as never, turn().activity);
      context.turnState.set(UserTokenClientKey, { getUserToken: () => Promise.resolve({ token }), signOutUser: () => Promise.resolve() });
      const resolved = await sso.resolve(context);
      assert.equal(resolved.expiresAt, exp * 1000 - 300_000);
    });

    it('never reuses an identity past the expiry of the SSO token it came from', async () => {
      const clock = new ManualClock();
      const inner = new ScriptedProvider([() => Promise.resolve({ ...ana, ssoToken: 'sso', expiresAt: clock.now() + 60_000 })]);
      const cache = new CachingIdentityProvider(inner, { ttlMs: 300_000, maxEntries: 10, clock });
      await cache.resolve(turn());
      clock.advance(59_000);
      await cache.resolve(turn());
      assert.equal(inner.calls, 1);
      clock.advance(1_000);
      await cache.resolve(turn());
      assert.equal(inner.calls, 2);
    });

    it('does not lend a 1:1 identity to the same person in a group chat', async () => {
      const inner = new ScriptedProvider([() => Promise.resolve(ana), () => Promise.reject(new IdentityError('group chat'))]);
      const cache = new CachingIdentityProvider(inner, { ttlMs: 300_000, maxEntries: 10, clock: new ManualClock() });
      await cache.resolve(turn());
      await assert.rejects(cache.resolve(turn({ conversation: { id: '19:group@thread.v2', conversationType: 'groupChat', tenantId: 'tid', isGroup: true, name: 'g' } })), IdentityError);
    });

    it('shares one lookup between overlapping turns of one rep', async () => {
      let release!: (r: ResolvedRep) => void;
      const inner = new ScriptedProvider([() => new Promise<ResolvedRep>((r) => (release = r))]);
      const cache = new CachingIdentityProvider(inner, { ttlMs: 300_000, maxEntries: 10, clock: new ManualClock() });
      const both = Promise.all([cache.resolve(turn()), cache.resolve(turn())]);
      release(ana);
      assert.deepEqual(await both, [ana, ana]);
      assert.equal(inner.calls, 1);
    });

    it('keeps at most maxEntries reps, dropping the least recently used', async () => {
      const inner = new ScriptedProvider([() => Promise.resolve(ana)]);
      const cache = new CachingIdentityProvider(inner, { ttlMs: 300_000, maxEntries: 2, clock: new ManualClock() });
      const of = (id: string) => turn({ from: { id, name: id } });
      await cache.resolve(of('29:a'));
      await cache.resolve(of('29:b'));
      await cache.resolve(of('29:a'));
      await cache.resolve(of('29:c'));
      assert.equal(inner.calls, 3);
      await cache.resolve(of('29:a'));
      assert.equal(inner.calls, 3);
      await cache.resolve(of('29:b'));
      assert.equal(inner.calls, 4);
    });
  });
});
