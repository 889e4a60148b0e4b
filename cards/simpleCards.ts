import { escapeMarkdown } from '../bot/domain/text';
import { translatorFor } from '../bot/i18n';
import { cardStrings, compileCard } from './render';
import type { AdaptiveCard } from './render';
import type { Verb } from './verbs';
import helpTemplate from './help.json';
import noticeTemplate from './notice.json';
import welcomeTemplate from './welcome.json';

export type NoticeStyle = 'default' | 'good' | 'attention' | 'warning' | 'accent';

export interface NoticeAction {
  title: string;
  verb: Verb;
  data: Record<string, string | boolean>;
}

/** A read-only card (plus optional buttons) for outcomes: cancelled, closed, sending, failed. */
export interface NoticeCardData {
  title: string;
  text?: string;
  style?: NoticeStyle;
  /** Shown escaped: values may come from the rep or the API. */
  facts?: Array<{ title: string; value: string }>;
  actions?: NoticeAction[];
  /** Buttons that open a URL (our own links only, never one a rep typed). */
  links?: Array<{ title: string; url: string }>;
}

const welcome = compileCard<{ strings: object }>(welcomeTemplate);
const help = compileCard<{ strings: object; intro: string; commands: Array<{ command: string; does: string }> }>(helpTemplate);
/** Outcomes vary in their words and ids, not their shape: each kind is expanded once and filled. */
const notice = compileCard<Required<NoticeCardData>>(noticeTemplate, { holes: ['title', 'text', 'value', 'agreementId', 'draftId'] });

/** What the help card lists: the words the bot understands (English in every language), an argument, and what each does. */
export const COMMANDS = [
  { command: 'send LOA', does: 'cards:help.does.send' },
  { command: 'my LOAs', does: 'cards:help.does.list' },
  { command: 'my LOAs', argument: 'cards:help.argument.words', does: 'cards:help.does.search' },
  { command: 'delete LOA', argument: 'cards:help.argument.ref', does: 'cards:help.does.delete' },
  { command: 'cancel', does: 'cards:help.does.cancel' },
  { command: 'help', does: 'cards:help.does.help' },
] as const satisfies ReadonlyArray<{ command: string; argument?: string; does: string }>;

export function renderWelcomeCard(locale = 'en-US'): AdaptiveCard {
  const strings = cardStrings({ title: 'cards:welcome.title', intro: 'cards:welcome.intro', commands: 'cards:welcome.commands', sendLoa: 'cards:common.sendLoa', myLoas: 'cards:common.myLoas', help: 'cards:common.help' }, locale);
  return welcome({ strings });
}

/** `intro` is our own text, never the rep's. */
export function renderHelpCard(intro = '', locale = 'en-US'): AdaptiveCard {
  const t = translatorFor(locale);
  const strings = cardStrings({ title: 'cards:help.title', deleteHint: 'cards:help.deleteHint', sendLoa: 'cards:common.sendLoa', myLoas: 'cards:common.myLoas' }, locale);
  const commands = COMMANDS.map((c) => ({ command: escapeMarkdown('argument' in c ? `${c.command} <${t(c.argument)}>` : c.command), does: t(c.does) }));
  return help({ strings, intro, commands });
}

export function renderNoticeCard(data: NoticeCardData): AdaptiveCard {
  return notice({
    title: data.title,
    text: data.text ?? '',
    style: data.style ?? 'default',
    facts: (data.facts ?? []).map((f) => ({ title: f.title, value: escapeMarkdown(f.value) })),
    actions: data.actions ?? [],
    links: data.links ?? [],
  });
}
