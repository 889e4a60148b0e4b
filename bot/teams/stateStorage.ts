import type { Agent } from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import type { StoragePipelineOptions } from '@azure/storage-blob';
import { MemoryStorage } from 'botbuilder';
import type { Storage, StoreItems } from 'botbuilder';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { CosmosDbPartitionedStorage } from 'botbuilder-azure';
import type { Config } from '../config';
import { StorageUnavailable, memoryStores } from '../domain/keyValueStore';
import type { StoreFactory } from '../domain/keyValueStore';
import { BlobKeyValueStore, RecentVersions } from '../storage/blobKeyValueStore';
import { CosmosKeyValueStore } from '../storage/cosmosKeyValueStore';

/** Where the bot keeps its state: conversation state for drafts, and conditional stores for the rest. */
export interface StateStorage {
  /** botbuilder Storage for conversation state (drafts, sign-in dialogs). */
  readonly conversation: Storage;
  /** Submissions, agreement records, deletions, the status watch list, SSO exchange ids. */
  readonly stores: StoreFactory;
  /** Creates the container if needed; fails fast when the storage cannot be reached. */
  init(): Promise<void>;
}

/** How storage is reached beyond what the config says. Production passes none. */
export interface StateStorageOptions {
  /** Agent for every Cosmos DB request, e.g. one that accepts a local emulator's self-signed certificate in tests. */
  cosmosAgent?: Agent;
}

/** Three tries with short waits: a turn that cannot reach storage answers well inside Teams' time. */
const BLOB_PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 } };

/** The longest one storage call may take, retries included, before the turn gives up on it. */
const STORAGE_CALL_TIMEOUT_MS = 5_000;

/**
 * Conversation state whose calls fail after a bound: the storage SDKs have no client-side
 * timeout of their own and would wait on a hanging request without end.
 */
class TimeBoundStorage implements Storage {
  constructor(private readonly inner: Storage) {}

  read(keys: string[]): Promise<StoreItems> {
    return withinTime(this.inner.read(keys), 'read');
  }

  write(changes: StoreItems): Promise<void> {
    return withinTime(this.inner.write(changes), 'write');
  }

  delete(keys: string[]): Promise<void> {
    return withinTime(this.inner.delete(keys), 'delete');
  }
}

async function withinTime<T>(call: Promise<T>, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageUnavailable(`Conversation state storage did not answer a ${operation} in ${STORAGE_CALL_TIMEOUT_MS} ms`)), STORAGE_CALL_TIMEOUT_MS);
  });
  call.catch(() => undefined); // a late failure after the timeout has nobody to tell
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the storage the config selects. Memory is for local runs only; the config refuses it in production. */
export function createStateStorage(storage: Config['storage'], options: StateStorageOptions = {}): StateStorage {
  switch (storage.kind) {
    case 'memory':
      return { conversation: new MemoryStorage(), stores: memoryStores(), init: () => Promise.resolve() };
    case 'blob': {
      const credential = new DefaultAzureCredential(storage.managedIdentityClientId ? { managedIdentityClientId: storage.managedIdentityClientId } : {});
      const service = storage.connectionString ? BlobServiceClient.fromConnectionString(storage.connectionString, BLOB_PIPELINE) : new BlobServiceClient(storage.accountUrl ?? '', credential, BLOB_PIPELINE);
      const container = service.getContainerClient(storage.container);
      const recent = new RecentVersions();
      return {
        conversation: new TimeBoundStorage(
          storage.connectionString
            ? new BlobsStorage(storage.connectionString, storage.container, { storagePipelineOptions: BLOB_PIPELINE })
            : new BlobsStorage('', storage.container, { storagePipelineOptions: BLOB_PIPELINE }, storage.accountUrl, credential),
        ),
        stores: <T>(name: string) => new BlobKeyValueStore<T>(container, `kv/${name}`, STORAGE_CALL_TIMEOUT_MS, recent),
        init: async () => {
          await container.createIfNotExists();
        },
      };
    }
    case 'cosmos': {
      const credential = new DefaultAzureCredential(storage.managedIdentityClientId ? { managedIdentityClientId: storage.managedIdentityClientId } : {});
      const agent = options.cosmosAgent ? { agent: options.cosmosAgent } : {};
      const bounded = { ...agent, connectionPolicy: { requestTimeout: STORAGE_CALL_TIMEOUT_MS } };
      const client = storage.key ? new CosmosClient({ endpoint: storage.endpoint, key: storage.key, ...bounded }) : new CosmosClient({ endpoint: storage.endpoint, aadCredentials: credential, ...bounded });
      const container = client.database(storage.database).container(storage.container);
      return {
        conversation: new TimeBoundStorage(new CosmosDbPartitionedStorage({
          cosmosDbEndpoint: storage.endpoint,
          ...(storage.key ? { authKey: storage.key } : { tokenCredential: credential }),
          databaseId: storage.database,
          containerId: storage.container,
          compatibilityMode: false,
          cosmosClientOptions: bounded,
        })),
        stores: <T>(name: string) => new CosmosKeyValueStore<T>(container, name),
        init: async () => {
          await client.databases.createIfNotExists({ id: storage.database });
          await client.database(storage.database).containers.createIfNotExists({ id: storage.container, partitionKey: { paths: ['/id'] } });
        },
      };
    }
  }
}
