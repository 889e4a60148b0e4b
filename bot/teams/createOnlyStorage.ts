import type { Storage, StoreItems } from 'botbuilder';
import type { KeyValueStore } from '../domain/keyValueStore';

/**
 * botbuilder Storage for TeamsSSOTokenExchangeMiddleware's de-duplication keys, written
 * create-only. The middleware writes each exchange id once and treats an "eTag conflict"
 * as a duplicate; BlobsStorage would instead send If-Match for a blob that does not exist
 * yet, get 412 and drop every exchange. A create-only write works on any store we can select.
 */
export class CreateOnlyStorage implements Storage {
  constructor(private readonly store: KeyValueStore<Record<string, unknown>>) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const found = await this.store.get(key);
      if (found) items[key] = { ...found.value, eTag: found.etag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const value = { ...((item ?? {}) as Record<string, unknown>) };
      delete value.eTag;
      if (!(await this.store.create(key, value))) throw new Error(`Storage: eTag conflict writing ${key}: it exists already`);
    }
  }

  delete(): Promise<void> {
    // De-duplication keys are never deleted: an exchange id is used once.
    return Promise.resolve();
  }
}
