import type { Container } from '@azure/cosmos';
import { StorageUnavailable, deepFreeze } from '../domain/keyValueStore';
import type { KeyValueStore, Versioned } from '../domain/keyValueStore';

interface Item {
  id: string;
  value: unknown;
}

function codeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Cosmos DB's own failure (throttling 429, an outage, a timeout), without the request. */
function unavailable(operation: string, err: unknown): StorageUnavailable {
  return new StorageUnavailable(`Cosmos DB failed a ${operation}: ${codeOf(err) ?? 'no answer'}`);
}

/**
 * A KeyValueStore on an Azure Cosmos DB container partitioned on /id: create is an insert
 * that fails with 409 when the item exists, replace carries If-Match with the item's _etag.
 */
export class CosmosKeyValueStore<T> implements KeyValueStore<T> {
  constructor(
    private readonly container: Container,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<Versioned<T> | undefined> {
    const id = this.id(key);
    try {
      const { resource, etag } = await this.container.item(id, id).read<Item>();
      return resource ? { value: deepFreeze(resource.value) as T, etag } : undefined;
    } catch (err) {
      if (codeOf(err) === 404) return undefined;
      throw unavailable('read', err);
    }
  }

  async create(key: string, value: T): Promise<string | undefined> {
    try {
      const { etag } = await this.container.items.create<Item>({ id: this.id(key), value });
      return etag;
    } catch (err) {
      if (codeOf(err) === 409) return undefined;
      throw unavailable('write', err);
    }
  }

  async replace(key: string, value: T, etag: string): Promise<string | undefined> {
    const id = this.id(key);
    try {
      const response = await this.container.item(id, id).replace<Item>({ id, value }, { accessCondition: { type: 'IfMatch', condition: etag } });
      return response.etag;
    } catch (err) {
      const code = codeOf(err);
      if (code === 412 || code === 404) return undefined;
      throw unavailable('write', err);
    }
  }

  private id(key: string): string {
    // Cosmos ids may not hold / \ ? #.
    return `${this.prefix}|${encodeURIComponent(key)}`;
  }
}
