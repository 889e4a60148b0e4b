import type { ContainerClient } from '@azure/storage-blob';
import { withDeadline } from '../domain/clock';
import { StorageUnavailable, deepFreeze } from '../domain/keyValueStore';
import type { KeyValueStore, Versioned } from '../domain/keyValueStore';

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A KeyValueStore on Azure Blob Storage. Conditional writes use the blob's ETag:
 * If-None-Match: * to create only, If-Match to replace only the version that was read.
 * That is what makes a Send claim exactly once across bot instances.
 *
 * Reads are conditional too. The last version read or written of each blob is kept (see
 * RecentVersions), and a read asks for the blob only if its ETag is no longer that one: Blob
 * Storage answers 304 without a body, and the kept value is handed out again, frozen. Another
 * instance's write changes the ETag, so it is always seen. A rep's records are one document
 * of up to about half a megabyte, read about five times a conversation: this saves its
 * downloads and parses while it does not change.
 */
export class BlobKeyValueStore<T> implements KeyValueStore<T> {
  constructor(
    private readonly container: ContainerClient,
    private readonly prefix: string,
    /** A call still unanswered after this, retries included, fails: the SDK alone would wait on a hung request without end. */
    private readonly timeoutMs = 5_000,
    private readonly recent: RecentVersions = new RecentVersions(),
  ) {}

  async get(key: string): Promise<Versioned<T> | undefined> {
    const name = this.name(key);
    const kept = this.recent.get(name) as Versioned<T> | undefined;
    try {
      return await withDeadline(this.timeoutMs, async (abortSignal) => {
        const response = await this.container.getBlockBlobClient(name).download(0, undefined, { abortSignal, ...(kept ? { conditions: { ifNoneMatch: kept.etag } } : {}) });
        // The SDK throws on a 304 (below); should it ever pass one on instead, it has no body either.
        if (kept && response._response.status === 304) return kept;
        const body = await streamToBuffer(response.readableStreamBody);
        return this.recent.keep(name, response.etag ?? '', body) as Versioned<T>;
      });
    } catch (err) {
      if (kept && statusOf(err) === 304) return kept;
      if (statusOf(err) === 404) {
        this.recent.forget(name);
        return undefined;
      }
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
    const name = this.name(key);
    try {
      const response = await withDeadline(this.timeoutMs, (abortSignal) => this.container.getBlockBlobClient(name).upload(body, body.length, { conditions, blobHTTPHeaders: { blobContentType: 'application/json' }, abortSignal }));
      if (!response.etag) throw new Error(`Blob Storage wrote ${key} but returned no ETag`);
      // What this instance wrote is what the next read would download.
      this.recent.wrote(name, response.etag, body);
      return response.etag;
    } catch (err) {
      // 409 (exists) and 412 (changed) are the expected losers of a race; 404 is a replace of a deleted blob.
      const status = statusOf(err);
      if (status === 409 || status === 412 || status === 404) return undefined;
      throw unavailable('write', err);
    }
  }

  private name(key: string): string {
    return `${this.prefix}/${encodeURIComponent(key)}.json`;
  }
}

/**
 * The last version read or written of recent blobs, by name: the ETag and the parsed, frozen
 * value. Bounded by the bytes of JSON kept (the least recently used go first), and shared by
 * all the stores of one container, so one budget covers records, claims and lists alike.
 */
export class RecentVersions {
  private readonly versions = new Map<string, { version: { etag: string; value: unknown }; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 16 * 1024 * 1024,
    /**
     * Smaller versions are not kept: claims and submissions, read a few times and then never,
     * would fill the budget, and a download of a few KB costs little more than a 304
     * (`npm run bench:records`: 1.75 against 1.37 ms of CPU for 6 KB).
     */
    private readonly minBytes = 4 * 1024,
  ) {}

  get(name: string): { etag: string; value: unknown } | undefined {
    const kept = this.versions.get(name);
    if (!kept) return undefined;
    // Most recently used last.
    this.versions.delete(name);
    this.versions.set(name, kept);
    return kept.version;
  }

  /** Parses `body`, read as the version `etag` of `name`, and keeps it if it is worth keeping; returns it. */
  keep(name: string, etag: string, body: Buffer): { value: unknown; etag: string } {
    const version = { value: deepFreeze(JSON.parse(body.toString('utf8')) as unknown), etag };
    this.forget(name);
    if (etag && this.worthKeeping(body)) {
      this.versions.set(name, { version, bytes: body.length });
      this.bytes += body.length;
      for (const [oldest, kept] of this.versions) {
        if (this.bytes <= this.maxBytes) break;
        this.versions.delete(oldest);
        this.bytes -= kept.bytes;
      }
    }
    return version;
  }

  /** This instance wrote `body` as the version `etag` of `name`: kept if worth keeping (parsed only then), else whatever was kept is dropped. */
  wrote(name: string, etag: string, body: Buffer): void {
    if (this.worthKeeping(body)) this.keep(name, etag, body);
    else this.forget(name);
  }

  private worthKeeping(body: Buffer): boolean {
    return body.length >= this.minBytes && body.length <= this.maxBytes / 4;
  }

  forget(name: string): void {
    const kept = this.versions.get(name);
    if (!kept) return;
    this.versions.delete(name);
    this.bytes -= kept.bytes;
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
