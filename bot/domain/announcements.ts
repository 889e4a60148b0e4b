import type { KeyValueStore } from './keyValueStore';

/** A turn posts its messages at once; a follow-up may die or be refused before it does. */
export type AnnouncedVia = 'turn' | 'followUp';

/** How an announcement is asked for. */
export interface AnnounceOptions {
  via: AnnouncedVia;
  /** Take over a follow-up's announcement older than this: its delivery never confirmed (it is still promised). */
  takeOverAfterMs?: number;
}

/** The part of a stored outcome (a Send's, a Delete's) that says whether the chat was told. */
export interface Announced {
  /** The attempt whose outcome the chat was told about: each outcome is announced once. */
  announcedAttempt?: number;
  /** Who took the announcement, and when: a follow-up's may be taken over once its instance had its chance. */
  announcedVia?: AnnouncedVia;
  announcedAt?: string;
}

/**
 * ours: this caller tells the chat; told: someone already did (or is, in a turn);
 * held: a follow-up is delivering it right now, and may yet give it back.
 */
export type Announcement = 'ours' | 'told' | 'held';

/** How many conditional writes an announcement tries before it leaves the telling to others. */
const TRIES = 5;

/**
 * 'ours' for exactly one caller per outcome of one attempt, across turns and instances: that
 * caller tells the chat. `ours` maps the stored value to the outcome to mark as announced: the
 * stored outcome when it is this attempt's, this attempt's outcome when storage still holds
 * its claim (the outcome's own write failed and is being retried), undefined otherwise.
 * Nothing stored at all: telling twice beats not telling.
 */
export async function takeAnnouncement<T extends Announced>(store: KeyValueStore<T>, key: string, attempt: number, ours: (stored: T) => T | undefined, options: AnnounceOptions, now: number): Promise<Announcement> {
  for (let tries = 0; tries < TRIES; tries++) {
    const current = await store.get(key);
    if (!current) return 'ours';
    const outcome = ours(current.value);
    if (!outcome) return 'told';
    if (outcome.announcedAttempt === attempt && !mayTakeOver(outcome, options, now)) return outcome.announcedVia === 'followUp' ? 'held' : 'told';
    const announced: T = { ...outcome, announcedAttempt: attempt, announcedVia: options.via, announcedAt: new Date(now).toISOString() };
    if (await store.replace(key, announced, current.etag)) return 'ours';
  }
  return 'told';
}

/** The announcement did not reach the chat (Teams refused it): the next to show the outcome tells it. */
export async function giveBackAnnouncement<T extends Announced>(store: KeyValueStore<T>, key: string, attempt: number): Promise<void> {
  for (let tries = 0; tries < TRIES; tries++) {
    const current = await store.get(key);
    if (!current || current.value.announcedAttempt !== attempt) return;
    const released = { ...current.value };
    delete released.announcedAttempt;
    delete released.announcedVia;
    delete released.announcedAt;
    if (await store.replace(key, released, current.etag)) return;
  }
}

/** A follow-up's announcement whose delivery never confirmed, after its instance had its chance. */
export function mayTakeOver(held: Announced, options: AnnounceOptions, now: number): boolean {
  if (options.takeOverAfterMs === undefined || held.announcedVia !== 'followUp' || !held.announcedAt) return false;
  return now - Date.parse(held.announcedAt) >= options.takeOverAfterMs;
}
