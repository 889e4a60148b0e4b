import type { CloudAdapter } from 'botbuilder';
import type { ActivityHandler } from 'botbuilder';
import type { Logger } from 'pino';
import * as restify from 'restify';

export interface BotServerDeps {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  logger: Logger;
  /** Work that must finish before the process exits, e.g. follow-ups of slow sends. */
  drain: () => Promise<void>;
}

export interface BotServer {
  readonly url: string;
  /** Stops accepting requests, finishes the turns in flight and pending follow-ups. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 512 * 1024;

/** The HTTP host: POST /api/messages for Bot Framework activities, GET /healthz for probes. */
export async function startBotServer(port: number, deps: BotServerDeps, host?: string): Promise<BotServer> {
  const server = restify.createServer({ name: 'loa-bot', handleUncaughtExceptions: false });
  let inFlight = 0;
  let closing = false;
  const idle: Array<() => void> = [];

  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, rejectUnknown: true }));

  server.post('/api/messages', async (req, res) => {
    if (closing) {
      res.send(503, { error: 'shutting down' });
      return;
    }
    // botbuilder throws, and so answers 500, on a body whose type is not a string: the sender's mistake.
    if (!hasActivityType(req.body)) {
      res.send(400, { error: 'The body is not a Bot Framework activity: it needs a "type".' });
      return;
    }
    inFlight++;
    try {
      await deps.adapter.process(req, res, (context) => deps.bot.run(context));
    } catch (err) {
      deps.logger.error({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'Could not process an activity');
      if (!res.headersSent) res.send(500);
    } finally {
      inFlight--;
      if (inFlight === 0) idle.splice(0).forEach((resolve) => resolve());
    }
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(closing ? 503 : 200, { status: closing ? 'shutting-down' : 'ok', inFlightTurns: inFlight });
    next();
  });

  await new Promise<void>((resolve, reject) => {
    // A port already in use is a startup error with a message, not an unhandled 'error' event.
    server.once('error', (err: Error) => reject(new Error(`Cannot listen on port ${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const url = `http://${host ?? 'localhost'}:${address.port}`;
  deps.logger.info({ url }, 'Bot listening on /api/messages');

  return {
    url,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      if (inFlight > 0) await new Promise<void>((resolve) => idle.push(resolve));
      await deps.drain();
      server.server.closeIdleConnections?.();
      await stopped;
    },
  };
}

function hasActivityType(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { type?: unknown }).type === 'string';
}
