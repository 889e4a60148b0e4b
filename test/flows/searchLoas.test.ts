import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { recognizeCommand } from '../../bot/flows/commands';
import type { AdaptiveCard } from '../../cards/render';
import { actionsOf, readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { distributorDetails } from '../../testkit/fixtures';
import { sendDistributorLoa } from '../../testkit/loaFlow';
import { JumpingClock } from '../helpers/manualClock';
import { botWithSandbox } from '../helpers/botWithSandbox';

const PROJECT_TEMPLATE_ID = '6c0c1f8e-3f0e-4a39-9d2b-5f1d2a7b9e41';

/** The headline of each row: the customer or project. */
function headlines(card: AdaptiveCard): string[] {
  const lines = readableText(card).split('\n');
  return lines.flatMap((line, i) => (/ · (ref|réf\.) [0-9A-Z]+$/.test(lines[i + 1] ?? '') ? [line] : []));
}

const titles = (card: AdaptiveCard) => actionsOf(card).map((a) => a.title);

async function says(rep: RepSession, text: string, extra: Record<string, unknown> = {}): Promise<AdaptiveCard> {
  const { cards } = await rep.says(text, extra);
  assert.equal(cards.length, 1, `one card for "${text}"`);
  return cards[0]!;
}

/** Sends a "Project special bid" LOA through the cards, as a rep would. */
async function sendProjectLoa(rep: RepSession, overrides: Record<string, unknown>): Promise<void> {
  const chooser = await says(rep, 'send LOA');
  const details = await rep.press(chooser, 'Use this template', {}, (a) => a.data.templateId === PROJECT_TEMPLATE_ID);
  const inputs = {
    ...distributorDetails(),
    f_projectName: 'Hôpital Nord extension',
    f_endUserSite: '1 rue de la Santé, Lille',
    f_quoteReference: 'Q-2026-00123',
    f_totalValueEur: '250000',
    f_validUntil: '2027-03-31',
    f_contractorEmail: '',
    ...overrides,
  };
  const review = await rep.press(details, 'Review', inputs);
  const sent = await rep.press(review, 'Send');
  assert.match(readableText(sent), /LOA sent/);
}

describe('search in my LOAs', () => {
  describe('recognising a search', () => {
    const cases: Array<[string, string | undefined, string?]> = [
      ['my LOAs acme', 'searchLoas', 'acme'],
      ['find LOA jane', 'searchLoas', 'jane'],
      ['LOAs signed last month', 'searchLoas', 'signed last month'],
      ['my declined LOAs', 'searchLoas', 'declined'],
      ['LOA Q-2026-00123', 'searchLoas', 'Q-2026-00123'],
      ['search LOAs for jane.doe@acme.example', 'searchLoas', 'for jane.doe@acme.example'],
      ['show my signed LOAs', 'searchLoas', 'signed'],
      ['LOA 4D3429', 'searchLoas', '4D3429'],
      ['find letters of agreement sent in October', 'searchLoas', 'sent in October'],
      ['my LAOs acme', 'searchLoas', 'acme'],
      ['find acme LOAs', 'searchLoas', 'acme'],
      ['find and delete LOA 4D3429', undefined],
      ['my LOAs', 'myLoas'],
      ['my LOAs please', 'myLoas'],
      ['show me my loas', 'myLoas'],
      ['send LOA to jane@acme.example', undefined],
      ['LOA for Acme using the service plan template', undefined],
      ['new LOA: project special bid', undefined],
      ['delete LOA 4D3429', 'deleteLoa', '4D3429'],
      ["don't send loa yet", undefined],
    ];
    for (const [text, command, argument] of cases) {
      it(`takes "${text}" for ${command ?? 'no search'}`, () => {
        const recognized = recognizeCommand(text);
        if (command) assert.equal(recognized?.command, command);
        else assert.notEqual(recognized?.command, 'searchLoas');
        if (argument) assert.equal(recognized?.argument, argument);
      });
    }
    it('takes a search after an @mention', () => {
      assert.deepEqual(recognizeCommand('<at>LOA bot</at> my LOAs acme'), { command: 'searchLoas', argument: 'acme' });
    });
  });

  describe('in the chat', () => {
    const bot = botWithSandbox();
    let rep: RepSession;
    const ids: Record<string, string> = {};

    before(async function () {
      this.timeout(30_000);
      rep = bot.h.rep('Sam Search');
      await sendDistributorLoa(rep, { signerName: 'Jane Doe', signerEmail: 'jane.doe@acme.example', f_customerName: 'Acme Industrial Société' });
      await sendDistributorLoa(rep, { signerName: 'Zoé Ånström', signerEmail: 'zoe@beta.example', f_customerName: 'Beta Corp' });
      await sendProjectLoa(rep, { signerName: 'Marc Martin', signerEmail: 'marc.martin@contractor.example' });
      for (const a of await bot.loa.hooks.agreements()) if (a.owner === rep.member.userPrincipalName) ids[a.signer.name] = a.id;
    });

    it('"my LOAs acme" lists the matching LOAs, says what it filtered by, and Show all brings back the rest', async () => {
      const card = await says(rep, 'my LOAs acme');
      assert.deepEqual(headlines(card), ['Acme Industrial Société']);
      assert.match(readableText(card), /^LOAs matching "acme"$/m);
      assert.deepEqual(titles(card).slice(-2), ['Show all', 'Send an LOA']);
      const everything = await rep.press(card, 'Show all');
      assert.deepEqual(headlines(everything), ['Hôpital Nord extension', 'Beta Corp', 'Acme Industrial Société']);
      assert.doesNotMatch(readableText(everything), /matching/);
      assert.equal(titles(everything).includes('Show all'), false);
    });

    it('"find LOA jane" finds by the signer, and by the signer\'s email', async () => {
      assert.deepEqual(headlines(await says(rep, 'find LOA jane')), ['Acme Industrial Société']);
      assert.deepEqual(headlines(await says(rep, 'search LOAs for marc.martin@contractor.example')), ['Hôpital Nord extension']);
    });

    it('"LOA Q-2026-00123" finds by quote reference, and "LOA <ref>" by short ref', async () => {
      assert.deepEqual(headlines(await says(rep, 'LOA Q-2026-00123')), ['Hôpital Nord extension']);
      assert.deepEqual(headlines(await says(rep, `LOA ${defaultRef(ids['Zoé Ånström']!).toLowerCase()}`)), ['Beta Corp']);
    });

    it('finds by template', async () => {
      assert.deepEqual(headlines(await says(rep, 'my LOAs special bid')), ['Hôpital Nord extension']);
      assert.deepEqual(headlines(await says(rep, 'find distributor LOAs')), ['Beta Corp', 'Acme Industrial Société']);
    });

    it('tolerates case, accents and small typos', async () => {
      assert.deepEqual(headlines(await says(rep, 'my LOAs ACNE industral')), ['Acme Industrial Société']);
      assert.deepEqual(headlines(await says(rep, 'find LOA zoe anstrom')), ['Beta Corp']);
      assert.deepEqual(headlines(await says(rep, 'my LAOs hopital')), ['Hôpital Nord extension']);
    });

    it('"my declined LOAs" filters on the status the LOA service reports now', async () => {
      await bot.loa.hooks.setStatus(ids['Zoé Ånström']!, 'DECLINED');
      const card = await says(rep, 'my declined LOAs');
      assert.deepEqual(headlines(card), ['Beta Corp']);
      assert.match(readableText(card), /^LOAs · declined$/m);
      assert.match(readableText(card), /^Declined · sent/m);
    });

    it('"show my signed LOAs" and "LOAs signed last month": an empty result says so, with a way on', async () => {
      await bot.loa.hooks.setStatus(ids['Jane Doe']!, 'SIGNED');
      assert.deepEqual(headlines(await says(rep, 'show my signed LOAs')), ['Acme Industrial Société']);
      // Sent today, so not last month.
      const none = await says(rep, 'LOAs signed last month');
      assert.deepEqual(headlines(none), []);
      assert.match(readableText(none), /^LOAs · signed · last month$/m);
      assert.match(readableText(none), /None of your LOAs match this search/);
      assert.deepEqual(titles(none), ['Show all', 'Send an LOA']);
      assert.match(readableText(await rep.press(none, 'Send an LOA')), /choose a template/);
      assert.equal(headlines(await rep.press(none, 'Show all')).length, 3);
      assert.deepEqual(headlines(await says(rep, 'LOAs signed this week')), ['Acme Industrial Société']);
    });

    it('"my LOAs" with no words is the whole list, as before', async () => {
      const card = await says(rep, 'my LOAs');
      assert.equal(headlines(card).length, 3);
      assert.doesNotMatch(readableText(card), /matching|None of your LOAs/);
      assert.equal(titles(card).includes('Show all'), false);
    });

    it("never shows another rep's LOAs, typed or from a forwarded card", async () => {
      const other = bot.h.rep('Olga Other');
      await sendDistributorLoa(other, { signerName: 'Jane Other', f_customerName: 'Acme Elsewhere' });
      assert.deepEqual(headlines(await says(rep, 'my LOAs acme')), ['Acme Industrial Société']);
      assert.deepEqual(headlines(await says(other, 'my LOAs acme')), ['Acme Elsewhere']);
      assert.deepEqual(headlines(await says(other, 'find LOA jane doe')), []);
      const forwarded = await other.invoke('loa.listAgreements', { page: '1', search: 'jane' });
      assert.deepEqual(headlines(forwarded), ['Acme Elsewhere'], 'a card pressed by another rep searches their own LOAs');
    });

    it('keeps the search on Older and Newer', async function () {
      this.timeout(60_000);
      const pager = bot.h.rep('Paula Pager');
      for (let i = 1; i <= 11; i++) await sendDistributorLoa(pager, { signerName: `Signer ${String(i).padStart(2, '0')}`, f_customerName: 'Paged Customer' });
      await sendDistributorLoa(pager, { signerName: 'Someone Else', f_customerName: 'Unrelated Ltd' });
      const first = await says(pager, 'my LOAs paged');
      assert.equal(headlines(first).length, 10);
      assert.match(readableText(first), /page 1 of 2/);
      const second = await pager.press(first, 'Older');
      assert.deepEqual(headlines(second), ['Paged Customer']);
      assert.match(readableText(second), /^LOAs matching "paged"$/m);
      assert.match(readableText(await pager.press(second, 'Newer')), /page 1 of 2/);
    });
  });

  describe('by date, on the rep\'s calendar', () => {
    const clock = new JumpingClock();
    const bot = botWithSandbox({ overrides: { clock } });

    it('reads "last month", "in <month>" and "since <date>" in the rep\'s locale and time zone', async function () {
      this.timeout(30_000);
      const rep = bot.h.rep('Dana Dates');
      await sendDistributorLoa(rep, { signerName: 'Early Bird', f_customerName: 'Earlier Customer' });
      const [agreement] = (await bot.loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
      await bot.loa.hooks.setStatus(agreement!.id, 'SIGNED');
      const sent = new Date(agreement!.createdAt);
      // Mid next month, on the bot's clock: the LOA was sent last month.
      clock.advance(Date.UTC(sent.getUTCFullYear(), sent.getUTCMonth() + 1, 15, 12) - Date.now());
      const utc = { localTimezone: 'Etc/UTC' };

      assert.deepEqual(headlines(await says(rep, 'LOAs signed last month', utc)), ['Earlier Customer']);
      assert.deepEqual(headlines(await says(rep, 'LOAs sent this month', utc)), []);
      const month = sent.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
      const inMonth = await says(rep, `my LOAs in ${month}`, utc);
      assert.deepEqual(headlines(inMonth), ['Earlier Customer']);
      assert.match(readableText(inMonth), new RegExp(`^LOAs · ${month} ${sent.getUTCFullYear()}$`, 'm'));

      const day = sent.getUTCDate();
      const sinceFr = await says(rep, `my LOAs since ${day}/${sent.getUTCMonth() + 1}`, { ...utc, locale: 'fr-FR' });
      assert.deepEqual(headlines(sinceFr), ['Earlier Customer']);
      assert.match(readableText(sinceFr), new RegExp(`^LOA · depuis ${day} `, 'm'), 'the date is read the French way, and the search written in French');
      const afterDay = await says(rep, `my LOAs after ${sent.getUTCMonth() + 1}/${day}`, utc);
      assert.deepEqual(headlines(afterDay), [], '"after" a day starts the day after, read month first in en-US');

      // A zone where the LOA was sent on another day than in UTC: the day is the rep's.
      const onThatDay = `my LOAs on ${month} ${day}`;
      const elsewhere = { localTimezone: sent.getUTCHours() >= 10 ? 'Pacific/Kiritimati' : 'Etc/GMT+12' };
      assert.deepEqual(headlines(await says(rep, onThatDay, utc)), ['Earlier Customer']);
      assert.deepEqual(headlines(await says(rep, onThatDay, elsewhere)), [], `on ${month} ${day} in ${elsewhere.localTimezone}`);
    });
  });
});
