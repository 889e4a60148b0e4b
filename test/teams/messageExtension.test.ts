import assert from 'node:assert/strict';
import type { AdaptiveCard } from '../../cards/render';
import { actionsOf, inputsOf, readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { DISTRIBUTOR_TEMPLATE_ID, distributorDetails } from '../../testkit/fixtures';
import { sendDistributorLoa } from '../../testkit/loaFlow';
import { ExtensionSession, dialogButtons, dialogOf } from '../../testkit/messageExtension';
import type { ExtensionAnswer } from '../../testkit/messageExtension';
import { DIALOG_SEND_WAIT_MS } from '../../bot/flows/messageExtension';
import { botWithSandbox } from '../helpers/botWithSandbox';

const titles = (card: AdaptiveCard) => dialogButtons(card).map((b) => b.title);
const inserted = (answer: ExtensionAnswer) => answer.body?.composeExtension?.attachments?.map((a) => a.content) ?? [];

/** The message extension over the bot's real HTTP endpoint, as Teams sends its invokes from a group chat. */
describe('message extension', () => {
  const bot = botWithSandbox();
  const owned = async (rep: RepSession) => (await bot.loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
  const inGroupChat = (rep: RepSession, conversationId?: string) => new ExtensionSession(bot.h, rep, conversationId ? { conversationId } : {});

  /** "Send an LOA" from the compose box, up to the review step with valid details. */
  async function reviewInDialog(me: ExtensionSession, overrides: Record<string, unknown> = {}): Promise<ExtensionAnswer> {
    const chooser = await me.fetchTask();
    const pick = dialogButtons(dialogOf(chooser)).find((b) => b.title === 'Use this template' && b.data.templateId === DISTRIBUTOR_TEMPLATE_ID)!;
    const details = await me.submit(pick.data);
    return me.press(details, 'Review', distributorDetails(overrides));
  }

  describe('Send an LOA', () => {
    it('opens a dialog with the template step, its buttons submitting to the dialog rather than the chat', async () => {
      const answer = await inGroupChat(bot.h.rep()).fetchTask();
      assert.equal(answer.status, 200);
      assert.equal(answer.body?.task?.value?.title, 'Send an LOA');
      const card = dialogOf(answer);
      assert.ok(titles(card).includes('Use this template'), titles(card).join(', '));
      assert.equal(actionsOf(card).length, 0, 'no Action.Execute in a dialog');
    });

    it('from a message, opens the details prefilled by the sentence parser', async () => {
      const answer = await inGroupChat(bot.h.rep()).fetchTask('Can you send the distributor pricing LOA to Jane Doe jane.doe@acme.example?');
      const inputs = inputsOf(dialogOf(answer));
      assert.equal(inputs.signerName, 'Jane Doe');
      assert.equal(inputs.signerEmail, 'jane.doe@acme.example');
      assert.match(readableText(dialogOf(answer)), /from your message/);
    });

    it('goes template, details, review and send to one LOA, however often Send is submitted, and posts nothing in the group chat', async () => {
      const rep = bot.h.rep();
      const me = inGroupChat(rep);
      const review = await reviewInDialog(me);
      assert.ok(titles(dialogOf(review)).includes('Send'), titles(dialogOf(review)).join(', '));
      const send = dialogButtons(dialogOf(review)).find((b) => b.title === 'Send')!;
      const [first, second] = await Promise.all([me.submit(send.data), me.submit(send.data)]);
      for (const answer of [first, second]) assert.match(readableText(dialogOf(answer)), /LOA sent to|Sending your LOA/);
      assert.equal((await owned(rep)).length, 1, 'exactly one LOA');
      assert.deepEqual(bot.h.teams.posted(me.conversationId), [], 'the group chat sees only what the rep inserts');
    });

    it('inserts a read-only status card only when the rep chooses to, and says nothing the rep did not share', async () => {
      const rep = bot.h.rep();
      const me = inGroupChat(rep);
      const review = await reviewInDialog(me, { signerEmail: 'private.signer@acme.example' });
      const sent = await me.press(review, 'Send');
      assert.deepEqual(titles(dialogOf(sent)), ['Insert status card', 'Done']);
      const done = await me.press(sent, 'Done');
      assert.deepEqual(done.body ?? {}, {}, 'Done closes the dialog and inserts nothing');

      const share = await me.press(sent, 'Insert status card');
      const [card] = inserted(share);
      assert.ok(card, JSON.stringify(share.body));
      assert.match(readableText(card), /LOA sent to/);
      assert.match(readableText(card), /^Sent: waiting for the signer$/m);
      assert.doesNotMatch(JSON.stringify(card), /private\.signer@acme\.example/, 'no email');
      assert.doesNotMatch(JSON.stringify(card), /Action\./, 'nothing anyone can press');

      const shareData = dialogButtons(dialogOf(sent)).find((b) => b.title === 'Insert status card')!.data;
      const stranger = await inGroupChat(bot.h.rep('Stranger Rep'), me.conversationId).submit(shareData);
      assert.deepEqual(inserted(stranger), [], "another rep cannot insert this rep's LOA");
      assert.match(readableText(dialogOf(stranger)), /Nothing to share/);
    });

    it('posts the usual confirmation in the rep\'s 1:1 chat with the bot, where one is known', async () => {
      const rep = bot.h.rep();
      await sendDistributorLoa(rep);
      const before = bot.h.teams.messages(rep.conversationId, /^LOA sent to/).length;
      const me = inGroupChat(rep);
      await me.press(await reviewInDialog(me, { signerName: 'Dialog Signer' }), 'Send');
      await bot.h.teams.waitFor(() => bot.h.teams.messages(rep.conversationId, /^LOA sent to Dialog Signer/).length > 0);
      assert.equal(bot.h.teams.messages(rep.conversationId, /^LOA sent to/).length, before + 1);
      assert.deepEqual(bot.h.teams.posted(me.conversationId), []);
    });

    it('keeps the values and names the field when a detail is wrong, and sends nothing', async () => {
      const rep = bot.h.rep();
      const answer = await reviewInDialog(inGroupChat(rep), { signerEmail: 'not-an-email' });
      const card = dialogOf(answer);
      assert.match(readableText(card), /email/i);
      assert.equal(inputsOf(card).signerEmail, 'not-an-email');
      assert.equal((await owned(rep)).length, 0);
    });

    it("refuses another rep's submit of a draft that is not theirs, in the same group chat, and sends nothing", async () => {
      const owner = bot.h.rep('Owner Rep');
      const chat = inGroupChat(owner);
      const review = await reviewInDialog(chat);
      const send = dialogButtons(dialogOf(review)).find((b) => b.title === 'Send')!;
      const other = inGroupChat(bot.h.rep('Other Rep'), chat.conversationId);
      const refused = await other.submit(send.data);
      // Their own dialog state holds no such draft: they learn nothing of the owner's.
      assert.match(readableText(dialogOf(refused)), /This LOA is no longer open|This card is not yours/);
      assert.doesNotMatch(JSON.stringify(refused.body), /Distributor|signer/i);
      assert.equal((await owned(owner)).length, 0);
      // The owner's own draft is untouched by it.
      assert.match(readableText(dialogOf(await chat.submit(send.data))), /LOA sent to|Sending your LOA/);
    });

    it('answers a button it does not know, a malformed invoke and an unknown command plainly, naming what is wrong', async () => {
      const me = inGroupChat(bot.h.rep());
      assert.match(readableText(dialogOf(await me.submit({ verb: 'loa.nonsense' }))), /no longer works/);
      const malformed = await me.invoke('composeExtension/submitAction', { data: {} });
      assert.equal(malformed.status, 200);
      assert.match(malformed.body?.composeExtension?.text ?? '', /"commandId"/);
      const unknown = await me.invoke('composeExtension/fetchTask', { commandId: 'deleteEverything' });
      assert.match(unknown.body?.composeExtension?.text ?? '', /Unknown command "deleteEverything"/);
    });
  });

  describe('LOAs search', () => {
    it("finds the rep's own LOAs, as \"my LOAs <words>\" does, with a preview and a read-only card", async () => {
      const rep = bot.h.rep();
      await sendDistributorLoa(rep, { f_customerName: 'Zebra Kitchens', signerName: 'Zoe Zed' });
      await sendDistributorLoa(rep, { f_customerName: 'Acme Industrial' });
      const answer = await inGroupChat(rep).query('zebra');
      assert.equal(answer.body?.composeExtension?.type, 'result');
      const results = answer.body?.composeExtension?.attachments ?? [];
      assert.equal(results.length, 1);
      assert.match(results[0]!.preview?.content.title ?? '', /Zebra Kitchens · Zoe Zed/);
      assert.match(results[0]!.preview?.content.text ?? '', /Distributor pricing agreement · .+ · sent /);
      assert.match(readableText(results[0]!.content), /LOA sent to Zoe Zed/);
      assert.doesNotMatch(JSON.stringify(results[0]!.content), /Action\./);
      assert.equal((await inGroupChat(rep).query('')).body?.composeExtension?.attachments?.length, 2, 'no words: the latest');
    });

    it("never returns another rep's LOAs", async () => {
      const owner = bot.h.rep();
      await sendDistributorLoa(owner, { f_customerName: 'Secret Customer' });
      const other = await inGroupChat(bot.h.rep()).query('secret');
      assert.deepEqual(other.body?.composeExtension?.attachments, []);
      assert.doesNotMatch(JSON.stringify(other.body), /Secret Customer/);
    });

    it('names the parameter at fault: an unknown one, one that is not text, one too long', async () => {
      const me = inGroupChat(bot.h.rep());
      const unknown = await me.invoke('composeExtension/query', { commandId: 'searchLoas', parameters: [{ name: 'customer', value: 'acme' }] });
      assert.match(unknown.body?.composeExtension?.text ?? '', /Unknown search parameter "customer".*"query"/);
      const notText = await me.invoke('composeExtension/query', { commandId: 'searchLoas', parameters: [{ name: 'query', value: { $gt: '' } }] });
      assert.match(notText.body?.composeExtension?.text ?? '', /"query" must be text/);
      const long = await me.query('a'.repeat(201));
      assert.match(long.body?.composeExtension?.text ?? '', /"query" is too long: at most 200 characters/);
    });
  });
  describe('Send an LOA when the LOA service is slow', () => {
    // The create may take longer than the dialog waits, but not longer than the bot waits for it.
    const slow = botWithSandbox({ env: { LOA_HTTP_TIMEOUT_MS: '20000' } });
    const ownedThere = async (rep: RepSession) => (await slow.loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);

    it('says "Sending…" in the dialog when the LOA service is slow, and posts the result once in the 1:1 chat', async function () {
      this.timeout(40_000);
      const rep = slow.h.rep();
      await sendDistributorLoa(rep);
      const me = new ExtensionSession(slow.h, rep, {});
      const review = await reviewInDialog(me, { signerName: 'Slow Dialog' });
      await slow.loa.hooks.setFaults({ create: { latencyMs: DIALOG_SEND_WAIT_MS + 1500 } });
      try {
        const answer = await me.press(review, 'Send');
        assert.match(readableText(dialogOf(answer)), /Sending your LOA…\nThe LOA service is taking a while\. You can close this: I post the result in our 1:1 chat/);
        await slow.h.teams.waitFor(() => slow.h.teams.messages(rep.conversationId, /^LOA sent to Slow Dialog/).length > 0, 20_000);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(slow.h.teams.messages(rep.conversationId, /^LOA sent to Slow Dialog/).length, 1, 'told once');
        assert.equal((await ownedThere(rep)).filter((a) => a.signer.name === 'Slow Dialog').length, 1, 'sent once');
        assert.deepEqual(slow.h.teams.posted(me.conversationId), [], 'nothing in the group chat');
      } finally {
        await slow.loa.hooks.clearFaults();
      }
    });

  });
});
