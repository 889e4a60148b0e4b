import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MAX_SENTENCE_LENGTH, parseLoaSentence } from '../../bot/domain/sentence/parseLoaSentence';
import type { SentenceReading } from '../../bot/domain/sentence/parseLoaSentence';
import { TemplateCatalog } from '../../bot/domain/templateCatalog';

const catalog = TemplateCatalog.fromFile(resolve(__dirname, '../../bot/domain/loaTemplates.json'));
const DISTRIBUTOR = '1891f288-eed5-4253-8934-a1160207b6b9';
const BID = '6c0c1f8e-3f0e-4a39-9d2b-5f1d2a7b9e41';
const SERVICE = 'b3d9e0a2-7c4f-4e8b-a1d6-0f2e9c8b7a65';
/** A Tuesday. */
const NOW = new Date('2026-12-01T09:00:00Z');

function read(text: string, locale = 'en-US', extra: { now?: Date; timeZone?: string } = {}): SentenceReading {
  return parseLoaSentence(text, { templates: catalog.templates, locale, now: extra.now ?? NOW, ...(extra.timeZone ? { timeZone: extra.timeZone } : {}) });
}

describe('reading a "send LOA" sentence', () => {
  describe('the issue\'s examples', () => {
    it('picks the distributor pricing template by name and reads the signer', () => {
      const r = read('send the distributor pricing LOA to Jane Doe jane.doe@acme.example');
      assert.equal(r.recognised, true);
      assert.equal(r.template, DISTRIBUTOR);
      assert.deepEqual(r.signer, { name: 'Jane Doe', email: 'jane.doe@acme.example' });
      assert.deepEqual(r.cc, {});
      assert.deepEqual(r.fields, {});
      assert.deepEqual(r.notUnderstood, []);
    });

    it('infers the template from its fields when none is named, and reads signer, cc, percent, choice and range', () => {
      const r = read('send LOA to jane@acme.example cc bob@acme.example for Acme Industrial, 12.5% discount on low voltage, from 1 January to 31 December 2027');
      assert.equal(r.template, DISTRIBUTOR);
      assert.deepEqual(r.signer, { email: 'jane@acme.example' });
      assert.deepEqual(r.cc, { email: 'bob@acme.example' });
      assert.deepEqual(r.fields, { customerName: 'Acme Industrial', discountPercent: '12.5', productRange: 'LV', startDate: '2027-01-01', endDate: '2027-12-31' });
      assert.deepEqual(r.notUnderstood, []);
    });

    it('reads a quote reference, an amount in thousands and a relative end date for a special bid', () => {
      const r = read('new LOA: project special bid, signer Marc Martin marc.martin@contractor.example, quote Q-2026-00123, 250k EUR, valid until end of March', 'en-GB');
      assert.equal(r.template, BID);
      assert.deepEqual(r.signer, { name: 'Marc Martin', email: 'marc.martin@contractor.example' });
      assert.deepEqual(r.fields, { quoteReference: 'Q-2026-00123', totalValueEur: '250000', validUntil: '2027-03-31' });
      assert.deepEqual(r.readings, ['"end of March" read as 31 March 2027']);
    });

    it('picks the service plan template by alias and reads the customer', () => {
      const r = read('LOA for Acme using the service plan template');
      assert.equal(r.template, SERVICE);
      assert.deepEqual(r.fields, { customerName: 'Acme' });
      assert.deepEqual(r.notUnderstood, []);
    });
  });

  describe('templates', () => {
    it('ranks the candidates and chooses none when two templates are named', () => {
      const r = read('send the distributor pricing or the service plan LOA to jane@acme.example');
      assert.equal(r.template, undefined);
      assert.deepEqual(r.candidates.map((c) => c.templateId).sort(), [DISTRIBUTOR, SERVICE].sort());
      assert.deepEqual(r.fields, {});
    });

    it('keeps each candidate\'s fields when no template is clear, so a later choice keeps them', () => {
      const r = read('new LOA for Acme starting next Monday');
      assert.equal(r.template, undefined);
      assert.equal(r.recognised, true);
      const service = r.candidates.find((c) => c.templateId === SERVICE);
      assert.deepEqual(service?.fields, { customerName: 'Acme', startDate: '2026-12-07' });
    });

    it('tolerates a typo in a template name and in a choice', () => {
      const r = read('servise plan for Acme premiun 12 assets');
      assert.equal(r.template, SERVICE);
      assert.deepEqual(r.fields, { customerName: 'Acme', planLevel: 'PREMIUM', assetCount: '12' });
    });

    it('matches choices by product name, code and accents', () => {
      assert.equal(read('distributor pricing, 5% on Modicon').fields.productRange, 'IA');
      assert.equal(read('distributor pricing, 5% on MV').fields.productRange, 'MV');
      assert.equal(read('contrat de service pour Usine Petit, avancé', 'fr-FR').fields.planLevel, 'ADVANCED');
    });
  });

  describe('dates and the rep\'s locale', () => {
    it('reads 1/2/2027 as 1 February in fr-FR and says so, in French', () => {
      const r = read('special bid, quote Q-2026-00123, valid until 1/2/2027', 'fr-FR');
      assert.equal(r.fields.validUntil, '2027-02-01');
      assert.deepEqual(r.readings, ['« 1/2/2027 » lu comme 1 février 2027']);
    });

    it('reads 1/2/2027 as 1 February in en-GB and says so, in English', () => {
      const r = read('special bid, quote Q-2026-00123, valid until 1/2/2027', 'en-GB');
      assert.equal(r.fields.validUntil, '2027-02-01');
      assert.deepEqual(r.readings, ['"1/2/2027" read as 1 February 2027']);
    });

    it('reads 1/2/2027 as January 2 in en-US and says so', () => {
      const r = read('special bid, quote Q-2026-00123, valid until 1/2/2027', 'en-US');
      assert.equal(r.fields.validUntil, '2027-01-02');
      assert.deepEqual(r.readings, ['"1/2/2027" read as January 2, 2027']);
    });

    it('says nothing when a date can be read only one way', () => {
      assert.deepEqual(read('special bid, quote Q-2026-00123, valid until 31/03/2027', 'en-GB').readings, []);
      assert.deepEqual(read('special bid, quote Q-2026-00123, valid until 2027-03-31').readings, []);
    });

    it('reads French ranges and French month ends', () => {
      const range = read('tarif distributeur pour Rexel Lyon, 10 % sur Acti9, du 1er janvier au 31 décembre 2027', 'fr-FR');
      assert.deepEqual([range.fields.startDate, range.fields.endDate], ['2027-01-01', '2027-12-31']);
      assert.equal(read('offre spéciale, devis Q-2026-04321, valable jusqu\'à fin mars', 'fr-FR').fields.validUntil, '2027-03-31');
    });

    it('counts relative days from the rep\'s own day in their time zone', () => {
      const r = read('service plan starting tomorrow for Acme', 'en-US', { now: new Date('2026-12-01T23:30:00Z'), timeZone: 'Asia/Tokyo' });
      assert.equal(r.fields.startDate, '2026-12-03');
      assert.equal(read('service plan starting tomorrow for Acme').fields.startDate, '2026-12-02');
    });

    it('never reads a street number or a bare hour as a date', () => {
      const r = read('Special bid for project Oakwood Clinic at 4 Elm Road, quote Q-2026-00432');
      assert.equal(r.fields.validUntil, undefined);
    });
  });

  describe('numbers', () => {
    it('reads French decimals, grouped thousands and millions', () => {
      assert.equal(read('tarif distributeur, remise 12,5 %', 'fr-FR').fields.discountPercent, '12.5');
      assert.equal(read('offre spéciale, devis Q-2026-00123, 1 250 000,50 €', 'fr-FR').fields.totalValueEur, '1250000.50');
      assert.equal(read('prix projet, devis Q-2026-00200, 2,5 M€', 'fr-FR').fields.totalValueEur, '2500000');
    });

    it('reads English thousands and a number next to its field\'s name', () => {
      assert.equal(read('special bid, quote Q-2026-00888, 1,250,000 EUR').fields.totalValueEur, '1250000');
      assert.equal(read('service plan for Acme, assets: 25').fields.assetCount, '25');
    });

    it('fills a percentage over the field\'s maximum as typed, for validation to flag', () => {
      assert.equal(read('distributor pricing for Acme, 70% discount on low voltage').fields.discountPercent, '70');
    });

    it('fills a pattern field only with a value that fits its pattern', () => {
      const r = read('distributor pricing, account 12345, 10% LV');
      assert.equal(r.fields.accountNumber, undefined);
      assert.ok(r.notUnderstood.some((t) => t.includes('12345')), `12345 shown as not understood: ${JSON.stringify(r.notUnderstood)}`);
      assert.equal(read('distributor pricing, account 1234567, 10% LV').fields.accountNumber, '1234567');
    });
  });

  describe('people', () => {
    it('reads names in brackets and cc written after the email', () => {
      assert.deepEqual(read('distributor pricing LOA to jane@acme.example (Jane Doe)').signer, { name: 'Jane Doe', email: 'jane@acme.example' });
      const r = read('send the distributor pricing LOA to jane@acme.example with bob@acme.example in copy');
      assert.deepEqual([r.signer.email, r.cc.email], ['jane@acme.example', 'bob@acme.example']);
    });

    it('keeps an email named for a template field out of signer and cc', () => {
      const r = read('service plan for Acme, premium, 40 assets, site contact ops@acme.example, signer Jane Doe jane.doe@acme.example');
      assert.equal(r.fields.siteContactEmail, 'ops@acme.example');
      assert.deepEqual(r.signer, { name: 'Jane Doe', email: 'jane.doe@acme.example' });
    });

    it('reads a signer named without an email', () => {
      assert.deepEqual(read('special bid, signer Marc Martin').signer, { name: 'Marc Martin' });
    });
  });

  describe('what it cannot place', () => {
    it('shows the parts it could not place as typed', () => {
      const r = read('service plan for Acme, premium, 40 assets. Please add the usual remote monitoring note.');
      assert.equal(r.template, SERVICE);
      assert.deepEqual(r.notUnderstood, ['Please add the usual remote monitoring note']);
    });

    it('recognises nothing in small talk, questions and commands of other kinds', () => {
      for (const text of ['hello', 'what can you do?', 'my LOAs', 'is the LOA service down?', 'call me next Monday', '12.5%', 'jane@acme.example', '', '   ']) {
        const r = read(text);
        assert.equal(r.recognised, false, text);
        assert.deepEqual([r.candidates, r.fields, r.notUnderstood], [[], {}, []], text);
      }
    });
  });

  describe('hostile input', () => {
    it('treats markup and Markdown as text, never as structure', () => {
      const r = read('send the distributor pricing LOA to <script>alert(1)</script> [x](https://evil.example) for Acme');
      assert.equal(r.template, DISTRIBUTOR);
      assert.equal(r.signer.email, undefined);
      assert.ok(r.notUnderstood.length > 0);
      assert.ok(r.notUnderstood.every((t) => t.length <= 201));
    });

    it('reads only the start of a very long message, quickly, and says the rest was not read', () => {
      const long = `send the distributor pricing LOA to jane@acme.example ${'1/2/2027 12,5 % Acme <b> '.repeat(20_000)}`;
      const start = performance.now();
      const r = read(long);
      assert.ok(performance.now() - start < 500, 'parses in well under a second');
      assert.equal(r.template, DISTRIBUTOR);
      assert.ok(r.notUnderstood.some((t) => t.includes(`after ${MAX_SENTENCE_LENGTH} characters`)));
      assert.ok(r.notUnderstood.length <= 12, 'a bounded list of parts for the card');
    });

    it('survives control characters, lone surrogates and odd spacing', () => {
      for (const text of ['\u0000send LOA\u0007 to jane@acme.example', '\ud800 distributor pricing \udfff', 'LOA\u2028for\u2029Acme', '\t\n\r']) {
        assert.doesNotThrow(() => read(text), JSON.stringify(text));
      }
      assert.equal(read('\u0000send LOA\u0007 to jane@acme.example').signer.email, 'jane@acme.example');
    });

    it('gives the same reading every time', () => {
      const text = 'send LOA to jane@acme.example for Acme Industrial, 12.5% discount on low voltage, from next Monday to end of June';
      assert.deepEqual(read(text), read(text));
    });
  });
});
