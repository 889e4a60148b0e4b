import assert from 'node:assert/strict';
import { describeStatus } from '../../bot/domain/agreement';
import { defaultRef, matchRef, shortRefs } from '../../bot/domain/agreementRef';
import type { AdaptiveCard } from '../../cards/render';
import { ConversationHarness } from '../../testkit/conversation';
import { actionsOf, inputsOf, readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { GET_UNSUPPORTED_FOR_MS } from '../../bot/loa/loaClient';
import { openDistributorDraft, sendDistributorLoa } from '../../testkit/loaFlow';
import { JumpingClock } from '../helpers/manualClock';
import { startTestSandbox } from '../../testkit/sandbox';
import { MemoryStorage } from 'botbuilder';
import { memoryStores } from '../../bot/domain/keyValueStore';
import type { KeyValueStore, StoreFactory } from '../../bot/domain/keyValueStore';
import type { TestSandbox } from '../../testkit/sandbox';

/** The item containers of a "my LOAs" card, as the rep reads them. */
function listedSigners(card: AdaptiveCard): string[] {
  return [...readableText(card).matchAll(/^To (.+) \(/gm)].map((m) => m[1]!);
}

describe('my LOAs', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    // Some tests change a rep's Teams account between turns, so the bot asks Teams every turn
    // here; test/teams/identityCache.test.ts covers the reuse.
    h = await ConversationHarness.start(loa.url, loa, { env: { REP_IDENTITY_CACHE_S: '0' } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });
  afterEach(async () => {
    await loa.hooks.clearFaults();
    await loa.hooks.setCapabilities({ getAgreement: true });
  });

  const owned = async (rep: RepSession) => (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);

  it('says so when the rep has sent nothing yet', async () => {
    const card = await myLoas(h.rep());
    assert.match(readableText(card), /haven't sent any LOAs/);
  });

  it('lists the newest first, ten to a page, with paging both ways', async function () {
    this.timeout(60_000);
    const rep = h.rep();
    for (let i = 1; i <= 12; i++) await sendDistributorLoa(rep, { signerName: `Signer ${String(i).padStart(2, '0')}` });

    const first = await myLoas(rep, 'list LOAs');
    assert.deepEqual(listedSigners(first), ['Signer 12', 'Signer 11', 'Signer 10', 'Signer 09', 'Signer 08', 'Signer 07', 'Signer 06', 'Signer 05', 'Signer 04', 'Signer 03']);
    assert.match(readableText(first), /page 1 of 2/);
    assert.match(readableText(first), /Distributor pricing agreement/);
    assert.match(readableText(first), /^Sent: waiting for the signer · sent \{\{DATE\(\S+Z, SHORT\)\}\} at \{\{TIME\(\S+Z\)\}\}$/m);
    assert.equal(actionsOf(first).filter((a) => a.title === 'Delete').length, 10);
    assert.equal(actionsOf(first).filter((a) => a.title === 'New from this').length, 10);
    assert.equal(actionsOf(first).some((a) => a.title === 'Newer'), false);

    const second = await rep.press(first, 'Older');
    assert.deepEqual(listedSigners(second), ['Signer 02', 'Signer 01']);
    assert.match(readableText(second), /page 2 of 2/);
    assert.equal(actionsOf(second).some((a) => a.title === 'Older'), false);
    const back = await rep.press(second, 'Newer');
    assert.equal(listedSigners(back)[0], 'Signer 12');
  });

  it('is the same list from any chat with the bot', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Cross Chat' });
    const otherChat = h.rep();
    Object.assign(otherChat, { member: rep.member });
    const card = await myLoas(otherChat, 'my agreements');
    assert.deepEqual(listedSigners(card), ['Cross Chat']);
  });

  describe('delete', () => {
    it('deletes the rep\'s own LOA after a confirmation, and says so in the chat', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'To Delete' });
      const [agreement] = await owned(rep);
      const list = await myLoas(rep);
      const confirm = await rep.press(list, 'Delete', {}, (a) => a.data.agreementId === agreement!.id);
      const text = readableText(confirm);
      assert.match(text, /Delete this LOA\?/);
      assert.match(text, /Template: Distributor pricing agreement/);
      assert.match(text, /Signer: To Delete/);
      assert.match(JSON.stringify(confirm), /\{\{DATE\(/, 'shows when it was created');

      const deleted = await rep.press(confirm, 'Delete');
      assert.match(readableText(deleted), /LOA deleted/);
      assert.equal(actionsOf(deleted).some((a) => a.title === 'Delete'), false, 'read-only');
      assert.equal((await owned(rep))[0]!.status, 'DELETED');
      await h.teams.waitFor(() => h.teams.posted(rep.conversationId).some((m) => /is deleted/.test(String(m.text))));
      const after = await myLoas(rep);
      assert.match(readableText(after), /^Deleted · sent/m);
      assert.equal(actionsOf(after).some((a) => a.title === 'Delete'), false);
    });

    it('deletes once when Delete is confirmed twice', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep);
      const [agreement] = await owned(rep);
      const { cards } = await rep.says(`delete LOA ${agreement!.id}`);
      const before = (await loa.hooks.calls()).delete;
      const [a, b] = await Promise.all([rep.press(cards[0]!, 'Delete'), rep.press(cards[0]!, 'Delete')]);
      const c = await rep.press(cards[0]!, 'Delete');
      assert.equal((await loa.hooks.calls()).delete - before, 1, 'one DELETE reached the API');
      for (const card of [a, b, c]) assert.match(readableText(card), /LOA deleted|Deleting/);
      assert.match(readableText(c), /LOA deleted/);
    });

    it("refuses another rep's LOA without calling the API", async () => {
      const owner = h.rep('Owner Rep');
      await sendDistributorLoa(owner);
      const [agreement] = await owned(owner);
      const other = h.rep('Other Rep');
      const before = (await loa.hooks.calls()).delete;
      const { cards } = await other.says(`delete LOA ${agreement!.id}`);
      assert.match(readableText(cards[0]!), /can't find that LOA/);
      assert.match(readableText(cards[0]!), /only delete LOAs you sent/);
      const forged = await other.invoke('loa.deleteAgreement', { agreementId: agreement!.id });
      assert.match(readableText(forged), /This card belongs to someone else/);
      assert.equal((await loa.hooks.calls()).delete, before);
      assert.equal((await owned(owner))[0]!.status, 'SENT');
    });

    it('reports the API refusing the delete (403) and keeps the LOA', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep);
      const [agreement] = await owned(rep);
      // The rep's Teams account now maps to another LOA identity, which the API will not let delete it.
      h.teams.addMember({ ...rep.member, userPrincipalName: `moved.${rep.member.userPrincipalName}`, email: `moved.${rep.member.email}` });
      const { cards } = await rep.says(`delete LOA ${agreement!.id}`);
      const refused = await rep.press(cards[0]!, 'Delete');
      assert.match(readableText(refused), /not allowed to delete/);
      assert.equal((await loa.hooks.agreements()).find((a) => a.id === agreement!.id)!.status, 'SENT');
    });

    it('says an unknown id is not found, and an id the API forgot is already gone', async () => {
      const rep = h.rep();
      const { cards } = await rep.says('delete LOA 00000000-0000-0000-0000-000000000000');
      assert.match(readableText(cards[0]!), /can't find that LOA/);

      await sendDistributorLoa(rep, { signerName: 'Forgotten' });
      const [agreement] = await owned(rep);
      await loa.hooks.reset(); // the API no longer knows it
      const confirm = (await rep.says(`delete LOA ${agreement!.id}`)).cards[0]!;
      const gone = await rep.press(confirm, 'Delete');
      assert.match(readableText(gone), /Already gone/);
      assert.match(readableText(await myLoas(rep)), /No longer in the LOA service/);
    });
  });

  describe('rows', () => {
    it('shows the customer, a short ref, the date and time in the rep\'s locale, and the status in words', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'Row Signer', f_customerName: 'Schneider Kunde GmbH' });
      const [agreement] = await owned(rep);
      const { cards } = await rep.says('my LOAs', { locale: 'de-DE' });
      const text = readableText(cards[0]!);
      assert.match(text, /^Schneider Kunde GmbH$/m, 'the key field of the template is the headline');
      assert.match(text, new RegExp(`^Distributor pricing agreement · ref ${defaultRef(agreement!.id)}$`, 'm'));
      assert.doesNotMatch(text, new RegExp(agreement!.id), 'no GUID in the list');
      // Teams writes the date and time in the rep's own locale and time zone, as on the sent card.
      const at = new Date(agreement!.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
      assert.ok(text.split('\n').includes(`Sent: waiting for the signer · sent {{DATE(${at}, SHORT)}} at {{TIME(${at})}}`), text);
    });

    it('words every status, and an unknown one plainly', () => {
      const words = ['SENT', 'VIEWED', 'SIGNED', 'DECLINED', 'EXPIRED', 'DELETED', 'IN_REVIEW'].map((status) => describeStatus(status));
      assert.deepEqual(words, ['Sent: waiting for the signer', 'Viewed', 'Signed', 'Declined', 'Expired', 'Deleted', 'In review']);
    });

    it('shows the open draft first, with Resume, and not once it is sent', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'Already Sent' });
      assert.doesNotMatch(readableText(await myLoas(rep)), /Not sent yet/, 'a sent draft is not open');
      await openDistributorDraft(rep);
      const list = await myLoas(rep);
      const text = readableText(list);
      assert.match(text, /Not sent yet: Distributor pricing agreement/);
      assert.ok(text.indexOf('Not sent yet') < text.indexOf('To Already Sent'), 'the draft comes first');
      const details = await rep.press(list, 'Resume');
      assert.ok('signerName' in inputsOf(details), 'Resume opens the details card');
    });
  });

  describe('short refs', () => {
    it('deletes by "delete LOA <ref>", in any case, and offers the way back to the list', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'By Ref' });
      const [agreement] = await owned(rep);
      const ref = defaultRef(agreement!.id);
      const confirm = (await rep.says(`delete LOA ${ref.toLowerCase()}`)).cards[0]!;
      assert.match(readableText(confirm), /Delete this LOA\?/);
      assert.match(readableText(confirm), new RegExp(`Ref: ${ref}`));
      assert.match(readableText(confirm), new RegExp(`Agreement ID: ${agreement!.id}`), 'the full id stays, for support');
      assert.ok(actionsOf(confirm).some((a) => a.title === 'Back to my LOAs'));
      const deleted = await rep.press(confirm, 'Delete');
      assert.match(readableText(deleted), /LOA deleted/);
      await h.teams.waitFor(() => h.teams.posted(rep.conversationId).some((m) => String(m.text) === `LOA ${ref} to By Ref is deleted.`));
      const back = await rep.press(deleted, 'Back to my LOAs');
      assert.match(readableText(back), /^Deleted · sent/m, 'the list shows the result');
    });

    it('says a ref that fits none is not found, without a GUID', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep);
      const card = (await rep.says('delete LOA ZZZZZZ')).cards[0]!;
      assert.match(readableText(card), /None of the LOAs you sent through this bot has the ref ZZZZZZ/);
      assert.ok(actionsOf(card).some((a) => a.title === 'Back to my LOAs'));
    });

    it('lengthens a ref while it is ambiguous, and a typed ref that fits several asks which', () => {
      const ids = ['4d34290f-aaaa-4000-8000-000000000001', '4d34290f-bbbb-4000-8000-000000000002', '9a000000-0000-4000-8000-000000000003'];
      const refs = shortRefs(ids);
      assert.deepEqual([...refs.values()], ['4D34290FA', '4D34290FB', '9A0000']);
      assert.equal(matchRef(ids.map((id) => ({ id })), '4d3429').length, 2);
      assert.equal(matchRef(ids.map((id) => ({ id })), '4D34290FB').length, 1);
      assert.equal(matchRef(ids.map((id) => ({ id })), ids[2]!.toUpperCase()).length, 1, 'the full id, in any case');
      assert.equal(matchRef(ids.map((id) => ({ id })), '4d3').length, 0, 'too short to look up');
    });
  });

  describe('short refs that collide', () => {
    // Ids of the same rep that share their first eight characters, as random UUIDs now and then do.
    const ids = ['4d34290f-aaaa-4000-8000-000000000001', '4d34290f-bbbb-4000-8000-000000000002'];
    let colliding: TestSandbox;
    let ch: ConversationHarness;
    before(async () => {
      let next = 0;
      colliding = await startTestSandbox({ agreementIds: () => ids[next++] ?? crypto.randomUUID() });
      ch = await ConversationHarness.start(colliding.url, colliding);
    });
    after(async () => {
      await ch.stop();
      await colliding.close();
    });

    it('lengthens the refs until they differ, and asks which LOA a typed ref that fits both means', async () => {
      const rep = ch.rep();
      await sendDistributorLoa(rep, { signerName: 'First Signer' });
      await sendDistributorLoa(rep, { signerName: 'Second Signer' });
      const list = readableText(await myLoas(rep));
      assert.match(list, /ref 4D34290FA\b/);
      assert.match(list, /ref 4D34290FB\b/);

      const which = (await rep.says('delete LOA 4d3429')).cards[0]!;
      assert.match(readableText(which), /Which LOA\?/);
      assert.match(readableText(which), /2 of your LOAs have a ref starting with 4D3429/);
      assert.doesNotMatch(readableText(which), /4d34290f-/, 'no GUID to tell them apart');
      const confirm = await rep.press(which, 'Delete 4D34290FB');
      assert.match(readableText(confirm), /Delete this LOA\?/);
      assert.match(readableText(confirm), /Second Signer/);
      assert.match(readableText(await rep.press(confirm, 'Delete')), /LOA deleted/);

      const left = (await colliding.hooks.agreements()).filter((a) => !a.deletedAt).map((a) => a.signer.name);
      assert.deepEqual(left, ['First Signer'], 'only the LOA the rep chose is deleted');
    });
  });

  it('starts a new LOA from a previous one, filled in and referencing it', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Repeat Customer', ccName: 'Carl Copy', ccEmail: 'carl@acme.example', f_customerName: 'Acme Repeat SA' });
    const [previous] = await owned(rep);
    const list = await myLoas(rep);
    const details = await rep.press(list, 'New from this', {}, (a) => a.data.agreementId === previous!.id);
    const inputs = inputsOf(details);
    assert.equal(inputs.signerName, 'Repeat Customer');
    assert.equal(inputs.ccEmail, 'carl@acme.example');
    assert.equal(inputs.f_customerName, 'Acme Repeat SA');
    assert.equal(inputs.f_productRange, 'LV');
    assert.match(readableText(details), new RegExp(`Based on your earlier LOA, ref ${defaultRef(previous!.id)}`));

    const review = await rep.press(details, 'Review', { ...inputs, f_discountPercent: '20' });
    assert.match(readableText(review), new RegExp(`Based on: Your earlier LOA, ref ${defaultRef(previous!.id)}`));
    assert.match(readableText(await rep.press(review, 'Send')), /LOA sent/);
    const latest = (await owned(rep)).find((a) => a.id !== previous!.id)!;
    assert.equal(latest.previousAgreementId, previous!.id);
    assert.equal(latest.signer.name, 'Repeat Customer');
    assert.deepEqual(latest.formData.find((f) => f.name === 'discountPercent'), { name: 'discountPercent', value: '20' });
  });

  it('keeps a way back to the list from New from this, where the new LOA waits to be resumed', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Back And Forth' });
    const list = await myLoas(rep);
    const details = await rep.press(list, 'New from this');
    const back = await rep.press(details, 'Back to my LOAs');
    assert.match(readableText(back), /^Your LOAs/);
    assert.match(readableText(back), /Not sent yet: Distributor pricing agreement/, 'the new LOA is kept, first in the list');
    const resumed = await rep.press(back, 'Resume');
    assert.equal(inputsOf(resumed).signerName, 'Back And Forth');
    const fromScratch = await openDistributorDraft(h.rep());
    assert.equal(actionsOf(fromScratch).some((a) => a.title === 'Back to my LOAs'), false, 'an LOA started from "send LOA" has no way back to a list it did not come from');
  });
});

describe('status changes', () => {
  let loa: TestSandbox;
  let clock: JumpingClock;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
  });
  after(() => loa.close());
  // A bot of its own for each test: one test's agreements are not polled in the next, and
  // a bot that saw a 405 stops asking for a while.
  beforeEach(async () => {
    clock = new JumpingClock();
    h = await ConversationHarness.start(loa.url, loa, { env: { STATUS_POLL_FIRST_MS: '100', STATUS_POLL_MAX_INTERVAL_MS: '400' }, overrides: { clock } });
  });
  afterEach(async () => {
    await h.stop();
    await loa.hooks.setCapabilities({ getAgreement: true });
  });

  const owned = async (rep: RepSession) => (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
  const news = (rep: RepSession, pattern: RegExp) => h.teams.posted(rep.conversationId).filter((m) => pattern.test(String(m.text)));

  it('tells the rep in the chat when the signer signs, then stops asking', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Soon Signed' });
    const [agreement] = await owned(rep);
    await loa.hooks.setStatus(agreement!.id, 'SIGNED');
    await h.teams.waitFor(() => h.teams.posted(rep.conversationId).some((m) => /was signed/.test(String(m.text))), 5000);
    const news = h.teams.posted(rep.conversationId).find((m) => /was signed/.test(String(m.text)))!;
    assert.match(String(news.text), /Soon Signed/);
    assert.ok(String(news.text).includes(`ref ${defaultRef(agreement!.id)},`), 'names the LOA by its short ref');
    assert.ok(!String(news.text).includes(agreement!.id), 'not by its GUID');

    const callsAfterFinal = (await loa.hooks.calls()).get;
    await new Promise((r) => setTimeout(r, 600));
    const laterGets = (await loa.hooks.calls()).get - callsAfterFinal;
    assert.ok(laterGets <= 1, `no polling after a final status (saw ${laterGets} more GETs)`);
    assert.match(readableText(await myLoas(rep)), /^Signed · sent/m);
  });

  it('shows the refreshed status in the list', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep);
    const [agreement] = await owned(rep);
    await loa.hooks.setStatus(agreement!.id, 'VIEWED');
    assert.match(readableText(await myLoas(rep)), /^Viewed · sent/m);
  });

  it('shows the last known status, and says so, when the API cannot report status', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep);
    await loa.hooks.setCapabilities({ getAgreement: false });
    const card = await myLoas(rep);
    assert.match(readableText(card), /Sent: waiting for the signer \(last known\)/);
    assert.match(readableText(card), /can't report status/);
  });

  it('asks the API again ten minutes after a 405, in the list and by polling', async function () {
    this.timeout(30_000);
    const rep = h.rep();
    await sendDistributorLoa(rep, { signerName: 'Viewed Later' });
    await loa.hooks.setCapabilities({ getAgreement: false });
    assert.match(readableText(await myLoas(rep)), /Sent: waiting for the signer \(last known\)/);

    // Sent while status checks are off: watched all the same.
    await sendDistributorLoa(rep, { signerName: 'Signed Later' });
    const agreements = await owned(rep);
    const idOf = (name: string) => agreements.find((a) => a.signer.name === name)!.id;
    await loa.hooks.setCapabilities({ getAgreement: true });
    await loa.hooks.setStatus(idOf('Viewed Later'), 'VIEWED');
    await loa.hooks.setStatus(idOf('Signed Later'), 'SIGNED');
    const getsWhileOff = (await loa.hooks.calls()).get;
    await new Promise((r) => setTimeout(r, 500));
    assert.match(readableText(await myLoas(rep)), /\(last known\)/, 'within ten minutes, the bot does not ask again');
    assert.equal((await loa.hooks.calls()).get, getsWhileOff, 'no GET, from the list or from polling');

    clock.advance(GET_UNSUPPORTED_FOR_MS);

    await h.teams.waitFor(() => news(rep, /Viewed Later.*was opened by the signer/).length > 0 && news(rep, /Signed Later.*was signed/).length > 0, 5000);
    const list = readableText(await myLoas(rep));
    assert.doesNotMatch(list, /last known/);
    assert.match(list, /^Viewed · sent/m);
    assert.match(list, /^Signed · sent/m);
  });
});

describe('my LOAs and the rep\'s stored records', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;
  /** Writes to the stored record lists ("agreements/<rep>"), counted as they reach the store. */
  let recordWrites = 0;

  before(async () => {
    loa = await startTestSandbox();
    const memory = memoryStores();
    const counted: StoreFactory = <T>(name: string) => {
      const store = memory<T>(name);
      if (name !== 'agreements') return store;
      const counting: KeyValueStore<T> = {
        get: (key) => store.get(key),
        create: (key, value) => (recordWrites++, store.create(key, value)),
        replace: (key, value, etag) => (recordWrites++, store.replace(key, value, etag)),
      };
      return counting;
    };
    h = await ConversationHarness.start(loa.url, loa, { overrides: { state: { conversation: new MemoryStorage(), stores: counted, init: () => Promise.resolve() } } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });

  it('rewrites them only when a status moved: a look that finds nothing new writes nothing', async () => {
    const rep = h.rep();
    await sendDistributorLoa(rep);
    const [agreement] = (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
    const before = recordWrites;
    for (let i = 0; i < 3; i++) assert.match(readableText(await myLoas(rep)), /^Sent: waiting for the signer · sent/m);
    assert.equal(recordWrites - before, 0, 'three looks at unchanged statuses wrote nothing');
    await loa.hooks.setStatus(agreement!.id, 'VIEWED');
    assert.match(readableText(await myLoas(rep)), /^Viewed · sent/m);
    assert.equal(recordWrites - before, 1, 'the moved status was written once');
    assert.match(readableText(await myLoas(rep)), /^Viewed · sent/m);
    assert.equal(recordWrites - before, 1, 'and not again');
  });
});

async function myLoas(rep: RepSession, text = 'my LOAs'): Promise<AdaptiveCard> {
  const { cards } = await rep.says(text);
  assert.equal(cards.length, 1);
  return cards[0]!;
}
