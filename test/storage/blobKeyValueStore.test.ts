import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { BlobKeyValueStore, RecentVersions } from '../../bot/storage/blobKeyValueStore';
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

describe('blob key-value store, reading only what changed (Azurite)', () => {
  let azurite: RunningAzurite;
  let container: ContainerClient;

  /** Counts the versions a store took in: a read answered 304 (unchanged) keeps none. */
  class CountedVersions extends RecentVersions {
    taken = 0;
    override keep(name: string, etag: string, body: Buffer): { value: unknown; etag: string } {
      this.taken++;
      return super.keep(name, etag, body);
    }
  }

  before(async function () {
    this.timeout(30_000);
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(`t${randomUUID().slice(0, 8)}`);
    await container.createIfNotExists();
  });
  after(() => azurite.stop());

  it("reads an unchanged record list without downloading it again, and another instance's write at once", async () => {
    // Kept whatever their size: in the bot, versions under 4 KB are not kept.
    const mine = new CountedVersions(16 * 1024 * 1024, 0);
    const here = new BlobKeyValueStore<{ records: string[] }>(container, 'kv/agreements', 5_000, mine);
    const otherInstance = new BlobKeyValueStore<{ records: string[] }>(container, 'kv/agreements', 5_000, new RecentVersions(16 * 1024 * 1024, 0));
    const key = `agreements/${randomUUID()}`;

    const first = (await here.create(key, { records: ['a'] }))!;
    for (let i = 0; i < 3; i++) assert.deepEqual(await here.get(key), { value: { records: ['a'] }, etag: first });
    assert.equal(mine.taken, 1, 'only the write was taken in: the three reads were answered "not modified"');

    const theirs = (await otherInstance.replace(key, { records: ['b', 'a'] }, first))!;
    assert.deepEqual(await here.get(key), { value: { records: ['b', 'a'] }, etag: theirs }, "the other instance's write is read, not the kept version");
    assert.equal(await here.replace(key, { records: ['stale'] }, first), undefined, 'a write over the old version still loses');
  });

  it('forgets a blob that is gone, keeps at most its budget of recent versions, and no small ones', async () => {
    const recent = new RecentVersions(4_000, 0);
    const store = new BlobKeyValueStore<{ pad: string }>(container, 'kv/records', 5_000, recent);
    const keys = Array.from({ length: 5 }, () => randomUUID());
    for (const key of keys) await store.create(key, { pad: 'x'.repeat(900) });
    const kept = keys.filter((key) => recent.get(`kv/records/${key}.json`) !== undefined);
    assert.deepEqual(kept, keys.slice(1), 'the least recently used went first');

    const small = new RecentVersions();
    await new BlobKeyValueStore<{ pad: string }>(container, 'kv/claims', 5_000, small).create('one-claim', { pad: 'x'.repeat(900) });
    assert.equal(small.get('kv/claims/one-claim.json'), undefined, 'a claim-sized document is not kept by default');

    const key = keys[4]!;
    await container.getBlockBlobClient(`kv/records/${key}.json`).delete();
    assert.equal(await store.get(key), undefined);
    assert.equal(recent.get(`kv/records/${key}.json`), undefined);
  });
});
