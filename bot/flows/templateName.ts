import { localizedTemplate } from '../domain/templateCatalog';
import type { LoaTemplate } from '../domain/templateCatalog';
import type { Translate } from '../i18n';

/** A template's name in the rep's language, or their words for one the catalog no longer has. */
export function templateNameOf(template: LoaTemplate | undefined, t: Translate): string {
  return template ? localizedTemplate(template, t.locale).name : t('chat:common.unknownTemplate');
}
