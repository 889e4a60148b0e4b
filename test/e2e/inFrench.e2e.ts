/**
 * The main flow once in French, as a rep whose Teams is in French meets it in Agents
 * Playground: send, check in the LOA sandbox, delete. The Playground always says "en-US", so
 * the dev stack sets "fr-FR" on its activities on their way to the bot, as Teams would.
 *
 * The chat's own words (messages, the cards a flow shows after Send or Delete) must be French.
 * Buttons and labels of the step cards are matched in either language, so that this test is
 * about the conversation in French rather than about one wording of each card.
 */
import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { DEV_REP } from '../../deploy/local/dev';
import { DISTRIBUTOR_VALUES, ENGLISH_LABELS, playgroundSuite } from './playgroundSession';
import type { DistributorLabels } from './playgroundSession';

const DRAFT = {
  ...DISTRIBUTOR_VALUES,
  signerName: 'Jeanne Dupont',
  customerName: 'Électricité Dupont SARL',
  // The part of the choice both languages show.
  productRange: 'Acti9, ComPacT',
};

/** The details card's labels in French, or in English where the card has not been translated. */
const LABELS: DistributorLabels = {
  signerName: ['Nom du signataire', ...ENGLISH_LABELS.signerName],
  signerEmail: ['E-mail du signataire', ...ENGLISH_LABELS.signerEmail],
  customerName: ['Raison sociale du client', ...ENGLISH_LABELS.customerName],
  accountNumber: ['Numéro de compte SE', ...ENGLISH_LABELS.accountNumber],
  productRange: ['Gamme de produits', ...ENGLISH_LABELS.productRange],
  discount: ['Remise (%)', ...ENGLISH_LABELS.discount],
  startDate: ['Date de début', ...ENGLISH_LABELS.startDate],
  endDate: ['Date de fin', ...ENGLISH_LABELS.endDate],
  specialTerms: ['Conditions particulières', ...ENGLISH_LABELS.specialTerms],
};

/** A card text or button title in French, or its English. */
const either = (french: string, english: string, whole = false) => {
  const quoted = [french, english].map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return new RegExp(whole ? `^(?:${quoted})$` : quoted);
};

describe('Agents Playground, end to end, in French', () => {
  const session = playgroundSuite({ locale: 'fr-FR' });
  let agreementId: string | undefined;
  const card = (text: string | RegExp) => session().card(text);
  const chatMessage = (text: string | RegExp) => session().chatMessage(text);
  const say = (text: string) => session().say(text);
  const sentAgreementId = (): string => {
    assert.ok(agreementId, 'needs the agreement that the "sends an LOA" test sent');
    return agreementId;
  };

  it('sends an LOA typed as "envoyer une LOA", and says so in French in the chat', async () => {
    await session().open(either('Envoyez vos lettres d’accord depuis Teams', 'Send Letters of Agreement from Teams'));
    await say('envoyer une LOA');
    const templates = card(either('Étape 1 sur 3', 'Step 1 of 3'));
    await templates.waitFor();
    await templates
      .locator('.ac-container', { hasText: either('Accord de prix distributeur', 'Distributor pricing agreement') })
      .getByRole('button', { name: either('Utiliser ce modèle', 'Use this template', true) })
      .click();
    const details = card(either('Étape 2 sur 3', 'Step 2 of 3'));
    await details.waitFor();
    await session().fillDistributorDetails(details, DRAFT, LABELS);
    await details.getByRole('button', { name: either('Vérifier', 'Review', true) }).click();

    const review = card(either('Vérifiez votre LOA avant son envoi', 'Check your LOA before it goes out'));
    await review.waitFor();
    const reviewText = await review.innerText();
    for (const text of [DRAFT.signerName, DRAFT.customerName, DRAFT.productRange]) assert.ok(reviewText.includes(text), `the review shows "${text}"; it shows:\n${reviewText}`);
    await session().screenshot('fr-01-review', review);

    await review.getByRole('button', { name: either('Envoyer', 'Send', true) }).click();
    const sent = card(either('LOA envoyée', 'LOA sent'));
    await sent.waitFor();
    agreementId = /(?:ID de l’accord|Agreement ID)\s+([0-9a-f-]{36})/.exec(await sent.innerText())?.[1];
    assert.ok(agreementId, 'the confirmation shows the agreement id');
    await chatMessage(new RegExp(`LOA envoyée à ${DRAFT.signerName} \\(.+\\), réf\\. ${defaultRef(agreementId)}\\.`)).waitFor();
    await session().screenshot('fr-02-chat-after-send', session().page);

    const agreement = await session().sandboxAgreement(agreementId);
    assert.equal(agreement.owner, DEV_REP.email);
    assert.deepEqual(agreement.signer, { name: DRAFT.signerName, email: DRAFT.signerEmail });
  });

  it('deletes it from "mes LOA", told in French on the card and in the chat', async () => {
    const id = sentAgreementId();
    const ref = defaultRef(id);
    await say('mes LOA');
    const list = card(either('Vos LOA', 'Your LOAs'));
    await list.waitFor();
    await list.locator('.ac-container', { hasText: ref }).last().getByRole('button', { name: either('Supprimer', 'Delete', true) }).click();
    const confirm = card(either('Supprimer cette LOA ?', 'Delete this LOA?'));
    await confirm.waitFor();
    await confirm.getByRole('button', { name: either('Supprimer', 'Delete', true) }).click();

    const deleted = card('LOA supprimée');
    await deleted.waitFor();
    assert.ok((await deleted.innerText()).includes(`${DRAFT.signerName} ne peut plus la signer.`));
    await chatMessage(`La LOA ${ref} pour ${DRAFT.signerName} est supprimée.`).waitFor();
    await session().screenshot('fr-03-chat-after-delete', session().page);
    assert.equal((await session().sandboxAgreement(id)).status, 'DELETED');
  });

  it('starts an LOA from a French sentence, and says how it read 1/2/2027', async () => {
    await say('envoyer la LOA tarif distributeur à Jane Doe jane@acme.example pour Acme Industrie, remise de 12,5 % sur la basse tension, du 1/2/2027 au 30/11/2027');
    const details = card('lu comme');
    await details.waitFor();
    const text = await details.innerText();
    assert.match(text, /J’ai rempli 7 champs d’après votre message/);
    assert.match(text, /« 1\/2\/2027 au 30\/11\/2027 » lu comme 1 février 2027 au 30 novembre 2027/);
    await session().screenshot('fr-04-from-a-sentence', details, 'from-a-sentence-fr');
  });
});
