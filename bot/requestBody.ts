/**
 * Reads a JSON request body without trusting the sender. The size limit holds on the decoded
 * bytes as they arrive, so a gzip bomb is cut off at the limit instead of being inflated whole;
 * the time to send it is bounded; and nothing is parsed but JSON, in memory, never on disk.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

/** Why a body was refused, and the status that says so. The message never quotes the request. */
export class BodyRefused extends Error {
  override readonly name = 'BodyRefused';
  constructor(
    readonly status: 400 | 408 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

export interface BodyLimits {
  /** Bytes after decoding, and on the wire. */
  readonly maxBytes: number;
  /** From the moment reading starts. */
  readonly timeoutMs: number;
}

/** The encodings it accepts, each with its decoder; identity needs none. */
const DECODERS: Readonly<Record<string, (() => Transform) | undefined>> = {
  identity: undefined,
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
};

/** The refusals the headers alone decide: a body that is not JSON, cannot be decoded, or says it is too large. */
export function refusalFromHeaders(headers: IncomingHttpHeaders, limits: BodyLimits): BodyRefused | undefined {
  if (!isJson(headers['content-type'])) return new BodyRefused(415, 'Content-Type must be application/json.');
  if (!(encodingOf(headers) in DECODERS)) return new BodyRefused(415, 'Content-Encoding must be identity, gzip or deflate.');
  if (Number(headers['content-length'] ?? 0) > limits.maxBytes) return tooLarge(limits);
  return undefined;
}

/** application/json, with parameters allowed; a charset, if given, must be UTF-8, the only one JSON has. */
function isJson(contentType: string | undefined): boolean {
  const [mediaType, ...parameters] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  const charset = parameters.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

function encodingOf(headers: IncomingHttpHeaders): string {
  return (headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
}

const tooLarge = (limits: BodyLimits) => new BodyRefused(413, `The body is over ${Math.round(limits.maxBytes / 1024)} KB.`);

/**
 * The parsed JSON body. Rejects with BodyRefused when it is too large (413), too slow (408), not
 * decodable or not JSON (400), or when the client goes away before it is all there (400).
 * Call refusalFromHeaders first: this trusts that the encoding is one it knows.
 */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const body = await readDecoded(req, limits);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new BodyRefused(400, 'The body is not valid JSON.');
  }
}

function readDecoded(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const encoding = encodingOf(req.headers);
  const decoder = DECODERS[encoding]?.();
  const decoded = decoder ?? req;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let wireBytes = 0;
    let done = false;
    const timer = setTimeout(() => finish(new BodyRefused(408, `The body did not arrive within ${limits.timeoutMs / 1000} s.`)), limits.timeoutMs);

    // Stops reading at once: the rest of the body stays unread, and the answer closes the connection.
    const finish = (refusal?: BodyRefused) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', countWireBytes);
      decoded.off('data', collect);
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      req.pause();
      if (refusal) reject(refusal);
      else resolve(Buffer.concat(chunks, size));
    };
    const countWireBytes = (chunk: Buffer) => {
      wireBytes += chunk.length;
      if (wireBytes > limits.maxBytes) finish(tooLarge(limits));
    };
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return finish(tooLarge(limits));
      chunks.push(chunk);
    };

    decoded.on('data', collect);
    decoded.once('end', () => finish());
    req.once('close', () => {
      if (!req.complete) finish(new BodyRefused(400, 'The request ended before its body did.'));
    });
    req.once('error', () => finish(new BodyRefused(400, 'The request ended before its body did.')));
    if (decoder) {
      decoder.once('error', () => finish(new BodyRefused(400, `The body is not valid ${encoding}.`)));
      req.on('data', countWireBytes);
      req.pipe(decoder);
    }
  });
}
