import { randomUUID } from 'node:crypto';
import { createStateStorage } from '../../bot/teams/stateStorage';
import type { StateStorage } from '../../bot/teams/stateStorage';
import { startCosmosDb } from '../helpers/cosmosDb';
import type { RunningCosmosDb } from '../helpers/cosmosDb';
import { itKeepsTheStateStorageContract } from '../helpers/stateStorageContract';

describe('Cosmos DB state storage (cosmosdb-server)', () => {
  let cosmos: RunningCosmosDb;
  let state: StateStorage;

  before(async () => {
    cosmos = await startCosmosDb();
    state = createStateStorage(
      { kind: 'cosmos', endpoint: cosmos.endpoint, key: cosmos.key, database: `db${randomUUID().slice(0, 8)}`, container: 'botstate', managedIdentityClientId: undefined },
      { cosmosAgent: cosmos.agent },
    );
    await state.init();
  });
  after(() => cosmos.stop());

  itKeepsTheStateStorageContract(() => state);
});
