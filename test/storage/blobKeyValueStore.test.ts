import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStateStorage } from '../../bot/teams/stateStorage';
import type { StateStorage } from '../../bot/teams/stateStorage';
import { startAzurite } from '../helpers/azurite';
import type { RunningAzurite } from '../helpers/azurite';
import { itKeepsTheStateStorageContract } from '../helpers/stateStorageContract';

describe('blob state storage (Azurite)', () => {
  let azurite: RunningAzurite;
  let state: StateStorage;

  before(async function () {
    this.timeout(30_000);
    azurite = await startAzurite();
    state = createStateStorage({ kind: 'blob', connectionString: azurite.connectionString, accountUrl: undefined, container: `t${randomUUID().slice(0, 8)}`, managedIdentityClientId: undefined });
    await state.init();
  });
  after(() => azurite.stop());

  itKeepsTheStateStorageContract(() => state);

  it("would drop even the first SSO exchange on botbuilder's BlobsStorage, which is why it is not used", async () => {
    const id = randomUUID();
    await assert.rejects(state.conversation.write({ [`msteams/conv-1/${id}`]: { eTag: id } }), (err: Error) => /etag conflict|precondition/i.test(err.message));
  });
});
