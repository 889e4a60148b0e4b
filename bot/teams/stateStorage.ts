import type { Agent } from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { MemoryStorage } from 'botbuilder';
import type { Storage } from 'botbuilder';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { CosmosDbPartitionedStorage } from 'botbuilder-azure';
import type { Config } from '../config';
import { memoryStores } from '../domain/keyValueStore';
import type { StoreFactory } from '../domain/keyValueStore';
import { BlobKeyValueStore } from '../storage/blobKeyValueStore';
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

/** Builds the storage the config selects. Memory is for local runs only; the config refuses it in production. */
export function createStateStorage(storage: Config['storage'], options: StateStorageOptions = {}): StateStorage {
  switch (storage.kind) {
    case 'memory':
      return { conversation: new MemoryStorage(), stores: memoryStores(), init: () => Promise.resolve() };
    case 'blob': {
      const credential = new DefaultAzureCredential(storage.managedIdentityClientId ? { managedIdentityClientId: storage.managedIdentityClientId } : {});
      const service = storage.connectionString ? BlobServiceClient.fromConnectionString(storage.connectionString) : new BlobServiceClient(storage.accountUrl ?? '', credential);
      const container = service.getContainerClient(storage.container);
      return {
        conversation: storage.connectionString
          ? new BlobsStorage(storage.connectionString, storage.container)
          : new BlobsStorage('', storage.container, {}, storage.accountUrl, credential),
        stores: <T>(name: string) => new BlobKeyValueStore<T>(container, `kv/${name}`),
        init: async () => {
          await container.createIfNotExists();
        },
      };
    }
    case 'cosmos': {
      const credential = new DefaultAzureCredential(storage.managedIdentityClientId ? { managedIdentityClientId: storage.managedIdentityClientId } : {});
      const agent = options.cosmosAgent ? { agent: options.cosmosAgent } : {};
      const client = storage.key ? new CosmosClient({ endpoint: storage.endpoint, key: storage.key, ...agent }) : new CosmosClient({ endpoint: storage.endpoint, aadCredentials: credential, ...agent });
      const container = client.database(storage.database).container(storage.container);
      return {
        conversation: new CosmosDbPartitionedStorage({
          cosmosDbEndpoint: storage.endpoint,
          ...(storage.key ? { authKey: storage.key } : { tokenCredential: credential }),
          databaseId: storage.database,
          containerId: storage.container,
          compatibilityMode: false,
          cosmosClientOptions: agent,
        }),
        stores: <T>(name: string) => new CosmosKeyValueStore<T>(container, name),
        init: async () => {
          await client.databases.createIfNotExists({ id: storage.database });
          await client.database(storage.database).containers.createIfNotExists({ id: storage.container, partitionKey: { paths: ['/id'] } });
        },
      };
    }
  }
}
