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

const SHARDS = 8;
const shardOf = (id: string) => `followUps/${createHash('sha256').update(id).digest()[0]! % SHARDS}`;
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

  /** Keeps a promise; it replaces an earlier one for the same draft or agreement. */
  async add(followUp: Omit<PendingFollowUp, 'since' | 'promiseId'>): Promise<PromiseRef> {
    const entry: PendingFollowUp = { ...followUp, since: this.clock.now(), promiseId: randomUUID() };
    await this.modify(shardOf(followUp.id), (entries) => [...entries.filter((e) => !same(e, entry)), entry]);
    return { kind: entry.kind, id: entry.id, promiseId: entry.promiseId };
  }

  /**
   * Removes a follow-up and returns it, for exactly one of the instances and turns that try
   * at once: that one delivers it, and adds it back if it cannot. One that an instance holds
   * (it is delivering it) is not taken.
   */
  async take(key: Pick<PendingFollowUp, 'kind' | 'id'>): Promise<PendingFollowUp | undefined> {
    let taken: PendingFollowUp | undefined;
    await this.modify(shardOf(key.id), (entries) => {
      const found = entries.find((e) => same(e, key));
      taken = found && !this.isLeased(found) ? found : undefined;
      return taken ? entries.filter((e) => !same(e, key)) : entries;
    });
    return taken;
  }

  /** Back in the list after a failed delivery, with the time it was first promised. */
  async restore(followUp: PendingFollowUp): Promise<void> {
    await this.modify(shardOf(followUp.id), (entries) => [...entries.filter((e) => !same(e, followUp)), followUp]);
  }

  /**
   * An instance starts delivering it, or goes on: others leave it alone until `ms` from now.
   * Throws NotHeld when it is no longer stored: someone else took it, and delivers it.
   */
  async lease(ref: PromiseRef, ms: number): Promise<void> {
    const leaseUntil = this.clock.now() + ms;
    await this.modify(shardOf(ref.id), (entries) => {
      if (!entries.some((e) => isThe(e, ref))) throw new NotHeld(`The ${ref.kind} follow-up was taken by someone else, or replaced`);
      return entries.map((e) => (isThe(e, ref) ? { ...e, leaseUntil } : e));
    });
  }

  /** The delivery failed: anyone may show it again. */
  async release(ref: PromiseRef): Promise<void> {
    const unleased = (e: PendingFollowUp): PendingFollowUp => {
      const rest = { ...e };
      delete rest.leaseUntil;
      return rest;
    };
    await this.modify(shardOf(ref.id), (entries) => entries.map((e) => (isThe(e, ref) ? unleased(e) : e)));
  }

  /** Whether an instance is delivering it right now. */
  isLeased(followUp: PendingFollowUp): boolean {
    return followUp.leaseUntil !== undefined && followUp.leaseUntil > this.clock.now();
  }

  /** Delivered: forgotten, unless a later promise replaced it. */
  async remove(ref: PromiseRef): Promise<void> {
    await this.modify(shardOf(ref.id), (entries) => entries.filter((e) => !isThe(e, ref)));
  }

  async get(key: Pick<PendingFollowUp, 'kind' | 'id'>): Promise<PendingFollowUp | undefined> {
    return ((await this.store.get(shardOf(key.id)))?.value.entries ?? []).find((e) => same(e, key));
  }

  /** Follow-ups promised at least `graceMs` ago: long enough that the instance that promised them has had its chance. */
  async due(graceMs: number): Promise<PendingFollowUp[]> {
    const cutoff = this.clock.now() - graceMs;
    const shards = await Promise.all(Array.from({ length: SHARDS }, (_, i) => this.store.get(`followUps/${i}`)));
    return shards.flatMap((s) => s?.value.entries ?? []).filter((e) => e.since <= cutoff && !this.isLeased(e) && !e.chatGone);
  }

  private modify(key: string, change: (entries: PendingFollowUp[]) => PendingFollowUp[]): Promise<void> {
    return updateWithRetry(this.store, key, (current) => ({ entries: change(current?.entries ?? []) }));
  }
}
