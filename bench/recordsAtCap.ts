/**
 * `npm run bench:records`: what reading a rep's records costs on Blob Storage (Azurite), at
 * the 500-record cap and with 5 records, with and without the conditional reads of
 * BlobKeyValueStore. A rep who
 * sends through the bot for months reaches the cap, and their records are one document read
 * about five times a conversation (Send, my LOAs, the delete confirmation, Delete twice).
 *
 * Each way reads the same document 50 times after 5 not counted, one read at a time, and
 * reports the bot process's CPU and the wall time per read. "Every read downloads" is the store
 * with no room for recent versions, which is how every read went before; "unchanged: 304" is
 * the store as the bot builds it. Run on an otherwise idle machine; Azurite runs in its own
 * process and its CPU is not counted.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BlobServiceClient } from '@azure/storage-blob';
import { MAX_RECORDS_PER_REP } from '../bot/domain/agreementRecords';
import type { AgreementRecord } from '../bot/domain/agreementRecords';
import { BlobKeyValueStore, RecentVersions } from '../bot/storage/blobKeyValueStore';
import { startAzurite } from '../testkit/azurite';
import { DISTRIBUTOR_TEMPLATE_ID } from '../testkit/fixtures';

const READS = 50;
const WARM_UP = 5;

/** A record as the bot stores one after a Send from a rep's 1:1 chat in Teams, with its fields at typical lengths. */
function record(i: number): AgreementRecord {
  const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  return {
    id: randomUUID(),
    templateId: DISTRIBUTOR_TEMPLATE_ID,
    signer: { name: `Jane Customer ${i}`, email: `jane.customer${i}@acme.example` },
    formData: [
      { name: 'customerName', value: 'Acme Distribution SAS' },
      { name: 'accountNumber', value: String(1_000_000 + i) },
      { name: 'productRange', value: 'Low voltage' },
      { name: 'discountPercent', value: '12.5' },
      { name: 'startDate', value: '2026-01-01' },
      { name: 'endDate', value: '2026-12-31' },
    ],
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
    status: 'SENT',
    origin: {
      reference: {
        activityId: `1:1${randomUUID().replace(/-/g, '')}`,
        user: { id: `29:1${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`, name: 'Alex Rep', aadObjectId: randomUUID() },
        bot: { id: `28:${randomUUID()}`, name: 'LOA bot' },
        conversation: { conversationType: 'personal', tenantId, id: `a:1${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}` },
        channelId: 'msteams',
        locale: 'en-US',
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
      },
      cardActivityId: `1${Date.now()}${i}`,
      locale: 'en-US',
    },
  };
}

async function perRead(store: BlobKeyValueStore<{ records: AgreementRecord[] }>, key: string, count: number): Promise<{ cpuMs: number; wallMs: number }> {
  for (let i = 0; i < WARM_UP; i++) await store.get(key);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < READS; i++) {
    if ((await store.get(key))?.value.records.length !== count) throw new Error('the records did not read back');
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000 / READS, wallMs: wallMs / READS };
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  try {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(`bench${randomUUID().slice(0, 8)}`);
    await container.createIfNotExists();
    process.stdout.write(`Reads of a rep's records on Blob Storage (Azurite), ${READS} each way, one at a time\n\n`);
    process.stdout.write('| records | JSON KB | read | bot CPU ms per read | wall ms per read |\n| ---: | ---: | --- | ---: | ---: |\n');
    // At the cap, and a rep with a handful, as the bench's reps have: where keeping a version stops paying.
    for (const count of [MAX_RECORDS_PER_REP, 5]) {
      const key = `agreements/${randomUUID()}`;
      const document = { records: Array.from({ length: count }, (_, i) => record(i)) };
      const kb = (Buffer.byteLength(JSON.stringify(document)) / 1024).toFixed(0);
      await new BlobKeyValueStore(container, 'kv/agreements').create(key, document);
      const downloading = await perRead(new BlobKeyValueStore(container, 'kv/agreements', 5_000, new RecentVersions(0)), key, count);
      const conditional = await perRead(new BlobKeyValueStore(container, 'kv/agreements', 5_000, new RecentVersions(64 * 1024 * 1024, 0)), key, count);
      process.stdout.write(`| ${count} | ${kb} | every read downloads | ${downloading.cpuMs.toFixed(2)} | ${downloading.wallMs.toFixed(2)} |\n`);
      process.stdout.write(`| ${count} | ${kb} | unchanged: 304, the kept version | ${conditional.cpuMs.toFixed(2)} | ${conditional.wallMs.toFixed(2)} |\n`);
    }
  } finally {
    await azurite.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
