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
