/**
 * HTTP as an attacker or a broken client speaks it: exact headers and bytes, a fresh connection
 * each time, and sockets that send slowly. axios would fix up what these tests need wrong.
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** From sending the request to the end of the answer. */
  ms: number;
}

/**
 * Sends `body` in one go and resolves with the answer, even when the server answers before the
 * body is all sent and then closes the connection (which is what a refusal should do).
 */
export function post(url: string, path: string, headers: Record<string, string>, body: Buffer | string = ''): Promise<RawAnswer> {
  const started = performance.now();
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise<RawAnswer>((resolve, reject) => {
    let answered = false;
    const req = request(`${url}${path}`, { method: 'POST', agent: false, headers: { 'Content-Length': String(bytes.length), ...headers } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), ms: performance.now() - started });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', done);
      res.once('error', done);
    });
    // Once the answer is in, a reset of the rest of the upload is expected.
    req.on('error', (err) => answered || reject(err));
    req.end(bytes);
  });
}

/** A raw TCP connection to the server that records what it receives and when it is closed. */
export interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with the milliseconds from opening to the close. */
  readonly closed: Promise<number>;
  /** Writes `text` every `everyMs` until the connection closes. */
  trickle(text: string, everyMs: number): void;
}

/** With `allowHalfOpen`, the client keeps sending after the server's FIN, as a careless or hostile one would. */
export async function openConnection(url: string, options: { allowHalfOpen?: boolean } = {}): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: options.allowHalfOpen ?? false });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  // The server closes while the client still writes: EPIPE and ECONNRESET are the point of these tests.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - started)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => received,
    closed,
    trickle(text, everyMs) {
      const timer = setInterval(() => socket.writable && socket.write(text), everyMs);
      void closed.then(() => clearInterval(timer));
    },
  };
}
