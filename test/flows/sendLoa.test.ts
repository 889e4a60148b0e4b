import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { ConversationHarness } from '../../testkit/conversation';
import { actionsOf, inputsOf, readableText, textOf } from '../../testkit/cards';
import { openDistributorDraft, reviewDistributorDraft } from '../../testkit/loaFlow';
import { distributorDetails } from '../../testkit/fixtures';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

describe('send LOA', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    h = await ConversationHarness.start(loa.url, loa);
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });
  afterEach(() => loa.hooks.clearFaults());

  describe('starting', () => {
    for (const text of ['send LOA', 'Send LOA', 'send loa!', '<at>LOA bot</at> send LOA', 'new LOA', 'send letter of agreement']) {
      it(`offers the templates when the rep types "${text}"`, async () => {
        const rep = h.rep();
        const { cards } = await rep.says(text);
        assert.equal(cards.length, 1);
        const text1 = readableText(cards[0]!);
        assert.match(text1, /choose a template/);
        for (const name of ['Distributor pricing agreement', 'Project special bid', 'EcoStruxure service plan']) assert.match(text1, new RegExp(name));
        assert.equal(actionsOf(cards[0]!).filter((a) => a.title === 'Use this template').length, 3);
      });
    }

    it('answers text it does not understand with help and a button to start', async () => {
      const { cards } = await h.rep().says('what is the weather');
      assert.match(readableText(cards[0]!), /didn't catch that/);
      assert.ok(actionsOf(cards[0]!).some((a) => a.title === 'Send an LOA'));
    });

    it('shows what it can do on "help"', async () => {
      const { cards } = await h.rep().says('help');
      assert.match(readableText(cards[0]!), /send LOA: Start a new Letter of Agreement/);
    });

    it('welcomes the rep when the bot is installed', async () => {
      const rep = h.rep();
      const res = await h.post({
        ...rep.activity('conversationUpdate'),
        membersAdded: [{ id: '28:loa-bot' }],
        deliveryMode: 'expectReplies',
      });
      const activities = (res.data as { activities: Array<{ attachments: Array<{ content: unknown }> }> }).activities;
      assert.equal(activities.length, 1);
      assert.match(JSON.stringify(activities[0]!.attachments[0]!.content), /Send Letters of Agreement from Teams/);
    });

    it('starts from the Send an LOA button on the help card', async () => {
      const rep = h.rep();
      const { cards } = await rep.says('help');
      const chooser = await rep.press(cards[0]!, 'Send an LOA');
      assert.match(readableText(chooser), /choose a template/);
    });
  });

  describe('happy path', () => {
    it('creates the agreement in the LOA API and shows its id and status', async () => {
      const rep = h.rep('Ana Rep');
      const review = await reviewDistributorDraft(rep, { ccName: 'Carl Copy', ccEmail: 'carl@acme.example', notifyEnabled: 'true', notifyEmails: 'ana@se.com, desk@se.com', emailSubject: 'Your pricing letter' });
      const reviewText = readableText(review);
      assert.match(reviewText, /Signer: Jane Customer \(jane\.customer@acme\.example\)/);
      assert.match(reviewText, /Product range: Low voltage/);
      assert.match(reviewText, /Notifications: ana@se\.com, desk@se\.com/);

      const confirmation = await rep.press(review, 'Send');
      const shown = readableText(confirmation);
      const stored = (await loa.hooks.agreements()).filter((a) => a.signer.email === 'jane.customer@acme.example' && a.owner === rep.member.userPrincipalName);
      assert.equal(stored.length, 1, 'exactly one agreement in the LOA API');
      const agreement = stored[0]!;
      assert.match(shown, /LOA sent/);
      assert.ok(shown.includes(`Agreement ID: ${agreement.id}`), shown);
      assert.ok(shown.includes(`Ref: ${defaultRef(agreement.id)}`), shown);
      assert.match(shown, /Status: Sent: waiting for the signer/);
      assert.match(shown, /Template: Distributor pricing agreement/);
      assert.match(shown, /CC: Carl Copy/);
      assert.match(JSON.stringify(confirmation), /\{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\}/);
      assert.equal(actionsOf(confirmation).some((a) => a.title === 'Send'), false, 'no Send button remains');
      assert.ok(actionsOf(confirmation).some((a) => a.title === 'My LOAs'), 'the next step is offered');
      assert.deepEqual(agreement.cc, { name: 'Carl Copy', email: 'carl@acme.example' });
      assert.deepEqual(agreement.notification, { isEnabled: true, emails: ['ana@se.com', 'desk@se.com'] });
      assert.equal(agreement.emailSubject, 'Your pricing letter');
      assert.deepEqual(agreement.formData.find((f) => f.name === 'discountPercent'), { name: 'discountPercent', value: '12.5' });

      await h.teams.waitFor(() => h.teams.posted(rep.conversationId).length > 0);
      const message = String(h.teams.posted(rep.conversationId)[0]!.text);
      assert.match(message, /LOA sent to Jane Customer/);
      assert.ok(message.includes(`ref ${defaultRef(agreement.id)}.`), 'names the LOA by its short ref, not its GUID');
      assert.ok(!message.includes(agreement.id));
      assert.match(message, /Sent: waiting for the signer/);
    });

    it('impersonates the rep from the Teams roster, whatever the card data says', async () => {
      const rep = h.rep('Eve Rep');
      const review = await reviewDistributorDraft(rep);
      const forged = { ...actionsOf(review).find((a) => a.title === 'Send')!.data, email: 'ceo@se.com', upn: 'ceo@se.com', userPrincipalName: 'ceo@se.com' };
      await rep.invoke('loa.sendDraft', forged, review);
      const mine = (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
      assert.equal(mine.length, 1);
      assert.equal((await loa.hooks.agreements()).some((a) => a.owner === 'ceo@se.com'), false);
    });
  });

  describe('validation', () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['a missing signer name', { signerName: '' }, 'signerName', /Enter the signer name\./],
      ['a signer email that is not an address', { signerEmail: 'jane at acme' }, 'signerEmail', /address like name@company\.com/],
      ['a cc email without a cc name', { ccEmail: 'carl@acme.example' }, 'ccName', /Enter the CC name too, or clear the CC email\./],
      ['a cc name with a bad cc email', { ccName: 'Carl', ccEmail: 'carl@' }, 'ccEmail', /Enter the CC email as an address/],
      ['notifications on without emails', { notifyEnabled: 'true', notifyEmails: '' }, 'notifyEmails', /at least one email to notify/],
      ['a notification email that is not an address', { notifyEnabled: 'true', notifyEmails: 'ana@se.com, nope' }, 'notifyEmails', /"nope" is not an email address/],
      ['an email subject over 200 characters', { emailSubject: 'x'.repeat(201) }, 'emailSubject', /at most 200 characters/],
      ['an email message over 1000 characters', { emailMessage: 'x'.repeat(1001) }, 'emailMessage', /at most 1000 characters, and it had 1001\. The rest was cut off/],
      ['a control character in the signer name', { signerName: 'Jane\u0007Customer' }, 'signerName', /characters that can't be sent/],
      ['a missing required form field', { f_customerName: '' }, 'f_customerName', /Enter the customer legal name\./],
      ['a form field over its maxLength', { f_customerName: 'A'.repeat(121) }, 'f_customerName', /at most 120 characters, and it had 121\. The rest was cut off: check the end/],
      ['a form field that breaks its pattern', { f_accountNumber: '12AB' }, 'f_accountNumber', /6 to 10 digits/],
      ['a number that is not a number', { f_discountPercent: 'twelve' }, 'f_discountPercent', /as a number/],
      ['a number above its maximum', { f_discountPercent: '75' }, 'f_discountPercent', /Discount \(%\) must be from 0 to 60; you entered 75\./],
      ['a date that is not a date', { f_startDate: '2026-02-30' }, 'f_startDate', /as a date/],
      ['an end date before the start date', { f_startDate: '2027-12-01', f_endDate: '2027-01-30' }, 'f_endDate', /End date must be after the start date \(December 1, 2027\)\./],
      ['a choice that is not on the list', { f_productRange: 'XX' }, 'f_productRange', /from the list/],
      ['a value of the wrong JSON type', { signerName: { first: 'Jane' } }, 'signerName', /plain text/],
    ];
    for (const [what, change, field, message] of cases) {
      it(`names the field and keeps the values for ${what}`, async () => {
        const rep = h.rep();
        const details = await openDistributorDraft(rep);
        const typed = distributorDetails(change);
        const again = await rep.press(details, 'Review', typed);
        const text = readableText(again);
        assert.match(text, /Fix (this field|these \d+ fields), then press Review again: /);
        assert.match(text, message);
        const errorIndex = JSON.stringify(again).indexOf(`"id":"${field}"`);
        assert.ok(errorIndex > 0, `the card still has the ${field} input`);
        const inputs = inputsOf(again);
        // Over-long values come back cut to their limit, as the error says.
        assert.equal(inputs.f_customerName ?? '', typeof typed.f_customerName === 'string' ? typed.f_customerName.slice(0, 120) : '');
        assert.equal(inputs.signerEmail, typed.signerEmail);
        assert.equal(actionsOf(again).some((a) => a.title === 'Send'), false, 'cannot send an invalid draft');
      });
    }

    it('shows rep text literally: Markdown in a signer name is escaped', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep, { signerName: '[x](https://evil.example) **boss**' });
      const text = textOf(review);
      assert.ok(text.includes('\\[x\\](https://evil.example) \\*\\*boss\\*\\*'), text);
      assert.equal(/[^\\]\[x\]\(/.test(text), false, 'no live Markdown link');
      await rep.press(review, 'Send');
      await h.teams.waitFor(() => h.teams.posted(rep.conversationId).length > 0);
      const message = h.teams.posted(rep.conversationId)[0]!;
      assert.equal(message.textFormat, 'plain', 'the chat message is plain text, so nothing in it is Markdown');
      assert.match(String(message.text), /^LOA sent to \[x\]\(https:\/\/evil\.example\) \*\*boss\*\* /);
    });
  });

  describe('edit, cancel and stale cards', () => {
    it('goes back from review to the details with every value kept', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep, { ccName: 'Carl Copy', ccEmail: 'carl@acme.example', emailMessage: 'Hello\nthere' });
      const details = await rep.press(review, 'Edit');
      const inputs = inputsOf(details);
      assert.equal(inputs.signerName, 'Jane Customer');
      assert.equal(inputs.ccEmail, 'carl@acme.example');
      assert.equal(inputs.emailMessage, 'Hello\nthere');
      assert.equal(inputs.f_discountPercent, 12.5);
      assert.equal(inputs.f_productRange, 'LV');
    });

    it('cancels from a card, and the old card can no longer act', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      const cancelled = await rep.press(details, 'Cancel');
      assert.match(readableText(cancelled), /LOA cancelled/);
      assert.match(readableText(cancelled), /Nothing was sent/);
      const stale = await rep.press(details, 'Review', distributorDetails());
      assert.match(readableText(stale), /LOA cancelled/);
      assert.deepEqual(actionsOf(stale).map((a) => a.title), ['Restore', 'Send an LOA']);
    });

    it('cancels by typing "cancel"', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      const { cards } = await rep.says('cancel');
      assert.match(readableText(cards[0]!), /LOA cancelled/);
      const stale = await rep.press(details, 'Review', distributorDetails());
      assert.match(readableText(stale), /LOA cancelled/);
      assert.deepEqual(actionsOf(stale).map((a) => a.title), ['Restore', 'Send an LOA']);
    });

    it('says so when there is nothing to cancel', async () => {
      const { cards } = await h.rep().says('cancel');
      assert.match(readableText(cards[0]!), /Nothing to cancel/);
    });
  });

  describe('exactly once', () => {
    it('creates one agreement when Send is pressed twice at once', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep, { signerName: 'Double Click' });
      const [a, b] = await Promise.all([rep.press(review, 'Send'), rep.press(review, 'Send')]);
      const stored = (await loa.hooks.agreements()).filter((x) => x.owner === rep.member.userPrincipalName);
      assert.equal(stored.length, 1);
      for (const card of [a, b]) assert.ok(readableText(card).includes(stored[0]!.id) || /Sending/.test(readableText(card)));
    });

    it('answers a stale Send with the existing result, never a second agreement', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      const first = await rep.press(review, 'Send');
      const again = await rep.press(review, 'Send');
      const stored = (await loa.hooks.agreements()).filter((x) => x.owner === rep.member.userPrincipalName);
      assert.equal(stored.length, 1);
      assert.equal(readableText(again), readableText(first));
    });

    it('answers a Teams retry of the same invoke with the same result', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      const send = actionsOf(review).find((a) => a.title === 'Send')!;
      const first = await rep.invoke(send.verb, send.data, review);
      const retried = await rep.invoke(send.verb, send.data, review);
      assert.equal(readableText(retried), readableText(first));
      assert.equal((await loa.hooks.agreements()).filter((x) => x.owner === rep.member.userPrincipalName).length, 1);
    });
  });
});
