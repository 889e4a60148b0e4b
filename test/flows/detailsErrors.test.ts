import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { AdaptiveCard } from '../../cards/render';
import { ConversationHarness } from '../../testkit/conversation';
import type { RepSession } from '../../testkit/conversation';
import { actionsOf, factValue, inputsOf, readableText } from '../../testkit/cards';
import { openDistributorDraft, reviewDistributorDraft } from '../../testkit/loaFlow';
import { DISTRIBUTOR_TEMPLATE_ID, distributorDetails } from '../../testkit/fixtures';
import { BUNDLED_CATALOG, startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';

const PROJECT_BID = BUNDLED_CATALOG.templates.find((t) => t.name === 'Project special bid')!;
const SERVICE_PLAN = BUNDLED_CATALOG.templates.find((t) => t.name === 'EcoStruxure service plan')!;

/** The input with this id, as the card holds it. */
function inputOf(card: AdaptiveCard, id: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (typeof n.type === 'string' && n.type.startsWith('Input.') && n.id === id) found = n;
      Object.values(n).forEach(visit);
    }
  };
  visit(card);
  assert.ok(found, `the card has an input ${id}`);
  return found;
}

/** Every element of a card, in the order a rep reads them. */
function elementsOf(node: unknown, into: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(node)) node.forEach((n) => elementsOf(n, into));
  else if (node && typeof node === 'object') {
    into.push(node as Record<string, unknown>);
    Object.values(node).forEach((n) => elementsOf(n, into));
  }
  return into;
}

/** The error shown under an input, before the next input; undefined when there is none. */
function errorUnder(card: AdaptiveCard, id: string): string | undefined {
  const elements = elementsOf(card.body);
  const at = elements.findIndex((e) => String(e.type).startsWith('Input.') && e.id === id);
  assert.ok(at >= 0, `the card has an input ${id}`);
  for (const e of elements.slice(at + 1)) {
    if (String(e.type).startsWith('Input.')) return undefined;
    if (e.type === 'TextBlock' && e.color === 'attention') return String(e.text).replace(/\\(.)/g, '$1');
  }
  return undefined;
}

/** What the card shows last, right above its Review button. */
function nextToReview(card: AdaptiveCard): string {
  const body = card.body as unknown[];
  return readableText(body[body.length - 1]);
}

/** Whatever Intl puts between digit groups and before a month (NBSP, narrow NBSP) reads as a space here. */
const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('details card errors', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;
  /** A bot whose catalog has a field the API's template does not: the API refuses it, naming it. */
  let drifted: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    [h, drifted] = await Promise.all([
      ConversationHarness.start(loa.url, loa),
      ConversationHarness.start(loa.url, loa, { env: { LOA_TEMPLATES_FILE: resolve(__dirname, '../fixtures/driftedCatalog.json') } }),
    ]);
  });
  after(async () => {
    await Promise.all([h.stop(), drifted.stop()]);
    await loa.close();
  });

  describe('where the rep is looking', () => {
    it('names the fields to fix right above Review, as well as at the top, without claiming highlights', async () => {
      const rep = h.rep();
      const again = await rep.press(await openDistributorDraft(rep), 'Review', distributorDetails({ signerEmail: 'jane at acme', f_discountPercent: '75' }));
      const summary = 'Fix these 2 fields, then press Review again: Signer email, Discount (%).';
      assert.ok(nextToReview(again).startsWith(summary), nextToReview(again));
      assert.ok(readableText(again).startsWith(`Distributor pricing agreement\nStep 2 of 3: enter the details\n${summary}`), readableText(again));
      assert.doesNotMatch(readableText(again), /highlight/i);
      assert.equal(actionsOf(again).at(-2)?.title, 'Review', 'Review comes right after the summary');
    });
  });

  describe('no value silently changed', () => {
    it('keeps an out-of-range discount as typed and names the field and its range', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      const discount = inputOf(details, 'f_discountPercent');
      assert.equal(discount.label, 'Discount (%) \u2014 0 to 60', 'the range is stated up front');
      assert.equal('min' in discount || 'max' in discount, false, 'no client-side limit that Teams would clamp to');
      const again = await rep.press(details, 'Review', distributorDetails({ f_discountPercent: '75' }));
      assert.equal(errorUnder(again, 'f_discountPercent'), 'Discount (%) must be from 0 to 60; you entered 75.');
      assert.equal(inputsOf(again).f_discountPercent, 75, 'still 75, not 60');
    });

    it('states "after the start date" on the end date before the rep picks one', async () => {
      const details = await openDistributorDraft(h.rep());
      assert.equal(inputOf(details, 'f_endDate').label, 'End date \u2014 after the start date');
      assert.equal(inputOf(details, 'f_endDate').errorMessage, 'Enter the end date, after the start date.');
    });
  });

  describe('messages that say what is wrong', () => {
    it('tells a filled account number that breaks its format what the format is, on the card and from Teams', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      const account = inputOf(details, 'f_accountNumber');
      assert.equal(account.errorMessage, 'Enter the SE account number as 6 to 10 digits.');
      assert.equal(account.regex, '^[0-9]{6,10}$');
      const again = await rep.press(details, 'Review', distributorDetails({ f_accountNumber: '12ab' }));
      assert.equal(errorUnder(again, 'f_accountNumber'), 'Enter the SE account number as 6 to 10 digits; "12ab" is not.');
      assert.doesNotMatch(JSON.stringify(again), /Required\./);
    });

    it('writes every message in one style, naming fields as their labels do', async () => {
      const rep = h.rep();
      const again = await rep.press(await openDistributorDraft(rep), 'Review', distributorDetails({ ccEmail: 'carl@acme.example', signerName: '' }));
      assert.equal(errorUnder(again, 'ccName'), 'Enter the CC name too, or clear the CC email.');
      assert.equal(errorUnder(again, 'signerName'), 'Enter the signer name.');
    });

    it('gives a placeholder or a format hint, never the same text twice', async () => {
      const rep = h.rep();
      const { cards } = await rep.says('send LOA');
      const details = await rep.press(cards[0]!, 'Use this template', {}, (a) => a.data.templateId === PROJECT_BID.id);
      const quote = inputOf(details, 'f_quoteReference');
      assert.equal(quote.label, 'Quote reference \u2014 like Q-2026-00123');
      assert.equal(quote.placeholder, undefined);
      assert.doesNotMatch(readableText(details), /Format:/);
    });
  });

  describe('notifications', () => {
    it('says who gets status emails, and offers the rep their own address', async () => {
      const rep = h.rep('Nora Rep');
      const details = await openDistributorDraft(rep);
      assert.equal(inputsOf(details).notifyEmails, rep.member.userPrincipalName);
      assert.match(String(inputOf(details, 'notifyEnabled').title), /to the emails below/);
      assert.match(String(inputOf(details, 'notifyEmails').label), /used only when the box above is ticked/);
      assert.match(String(inputOf(details, 'emailSubject').label), /left empty, the LOA service's standard subject is used/);
    });

    it('warns on review about emails typed while notifications are off', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep, { notifyEnabled: 'false', notifyEmails: `${rep.member.userPrincipalName}, desk@se.com` });
      assert.equal(factValue(review, 'Notifications'), 'Off');
      assert.match(readableText(review), new RegExp(`Notifications are off, so nobody gets status emails, not even ${rep.member.userPrincipalName.replace(/\./g, '\\.')}, desk@se\\.com\\. To email them, press Edit and tick "Email status changes"\\.`));
    });

    it('does not warn about the address it offered and the rep left alone', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep, { notifyEnabled: 'false', notifyEmails: rep.member.userPrincipalName });
      assert.doesNotMatch(readableText(review), /Notifications are off/);
    });
  });

  describe('changing the template', () => {
    it('goes back to the chooser and keeps the values that still apply', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      // Review keeps what was typed, even with an error left.
      const typed = await rep.press(details, 'Review', distributorDetails({ f_accountNumber: '' }));
      const chooser = await rep.press(typed, 'Change template');
      assert.match(readableText(chooser), /choose a template/);
      const plan = await rep.press(chooser, 'Use this template', {}, (a) => a.data.templateId === SERVICE_PLAN.id);
      const kept = inputsOf(plan);
      assert.equal(kept.signerName, 'Jane Customer');
      assert.equal(kept.signerEmail, 'jane.customer@acme.example');
      assert.equal(kept.f_customerName, 'Acme Distribution SAS', 'the same field in both templates');
      assert.equal(kept.f_startDate, '2026-04-01', 'the same field in both templates');
      assert.equal(kept.f_planLevel, '', 'a field only the new template has starts empty');
      assert.equal('f_accountNumber' in kept, false, 'a field the new template does not have');
      assert.match(readableText(plan), /EcoStruxure service plan/);
    });
  });

  describe('in the rep\'s locale', () => {
    const review = async (rep: RepSession) => reviewDistributorDraft(rep, { f_discountPercent: '12.5', f_startDate: '2026-12-01', f_endDate: '2027-11-30' });

    it('shows dates and numbers the en-US way on review, and sends them as typed', async () => {
      const rep = h.rep();
      const card = await review(rep);
      assert.equal(spaced(factValue(card, 'Start date') ?? ''), 'December 1, 2026');
      assert.equal(factValue(card, 'Discount (%)'), '12.5');
    });

    it('shows a French rep French words, and dates and numbers the fr-FR way, on review, errors and labels', async () => {
      const rep = h.rep();
      rep.locale = 'fr-FR';
      const { cards } = await rep.says('send LOA');
      const details = await rep.press(cards[0]!, 'Utiliser ce modèle', {}, (a) => a.data.templateId === DISTRIBUTOR_TEMPLATE_ID);
      assert.match(readableText(details), /^Accord de prix distributeur\nÉtape 2 sur 3 : saisissez les détails\n/);
      const card = await rep.press(details, 'Vérifier', distributorDetails({ f_discountPercent: '12.5', f_startDate: '2026-12-01', f_endDate: '2027-11-30' }));
      assert.equal(spaced(factValue(card, 'Date de début') ?? ''), '1 décembre 2026');
      assert.equal(factValue(card, 'Date de fin'), '30 novembre 2027');
      assert.equal(factValue(card, 'Remise (%)'), '12,5');
      const again = await rep.press(await rep.press(card, 'Modifier'), 'Vérifier', distributorDetails({ f_startDate: '2027-12-01', f_endDate: '2027-01-30', f_discountPercent: '60.5' }));
      assert.equal(spaced(errorUnder(again, 'f_endDate') ?? ''), 'La date du champ « Date de fin » doit être postérieure à celle du champ « Date de début » (1 décembre 2027).');
      assert.equal(errorUnder(again, 'f_discountPercent'), 'Le nombre saisi dans « Remise (%) » doit être entre 0 et 60 ; vous avez saisi 60,5.');
      assert.match(nextToReview(again), /^Corrigez ces 2 champs, puis appuyez de nouveau sur Vérifier : Remise \(%\), Date de fin\.$/);
    });

    it('shows a rep whose language the bot does not have (de-DE) the English words', async () => {
      const rep = h.rep();
      rep.locale = 'de-DE';
      const card = await review(rep);
      assert.equal(factValue(card, 'Discount (%)'), '12,5');
      assert.ok(actionsOf(card).some((a) => a.title === 'Send'));
    });

    it('groups the digits of a large amount', async () => {
      const english = { use: 'Use this template', review: 'Review', total: 'Total value (EUR)', send: 'Send', sent: /LOA sent/ };
      const french = { use: 'Utiliser ce modèle', review: 'Vérifier', total: 'Montant total (EUR)', send: 'Envoyer', sent: /LOA envoyée/ };
      for (const [locale, shown, words] of [['en-US', '250,000', english], ['fr-FR', '250 000', french]] as const) {
        const rep = h.rep();
        rep.locale = locale;
        const { cards } = await rep.says('send LOA');
        const details = await rep.press(cards[0]!, words.use, {}, (a) => a.data.templateId === PROJECT_BID.id);
        const card = await rep.press(details, words.review, {
          signerName: 'Jane Customer', signerEmail: 'jane.customer@acme.example', f_projectName: 'Lyon depot', f_endUserSite: '1 rue de Lyon',
          f_quoteReference: 'Q-2026-00123', f_totalValueEur: '250000', f_validUntil: '2026-12-31', notifyEnabled: 'false',
        });
        assert.equal(spaced(factValue(card, words.total) ?? ''), shown, locale);
        const sent = await rep.press(card, words.send);
        assert.match(readableText(sent), words.sent);
        const stored = (await loa.hooks.agreements()).find((a) => a.owner === rep.member.userPrincipalName);
        assert.deepEqual(stored?.formData.filter((f) => ['totalValueEur', 'validUntil'].includes(f.name)), [{ name: 'totalValueEur', value: '250000' }, { name: 'validUntil', value: '2026-12-31' }], 'the API gets the wire format');
      }
    });
  });

  it('drops the service\'s error once the field is fixed, showing only what is wrong now', async () => {
    const rep = drifted.rep();
    const review = await rep.press(await openDistributorDraft(rep), 'Review', distributorDetails({ f_regionCode: 'EMEA-7' }));
    const refused = await rep.press(review, 'Send');
    assert.match(errorUnder(refused, 'f_regionCode') ?? '', /is not a field of template/);
    assert.match(readableText(refused), /The LOA service refused some details, and nothing was sent\. Fix this field, then press Review again: Sales region code\./);
    // The rep changes the refused value, and gets another field wrong on the way.
    const again = await rep.press(refused, 'Review', distributorDetails({ f_regionCode: 'EMEA-8', signerEmail: 'jane at acme' }));
    assert.equal(errorUnder(again, 'f_regionCode'), undefined);
    assert.doesNotMatch(readableText(again), /not a field of template|refused/);
    assert.match(nextToReview(again), /^Fix this field, then press Review again: Signer email\./);
  });
});
