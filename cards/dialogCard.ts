import type { AdaptiveCard } from './render';

/** The data key a dialog's Action.Submit carries its verb in. */
export const DIALOG_VERB_KEY = 'verb';

/**
 * A chat card as an Adaptive Card dialog (a message extension's task module). Dialogs do not
 * run Action.Execute, so each becomes an Action.Submit whose data carries the verb: Teams
 * sends it back as composeExtension/submitAction, with the card's inputs merged in. A chat
 * card's refresh has no meaning in a dialog and is dropped.
 */
export function toDialogCard(card: AdaptiveCard): AdaptiveCard {
  const rest: Record<string, unknown> = { ...card };
  delete rest.refresh;
  return convert(rest) as AdaptiveCard;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (!value || typeof value !== 'object') return value;
  const node = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convert(v)]));
  if (node.type !== 'Action.Execute') return node;
  const { verb, data, ...action } = node;
  const carried = data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  return { ...action, type: 'Action.Submit', data: { ...carried, [DIALOG_VERB_KEY]: verb } };
}

/** Buttons only a message extension's dialog has. */
export const DIALOG_ACTIONS = {
  share: 'loa.dialog.share',
  done: 'loa.dialog.done',
} as const;
