import type { Clock } from '../domain/clock';
import type { AccessToken } from './contract';

interface Entry {
  value: string;
  refreshAt: number;
}

/**
 * Caches one LOA access token per principal until shortly before it expires, and makes
 * concurrent requests for the same principal share a single token call.
 */
export class TokenCache {
  private readonly tokens = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
    /** Refresh this long before expiry, at most; short-lived tokens refresh at 90% of their life. */
    private readonly maxSkewMs = 60_000,
  ) {}

  async get(key: string, fetch: () => Promise<AccessToken>): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && this.clock.now() < cached.refreshAt) return cached.value;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const request = this.fetchAndStore(key, fetch).finally(() => this.pending.delete(key));
    this.pending.set(key, request);
    return request;
  }

  /** Drops the token after the API refused it, unless a newer one has replaced it already. */
  invalidate(key: string, token: string): void {
    if (this.tokens.get(key)?.value === token) this.tokens.delete(key);
  }

  get size(): number {
    return this.tokens.size;
  }

  private async fetchAndStore(key: string, fetch: () => Promise<AccessToken>): Promise<string> {
    const token = await fetch();
    const lifetimeMs = token.expiresInS * 1000;
    const skew = Math.min(this.maxSkewMs, lifetimeMs * 0.1);
    this.tokens.delete(key);
    this.tokens.set(key, { value: token.value, refreshAt: this.clock.now() + lifetimeMs - skew });
    this.evictOldest();
    return token.value;
  }

  private evictOldest(): void {
    while (this.tokens.size > this.maxEntries) {
      const oldest = this.tokens.keys().next().value;
      if (oldest === undefined) return;
      this.tokens.delete(oldest);
    }
  }
}
