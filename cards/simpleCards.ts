import { escapeMarkdown } from '../bot/domain/text';
import { compileCard } from './render';
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

const welcome = compileCard<object>(welcomeTemplate);
const help = compileCard<{ intro: string; commands: Array<{ command: string; does: string }> }>(helpTemplate);
const notice = compileCard<Required<NoticeCardData>>(noticeTemplate);

export const COMMANDS = [
  { command: 'send LOA', does: 'Start a new Letter of Agreement' },
  { command: 'my LOAs', does: 'See the LOAs you sent, delete one, or start a new one from it' },
  { command: 'my LOAs <words>', does: 'Find LOAs by customer, project, signer, template, status, date or ref: "my LOAs acme", "my declined LOAs", "LOAs signed last month"' },
  { command: 'delete LOA <ref>', does: 'Delete an LOA you sent, by the ref shown in my LOAs' },
  { command: 'cancel', does: 'Stop the LOA you are preparing' },
  { command: 'help', does: 'Show this list' },
];

export function renderWelcomeCard(): AdaptiveCard {
  return welcome({});
}

/** `intro` is our own text, never the rep's. */
export function renderHelpCard(intro = ''): AdaptiveCard {
  return help({ intro, commands: COMMANDS.map((c) => ({ command: escapeMarkdown(c.command), does: c.does })) });
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
