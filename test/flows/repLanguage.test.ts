import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import type { AdaptiveCard } from '../../cards/render';
import { VERBS } from '../../cards/verbs';
import type { Verb } from '../../cards/verbs';
import type { RepSession } from '../../testkit/conversation';
import { actionsOf, readableText } from '../../testkit/cards';
import { DISTRIBUTOR_TEMPLATE_ID, distributorDetails } from '../../testkit/fixtures';
import { botWithSandbox } from '../helpers/botWithSandbox';

/**
 * The chat speaks the rep's Teams language. Buttons are pressed by verb, not by title: the
 * cards' own words are translated on their own, and these tests are about the chat's.
 */
describe("the rep's language", () => {
  const bot = botWithSandbox();

  function repIn(locale: string, name = 'Ana Rep'): RepSession {
    const rep = bot.h.rep(name);
    rep.locale = locale;
    return rep;
  }

  async function pressVerb(rep: RepSession, card: AdaptiveCard, verb: Verb, inputs: Record<string, unknown> = {}, pick: (data: Record<string, unknown>) => boolean = () => true): Promise<AdaptiveCard> {
    const action = actionsOf(card).find((a) => a.verb === verb && pick(a.data));
    assert.ok(action, `no ${verb} button on ${JSON.stringify(card).slice(0, 400)}`);
    return rep.invoke(verb, { ...action.data, ...inputs }, card);
  }

  /** Typed command, template, details, review: the review card. */
  async function reviewed(rep: RepSession, start: string, signerName: string): Promise<AdaptiveCard> {
    const chooser = (await rep.says(start)).cards[0]!;
    const details = await pressVerb(rep, chooser, VERBS.chooseTemplate, {}, (d) => d.templateId === DISTRIBUTOR_TEMPLATE_ID);
    return pressVerb(rep, details, VERBS.reviewDraft, distributorDetails({ signerName }));
  }

  /** Review, Send, and the card once it settled; with the agreement it created. */
  async function sent(rep: RepSession, start: string, signerName: string) {
    const review = await reviewed(rep, start, signerName);
    const card = await rep.settled(await pressVerb(rep, review, VERBS.sendDraft));
    const agreement = (await bot.loa.hooks.agreements()).find((a) => a.owner === rep.member.userPrincipalName && a.signer.name === signerName);
    assert.ok(agreement, 'the LOA reached the API');
    return { card, agreement };
  }

  const posted = (rep: RepSession) => bot.h.teams.posted(rep.conversationId).map((m) => String(m.text));

  describe('a rep whose Teams is in French (fr-FR)', () => {
    it('sends an LOA typed as "envoyer une LOA" and is told in French in the chat', async () => {
      const rep = repIn('fr-FR');
      const { agreement } = await sent(rep, 'envoyer une LOA', 'Jeanne Client');
      await bot.h.teams.waitFor(() => posted(rep).length > 0);
      const message = posted(rep)[0]!;
      // The template's name and the status are the catalog's and the domain's words, not the chat's.
      assert.match(message, new RegExp(`^LOA envoyée à Jeanne Client \\(.+\\), réf\\. ${defaultRef(agreement.id)}\\. .+\\.$`));
    });

    it('shows its open draft in "mes LOA" in French', async () => {
      const rep = repIn('fr-FR');
      await reviewed(rep, 'nouvelle LOA', 'Paul Brouillon');
      const list = (await rep.says('mes LOA')).cards[0]!;
      assert.match(readableText(list), /pour Paul Brouillon\. Appuyez sur Reprendre pour la terminer\./);
    });

    it('deletes by "supprimer LOA <ref>" and says so in French, on the card and in the chat', async () => {
      const rep = repIn('fr-FR');
      const { agreement } = await sent(rep, 'envoyer une LOA', 'Sophie Supprime');
      const ref = defaultRef(agreement.id);
      const confirm = (await rep.says(`supprimer LOA ${ref}`)).cards[0]!;
      const deleted = await pressVerb(rep, confirm, VERBS.deleteAgreement);
      const text = readableText(deleted);
      assert.match(text, /LOA supprimée/);
      assert.match(text, /Sophie Supprime ne peut plus la signer\./);
      assert.match(text, /Signataire: Sophie Supprime/);
      assert.deepEqual(actionsOf(deleted).map((a) => a.title), ['Retour à mes LOA']);
      await bot.h.teams.waitFor(() => posted(rep).includes(`La LOA ${ref} pour Sophie Supprime est supprimée.`));
    });

    it('says in French that it cannot find a ref', async () => {
      const card = (await repIn('fr-FR').says('supprimer LOA ZZZZZZ')).cards[0]!;
      assert.match(readableText(card), /Je ne trouve pas cette LOA/);
      assert.match(readableText(card), /n’a la référence ZZZZZZ/);
    });

    it('answers a near-miss with "Vouliez-vous dire", naming the French command, and its button starts an LOA', async () => {
      const rep = repIn('fr-FR');
      const card = (await rep.says('envoyr lao')).cards[0]!;
      assert.match(readableText(card), /Vouliez-vous dire \*\*envoyer une LOA\*\* \?/);
      assert.deepEqual(actionsOf(card).map((a) => a.title), ['Envoyer une LOA', 'Aide']);
      const chooser = await rep.press(card, 'Envoyer une LOA');
      assert.ok(actionsOf(chooser).some((a) => a.verb === VERBS.chooseTemplate));
    });

    it('says in French what it did not understand, and that there is nothing to cancel', async () => {
      const rep = repIn('fr-FR');
      assert.match(readableText((await rep.says('quel temps fait-il')).cards[0]!), /Je n’ai pas compris\. Voici ce que je sais faire\./);
      assert.match(readableText((await rep.says('annuler')).cards[0]!), /Rien à annuler/);
    });

    it('reads French for any French locale (fr-CA)', async () => {
      assert.match(readableText((await repIn('fr-CA').says('annuler')).cards[0]!), /Rien à annuler/);
    });
  });

  describe('a French rep when the LOA service is slow or fails', () => {
    const slow = botWithSandbox({ env: { SEND_ACK_AFTER_MS: '200', LOA_MAX_RETRIES: '0' } });
    afterEach(() => slow.loa.hooks.clearFaults());

    async function frenchReview(): Promise<{ rep: RepSession; review: AdaptiveCard }> {
      const rep = slow.h.rep('Ana Rep');
      rep.locale = 'fr-FR';
      const chooser = (await rep.says('envoyer une LOA')).cards[0]!;
      const details = await pressVerb(rep, chooser, VERBS.chooseTemplate, {}, (d) => d.templateId === DISTRIBUTOR_TEMPLATE_ID);
      return { rep, review: await pressVerb(rep, details, VERBS.reviewDraft, distributorDetails()) };
    }

    it('answers "Envoi de votre LOA…", then posts the outcome in French once the service answers', async () => {
      const { rep, review } = await frenchReview();
      await slow.loa.hooks.setFaults({ create: { latencyMs: 1000 } });
      const sending = await pressVerb(rep, review, VERBS.sendDraft);
      assert.match(readableText(sending), /Envoi de votre LOA…/);
      assert.match(readableText(sending), /Vous pouvez quitter cette conversation/);
      await slow.h.teams.waitFor(() => slow.h.teams.posted(rep.conversationId).length > 0);
      assert.match(String(slow.h.teams.posted(rep.conversationId)[0]!.text), /^LOA envoyée à Jane Customer /);
    });

    it('says in French that the service is busy, with Retry, Edit and Cancel in French', async () => {
      const { rep, review } = await frenchReview();
      await slow.loa.hooks.setFaults({ create: { next: ['503'] } });
      const failed = await pressVerb(rep, review, VERBS.sendDraft);
      const text = readableText(failed);
      assert.match(text, /Votre LOA n’a pas été envoyée/);
      assert.match(text, /Le service LOA est surchargé, et rien n’a été envoyé\. Appuyez sur Réessayer dans une minute\./);
      assert.deepEqual(actionsOf(failed).map((a) => a.title), ['Réessayer', 'Modifier', 'Annuler']);
    });
  });

  describe('a rep whose Teams is in a language the bot does not speak (de-DE)', () => {
    it('sends an LOA in English', async () => {
      const rep = repIn('de-DE');
      const { agreement } = await sent(rep, 'send LOA', 'Dieter Kunde');
      await bot.h.teams.waitFor(() => posted(rep).length > 0);
      assert.ok(posted(rep)[0]!.startsWith(`LOA sent to Dieter Kunde (Distributor pricing agreement), ref ${defaultRef(agreement.id)}. `), posted(rep)[0]);
    });

    it('answers in English, even to a command typed in French', async () => {
      const rep = repIn('de-DE');
      assert.match(readableText((await rep.says('was ist das')).cards[0]!), /I didn't catch that/);
      assert.match(readableText((await rep.says('annuler')).cards[0]!), /Nothing to cancel/);
      const missing = (await rep.says('delete LOA ZZZZZZ')).cards[0]!;
      assert.match(readableText(missing), /I can't find that LOA/);
      assert.deepEqual(actionsOf(missing).map((a) => a.title), ['Back to my LOAs']);
    });
  });
});
