/** A stored value with the version it was read at. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/**
 * Storage with the conditional writes that exactly-once sending needs. botbuilder's
 * Storage writes last-writer-wins, so it cannot claim a submission.
 */
export interface KeyValueStore<T> {
  get(key: string): Promise<Versioned<T> | undefined>;
  /** Writes only if the key does not exist yet; false if it does. */
  create(key: string, value: T): Promise<boolean>;
  /** Writes only if the stored version is still `etag`; false if it changed. */
  replace(key: string, value: T, etag: string): Promise<boolean>;
}

/** In-process store for local runs and tests. Values are copied so callers cannot mutate stored state. */
export class MemoryKeyValueStore<T> implements KeyValueStore<T> {
  private readonly items = new Map<string, { json: string; etag: string }>();
  private version = 0;

  get(key: string): Promise<Versioned<T> | undefined> {
    const item = this.items.get(key);
    return Promise.resolve(item ? { value: JSON.parse(item.json) as T, etag: item.etag } : undefined);
  }

  create(key: string, value: T): Promise<boolean> {
    if (this.items.has(key)) return Promise.resolve(false);
    this.items.set(key, { json: JSON.stringify(value), etag: String(++this.version) });
    return Promise.resolve(true);
  }

  replace(key: string, value: T, etag: string): Promise<boolean> {
    if (this.items.get(key)?.etag !== etag) return Promise.resolve(false);
    this.items.set(key, { json: JSON.stringify(value), etag: String(++this.version) });
    return Promise.resolve(true);
  }
}
