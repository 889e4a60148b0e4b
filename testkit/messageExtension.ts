/** A rep using the message extension the way Teams sends its invokes: from a group chat, a message's menu or the compose box. */
import { randomUUID } from 'node:crypto';
import type { AdaptiveCard } from '../cards/render';
import { assertValidCard } from './cardChecks';
import type { ConversationHarness, RepSession } from './conversation';

/** A dialog's Action.Submit: its title and the data Teams sends back (the verb is in it). */
export interface DialogButton {
  title: string;
  data: Record<string, unknown>;
}

/** What Teams got back for one invoke. */
export interface ExtensionAnswer {
  status: number;
  body: {
    task?: { type: string; value?: { title?: string; card?: { contentType: string; content: AdaptiveCard } } };
    composeExtension?: {
      type: string;
      text?: string;
      attachments?: Array<{ contentType: string; content: AdaptiveCard; preview?: { content: { title?: string; text?: string } } }>;
      suggestedActions?: { actions: Array<{ type: string; value: string }> };
    };
  } | undefined;
}

/** A rep in a conversation (a group chat unless told otherwise) invoking the message extension. */
export class ExtensionSession {
  readonly conversationId: string;

  constructor(
    private readonly harness: ConversationHarness,
    readonly rep: RepSession,
    options: { conversationId?: string; conversationType?: 'groupChat' | 'channel' | 'personal' } = {},
  ) {
    this.conversationId = options.conversationId ?? `19:${randomUUID().replace(/-/g, '')}@thread.v2`;
    this.conversationType = options.conversationType ?? 'groupChat';
  }

  private readonly conversationType: string;

  /** "Send an LOA" from a message's menu (with its text) or the compose box (without). */
  fetchTask(messageText?: string, extra: Record<string, unknown> = {}): Promise<ExtensionAnswer> {
    const messagePayload = messageText === undefined ? undefined : { id: randomUUID(), body: { contentType: 'html', content: `<p>${messageText}</p>` } };
    return this.invoke('composeExtension/fetchTask', { commandId: 'sendLoa', commandContext: messageText === undefined ? 'compose' : 'message', context: { theme: 'default' }, ...(messagePayload ? { messagePayload } : {}), ...extra });
  }

  /** Presses a dialog button titled `title`, with `inputs` typed into the dialog's card. */
  press(answer: ExtensionAnswer, title: string, inputs: Record<string, unknown> = {}): Promise<ExtensionAnswer> {
    const button = dialogButtons(dialogOf(answer)).find((b) => b.title === title);
    if (!button) throw new Error(`expected a "${title}" button in the dialog; it has: ${dialogButtons(dialogOf(answer)).map((b) => b.title).join(', ')}`);
    return this.submit({ ...button.data, ...inputs });
  }

  submit(data: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<ExtensionAnswer> {
    return this.invoke('composeExtension/submitAction', { commandId: 'sendLoa', commandContext: 'compose', context: { theme: 'default' }, data, ...extra });
  }

  /** "LOAs": a search with `words` as its query parameter. */
  query(words: string, extra: Record<string, unknown> = {}): Promise<ExtensionAnswer> {
    return this.invoke('composeExtension/query', { commandId: 'searchLoas', parameters: [{ name: 'query', value: words }], queryOptions: { skip: 0, count: 25 }, ...extra });
  }

  async invoke(name: string, value: unknown): Promise<ExtensionAnswer> {
    const base = this.rep.activity('invoke');
    const conversation = { ...(base.conversation as Record<string, unknown>), id: this.conversationId, conversationType: this.conversationType };
    const res = await this.harness.post({ ...base, conversation, name, value });
    const answer = { status: res.status, body: res.data as ExtensionAnswer['body'] };
    for (const card of [dialogOrNone(answer), ...(answer.body?.composeExtension?.attachments ?? []).map((a) => a.content)]) if (card) assertValidCard(card);
    return answer;
  }
}

/** The card a dialog shows, or an error saying what came back instead. */
export function dialogOf(answer: ExtensionAnswer): AdaptiveCard {
  const card = dialogOrNone(answer);
  if (!card) throw new Error(`expected a dialog card; got HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return card;
}

function dialogOrNone(answer: ExtensionAnswer): AdaptiveCard | undefined {
  return answer.body?.task?.type === 'continue' ? answer.body.task.value?.card?.content : undefined;
}

/** Every Action.Submit on a dialog card. */
export function dialogButtons(card: unknown): DialogButton[] {
  const found: DialogButton[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Submit') found.push({ title: String(n.title), data: (n.data ?? {}) as Record<string, unknown> });
    Object.values(n).forEach(visit);
  };
  visit(card);
  return found;
}
