import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The headers that describe one hop, not the request: the proxy's own connection sets them. */
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export interface LocaleProxy {
  /** Where the Playground posts instead of the bot's /api/messages. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Agents Playground always says "en-US" on its activities, where Teams says the rep's language.
 * This loopback hop stands in for a rep's Teams client in another language: it forwards every
 * activity to `target` with `locale` (and the clientInfo entity's) set to `locale`.
 */
export async function startLocaleProxy(target: string, locale: string): Promise<LocaleProxy> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = withLocale(Buffer.concat(chunks).toString('utf8'), locale);
      fetch(target, { method: req.method ?? 'POST', headers: forwarded(req.headers), ...(req.method === 'GET' ? {} : { body }) })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch((err: unknown) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`The bot did not answer: ${String(err)}`);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function forwarded(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_HEADERS.has(name)) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/** The activity in `body` as a rep in `locale` would send it; anything that is not an activity passes as it came. */
function withLocale(body: string, locale: string): string {
  let activity: unknown;
  try {
    activity = JSON.parse(body);
  } catch {
    return body;
  }
  if (!activity || typeof activity !== 'object' || Array.isArray(activity)) return body;
  const entities = (activity as { entities?: unknown }).entities;
  return JSON.stringify({
    ...activity,
    locale,
    ...(Array.isArray(entities) ? { entities: entities.map((e: unknown) => (isClientInfo(e) ? { ...e, locale } : e)) } : {}),
  });
}

function isClientInfo(entity: unknown): entity is Record<string, unknown> {
  return !!entity && typeof entity === 'object' && (entity as { type?: unknown }).type === 'clientInfo';
}
