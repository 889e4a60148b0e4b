import { createHash, randomUUID } from 'node:crypto';
import type { ConversationOrigin } from './agreementRecords';
import type { Clock } from './clock';
import { updateWithRetry } from './keyValueStore';
import type { KeyValueStore } from './keyValueStore';

/**
 * A result the rep was promised ("this card updates and I post the result here") and has not
 * been shown yet: the outcome of a slow Send or Delete. Kept in storage, so that it is still
 * delivered when the instance that promised it dies, or Teams refuses it for a while.
 */
export interface PendingFollowUp {
  kind: 'send' | 'delete';
  /** The draft id of a Send, the agreement id of a Delete. */
  id: string;
  /** The rep key of the rep it is for. */
  owner: string;
  /** The chat, and the card that said "Sending…" or "Deleting…". */
  origin: ConversationOrigin;
  /** Epoch ms when it was promised. */
  since: number;
  /** This promise, apart from a later one for the same draft or agreement (a Retry, a Delete pressed again). */
  promiseId: string;
  /** Epoch ms until which an instance is delivering it: nobody else shows it meanwhile. */
  leaseUntil?: number;
  /** Teams said the bot is no longer in the chat: not redelivered, only shown when the rep writes there again. */
  chatGone?: boolean;
}

interface Shard {
  entries: PendingFollowUp[];
}

/**
 * The promises are spread over SHARDS documents, `followUps/<n>`, by a hash of the draft or
 * agreement id, and each promise, hold and delivery rewrites one of them with an etag. With 8
 * documents, 100 reps pressing Send at once on slow storage ran past updateWithRetry's 20 tries
 * ("too many concurrent writes"), and the result came only with a later redelivery.
 *
 * The shard is the hash's first byte modulo SHARDS; it was modulo 8 (LEGACY_SHARDS) before.
 * A multiple of 8, so a promise stored then is in `followUps/<byte % 8>`: one of the documents
 * `due` reads anyway, and where a lookup that does not find it in its new place looks next.
 * Nothing needs moving on deployment; such promises leave as they are delivered.
 */
const SHARDS = 32;
const LEGACY_SHARDS = 8;
const SHARD_KEYS: readonly string[] = Array.from({ length: SHARDS }, (_, i) => `followUps/${i}`);

/** Where a promise for `id` is written, then where one written before the 32 shards may still be. */
function shardsOf(id: string): readonly string[] {
  const byte = createHash('sha256').update(id).digest()[0]!;
  return byte % SHARDS === byte % LEGACY_SHARDS ? [SHARD_KEYS[byte % SHARDS]!] : [SHARD_KEYS[byte % SHARDS]!, SHARD_KEYS[byte % LEGACY_SHARDS]!];
}

const same = (a: Pick<PendingFollowUp, 'kind' | 'id'>, b: Pick<PendingFollowUp, 'kind' | 'id'>) => a.kind === b.kind && a.id === b.id;

/** One promise, as its delivery knows it. */
export type PromiseRef = Pick<PendingFollowUp, 'kind' | 'id' | 'promiseId'>;
const isThe = (entry: PendingFollowUp, ref: PromiseRef) => same(entry, ref) && entry.promiseId === ref.promiseId;

/** The follow-up is no longer stored: another instance or turn took it to deliver it. */
export class NotHeld extends Error {
  override readonly name = 'NotHeld';
}

/** The promised results not yet delivered, shared by every instance. */
export class FollowUps {
  constructor(
    private readonly store: KeyValueStore<Shard>,
    private readonly clock: Clock,
  ) {}

  /**
   * Keeps a promise; it replaces an earlier one for the same draft or agreement. One stored
   * before 32 shards is not looked for (a read more before every "Sending…"): it is delivered
   * on its own, to the card that promised it, and the chat is still told the outcome once.
   */
  async add(followUp: Omit<PendingFollowUp, 'since' | 'promiseId'>): Promise<PromiseRef> {
    const entry: PendingFollowUp = { ...followUp, since: this.clock.now(), promiseId: randomUUID() };
    await this.modify(shardsOf(entry.id)[0]!, (entries) => [...entries.filter((e) => !same(e, entry)), entry]);
    return { kind: entry.kind, id: entry.id, promiseId: entry.promiseId };
  }

  /**
   * Removes a follow-up and returns it, for exactly one of the instances and turns that try
   * at once: that one delivers it, and adds it back if it cannot. One that an instance holds
   * (it is delivering it) is not taken.
   */
  async take(key: Pick<PendingFollowUp, 'kind' | 'id'>): Promise<PendingFollowUp | undefined> {
    let taken: PendingFollowUp | undefined;
    await this.modifyWhereHeld(
      key.id,
      (e) => same(e, key),
      (entries) => {
        const found = entries.find((e) => same(e, key))!;
        taken = this.isLeased(found) ? undefined : found;
        return taken && entries.filter((e) => !same(e, key));
      },
    );
    return taken;
  }

  /** Back in the list after a failed delivery, with the time it was first promised. */
  async restore(followUp: PendingFollowUp): Promise<void> {
    await this.modify(shardsOf(followUp.id)[0]!, (entries) => [...entries.filter((e) => !same(e, followUp)), followUp]);
  }

  /**
   * An instance starts delivering it, or goes on: others leave it alone until `ms` from now.
   * Throws NotHeld when it is no longer stored: someone else took it, and delivers it.
   */
  async lease(ref: PromiseRef, ms: number): Promise<void> {
    const leaseUntil = this.clock.now() + ms;
    const held = await this.modifyWhereHeld(ref.id, (e) => isThe(e, ref), (entries) => entries.map((e) => (isThe(e, ref) ? { ...e, leaseUntil } : e)));
    if (!held) throw new NotHeld(`The ${ref.kind} follow-up was taken by someone else, or replaced`);
  }

  /** The delivery failed: anyone may show it again. */
  async release(ref: PromiseRef): Promise<void> {
    const unleased = (e: PendingFollowUp): PendingFollowUp => {
      const rest = { ...e };
      delete rest.leaseUntil;
      return rest;
    };
    await this.modifyWhereHeld(ref.id, (e) => isThe(e, ref), (entries) => entries.map((e) => (isThe(e, ref) ? unleased(e) : e)));
  }

  /** Whether an instance is delivering it right now. */
  isLeased(followUp: PendingFollowUp): boolean {
    return followUp.leaseUntil !== undefined && followUp.leaseUntil > this.clock.now();
  }

  /** Delivered: forgotten, unless a later promise replaced it. */
  async remove(ref: PromiseRef): Promise<void> {
    await this.modifyWhereHeld(ref.id, (e) => isThe(e, ref), (entries) => entries.filter((e) => !isThe(e, ref)));
  }

  async get(key: Pick<PendingFollowUp, 'kind' | 'id'>): Promise<PendingFollowUp | undefined> {
    for (const shard of shardsOf(key.id)) {
      const found = ((await this.store.get(shard))?.value.entries ?? []).find((e) => same(e, key));
      if (found) return found;
    }
    return undefined;
  }

  /** Follow-ups promised at least `graceMs` ago: long enough that the instance that promised them has had its chance. */
  async due(graceMs: number): Promise<PendingFollowUp[]> {
    const cutoff = this.clock.now() - graceMs;
    const shards = await Promise.all(SHARD_KEYS.map((key) => this.store.get(key)));
    return shards.flatMap((s) => s?.value.entries ?? []).filter((e) => e.since <= cutoff && !this.isLeased(e) && !e.chatGone);
  }

  /** `change` returns undefined when the shard does not hold what it looks for: nothing is written there. */
  private modify(key: string, change: (entries: PendingFollowUp[]) => PendingFollowUp[] | undefined): Promise<void> {
    return updateWithRetry(this.store, key, (current) => {
      const entries = change(current?.entries ?? []);
      return entries && { entries };
    });
  }

  /**
   * Changes the shard that holds an entry `wanted` picks: the promise's own shard, else the one
   * it had before 32 shards. False if neither holds one (nothing is written then).
   */
  private async modifyWhereHeld(id: string, wanted: (e: PendingFollowUp) => boolean, change: (entries: PendingFollowUp[]) => PendingFollowUp[] | undefined): Promise<boolean> {
    for (const key of shardsOf(id)) {
      let held = false;
      await this.modify(key, (entries) => {
        held = entries.some(wanted);
        return held ? change(entries) : undefined;
      });
      if (held) return true;
    }
    return false;
  }
}
