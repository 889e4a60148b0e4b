/**
 * A proxy in front of Azurite that fails storage the way Azure Storage does: 503 ServerBusy
 * (throttling), 500 InternalError, and requests that never answer (the client's timeout).
 * Everything else is passed through to Azurite unchanged, so conditional writes keep their
 * real semantics.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLocally, listenLocally } from './localServer';

export type StorageFault = '503' | '500' | 'hang';

export interface StorageFaultPlan {
  /** Probability of each fault per request; rolled cumulatively. */
  rates?: Partial<Record<StorageFault, number>>;
  /** Faults served to the next matching requests, in order, before any rate is rolled; 'pass' lets one through. */
  next?: Array<StorageFault | 'pass'>;
  /** Only requests whose path contains this fail (e.g. "/kv/agreements"); all by default. */
  pathIncludes?: string;
  /** Only these methods fail (e.g. PUT for writes); all by default. */
  methods?: string[];
}

export class StorageFaultProxy {
  plan: StorageFaultPlan = {};
  /** Faults served so far, by kind. */
  readonly served: Record<StorageFault, number> = { '503': 0, '500': 0, hang: 0 };
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();
  url = '';

  constructor(
    /** Azurite's blob endpoint, e.g. http://127.0.0.1:10000 */
    private readonly target: URL,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts a proxy for the blob endpoint in `connectionString`; use `connectionString` for the bot. */
  static async forConnectionString(connectionString: string, random?: () => number): Promise<StorageFaultProxy> {
    const endpoint = /BlobEndpoint=(http:\/\/[^/;]+)/.exec(connectionString)?.[1];
    if (!endpoint) throw new Error('The connection string names no http BlobEndpoint');
    const proxy = new StorageFaultProxy(new URL(endpoint), random);
    await proxy.start();
    return proxy;
  }

  /** The same connection string, pointed at this proxy. */
  proxied(connectionString: string): string {
    return connectionString.replace(/BlobEndpoint=http:\/\/[^/;]+/, `BlobEndpoint=${this.url}`);
  }

  async start(): Promise<void> {
    ({ server: this.server, url: this.url } = await listenLocally((req, res) => this.handle(req, res)));
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await closeLocally(this.server);
  }

  private faultFor(req: IncomingMessage): StorageFault | undefined {
    const { pathIncludes, methods, next, rates } = this.plan;
    if (pathIncludes && !decodeURIComponent(req.url ?? '').includes(pathIncludes)) return undefined;
    if (methods && !methods.includes(req.method ?? '')) return undefined;
    if (next?.length) {
      const planned = next.shift();
      return planned === 'pass' ? undefined : planned;
    }
    let roll = this.random();
    for (const [fault, rate] of Object.entries(rates ?? {}) as Array<[StorageFault, number]>) {
      if (roll < rate) return fault;
      roll -= rate;
    }
    return undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const fault = this.faultFor(req);
    if (fault) {
      this.served[fault]++;
      req.resume();
      if (fault === 'hang') {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      const [status, code] = fault === '503' ? [503, 'ServerBusy'] : [500, 'InternalError'];
      res.writeHead(status, { 'Content-Type': 'application/xml', 'x-ms-error-code': code });
      res.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>Injected by the test</Message></Error>`);
      return;
    }
    const upstream = httpRequest(
      { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: { ...req.headers, host: this.target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
