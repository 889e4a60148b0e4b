/**
 * The card renderer's two shortcuts (fixed words baked in per language, and cards expanded once
 * and filled with what the rep typed) must never change a card: every render here is compared
 * with the same render through plain adaptivecards-templating bindings.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { emptyValues, toAgreementRequest, validateDraft } from '../../bot/domain/draft';
import type { Draft, DraftValues } from '../../bot/domain/draft';
import { TemplateCatalog } from '../../bot/domain/templateCatalog';
import type { LoaTemplate } from '../../bot/domain/templateCatalog';
import { renderChooseTemplateCard } from '../../cards/chooseTemplate';
import { renderDraftDetailsCard } from '../../cards/draftDetails';
import { cardShortcuts, compileCard } from '../../cards/render';
import type { AdaptiveCard } from '../../cards/render';
import { renderReviewDraftCard } from '../../cards/reviewDraft';
import { renderAgreementListCard, renderConfirmDeleteCard } from '../../cards/agreementList';
import type { ListedAgreement } from '../../cards/agreementList';
import { renderAgreementSentCard } from '../../cards/agreementSent';
import { renderNoticeCard } from '../../cards/simpleCards';
import type { AgreementRecord } from '../../bot/domain/agreementRecords';

const CATALOG = TemplateCatalog.fromFile(resolve(__dirname, '../../bot/domain/loaTemplates.json'));

function withoutShortcuts<T>(render: () => T): T {
  cardShortcuts(false);
  try {
    return render();
  } finally {
    cardShortcuts(true);
  }
}

/** Renders with the shortcuts, then without, and requires the same card. */
function sameBothWays(what: string, render: () => AdaptiveCard): AdaptiveCard {
  const fast = render();
  assert.deepEqual(fast, withoutShortcuts(render), what);
  return fast;
}

/** Values a rep might type: empty, Markdown, what looks like a binding, numbers at the edges, accents, a lone surrogate pair. */
const TYPED: Array<Partial<DraftValues>> = [
  {},
  { signerName: 'Jane Customer', signerEmail: 'jane.customer@acme.example', fields: { customerName: 'Acme SAS', accountNumber: '1234567', productRange: 'LV', discountPercent: '12.5', startDate: '2026-04-01', endDate: '2027-03-31' } },
  { signerName: '**Bold** [link](https://evil.example) ${strings.title} ${$root.draftId} {{DATE(x)}}', signerEmail: 'not an email', fields: { discountPercent: '75', accountNumber: '12' } },
  { signerName: 'Émilie Ñúñez 😀', ccName: 'Only a name', notifyEnabled: true, notifyEmails: 'a@b.example', emailSubject: 'Subject', emailMessage: 'Line 1\nLine 2 ${x}', fields: { discountPercent: '0', customerName: '0' } },
  { signerName: 'Jane Customer', fields: { discountPercent: '-1e400', startDate: 'yesterday', productRange: 'not a choice' } },
];

function draftOf(template: LoaTemplate, values: Partial<DraftValues>, id: string): Draft {
  return { id, templateId: template.id, values: { ...emptyValues(), ...values, fields: { ...(values.fields ?? {}) } } };
}

describe('card render shortcuts', () => {
  it('render each details card, with and without problems, in both languages, as plain bindings do, draft after draft', () => {
    let n = 0;
    for (const locale of ['en-US', 'fr-FR']) {
      for (const template of CATALOG.templates) {
        // The same template and language again and again: after the first, each render fills a kept card.
        for (const [i, values] of TYPED.entries()) {
          const draft = draftOf(template, values, `draft-${i}-${locale}`);
          sameBothWays(`${template.name} ${locale} #${i}`, () => renderDraftDetailsCard({ template, draft, locale }));
          const errors = validateDraft(template, draft.values, locale);
          sameBothWays(`${template.name} ${locale} #${i} with problems`, () => renderDraftDetailsCard({ template, draft, errors, locale, problem: 'The LOA service refused it.' }));
          n += 2;
        }
      }
    }
    assert.ok(n >= 40);
  });

  it('put each rep value where the plain render puts it, not where an earlier draft had it', () => {
    const template = CATALOG.templates[0]!;
    const first = renderDraftDetailsCard({ template, draft: draftOf(template, { signerName: 'First Rep Value' }, 'draft-a'), locale: 'en-US' });
    const second = renderDraftDetailsCard({ template, draft: draftOf(template, { signerName: 'Second Rep Value' }, 'draft-b'), locale: 'en-US' });
    assert.ok(JSON.stringify(first).includes('First Rep Value') && JSON.stringify(first).includes('draft-a'));
    assert.ok(!JSON.stringify(second).includes('First Rep Value') && !JSON.stringify(second).includes('draft-a'));
    assert.ok(JSON.stringify(second).includes('Second Rep Value') && JSON.stringify(second).includes('draft-b'));
  });

  it('render the review and template cards as plain bindings do', () => {
    for (const locale of ['en-US', 'fr-CA']) {
      for (const template of CATALOG.templates) {
        for (const [i, values] of TYPED.entries()) {
          const request = toAgreementRequest(template, draftOf(template, values, `d-${i}`));
          sameBothWays(`review ${template.name} ${locale} #${i}`, () => renderReviewDraftCard({ draftId: `d-${i}`, template, request, locale, unusedNotifyEmails: i % 2 ? ['x@y.example'] : [] }));
        }
      }
      for (const i of [1, 2, 3]) sameBothWays(`choose ${locale} #${i}`, () => renderChooseTemplateCard({ draftId: `d-${i}`, templates: CATALOG.templates, locale, note: i === 2 ? 'From your message' : '' }));
    }
  });

  it('render outcome, list, confirmation and sent cards as plain bindings do, for names and ids after one another', () => {
    // What reps and the API put in these cards: plain, Markdown, binding-like, empty, accented.
    const NAMES = ['Jane Customer', '**Bold** [x](https://evil.example) ${strings.title} ${$root.agreementId} {{TIME(x)}}', '', 'Émilie Ñúñez 😀'];
    const record = (i: number, name: string): AgreementRecord => ({
      id: `0000000${i}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`,
      templateId: CATALOG.templates[i % CATALOG.templates.length]!.id,
      signer: { name, email: `signer${i}@acme.example` },
      ...(i % 2 ? { cc: { name: `${name} cc`, email: 'cc@acme.example' } } : {}),
      formData: [],
      createdAt: `2026-0${(i % 9) + 1}-1${i % 10}T08:30:00.000Z`,
      status: ['SENT', 'VIEWED', 'SIGNED', 'DECLINED'][i % 4]!,
      ...(i % 3 === 2 ? { goneAt: '2026-10-01T00:00:00.000Z' } : {}),
      origin: { reference: {} },
    });
    let n = 0;
    for (const locale of ['en-US', 'fr-FR']) {
      for (const [i, name] of NAMES.entries()) {
        const r = record(i, name);
        sameBothWays(`notice ${locale} #${i}`, () =>
          renderNoticeCard({
            title: `LOA ${name} deleted`,
            text: i === 2 ? '' : `${name} can no longer sign it.`,
            style: i % 2 ? 'good' : 'attention',
            facts: i === 3 ? [] : [{ title: 'Signer', value: name }, { title: 'Agreement ID', value: r.id }],
            actions: [{ title: `Delete ${name}`, verb: 'loa.deleteAgreement', data: { agreementId: r.id } }, { title: 'Back', verb: 'loa.listAgreements', data: { page: '1' } }],
          }),
        );
        sameBothWays(`confirm ${locale} #${i}`, () => renderConfirmDeleteCard(r, `Template ${name}`, `A1B2C${i}`, locale));
        sameBothWays(`sent ${locale} #${i}`, () => renderAgreementSentCard({ agreement: r, templateName: `Template ${name}`, locale }));
        const items: ListedAgreement[] = [0, 1, 2].slice(0, (i % 3) + 1).map((k) => {
          const listed = record(i + k, NAMES[(i + k) % NAMES.length]!);
          return { record: listed, templateName: `T ${k}`, fresh: k % 2 === 0, ref: `REF${i}${k}`, ...(k === 1 ? { keyValue: name } : {}), sentAt: listed.createdAt };
        });
        sameBothWays(`list ${locale} #${i}`, () =>
          renderAgreementListCard({
            items: i === 3 ? [] : items,
            page: (i % 2) + 1,
            pages: 2,
            note: i === 1 ? `Statuses may be old: ${name}` : '',
            ...(i % 2 ? { draft: { id: `draft-${i}`, templateName: `T ${name}`, summary: name } } : {}),
            ...(i === 2 ? { filter: { label: `Matching "${name}"`, search: name } } : {}),
            locale,
          }),
        );
        n += 4;
      }
    }
    assert.ok(n >= 32);
  });

  it('never let one card handed out change the next: what a card shares with others cannot be written to', () => {
    const template = CATALOG.templates[0]!;
    const render = (name: string) => renderDraftDetailsCard({ template, draft: draftOf(template, { signerName: name }, `draft-${name}`), locale: 'en-US' });
    const first = render('Jane Customer');
    // Whatever later code tries on a card it was given (a presenter, a test), anywhere in it.
    const scribble = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      for (const key of Object.keys(node)) {
        scribble((node as Record<string, unknown>)[key]);
        try {
          (node as Record<string, unknown>)[key] = 'scribbled';
        } catch {
          // A frozen part refuses, which is what keeps it safe to share.
        }
      }
    };
    scribble(first);
    const next = render('Émilie Ñúñez');
    assert.deepEqual(next, withoutShortcuts(() => render('Émilie Ñúñez')));
    assert.ok(!JSON.stringify(next).includes('scribbled'));
  });

  it('keep a number a number, and text around a value as it is', () => {
    const render = compileCard<{ n: number | string; label: string; id: string }>(
      { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Number', id: '${id}', value: '${n}', label: 'Value of ${id}: ${label}' }] },
      { holes: ['n', 'id'] },
    );
    for (const n of [0, 12.5, -3, '']) {
      const data = { n, label: 'L', id: `id-${String(n)}` };
      assert.deepEqual(render(data), withoutShortcuts(() => render(data)));
    }
    assert.equal((render({ n: 7, label: 'L', id: 'x' }).body as Array<{ value: unknown }>)[0]!.value, 7);
  });

  it('refuse a template that tests or iterates a value it would fill in', () => {
    const card = (body: unknown) => ({ type: 'AdaptiveCard', version: '1.5', body });
    assert.throws(() => compileCard(card([{ type: 'TextBlock', text: 'x', $when: '${value > 3}' }]), { holes: ['value'] }), /uses "value"/);
    assert.throws(() => compileCard(card([{ type: 'TextBlock', text: '${length(value)}' }]), { holes: ['value'] }), /uses "value"/);
    assert.throws(() => compileCard(card([{ type: 'Container', $data: '${value}', items: [] }]), { holes: ['value'] }), /uses "value"/);
    // Showing it, or asking whether it is empty, is what a filled-in value still answers the same.
    compileCard(card([{ type: 'TextBlock', text: '${value}', $when: "${value != ''}" }, { type: 'TextBlock', text: '${$root.value}' }, { type: 'TextBlock', text: '${other.value}' }]), { holes: ['value'] });
  });
});
