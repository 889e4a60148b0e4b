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
  /**
   * The stored value and its version. The value is frozen, all the way down, and may be the
   * same object another read got: to change it, build a new one and write that.
   */
  get(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Writes only if the key does not exist yet. Returns the new version's etag, so the writer
   * can replace its own write later without reading it back; undefined if the key exists.
   */
  create(key: string, value: T): Promise<string | undefined>;
  /** Writes only if the stored version is still `etag`. Returns the new etag; undefined if it changed. */
  replace(key: string, value: T, etag: string): Promise<string | undefined>;
}

/** Makes the store for one kind of record ("submissions", "agreements", …). */
export type StoreFactory = <T>(name: string) => KeyValueStore<T>;

/** In-process stores: lost on restart, so for local runs and tests only. */
export function memoryStores(): StoreFactory {
  const stores = new Map<string, KeyValueStore<unknown>>();
  return <T>(name: string) => {
    let store = stores.get(name);
    if (!store) {
      store = new MemoryKeyValueStore<unknown>();
      stores.set(name, store);
    }
    return store as KeyValueStore<T>;
  };
}

/**
 * In-process store for local runs and tests. A write keeps a frozen copy, as a remote store
 * keeps what it was sent; every read hands out that copy, so callers cannot change stored state.
 */
export class MemoryKeyValueStore<T> implements KeyValueStore<T> {
  private readonly items = new Map<string, { value: T; etag: string }>();
  private version = 0;

  get(key: string): Promise<Versioned<T> | undefined> {
    const item = this.items.get(key);
    return Promise.resolve(item ? { value: item.value, etag: item.etag } : undefined);
  }

  create(key: string, value: T): Promise<string | undefined> {
    if (this.items.has(key)) return Promise.resolve(undefined);
    return Promise.resolve(this.write(key, value));
  }

  replace(key: string, value: T, etag: string): Promise<string | undefined> {
    if (this.items.get(key)?.etag !== etag) return Promise.resolve(undefined);
    return Promise.resolve(this.write(key, value));
  }

  private write(key: string, value: T): string {
    const etag = String(++this.version);
    // Through JSON, as a remote store would: what JSON drops (undefined, functions) is not kept.
    this.items.set(key, { value: deepFreeze(JSON.parse(JSON.stringify(value)) as T), etag });
    return etag;
  }
}

/** Freezes a value read from JSON, and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Read-modify-write with compare-and-swap: `change` gets the stored value (undefined when
 * there is none) and returns the new one, or undefined to leave it as it is (nothing is
 * written); it runs again whenever another writer got in between.
 */
export async function updateWithRetry<T>(store: KeyValueStore<T>, key: string, change: (current: T | undefined) => T | undefined, attempts = 20): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.get(key);
    const next = change(current?.value);
    if (next === undefined) return;
    if (current ? await store.replace(key, next, current.etag) : await store.create(key, next)) return;
  }
  throw new Error(`Could not update ${key.split('/')[0]}: too many concurrent writes`);
}

/**
 * Storage could not be reached, or refused for its own reasons (throttling, an outage, a
 * timeout). The message names the status only: the underlying error carries the request.
 */
export class StorageUnavailable extends Error {
  override readonly name = 'StorageUnavailable';
}
