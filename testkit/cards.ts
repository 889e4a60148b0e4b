/** Reading the cards the bot answers with, as a rep's Teams client would. */
import { randomUUID } from 'node:crypto';

export interface CardAction {
  title: string;
  verb: string;
  data: Record<string, unknown>;
}

function visit(node: unknown, each: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, each);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  each(n);
  for (const value of Object.values(n)) visit(value, each);
}

/** Every Action.Execute on a card, in the body's action sets and the card's actions. */
export function actionsOf(card: unknown): CardAction[] {
  const found: CardAction[] = [];
  visit(card, (n) => {
    if (n.type === 'Action.Execute') found.push({ title: String(n.title), verb: String(n.verb), data: (n.data ?? {}) as Record<string, unknown> });
  });
  return found;
}

/** The button titled `title` (and matching `pick`), or an error naming the buttons there are. */
export function button(card: unknown, title: string, pick: (a: CardAction) => boolean = () => true): CardAction {
  const actions = actionsOf(card);
  const action = actions.find((a) => a.title === title && pick(a));
  if (!action) throw new Error(`expected a "${title}" button; the card has: ${actions.map((a) => a.title).join(', ') || 'none'} (${firstText(card)})`);
  return action;
}

/** The first TextBlock's text: a card's title. */
export function firstText(card: unknown): string {
  let text: string | undefined;
  visit(card, (n) => {
    if (text === undefined && n.type === 'TextBlock' && typeof n.text === 'string') text = n.text;
  });
  return text ?? '';
}

/** The value of the fact titled `title`, with Markdown escapes removed. */
export function factValue(card: unknown, title: string): string | undefined {
  let value: string | undefined;
  visit(card, (n) => {
    if (value === undefined && n.title === title && typeof n.value === 'string' && n.type === undefined) value = n.value.replace(/\\(.)/g, '$1');
  });
  return value;
}

/** All visible text on a card (TextBlocks and facts), joined, for assertions on what a rep reads. */
export function textOf(card: unknown): string {
  const texts: string[] = [];
  visit(card, (n) => {
    if (n.type === 'TextBlock' && typeof n.text === 'string') texts.push(n.text);
    if (typeof n.title === 'string' && typeof n.value === 'string' && !n.type) texts.push(`${n.title}: ${n.value}`);
  });
  return texts.join('\n');
}

/** What a rep reads: the card's text with Markdown escapes removed. */
export function readableText(card: unknown): string {
  return textOf(card).replace(/\\(.)/g, '$1').replace(/\n\n/g, '\n');
}

/** Input ids and current values on a card. */
export function inputsOf(card: unknown): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  visit(card, (n) => {
    if (typeof n.type === 'string' && n.type.startsWith('Input.') && typeof n.id === 'string') inputs[n.id] = n.value;
  });
  return inputs;
}

/** The Teams activity id of each card a rep has seen: a card updated in place keeps its id. */
export class CardIds {
  private readonly ids = new WeakMap<object, string>();

  /** The card's id; a new one for a card not seen before. */
  of(card: object): string {
    let id = this.ids.get(card);
    if (!id) {
      id = randomUUID();
      this.ids.set(card, id);
    }
    return id;
  }

  set(card: object, id: string): void {
    this.ids.set(card, id);
  }
}
