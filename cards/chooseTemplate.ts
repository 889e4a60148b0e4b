import type { LoaTemplate } from '../bot/domain/templateCatalog';
import { escapeMarkdown } from '../bot/domain/text';
import { compileCard } from './render';
import type { AdaptiveCard } from './render';
import template from './chooseTemplate.json';

export interface ChooseTemplateCardData {
  draftId: string;
  templates: readonly Pick<LoaTemplate, 'id' | 'name' | 'description'>[];
  /** What a typed sentence gave, above the choice. Plain text. */
  note?: string;
}

const render = compileCard<ChooseTemplateCardData>(template);

export function renderChooseTemplateCard(data: ChooseTemplateCardData): AdaptiveCard {
  return render({
    draftId: data.draftId,
    note: escapeMarkdown(data.note ?? ''),
    templates: data.templates.map((t) => ({ id: t.id, name: escapeMarkdown(t.name), description: escapeMarkdown(t.description) })),
  });
}
