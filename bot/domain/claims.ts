import type { Logger } from 'pino';
import type { KeyValueStore } from './keyValueStore';
import { writeEventually } from './persistence';

/**
 * A claim on one piece of irreversible work (a Send of a draft, a Delete of an agreement):
 * the caller that holds it does the work and settles it; everyone else follows the holder.
 */
export type ClaimAttempt<T> =
  /** `etag` is the version the claim wrote: the outcome replaces exactly that. */
  | { claimed: true; value: T; etag: string }
  /** Someone holds it, or held it and settled it: `current` is how it stands (absent if it vanished). */
  | { claimed: false; current: T | undefined };

/**
 * Claims `key` once, across turns and instances. A create-only write of `first` wins the
 * first claim; when a claim exists, `retake` says whether this caller may take it over (a
 * retry after a failure, an instance that died) and with what, and one conditional swap
 * decides between callers racing to do so.
 */
export async function claimOnce<T>(store: KeyValueStore<T>, key: string, first: T, retake: (existing: T) => T | undefined): Promise<ClaimAttempt<T>> {
  const created = await store.create(key, first);
  if (created) return { claimed: true, value: first, etag: created };
  const current = await store.get(key);
  if (!current) return { claimed: false, current: undefined };
  const next = retake(current.value);
  if (next === undefined) return { claimed: false, current: current.value };
  const swapped = await store.replace(key, next, current.etag);
  if (swapped) return { claimed: true, value: next, etag: swapped };
  // Another press or instance took it over first: report what that one is doing.
  return { claimed: false, current: (await store.get(key))?.value ?? current.value };
}

/** How a settled outcome is written over its claim. */
export interface SettleOptions<T> {
  /** True when the stored value already is this outcome (an announcement stored it after our write failed). */
  isSettled: (stored: T) => boolean;
  log: Logger;
  /** Names the claim in the log. */
  context: Record<string, unknown>;
}

/**
 * Stores an outcome over the claim that `claimEtag` names, unless something settled it
 * meanwhile. A write that storage fails is tried again in the background: a claim left at
 * its "working" state would hold the outcome back from the rep.
 */
export async function settleClaim<T>(store: KeyValueStore<T>, key: string, outcome: T, claimEtag: string, options: SettleOptions<T>): Promise<void> {
  const { isSettled, log, context } = options;
  const write = async () => {
    if (await store.replace(key, outcome, claimEtag)) return;
    const stored = (await store.get(key))?.value;
    if (stored !== undefined && isSettled(stored)) return;
    log.error(context, 'Could not record an outcome: its claim changed underneath');
  };
  await writeEventually(write, log, { ...context, write: 'outcome' });
}
