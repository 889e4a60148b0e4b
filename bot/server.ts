import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ActivityHandler, CloudAdapter } from 'botbuilder';
import type { Logger } from 'pino';
import * as restify from 'restify';
import { BodyRefused, readJsonBody, refusalFromHeaders } from './requestBody';

export interface BotServerDeps {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  logger: Logger;
  /** Work that must finish before the process exits, e.g. follow-ups of slow sends. */
  drain: () => Promise<void>;
}

export interface BotServerOptions {
  readonly port: number;
  readonly host: string;
  /** Inbound authentication is on (MicrosoftAppId is set): a request without a bearer token is refused before its body is read. */
  readonly requireBearer: boolean;
  /** Requests to /api/messages handled at once; more are answered 503. */
  readonly maxInFlight: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /** Refusals logged per window, before they are only counted; tests shorten the window. */
  readonly refusalLog?: RefusalLogLimits;
  /** The page `GET /` answers, given the server's URL; without it `GET /` is a 404 (production). */
  readonly homePage?: (url: string) => string;
}

export interface BotServer {
  readonly url: string;
  /** Stops accepting requests, finishes the turns in flight and pending follow-ups. */
  close(): Promise<void>;
}

export interface RefusalLogLimits {
  readonly perWindow: number;
  readonly windowMs: number;
}

const MESSAGES_PATH = '/api/messages';
const MAX_BODY_BYTES = 512 * 1024;
/** What a client over the in-flight limit is asked to wait, in seconds. */
const RETRY_AFTER_S = 1;
/** Node checks its header and request timeouts this often; its default, 30 s, would triple a 10 s limit. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;
const REFUSAL_LOG: RefusalLogLimits = { perWindow: 20, windowMs: 60_000 };
const BEARER = /^Bearer \S+/i;

/** The HTTP host: POST /api/messages for Bot Framework activities, GET /healthz for probes. */
export async function startBotServer(options: BotServerOptions, deps: BotServerDeps): Promise<BotServer> {
  // restify 11 logs through pino; @types/restify still describes its bunyan logger.
  const log = restifyLogger(deps.logger) as unknown as restify.ServerOptions['log'];
  const server = restify.createServer({ name: 'loa-bot', handleUncaughtExceptions: false, log });
  const http = server.server as Server & { connectionsCheckingInterval: number };
  http.headersTimeout = options.headersTimeoutMs;
  http.requestTimeout = options.headersTimeoutMs + options.bodyTimeoutMs;
  http.connectionsCheckingInterval = TIMEOUT_CHECK_INTERVAL_MS;
  const refusals = new RefusalLog(deps.logger, options.refusalLog ?? REFUSAL_LOG);
  const traffic: Traffic = { admitted: 0, turns: 0, closing: false, idle: [] };

  server.post(MESSAGES_PATH, messagesRoute({ options, deps, traffic, refusals }));

  server.get('/healthz', (_req, res, next) => {
    res.send(traffic.closing ? 503 : 200, { status: traffic.closing ? 'shutting-down' : 'ok', inFlightTurns: traffic.turns });
    next();
  });

  const url = await listen(server, options, deps.logger);
  const { homePage } = options;
  if (homePage) {
    const page = homePage(url);
    server.get('/', (_req, res, next) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page);
      next();
    });
  }
  return {
    url,
    async close() {
      traffic.closing = true;
      const stopped = new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      if (traffic.admitted > 0) await new Promise<void>((resolve) => traffic.idle.push(resolve));
      await deps.drain();
      http.closeIdleConnections();
      refusals.close();
      await stopped;
    },
  };
}

/** What the host knows about the requests it is serving, for /healthz and a graceful close. */
interface Traffic {
  /** Requests admitted past the header checks, from then until answered. */
  admitted: number;
  turns: number;
  closing: boolean;
  /** Waiting for the last admitted request to be answered. */
  idle: Array<() => void>;
}

/** POST /api/messages: cheap refusals first, then at most `maxInFlight` turns at once. */
function messagesRoute({ options, deps, traffic, refusals }: { options: BotServerOptions; deps: BotServerDeps; traffic: Traffic; refusals: RefusalLog }): restify.RequestHandler {
  const bodyLimits = { maxBytes: MAX_BODY_BYTES, timeoutMs: options.bodyTimeoutMs };
  // Answers and closes the connection, so that the rest of a refused body is never parsed.
  const refuse = (res: restify.Response, status: number, message: string, headers: Record<string, string> = {}) => {
    refusals.record(status, message);
    lingerOnClose(res.socket);
    res.send(status, { error: message }, { ...headers, Connection: 'close' });
  };

  return async (req, res) => {
    if (traffic.closing) return refuse(res, 503, 'Shutting down.');
    if (options.requireBearer && !BEARER.test(req.headers.authorization ?? '')) {
      return refuse(res, 401, 'An Authorization: Bearer token is required.', { 'WWW-Authenticate': 'Bearer' });
    }
    const unreadable = refusalFromHeaders(req.headers, bodyLimits);
    if (unreadable) return refuse(res, unreadable.status, unreadable.message);
    if (traffic.admitted >= options.maxInFlight) return refuse(res, 503, 'Too many requests at once.', { 'Retry-After': String(RETRY_AFTER_S) });
    traffic.admitted++;
    try {
      const body = await readJsonBody(req, bodyLimits);
      // botbuilder throws, and so answers 500, on a body whose type is not a string: the sender's mistake.
      if (!hasActivityType(body)) return refuse(res, 400, 'The body is not a Bot Framework activity: it needs a "type".');
      req.body = body;
      // botbuilder answers errors as plain strings; a preset type keeps restify from negotiating a format for them.
      res.setHeader('Content-Type', 'application/json');
      traffic.turns++;
      try {
        await deps.adapter.process(req, res, (context) => deps.bot.run(context));
      } finally {
        traffic.turns--;
      }
    } catch (err) {
      if (err instanceof BodyRefused) return refuse(res, err.status, err.message);
      deps.logger.error({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'Could not process an activity');
      if (!res.headersSent) res.send(500);
    } finally {
      traffic.admitted--;
      if (traffic.admitted === 0) traffic.idle.splice(0).forEach((resolve) => resolve());
    }
  };
}

/** After a refusal, how long and how much of the rest of the body the server still reads (and drops) before it closes. */
export const LINGER = { ms: 2_000, maxBytes: 1024 * 1024, checkEveryMs: 50 } as const;

/**
 * A lingering close, as web servers do after refusing a request whose body is still arriving.
 * Closing a socket with unread bytes in it makes the kernel send a reset, which can reach the
 * client before the answer does: it then sees a broken connection instead of the 413. So the
 * server sends its answer and a FIN, and reads and drops what still comes, until the client
 * closes, `LINGER.maxBytes` have come or `LINGER.ms` have passed; then it closes for good.
 */
function lingerOnClose(socket: Socket | null | undefined): void {
  if (!socket) return;
  // Node ends a connection it will not keep alive with destroySoon(), once the answer is written;
  // its HTTP parser goes on reading the refused body, and drops it (the request is dumped).
  socket.destroySoon = function lingeringClose(this: Socket) {
    const readBefore = this.bytesRead;
    const close = () => {
      clearTimeout(timer);
      clearInterval(watch);
      this.destroy();
    };
    const timer = setTimeout(close, LINGER.ms);
    const watch = setInterval(() => this.bytesRead - readBefore > LINGER.maxBytes && close(), LINGER.checkEveryMs);
    timer.unref();
    watch.unref();
    this.once('end', close);
    this.once('error', close);
    this.once('close', close);
    this.end();
  };
}

/** Listens, and answers the URL a client on this machine reaches the server at. */
async function listen(server: restify.Server, options: BotServerOptions, logger: Logger): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    // A port already in use is a startup error with a message, not an unhandled 'error' event.
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? portInUseMessage(options.port, 'PORT') : `Cannot listen on port ${options.port}: ${err.message}`)),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const bound = server.server.address() as AddressInfo;
  const url = `http://${reachableHost(bound)}:${bound.port}`;
  logger.info({ address: bound.address, port: bound.port, url }, 'Bot listening on /api/messages');
  return url;
}

/** One line that names the setting to change, for every server a local run starts. */
export function portInUseMessage(port: number, key: string): string {
  return `Port ${port} (${key}) is already in use: stop what runs there, or set ${key} to another port.`;
}

function hasActivityType(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { type?: unknown }).type === 'string';
}

/** Where a client on this machine reaches the server: loopback when it listens on every interface. */
function reachableHost({ address, family }: AddressInfo): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return family === 'IPv6' ? `[${address}]` : address;
}

/**
 * restify logs whole requests, headers and body included, on some error paths (e.g. an answer it
 * cannot format). The logger it gets can name the method, path and status, and nothing else.
 */
function restifyLogger(logger: Logger): Logger {
  const omit = () => undefined;
  return logger.child(
    { component: 'restify' },
    {
      level: logger.isLevelEnabled('warn') ? 'warn' : logger.level,
      serializers: {
        req: (req: { method?: unknown; url?: unknown }) => ({ method: String(req.method), path: String(req.url).split('?')[0]!.slice(0, 200) }),
        res: (res: { statusCode?: unknown }) => ({ statusCode: res.statusCode }),
        err: (err: { name?: unknown; message?: unknown }) => ({ name: String(err.name), message: String(err.message).slice(0, 200) }),
        body: omit,
        value: omit,
        headers: omit,
      },
    },
  );
}

/**
 * One short line per refused request (status and reason; never a header or the body), at most
 * `perWindow` in a window, then a single line with how many more were refused.
 */
class RefusalLog {
  private windowEnds = 0;
  private logged = 0;
  private unlogged = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly limits: RefusalLogLimits,
  ) {}

  record(status: number, reason: string): void {
    const now = Date.now();
    if (now >= this.windowEnds) {
      this.windowEnds = now + this.limits.windowMs;
      this.logged = 0;
    }
    if (this.logged < this.limits.perWindow) {
      this.logged++;
      this.logger.warn({ method: 'POST', path: MESSAGES_PATH, status, reason }, 'Refused a request');
      return;
    }
    this.unlogged++;
    this.timer ??= setTimeout(() => this.flush(), this.windowEnds - now).unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.flush();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.unlogged === 0) return;
    this.logger.warn({ unlogged: this.unlogged }, `Refused ${this.unlogged} more requests without logging each`);
    this.unlogged = 0;
  }
}
