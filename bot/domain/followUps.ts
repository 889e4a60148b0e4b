import { createHash } from 'node:crypto';
import type { ConversationOrigin } from './agreementRecords';
import type { Clock } from './clock';
import { modifyStored } from './keyValueStore';
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
  /** Epoch ms until which an instance is delivering it: nobody else shows it meanwhile. */
  leaseUntil?: number;
}

interface Shard {
  entries: PendingFollowUp[];
}

const SHARDS = 8;
const shardOf = (id: string) => `followUps/${createHash('sha256').update(id).digest()[0]! % SHARDS}`;
const same = (a: Pick<PendingFollowUp, 'kind' | 'id'>, b: Pick<PendingFollowUp, 'kind' | 'id'>) => a.kind === b.kind && a.id === b.id;

/** The promised results not yet delivered, shared by every instance. */
export class FollowUps {
  constructor(
    private readonly store: KeyValueStore<Shard>,
    private readonly clock: Clock,
  ) {}

  async add(followUp: Omit<PendingFollowUp, 'since'>): Promise<void> {
    const entry: PendingFollowUp = { ...followUp, since: this.clock.now() };
    await this.modify(shardOf(followUp.id), (entries) => [...entries.filter((e) => !same(e, entry)), entry]);
  }

  /**
   * Removes a follow-up and returns it, for exactly one of the instances and turns that try
   * at once: that one delivers it, and adds it back if it cannot.
   */
  async take(key: Pick<PendingFollowUp, 'kind' | 'id'>): Promise<PendingFollowUp | undefined> {
    let taken: PendingFollowUp | undefined;
    await this.modify(shardOf(key.id), (entries) => {
      taken = entries.find((e) => same(e, key));
      return entries.filter((e) => !same(e, key));
    });
    return taken;
  }

  /** Back in the list after a failed delivery, with the time it was first promised. */
  async restore(followUp: PendingFollowUp): Promise<void> {
    await this.modify(shardOf(followUp.id), (entries) => [...entries.filter((e) => !same(e, followUp)), followUp]);
  }

  /** An instance starts delivering it: others leave it alone until `ms` from now. */
  async lease(key: Pick<PendingFollowUp, 'kind' | 'id'>, ms: number): Promise<void> {
    const leaseUntil = this.clock.now() + ms;
    await this.modify(shardOf(key.id), (entries) => entries.map((e) => (same(e, key) ? { ...e, leaseUntil } : e)));
  }

  /** The delivery failed: anyone may show it again. */
  async release(key: Pick<PendingFollowUp, 'kind' | 'id'>): Promise<void> {
    const unleased = (e: PendingFollowUp): PendingFollowUp => {
      const rest = { ...e };
      delete rest.leaseUntil;
      return rest;
    };
    await this.modify(shardOf(key.id), (entries) => entries.map((e) => (same(e, key) ? unleased(e) : e)));
  }

  /** Whether an instance is delivering it right now. */
  isLeased(followUp: PendingFollowUp): boolean {
    return followUp.leaseUntil !== undefined && followUp.leaseUntil > this.clock.now();
  }

  /** Delivered: forgotten. */
  async remove(key: Pick<PendingFollowUp, 'kind' | 'id'>): Promise<void> {
    await this.modify(shardOf(key.id), (entries) => entries.filter((e) => !same(e, key)));
  }

  async get(key: Pick<PendingFollowUp, 'kind' | 'id'>): Promise<PendingFollowUp | undefined> {
    return ((await this.store.get(shardOf(key.id)))?.value.entries ?? []).find((e) => same(e, key));
  }

  /** Follow-ups promised at least `graceMs` ago: long enough that the instance that promised them has had its chance. */
  async due(graceMs: number): Promise<PendingFollowUp[]> {
    const cutoff = this.clock.now() - graceMs;
    const shards = await Promise.all(Array.from({ length: SHARDS }, (_, i) => this.store.get(`followUps/${i}`)));
    return shards.flatMap((s) => s?.value.entries ?? []).filter((e) => e.since <= cutoff && !this.isLeased(e));
  }

  private modify(key: string, change: (entries: PendingFollowUp[]) => PendingFollowUp[]): Promise<void> {
    return modifyStored(this.store, key, (current) => ({ entries: change(current?.entries ?? []) }));
  }
}
