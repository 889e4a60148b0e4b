import type { Announcement } from '../domain/announcements';
import { describeError } from '../logger';
import type { Logger } from '../logger';
import type { FlowResult } from './flowContext';

/**
 * The value of `work` if it settles within `ms`, or undefined while it still runs; a
 * rejection within `ms` passes through. Lets a turn answer in time and follow up later.
 */
export function settledWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Whether to tell the chat; when storage cannot say whether someone already did, telling twice beats not telling. */
export async function announceOrTell(announce: () => Promise<Announcement>, log: Logger): Promise<Announcement> {
  try {
    return await announce();
  } catch (err) {
    log.warn({ err: describeError(err) }, 'Could not tell whether the chat was already told of this outcome; telling it');
    return 'ours';
  }
}

/**
 * A result with its messages when this caller won the announcement, its card alone when
 * someone else told the chat, and marked when a follow-up is delivering it right now.
 */
export function asAnnounced(shown: FlowResult, announcement: Announcement, unannounce: () => Promise<void>): FlowResult {
  if (announcement === 'ours') return { ...shown, unannounce };
  return { card: shown.card, ...(announcement === 'held' ? { heldElsewhere: true } : {}) };
}
