import type { ContainerClient } from '@azure/storage-blob';
import { withDeadline } from '../domain/clock';
import { StorageUnavailable } from '../domain/keyValueStore';
import type { KeyValueStore, Versioned } from '../domain/keyValueStore';

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A KeyValueStore on Azure Blob Storage. Conditional writes use the blob's ETag:
 * If-None-Match: * to create only, If-Match to replace only the version that was read.
 * That is what makes a Send claim exactly once across bot instances.
 */
export class BlobKeyValueStore<T> implements KeyValueStore<T> {
  constructor(
    private readonly container: ContainerClient,
    private readonly prefix: string,
    /** A call still unanswered after this, retries included, fails: the SDK alone would wait on a hung request without end. */
    private readonly timeoutMs = 5_000,
  ) {}

  async get(key: string): Promise<Versioned<T> | undefined> {
    try {
      const blob = this.blob(key);
      return await withDeadline(this.timeoutMs, async (abortSignal) => {
        const response = await blob.download(0, undefined, { abortSignal });
        const body = await streamToBuffer(response.readableStreamBody);
        return { value: JSON.parse(body.toString('utf8')) as T, etag: response.etag ?? '' };
      });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw unavailable('read', err);
    }
  }

  async create(key: string, value: T): Promise<string | undefined> {
    return this.write(key, value, { ifNoneMatch: '*' });
  }

  async replace(key: string, value: T, etag: string): Promise<string | undefined> {
    return this.write(key, value, { ifMatch: etag });
  }

  private async write(key: string, value: T, conditions: { ifNoneMatch?: string; ifMatch?: string }): Promise<string | undefined> {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    try {
      const response = await withDeadline(this.timeoutMs, (abortSignal) => this.blob(key).upload(body, body.length, { conditions, blobHTTPHeaders: { blobContentType: 'application/json' }, abortSignal }));
      if (!response.etag) throw new Error(`Blob Storage wrote ${key} but returned no ETag`);
      return response.etag;
    } catch (err) {
      // 409 (exists) and 412 (changed) are the expected losers of a race; 404 is a replace of a deleted blob.
      const status = statusOf(err);
      if (status === 409 || status === 412 || status === 404) return undefined;
      throw unavailable('write', err);
    }
  }

  private blob(key: string) {
    return this.container.getBlockBlobClient(`${this.prefix}/${encodeURIComponent(key)}.json`);
  }
}

/** Blob Storage's own failure, without the request (its headers carry the account's signature). */
function unavailable(operation: string, err: unknown): StorageUnavailable {
  const status = statusOf(err);
  const code = (err as { code?: unknown })?.code;
  return new StorageUnavailable(`Blob Storage failed a ${operation}: ${status ?? (typeof code === 'string' ? code : 'no answer')}`);
}

async function streamToBuffer(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
