import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP hop that makes every activity speak `locale`. */
export interface LocaleProxy {
  /** e.g. http://127.0.0.1:51234, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Agents Playground always sends the locale en-US, where Teams sends the rep's client's. This
 * hop in front of the bot sets the activity's `locale` and its clientInfo entity's, as a Teams
 * client set to `locale` would, so a local run (and the browser test) can be a French rep.
 * Everything else, the answer included, passes through unchanged.
 */
export async function startLocaleProxy(botUrl: string, locale: string, host = '127.0.0.1'): Promise<LocaleProxy> {
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = withLocale(Buffer.concat(chunks), locale);
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'authorization']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
      const upstream = await fetch(`${botUrl}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }) });
      const answer = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json', 'content-length': answer.length });
      res.end(answer);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The activity with `locale` set; a body that is not a JSON object passes as it is. */
function withLocale(body: Buffer, locale: string): Buffer {
  let activity: unknown;
  try {
    activity = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (!activity || typeof activity !== 'object' || Array.isArray(activity)) return body;
  const a = activity as { locale?: string; entities?: unknown };
  a.locale = locale;
  if (Array.isArray(a.entities)) {
    for (const entity of a.entities as Array<{ type?: unknown; locale?: unknown }>) if (entity && entity.type === 'clientInfo') entity.locale = locale;
  }
  return Buffer.from(JSON.stringify(a));
}
