import type { TurnContext } from 'botbuilder';
import type { Clock } from '../domain/clock';
import type { RepIdentityProvider, ResolvedRep } from './identity';

export interface IdentityCacheOptions {
  /** How long a resolved identity is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Entries kept at most; the least recently used go first. */
  maxEntries: number;
  clock: Clock;
}

/**
 * Reuses a rep's resolved identity for a few minutes, so that a conversation does not ask
 * Teams (the roster, or the Bot Service token store) on every turn that acts for the rep.
 *
 * An entry belongs to one sender in one conversation, so a group chat never borrows the
 * identity of a 1:1 chat. It never outlives the SSO token it was resolved from. Failures
 * (not signed in, not a 1:1 chat, no identity) are never cached, so sign-in resumes at once.
 * The trade-off, written up in the README: a change in Teams (a revoked sign-in, a new
 * email address) reaches the bot within `ttlMs` rather than on the next turn.
 */
export class CachingIdentityProvider implements RepIdentityProvider {
  private readonly entries = new Map<string, { resolved: ResolvedRep; expiresAt: number }>();
  private readonly pending = new Map<string, Promise<ResolvedRep>>();

  constructor(
    private readonly inner: RepIdentityProvider,
    private readonly options: IdentityCacheOptions,
  ) {}

  resolve(context: TurnContext): Promise<ResolvedRep> {
    const key = cacheKey(context);
    if (!key || this.options.ttlMs <= 0) return this.inner.resolve(context);
    const now = this.options.clock.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) {
      // Map order is insertion order: moving the entry to the end keeps it least recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return Promise.resolve(hit.resolved);
    }
    if (hit) this.entries.delete(key);
    // Turns of one rep that overlap (a double click) share one lookup.
    let lookup = this.pending.get(key);
    if (!lookup) {
      lookup = this.lookUp(key, context).finally(() => this.pending.delete(key));
      this.pending.set(key, lookup);
    }
    return lookup;
  }

  private async lookUp(key: string, context: TurnContext): Promise<ResolvedRep> {
    const resolved = await this.inner.resolve(context);
    const expiresAt = Math.min(this.options.clock.now() + this.options.ttlMs, resolved.expiresAt ?? Number.POSITIVE_INFINITY);
    if (expiresAt > this.options.clock.now()) {
      this.entries.set(key, { resolved, expiresAt });
      for (const oldest of this.entries.keys()) {
        if (this.entries.size <= this.options.maxEntries) break;
        this.entries.delete(oldest);
      }
    }
    return resolved;
  }
}

function cacheKey(context: TurnContext): string | undefined {
  const { conversation, from, channelId } = context.activity;
  if (!conversation?.id || !from?.id) return undefined;
  return JSON.stringify([channelId, conversation.tenantId ?? '', conversation.id, from.id, from.aadObjectId ?? '']);
}
