import { localizedTemplate } from '../bot/domain/templateCatalog';
import type { LoaTemplate } from '../bot/domain/templateCatalog';
import { escapeMarkdown } from '../bot/domain/text';
import { cardStrings, compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './chooseTemplate.json';

export interface ChooseTemplateCardData {
  draftId: string;
  templates: readonly Pick<LoaTemplate, 'id' | 'name' | 'description' | 'labels'>[];
  /** The rep's Teams locale: the card's words and the templates' names are in its language. */
  locale?: string;
  /** What a typed sentence gave, above the choice. Plain text. */
  note?: string;
}

// The draft id fills a card expanded once per language and catalog.
const render = compileCard<object>(template, { holes: ['draftId'] });

export function renderChooseTemplateCard({ draftId, templates, note, locale = 'en-US' }: ChooseTemplateCardData): AdaptiveCard {
  return render({
    strings: cardStrings({ title: 'cards:choose.title', step: 'cards:choose.step', use: 'cards:choose.use', cancel: 'cards:common.cancel' }, locale),
    draftId,
    note: escapeMarkdown(note ?? ''),
    templates: templates.map((t) => localizedTemplate(t, locale)).map((t) => ({ id: t.id, name: escapeMarkdown(t.name), description: escapeMarkdown(t.description) })),
  });
}
