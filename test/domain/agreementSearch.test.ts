import assert from 'node:assert/strict';
import { describeSearch, isEmptySearch, keyValueOf, matchesSearch, parseSearch, referencesOf } from '../../bot/domain/agreementSearch';
import type { SearchableAgreement } from '../../bot/domain/agreementSearch';
import type { Calendar } from '../../bot/domain/datePeriods';
import { BUNDLED_CATALOG } from '../../testkit/sandbox';

/** Tuesday 1 December 2026, mid-morning in Paris. */
const NOW = Date.parse('2026-12-01T09:30:00Z');
const paris: Calendar = { now: NOW, locale: 'fr-FR', timeZone: 'Europe/Paris' };
const newYork: Calendar = { now: NOW, locale: 'en-US', timeZone: 'America/New_York' };
const utc: Calendar = { now: NOW, locale: 'en-GB', timeZone: 'UTC' };

const acme: SearchableAgreement = {
  id: '4d34290f-aaaa-4000-8000-000000000001',
  ref: '4D3429',
  templateName: 'Distributor pricing agreement',
  keyValue: 'Acme Industrial Société',
  signer: { name: 'Jane Doe', email: 'jane.doe@acme.example' },
  cc: { name: 'Bob Copy', email: 'bob@acme.example' },
  references: ['123456'],
  status: 'SIGNED',
  gone: false,
  createdAt: '2026-11-10T10:00:00Z',
};
const bid: SearchableAgreement = {
  id: '9a000000-0000-4000-8000-000000000003',
  ref: '9A0000',
  templateName: 'Project special bid',
  keyValue: 'Hôpital Nord extension',
  signer: { name: 'Marc Martin', email: 'marc.martin@contractor.example' },
  references: ['Q-2026-00123'],
  status: 'SENT',
  gone: false,
  createdAt: '2026-10-05T10:00:00Z',
};
const declined: SearchableAgreement = { ...acme, id: '77770000-0000-4000-8000-000000000004', ref: '777700', status: 'DECLINED', keyValue: 'Beta Corp', signer: { name: 'Zoé Ånström', email: 'zoe@beta.example' }, cc: undefined, createdAt: '2026-12-01T08:00:00Z' };
const deleted: SearchableAgreement = { ...bid, id: 'dddd0000-0000-4000-8000-000000000005', ref: 'DDDD00', status: 'DELETED', gone: true, createdAt: '2026-11-30T23:30:00Z' };
const all = [acme, bid, declined, deleted];

const found = (typed: string, calendar: Calendar = utc) => {
  const search = parseSearch(typed, calendar);
  return all.filter((a) => matchesSearch(a, search)).map((a) => a.ref);
};

describe('search in my LOAs', () => {
  describe('words', () => {
    it('finds by customer or project, signer name or email, template and cc', () => {
      assert.deepEqual(found('acme'), ['4D3429']);
      assert.deepEqual(found('jane'), ['4D3429']);
      assert.deepEqual(found('marc.martin@contractor.example'), ['9A0000', 'DDDD00']);
      assert.deepEqual(found('distributor'), ['4D3429', '777700']);
      assert.deepEqual(found('special bid'), ['9A0000', 'DDDD00']);
      assert.deepEqual(found('bob'), ['4D3429']);
    });

    it('needs every word to be found', () => {
      assert.deepEqual(found('acme jane'), ['4D3429']);
      assert.deepEqual(found('acme marc'), []);
    });

    it('ignores case and accents, both ways', () => {
      assert.deepEqual(found('ACME'), ['4D3429']);
      assert.deepEqual(found('societe'), ['4D3429']);
      assert.deepEqual(found('hopital'), ['9A0000', 'DDDD00']);
      assert.deepEqual(found('zoe anstrom'), ['777700']);
      assert.deepEqual(found('Zoé'), ['777700']);
    });

    it('forgives a small typo in a word, not in a reference', () => {
      assert.deepEqual(found('acne'), ['4D3429']);
      assert.deepEqual(found('jnae'), ['4D3429']);
      assert.deepEqual(found('industral'), ['4D3429']);
      assert.deepEqual(found('distribtor'), ['4D3429', '777700']);
      assert.deepEqual(found('Q-2026-00124'), []);
      assert.deepEqual(found('xyzzy'), []);
      assert.deepEqual(found('acx'), [], 'a three-letter word must be found as typed');
    });

    it('finds by quote reference, account number and short ref', () => {
      assert.deepEqual(found('Q-2026-00123'), ['9A0000', 'DDDD00']);
      assert.deepEqual(found('q-2026-00123'), ['9A0000', 'DDDD00']);
      assert.deepEqual(found('123456'), ['4D3429', '777700']);
      assert.deepEqual(found('4d3429'), ['4D3429']);
      assert.deepEqual(found('777700'), ['777700']);
      assert.deepEqual(found('dddd'), ['DDDD00'], 'a ref of four or more letters is a prefix');
    });
  });

  describe('statuses', () => {
    for (const [typed, refs] of [
      ['signed', ['4D3429']],
      ['declined', ['777700']],
      ['deleted', ['DDDD00']],
      ['waiting', ['9A0000']],
      ['sent', ['9A0000']],
      ['expired', []],
      ['singed', ['4D3429']],
      ['declned', ['777700']],
      ['signed or declined', ['4D3429', '777700']],
    ] as const) {
      it(`reads "${typed}"`, () => assert.deepEqual(found(typed), refs));
    }

    it('takes "sent" before a date or a person as when, not as a status', () => {
      const search = parseSearch('sent to jane last month', utc);
      assert.deepEqual(search.statuses, []);
      assert.deepEqual(search.terms, ['jane']);
      assert.equal(search.period?.label, 'last month');
    });
  });

  describe('dates, on the rep\'s calendar', () => {
    it('reads "last month", "this month", "this week", "today" and "yesterday"', () => {
      assert.deepEqual(found('last month'), ['4D3429', 'DDDD00']);
      assert.deepEqual(found('this month'), ['777700']);
      assert.deepEqual(found('today'), ['777700']);
      assert.deepEqual(found('yesterday'), ['DDDD00']);
      assert.deepEqual(found('this week'), ['777700', 'DDDD00'], 'weeks start on Monday in en-GB: 30 November');
    });

    it('starts the day at midnight in the rep\'s time zone', () => {
      // 2026-11-30T23:30Z is already 1 December in Paris, still 30 November in New York and UTC.
      assert.deepEqual(found('today', paris), ['777700', 'DDDD00']);
      assert.deepEqual(found('today', utc), ['777700']);
      assert.deepEqual(found('today', newYork), ['777700']);
      assert.deepEqual(found('yesterday', newYork), ['DDDD00']);
      assert.deepEqual(found('yesterday', paris), []);
    });

    it('starts the week on the locale\'s first day', () => {
      const sunday = parseSearch('this week', { now: NOW, locale: 'en-US', timeZone: 'UTC' }).period!;
      const monday = parseSearch('this week', utc).period!;
      assert.equal(new Date(sunday.from!).toISOString(), '2026-11-29T00:00:00.000Z');
      assert.equal(new Date(monday.from!).toISOString(), '2026-11-30T00:00:00.000Z');
    });

    it('reads a month, with or without "in" and a year, as the latest one not ahead', () => {
      assert.deepEqual(found('in October'), ['9A0000']);
      assert.deepEqual(found('october 2026'), ['9A0000']);
      assert.deepEqual(found('en octobre', paris), ['9A0000'], 'the locale\'s month names count');
      assert.equal(parseSearch('in March', utc).period!.label, 'March 2026');
      assert.equal(parseSearch('in December', utc).period!.label, 'December 2026');
      assert.equal(parseSearch('in October', paris).period!.label, 'octobre 2026');
    });

    it('reads since, before, between and from … to', () => {
      assert.deepEqual(found('since 1 November'), ['4D3429', '777700', 'DDDD00']);
      assert.deepEqual(found('since November 11th'), ['777700', 'DDDD00']);
      assert.deepEqual(found('before 10 November'), ['9A0000']);
      assert.deepEqual(found('between 1 October and 10 November'), ['4D3429', '9A0000']);
      assert.deepEqual(found('from October to November'), ['4D3429', '9A0000', 'DDDD00']);
      assert.equal(parseSearch('since 1 November', utc).period!.label, 'since 1 November 2026');
      assert.equal(parseSearch('since 1 November', newYork).period!.label, 'since November 1, 2026');
    });

    it('reads a numeric date the way the locale writes it', () => {
      assert.equal(parseSearch('since 1/11', paris).period!.label, 'depuis 1 novembre 2026');
      assert.equal(parseSearch('since 11/1', newYork).period!.label, 'since November 1, 2026');
      assert.equal(parseSearch('since 2026-11-01', newYork).period!.label, 'since November 1, 2026');
      assert.equal(parseSearch('on 31/2', paris).period, undefined, 'no 31 February');
    });

    it('reads "last 7 days" and "past week"', () => {
      assert.deepEqual(found('last 7 days'), ['777700', 'DDDD00']);
      assert.deepEqual(found('past month'), ['4D3429', '777700', 'DDDD00']);
    });

    it('does not take a name for a month', () => {
      assert.deepEqual(parseSearch('jan', utc).terms, ['jan']);
      assert.deepEqual(parseSearch('may', utc).terms, ['may']);
      assert.equal(parseSearch('in may', utc).period?.label, 'May 2026');
    });
  });

  describe('the example phrases', () => {
    it('"acme"', () => assert.deepEqual(found('acme'), ['4D3429']));
    it('"jane"', () => assert.deepEqual(found('jane'), ['4D3429']));
    it('"signed last month"', () => assert.deepEqual(found('signed last month'), ['4D3429']));
    it('"declined"', () => assert.deepEqual(found('declined'), ['777700']));
    it('"Q-2026-00123"', () => assert.deepEqual(found('Q-2026-00123'), ['9A0000', 'DDDD00']));
  });

  describe('what the list says it filtered by', () => {
    it('names the words, the statuses and the period', () => {
      assert.equal(describeSearch(parseSearch('acme signed last month', utc)), 'LOAs matching "acme" · signed · last month');
      assert.equal(describeSearch(parseSearch('declined', utc)), 'LOAs · declined');
      assert.equal(describeSearch(parseSearch('please show "Acme Industrial", in October', utc)), 'LOAs matching "Acme Industrial" · October 2026');
    });

    it('is empty when the words only say how to ask', () => {
      assert.equal(isEmptySearch(parseSearch('please', utc)), true);
      assert.equal(isEmptySearch(parseSearch('all of them', utc)), false);
      assert.equal(isEmptySearch(parseSearch('for me', utc)), true);
    });

    it('keeps at most 200 characters of what was typed', () => {
      assert.equal(parseSearch('a'.repeat(500), utc).typed.length, 200);
    });
  });

  describe('what is searched of a template', () => {
    const distributor = BUNDLED_CATALOG.templates.find((t) => t.name === 'Distributor pricing agreement')!;
    const special = BUNDLED_CATALOG.templates.find((t) => t.name === 'Project special bid')!;

    it('takes the first required text field as the key, and formatted fields as references', () => {
      const values = [{ name: 'customerName', value: ' Acme ' }, { name: 'accountNumber', value: '1234567' }, { name: 'specialTerms', value: 'none' }];
      assert.equal(keyValueOf(distributor, values), 'Acme');
      assert.deepEqual(referencesOf(distributor, values), ['1234567']);
      assert.deepEqual(referencesOf(special, [{ name: 'quoteReference', value: 'Q-2026-00123' }, { name: 'projectName', value: 'X' }]), ['Q-2026-00123']);
      assert.equal(keyValueOf(undefined, values), undefined);
    });
  });
});
