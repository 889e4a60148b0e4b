import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a sandbox handler answers; written out only after fault injection has had its say. */
export interface Reply {
  status: number;
  /** Serialised as JSON; no body at all when undefined. */
  body?: unknown;
  headers?: Record<string, string>;
}

export const MAX_BODY_BYTES = 1024 * 1024;

export type BodyRead = { kind: 'ok'; text: string } | { kind: 'tooLarge' } | { kind: 'aborted' };

/**
 * Reads the whole request body. An oversized body is still drained (and discarded) so that
 * the client finishes sending and reliably reads the 413 instead of a broken pipe.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? { kind: 'tooLarge' } : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
    req.on('close', () => resolve({ kind: 'aborted' }));
    req.on('error', () => resolve({ kind: 'aborted' }));
  });
}

export function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  headers['Content-Type'] = 'application/json; charset=utf-8';
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}
