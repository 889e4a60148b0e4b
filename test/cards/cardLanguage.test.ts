import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { Agreement } from '../../bot/domain/agreement';
import type { AgreementRecord } from '../../bot/domain/agreementRecords';
import { emptyValues, toAgreementRequest, validateDraft } from '../../bot/domain/draft';
import type { Draft, DraftValues } from '../../bot/domain/draft';
import { TemplateCatalog } from '../../bot/domain/templateCatalog';
import type { LoaTemplate } from '../../bot/domain/templateCatalog';
import { CATALOGS } from '../../bot/i18n';
import { renderAgreementStatusCard } from '../../cards/agreementStatus';
import { renderAgreementListCard, renderConfirmDeleteCard } from '../../cards/agreementList';
import { renderAgreementSentCard } from '../../cards/agreementSent';
import { renderChooseTemplateCard } from '../../cards/chooseTemplate';
import { readDraftInput } from '../../cards/draftInputs';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { cardShortcuts } from '../../cards/render';
import type { AdaptiveCard } from '../../cards/render';
import { renderReviewDraftCard } from '../../cards/reviewDraft';
import { renderHelpCard, renderWelcomeCard } from '../../cards/simpleCards';
import { assertValidCard, executeActions, readableText, stringsOf } from '../../testkit/cardChecks';

const CATALOG = TemplateCatalog.fromFile(resolve(__dirname, '../../bot/domain/loaTemplates.json'));
const DISTRIBUTOR = CATALOG.templates[0]!;
const party = { name: 'Jane Customer', email: 'jane.customer@acme.example' };

function draftOf(template: LoaTemplate, values: Partial<DraftValues> = {}): Draft {
  return { id: 'draft-1', templateId: template.id, values: { ...emptyValues(), ...values }, previousAgreementId: 'abcdef12-0000-4000-8000-000000000000' };
}

const DISTRIBUTOR_VALUES: Partial<DraftValues> = {
  signerName: party.name,
  signerEmail: party.email,
  fields: { customerName: 'Acme SAS', accountNumber: '1234567', productRange: 'LV', discountPercent: '12.5', startDate: '2026-04-01', endDate: '2027-03-31' },
};

const agreement: Agreement = { id: 'abcdef12-3456-4000-8000-000000000000', templateId: DISTRIBUTOR.id, status: 'SENT', createdAt: '2026-12-01T10:00:00Z', signer: party, formData: [] };
const record = { ...agreement, owner: 'rep' } as unknown as AgreementRecord;

/** Every card that has fixed words, as a rep with this Teams locale gets it. */
function everyCard(locale: string): Array<[string, AdaptiveCard]> {
  const draft = draftOf(DISTRIBUTOR, { ...DISTRIBUTOR_VALUES, ccName: 'Only a name', notifyEnabled: true });
  const errors = validateDraft(DISTRIBUTOR, draft.values, locale);
  const request = toAgreementRequest(DISTRIBUTOR, draftOf(DISTRIBUTOR, DISTRIBUTOR_VALUES));
  const listed = { record, templateName: 'T', fresh: false, ref: 'ABCDEF', sentAt: agreement.createdAt };
  return [
    ['welcome', renderWelcomeCard(locale)],
    ['help', renderHelpCard('', locale)],
    ['choose a template', renderChooseTemplateCard({ draftId: 'draft-1', templates: CATALOG.templates, locale })],
    ['details with errors', renderDraftDetailsCard({ template: DISTRIBUTOR, draft, errors, locale, fromList: true })],
    ['review', renderReviewDraftCard({ draftId: 'draft-1', template: DISTRIBUTOR, request, locale, unusedNotifyEmails: ['a@b.example'] })],
    ['sent', renderAgreementSentCard({ agreement, templateName: 'T', locale })],
    ['my LOAs', renderAgreementListCard({ items: [listed], page: 1, pages: 2, note: '', draft: { id: 'd', templateName: 'T', summary: 's' }, filter: { label: 'L', search: 's' }, locale })],
    ['my LOAs, none', renderAgreementListCard({ items: [], page: 1, pages: 1, note: '', locale })],
    ['confirm delete', renderConfirmDeleteCard(record, 'T', 'ABCDEF', locale)],
    ['shared status', renderAgreementStatusCard({ signerName: 'Jane Customer', status: 'S', templateName: 'T', keyValue: 'K', sentOn: 'D', ref: 'ABCDEF', locale })],
    ['details from a sentence', renderDraftDetailsCard({ template: DISTRIBUTOR, draft: { ...draft, fromMessage: { fieldsByTemplate: { [DISTRIBUTOR.id]: { customerName: draft.values.fields.customerName ?? '' } }, notUnderstood: [], notUnderstoodByTemplate: { [DISTRIBUTOR.id]: ['xyz'] }, readings: [], filled: ['signerName'] } }, locale })],
  ];
}

/** The English card words that French writes otherwise, without their placeholders. */
function englishOnlyWords(): string[] {
  const leaves = (node: unknown): string[] => (typeof node === 'string' ? [node] : Object.values(node as object).flatMap(leaves));
  const french = new Set(leaves(CATALOGS.fr.cards));
  return leaves(CATALOGS.en.cards)
    .filter((text) => !french.has(text))
    .flatMap((text) => text.split(/\{\{\w+\}\}/))
    .map((part) => part.trim())
    .filter((part) => part.length >= 6);
}

describe('cards in the rep\'s language', () => {
  it('renders every card the same with its fixed words baked into the template as through bindings, in both languages', () => {
    for (const locale of ['en-US', 'fr-FR', 'fr-CA']) {
      const baked = everyCard(locale);
      cardShortcuts(false);
      try {
        const bound = everyCard(locale);
        for (const [i, [name, card]] of baked.entries()) assert.deepEqual(card, bound[i]![1], `${locale} ${name}`);
      } finally {
        cardShortcuts(true);
      }
    }
  });

  for (const [name, card] of everyCard('fr-FR')) {
    it(`shows a French rep the ${name} card without an English word of ours`, () => {
      assertValidCard(card);
      const texts = stringsOf(card).filter((s) => !/\.(verb|id|type|style)$|\.data\./.test(s.path)).map((s) => s.text).join('\n');
      for (const words of englishOnlyWords()) assert.ok(!texts.includes(words), `"${words}" left in English on the ${name} card`);
    });
  }

  it('gives a French rep the details card with French labels, rules, template name and choices', () => {
    const card = renderDraftDetailsCard({ template: DISTRIBUTOR, draft: draftOf(DISTRIBUTOR), locale: 'fr-FR' });
    const text = readableText(card);
    assert.match(text, /^Accord de prix distributeur\nÉtape 2 sur 3 : saisissez les détails\nÀ partir de votre LOA précédente, réf\. ABCDEF/);
    const labels = stringsOf(card).filter((s) => s.path.endsWith('.label')).map((s) => s.text);
    assert.ok(labels.includes('Nom du signataire'), labels.join(', '));
    assert.ok(labels.includes('Remise (%) — 0 à 60'), labels.join(', '));
    assert.ok(labels.includes('Date de fin — postérieure à « Date de début »'), labels.join(', '));
    assert.ok(labels.includes('Conditions particulières (facultatif)'), labels.join(', '));
    const choices = stringsOf(card).filter((s) => /choices\[\d+\]\.title$/.test(s.path)).map((s) => s.text);
    assert.deepEqual(choices, ['Basse tension (Acti9, ComPacT)', 'Moyenne tension (SM AirSeT)', 'Automatismes industriels (Modicon)', 'Énergie sécurisée (APC)']);
    assert.deepEqual(executeActions(card).map((a) => a.title), ['Changer de modèle', 'Vérifier', 'Annuler']);
  });

  it('names the templates in French for a French rep, and keeps their ids', () => {
    const card = renderChooseTemplateCard({ draftId: 'draft-1', templates: CATALOG.templates, locale: 'fr-CA' });
    assert.match(readableText(card), /Accord de prix distributeur\n.*\nOffre spéciale projet\n.*\nContrat de service EcoStruxure/);
    assert.deepEqual(executeActions(card).filter((a) => a.title === 'Utiliser ce modèle').map((a) => (a.data as { templateId?: string }).templateId), CATALOG.templates.map((t) => t.id));
  });

  it('tells a French rep what to fix in French, naming the fields as the card does', () => {
    const errors = validateDraft(DISTRIBUTOR, { ...emptyValues(), signerEmail: 'jane at acme', fields: { accountNumber: '12', discountPercent: '75' } }, 'fr-FR');
    assert.equal(errors.signerName, 'Renseignez le champ « Nom du signataire ».');
    assert.equal(errors.signerEmail, 'Renseignez le champ « E-mail du signataire » avec une adresse du type nom@societe.com.');
    assert.equal(errors['formData.productRange'], 'Choisissez une valeur pour « Gamme de produits ».');
    assert.equal(errors['formData.accountNumber'], 'Renseignez le champ « Numéro de compte SE » (6 à 10 chiffres) ; « 12 » ne convient pas.');
    assert.equal(errors['formData.discountPercent'], 'Le nombre saisi dans « Remise (%) » doit être entre 0 et 60 ; vous avez saisi 75.');
    const cut = readDraftInput(DISTRIBUTOR, { f_customerName: 'x'.repeat(130) }, 'fr-FR').errors['formData.customerName'];
    assert.equal(cut, 'Ce champ accepte au plus 120 caractères, et il en contenait 130. La fin a été coupée : vérifiez-la.');
  });

  it('shows a rep whose language the bot does not have (de-DE) the English cards', () => {
    // Only the words: dates and numbers follow the rep's locale (Intl knows German), on the review card.
    const words = (locale: string) => everyCard(locale).filter(([name]) => name !== 'review').map(([, card]) => JSON.stringify(card));
    assert.deepEqual(words('de-DE'), words('en-US'));
    const review = everyCard('de-DE').find(([name]) => name === 'review')![1];
    assert.deepEqual(executeActions(review).map((a) => a.title), ['Send', 'Edit', 'Cancel']);
    assert.equal(validateDraft(DISTRIBUTOR, emptyValues(), 'de-DE').signerName, 'Enter the signer name.');
  });
});
