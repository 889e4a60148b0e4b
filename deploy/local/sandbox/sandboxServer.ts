/**
 * A local stand-in for the EcoStruxure LOA API, faithful to bot/loa/openapi.yaml: the same
 * paths, grants, status codes and error bodies, plus fault injection and test hooks under
 * /_sandbox/ so that the bot's retry and "no duplicate create" logic can be exercised.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import restify from 'restify';
import type { Request, RequestHandler, Response, Server, ServerOptions } from 'restify';
import { z } from 'zod';
import type { Clock } from '../../../bot/domain/clock';
import { sleep, systemClock } from '../../../bot/domain/clock';
import type { TemplateCatalog } from '../../../bot/domain/templateCatalog';
import { API_ERROR_CODES, GRANT, REJECTED_BEFORE_PROCESSING, ROUTES } from '../../../bot/loa/contract';
import type { FieldProblem } from '../../../bot/loa/contract';
import type { Logger } from '../../../bot/logger';
import { createLogger } from '../../../bot/logger';
import type { SandboxAgreementStatus, SandboxAgreementView, WireAgreement } from './agreementStore';
import { AGREEMENT_STATUSES, AgreementStore } from './agreementStore';
import { isEmail, validateCreateRequest } from './agreementValidation';
import type { FaultKind, FaultPlan, SandboxRoute } from './faults';
import { FaultInjector, parseFaultPlan, SANDBOX_ROUTES } from './faults';
import type { Reply } from './sandboxHttp';
import { mediaTypeOf, readBody, writeReply } from './sandboxHttp';
import { IdTokenVerifier, TokenStore } from './sandboxTokens';
import type { EntraTrust } from './sandboxTokens';

export type { FaultPlan, SandboxRoute } from './faults';
export type { SandboxAgreementView, WireAgreement } from './agreementStore';
export type { EntraTrust } from './sandboxTokens';
export { SANDBOX_CIAM_ISSUER } from './sandboxTokens';

/** Switches for parts of the contract the real API may not have. */
export interface SandboxCapabilities {
  /** GET /loa/v1/agreements/{id}; when off it answers 405 like an API without that operation. */
  getAgreement: boolean;
}

export type CallCounts = Record<SandboxRoute, number>;

export interface SandboxOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1, so the sandbox is never reachable from the network by accident. */
  host?: string;
  clientId: string;
  clientSecret: string;
  catalog: TemplateCatalog;
  tokenTtlS: number;
  clock?: Clock;
  faults?: FaultPlan;
  capabilities?: Partial<SandboxCapabilities>;
  logger?: Logger;
  /** Rolls the fault rates; inject a seeded one for reproducible tests. */
  random?: () => number;
  /** Entra ID tokens to accept at /v1/oauth/token, besides the sandbox's own cIAM id_tokens; none by default. */
  entra?: EntraTrust;
  /** Names each new agreement; random UUIDs by default. Tests use it for ids whose short refs collide. */
  agreementIds?: () => string;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:4010, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open socket, hanging requests included. */
  close(): Promise<void>;
  /** Replaces the whole fault plan; throws when the plan is invalid. */
  setFaults(plan: FaultPlan): void;
  clearFaults(): void;
  setCapabilities(capabilities: Partial<SandboxCapabilities>): SandboxCapabilities;
  /** Every agreement ever created, deleted ones included. */
  agreements(): SandboxAgreementView[];
  calls(): CallCounts;
  /** Forgets agreements, tokens, call counts and faults, and turns every capability back on. */
  reset(): void;
  /** A cIAM id_token with these claims, signed by the sandbox's stand-in for cIAM (exp is up to the caller). */
  mintCiamIdToken(claims: Record<string, unknown>): Promise<string>;
}

const DEFAULT_CAPABILITIES: SandboxCapabilities = { getAgreement: true };

/** Codes the sandbox answers that contract.ts does not name, because the bot does not react to them. */
const SANDBOX_ERROR_CODES = { payloadTooLarge: 'PAYLOAD_TOO_LARGE' } as const;

/**
 * On create, only the statuses the contract promises to answer before processing (429, 503)
 * strike first. A 500, a hang or a reset strikes after the agreement is stored: the worst case,
 * in which the client cannot know whether it was created.
 */
function strikesAfterCreating(fault: FaultKind): boolean {
  return !(REJECTED_BEFORE_PROCESSING as readonly number[]).includes(Number(fault));
}

const statusChangeSchema = z.object({ status: z.enum(AGREEMENT_STATUSES) }).strict();
const capabilitiesSchema = z.object({ getAgreement: z.boolean() }).partial().strict();
const ciamClaimsSchema = z.record(z.string(), z.unknown());

type Authentication = { ok: true; identity: string } | { ok: false; reply: Reply };
type IdentityResult = { ok: true; identity: string } | { ok: false; reply: Reply };
type JsonRead = { ok: true; value: unknown } | { ok: false; reply: Reply };

function apiError(status: number, code: string, message: string, details?: FieldProblem[]): Reply {
  return { status, body: { code, message, ...(details ? { details } : {}) } };
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description }, headers: { 'Cache-Control': 'no-store' } };
}

function unauthorized(message: string, challenge: string): Reply {
  return { ...apiError(401, API_ERROR_CODES.unauthorized, message), headers: { 'WWW-Authenticate': challenge } };
}

const payloadTooLarge = (): Reply => apiError(413, SANDBOX_ERROR_CODES.payloadTooLarge, 'The request body is larger than 1 MB');

function idParam(req: Request): string {
  const params = req.params as Record<string, unknown> | undefined;
  return typeof params?.id === 'string' ? params.id : '';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

class LoaSandbox implements RunningSandbox {
  url = '';
  port = 0;
  private readonly server: Server;
  private readonly httpServer: HttpServer;
  private readonly sockets = new Set<Socket>();
  private readonly closing = new AbortController();
  private closed?: Promise<void>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly tokens: TokenStore;
  private readonly idTokens: IdTokenVerifier;
  private readonly store: AgreementStore;
  private readonly faults: FaultInjector;
  private capabilities: SandboxCapabilities;
  private callCounts: CallCounts = LoaSandbox.zeroCounts();

  constructor(private readonly options: SandboxOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? createLogger({ level: 'silent', name: 'loa-sandbox' });
    this.tokens = new TokenStore(this.clock, options.tokenTtlS);
    this.idTokens = new IdTokenVerifier(options.entra);
    this.store = new AgreementStore(options.agreementIds);
    this.faults = new FaultInjector(options.faults ?? {}, options.random ?? Math.random);
    this.capabilities = { ...DEFAULT_CAPABILITIES, ...options.capabilities };
    this.server = restify.createServer({
      name: 'loa-sandbox',
      // restify logs whole requests (Authorization included) when it warns; the sandbox logs for
      // itself instead. The cast exists because @types/restify still describes restify 8's bunyan.
      log: pino({ level: 'silent' }) as unknown as ServerOptions['log'],
      handleUncaughtExceptions: false,
    });
    this.httpServer = this.server.server;
    this.httpServer.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.registerApiRoutes();
    this.registerHooks();
  }

  private static zeroCounts(): CallCounts {
    return Object.fromEntries(SANDBOX_ROUTES.map((route) => [route, 0])) as CallCounts;
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(this.options.port, host, () => {
        this.httpServer.off('error', reject);
        resolve();
      });
    });
    const address = this.httpServer.address();
    if (address === null || typeof address === 'string') throw new Error('The LOA sandbox is not listening on a TCP port');
    this.port = address.port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.closing.abort();
      this.httpServer.close(() => resolve());
      // A hanging request would otherwise keep close() waiting until the client gives up.
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closed;
  }

  setFaults(plan: FaultPlan): void {
    this.faults.replace(plan);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setCapabilities(capabilities: Partial<SandboxCapabilities>): SandboxCapabilities {
    this.capabilities = { ...this.capabilities, ...capabilities };
    return { ...this.capabilities };
  }

  agreements(): SandboxAgreementView[] {
    return this.store.all();
  }

  calls(): CallCounts {
    return { ...this.callCounts };
  }

  reset(): void {
    this.store.clear();
    this.tokens.clear();
    this.callCounts = LoaSandbox.zeroCounts();
    this.faults.clear();
    this.capabilities = { ...DEFAULT_CAPABILITIES };
  }

  mintCiamIdToken(claims: Record<string, unknown>): Promise<string> {
    return this.idTokens.mintCiamIdToken(claims);
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private registerApiRoutes(): void {
    this.server.post(ROUTES.impersonateToken, this.apiRoute('token', (req) => this.issueToken(req, GRANT.impersonate)));
    this.server.post(ROUTES.idTokenExchange, this.apiRoute('token', (req) => this.issueToken(req, GRANT.idToken)));
    this.server.post(ROUTES.agreements, this.apiRoute('create', (req) => this.createAgreement(req)));
    this.server.get(ROUTES.agreement, this.apiRoute('get', (req) => this.getAgreement(req)));
    this.server.del(ROUTES.agreement, this.apiRoute('delete', (req) => this.deleteAgreement(req)));
  }

  /** Wraps an API handler with call counting, latency, fault injection and logging. */
  private apiRoute(route: SandboxRoute, handle: (req: Request) => Promise<Reply>): RequestHandler {
    return (req: Request, res: Response, next) => {
      this.serve(route, req, res, handle).then(
        (answered) => {
          // Without an answer restify must not reach the end of its chain: it would send a 500.
          if (answered) next();
        },
        (err: unknown) => {
          this.logger.error({ err, route }, 'LOA sandbox handler failed');
          if (!res.headersSent) writeReply(res, apiError(500, API_ERROR_CODES.internal, 'The sandbox failed unexpectedly'));
          next();
        },
      );
    };
  }

  private async serve(route: SandboxRoute, req: Request, res: Response, handle: (req: Request) => Promise<Reply>): Promise<boolean> {
    const startedAt = performance.now();
    this.callCounts[route] += 1;
    const finish = (reply: Reply | undefined, fault?: FaultKind): boolean => {
      const durationMs = Math.round(performance.now() - startedAt);
      this.logger.info({ route, method: req.method, path: req.getPath(), status: reply?.status, fault, durationMs }, 'LOA sandbox request');
      if (reply) writeReply(res, reply);
      return reply !== undefined;
    };

    // An API without GET answers from its router, before any gateway behaviour applies.
    if (route === 'get' && !this.capabilities.getAgreement) return finish({ status: 405, headers: { Allow: 'DELETE' } });

    const latencyMs = this.faults.latencyMs(route);
    if (latencyMs > 0) await sleep(latencyMs, this.closing.signal);
    if (this.closing.signal.aborted) return false;

    const fault = this.faults.nextFault(route);
    const strikesAfterProcessing = fault !== undefined && route === 'create' && strikesAfterCreating(fault);
    if (fault && !strikesAfterProcessing) return finish(this.injectFault(fault, route, req), fault);
    const reply = await handle(req);
    if (fault) return finish(this.injectFault(fault, route, req), fault);
    return finish(reply);
  }

  /** The reply a fault produces, or undefined when the fault is to give no answer at all. */
  private injectFault(fault: FaultKind, route: SandboxRoute, req: Request): Reply | undefined {
    switch (fault) {
      case '429':
        return {
          ...apiError(429, API_ERROR_CODES.rateLimited, 'Too many requests; retry after the time given in Retry-After'),
          headers: { 'Retry-After': String(this.faults.retryAfterS(route)) },
        };
      case '503':
        return apiError(503, API_ERROR_CODES.unavailable, 'The service is temporarily unavailable');
      case '500':
        return apiError(500, API_ERROR_CODES.internal, 'An internal error occurred');
      case 'hang':
        // Leave the socket open: the client's timeout or close() ends it.
        return undefined;
      case 'reset':
        req.socket.destroy();
        return undefined;
    }
  }

  private async issueToken(req: Request, grant: (typeof GRANT)[keyof typeof GRANT]): Promise<Reply> {
    if (mediaTypeOf(req) !== 'application/x-www-form-urlencoded') {
      return oauthError(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded');
    }
    const read = await readBody(req);
    if (read.kind === 'tooLarge') return payloadTooLarge();
    if (read.kind === 'aborted') return oauthError(400, 'invalid_request', 'The request body was not received');
    const form = new URLSearchParams(read.text);
    const repeated = [...new Set(form.keys())].filter((key) => form.getAll(key).length > 1);
    if (repeated.length > 0) return oauthError(400, 'invalid_request', `Parameters must not be repeated: ${repeated.join(', ')}`);
    const missing = ['grant_type', 'client_id', 'client_secret'].filter((key) => !form.get(key));
    if (missing.length > 0) return oauthError(400, 'invalid_request', `Missing parameters: ${missing.join(', ')}`);
    if (!this.isClient(form.get('client_id') ?? '', form.get('client_secret') ?? '')) {
      return oauthError(401, 'invalid_client', 'Unknown client or wrong client secret');
    }
    if (form.get('grant_type') !== grant) {
      return oauthError(400, 'unsupported_grant_type', `This endpoint accepts grant_type=${grant} only`);
    }
    const identity = grant === GRANT.impersonate ? this.impersonatedIdentity(form) : await this.idTokenIdentity(form);
    if (!identity.ok) return identity.reply;
    const { accessToken, expiresInS } = this.tokens.issue(identity.identity);
    this.logger.debug({ grant, identity: identity.identity }, 'LOA sandbox issued a token');
    return {
      status: 200,
      body: { access_token: accessToken, token_type: 'Bearer', expires_in: expiresInS },
      headers: { 'Cache-Control': 'no-store' },
    };
  }

  /** Compares digests so that neither the content nor the length of the secret leaks through timing. */
  private isClient(clientId: string, clientSecret: string): boolean {
    const idMatches = timingSafeEqual(digest(clientId), digest(this.options.clientId));
    const secretMatches = timingSafeEqual(digest(clientSecret), digest(this.options.clientSecret));
    return idMatches && secretMatches;
  }

  private impersonatedIdentity(form: URLSearchParams): IdentityResult {
    const email = form.get('email');
    if (!email) return { ok: false, reply: oauthError(400, 'invalid_request', 'Missing parameters: email') };
    if (!isEmail(email)) return { ok: false, reply: oauthError(400, 'invalid_request', 'email must be an email address') };
    return { ok: true, identity: email.toLowerCase() };
  }

  private async idTokenIdentity(form: URLSearchParams): Promise<IdentityResult> {
    const idToken = form.get('id_token');
    if (!idToken) return { ok: false, reply: oauthError(400, 'invalid_request', 'Missing parameters: id_token') };
    const result = await this.idTokens.verify(idToken, this.clock.now());
    if (!result.ok) return { ok: false, reply: oauthError(400, 'invalid_grant', `The id_token is not acceptable: ${result.reason}`) };
    return { ok: true, identity: result.identity };
  }

  private authenticate(req: Request): Authentication {
    const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) {
      return { ok: false, reply: unauthorized('An Authorization: Bearer <access token> header is required', 'Bearer realm="loa"') };
    }
    const token = this.tokens.lookup(match[1]);
    if (token.state === 'valid') return { ok: true, identity: token.identity };
    const message = token.state === 'expired' ? 'The access token has expired' : 'The access token is not valid';
    return { ok: false, reply: unauthorized(message, `Bearer realm="loa", error="invalid_token", error_description="${message}"`) };
  }

  private async createAgreement(req: Request): Promise<Reply> {
    const auth = this.authenticate(req);
    if (!auth.ok) return auth.reply;
    const body = await this.readJson(req, (message) => apiError(400, API_ERROR_CODES.validation, message, []));
    if (!body.ok) return body.reply;
    const result = validateCreateRequest(body.value, {
      catalog: this.options.catalog,
      ownsAgreement: (id) => this.store.findOwned(id, auth.identity).found,
    });
    if (!result.ok) {
      const count = result.problems.length;
      return apiError(400, API_ERROR_CODES.validation, `The agreement request has ${count} problem${count === 1 ? '' : 's'}`, result.problems);
    }
    const agreement = this.store.create(result.agreement, auth.identity, this.nowIso());
    this.logger.info({ agreementId: agreement.id, templateId: agreement.templateId }, 'LOA sandbox created an agreement');
    return { status: 201, body: agreement };
  }

  private getAgreement(req: Request): Promise<Reply> {
    const found = this.findOwnedAgreement(req);
    if (!found.ok) return Promise.resolve(found.reply);
    return Promise.resolve({ status: 200, body: found.agreement });
  }

  private deleteAgreement(req: Request): Promise<Reply> {
    const found = this.findOwnedAgreement(req);
    if (!found.ok) return Promise.resolve(found.reply);
    this.store.delete(found.agreement.id, this.nowIso());
    this.logger.info({ agreementId: found.agreement.id }, 'LOA sandbox deleted an agreement');
    return Promise.resolve({ status: 204 });
  }

  private findOwnedAgreement(req: Request): { ok: true; agreement: WireAgreement } | { ok: false; reply: Reply } {
    const auth = this.authenticate(req);
    if (!auth.ok) return auth;
    const id = idParam(req);
    const lookup = this.store.findOwned(id, auth.identity);
    if (lookup.found) return { ok: true, agreement: lookup.agreement };
    if (lookup.reason === 'forbidden') {
      return { ok: false, reply: apiError(403, API_ERROR_CODES.forbidden, 'The agreement belongs to another identity') };
    }
    return { ok: false, reply: apiError(404, API_ERROR_CODES.notFound, `There is no agreement ${id}`) };
  }

  private async readJson(req: Request, invalid: (message: string) => Reply): Promise<JsonRead> {
    if (mediaTypeOf(req) !== 'application/json') return { ok: false, reply: invalid('The body must be JSON (Content-Type: application/json)') };
    const read = await readBody(req);
    if (read.kind === 'tooLarge') return { ok: false, reply: payloadTooLarge() };
    if (read.kind === 'aborted') return { ok: false, reply: invalid('The request body was not received') };
    try {
      return { ok: true, value: JSON.parse(read.text) as unknown };
    } catch {
      return { ok: false, reply: invalid('The body is not valid JSON') };
    }
  }

  /** Test hooks. They are not part of the contract: no faults, no call counting. */
  private registerHooks(): void {
    const badRequest = (message: string): Reply => ({ status: 400, body: { code: 'BAD_REQUEST', message } });

    this.hook('get', '/_sandbox/agreements', () => Promise.resolve({ status: 200, body: this.agreements() }));

    this.hook('post', '/_sandbox/agreements/:id/status', async (req) => {
      const body = await this.readJson(req, badRequest);
      if (!body.ok) return body.reply;
      const change = statusChangeSchema.safeParse(body.value);
      if (!change.success) return badRequest(`status must be one of ${AGREEMENT_STATUSES.join(', ')}`);
      const status: SandboxAgreementStatus = change.data.status;
      const agreement = this.store.setStatus(idParam(req), status, this.nowIso());
      if (!agreement) return { status: 404, body: { code: 'NOT_FOUND', message: 'No live agreement has that id' } };
      return { status: 200, body: agreement };
    });

    this.hook('put', '/_sandbox/faults', async (req) => {
      const body = await this.readJson(req, badRequest);
      if (!body.ok) return body.reply;
      try {
        this.setFaults(parseFaultPlan(body.value));
      } catch (err) {
        return badRequest((err as Error).message);
      }
      return { status: 204 };
    });

    this.hook('del', '/_sandbox/faults', () => {
      this.clearFaults();
      return Promise.resolve({ status: 204 });
    });

    this.hook('put', '/_sandbox/capabilities', async (req) => {
      const body = await this.readJson(req, badRequest);
      if (!body.ok) return body.reply;
      const capabilities = capabilitiesSchema.safeParse(body.value);
      if (!capabilities.success) return badRequest('expected {"getAgreement": true|false}');
      return { status: 200, body: this.setCapabilities(capabilities.data) };
    });

    this.hook('post', '/_sandbox/ciam/id-tokens', async (req) => {
      const body = await this.readJson(req, badRequest);
      if (!body.ok) return body.reply;
      const claims = ciamClaimsSchema.safeParse(body.value);
      if (!claims.success) return badRequest('expected a JSON object of id_token claims');
      return { status: 201, body: { id_token: await this.mintCiamIdToken(claims.data) } };
    });

    this.hook('get', '/_sandbox/calls', () => Promise.resolve({ status: 200, body: this.calls() }));

    this.hook('post', '/_sandbox/reset', () => {
      this.reset();
      return Promise.resolve({ status: 204 });
    });
  }

  private hook(method: 'get' | 'post' | 'put' | 'del', path: string, handle: (req: Request) => Promise<Reply>): void {
    this.server[method](path, (req: Request, res: Response, next) => {
      handle(req).then(
        (reply) => writeReply(res, reply),
        (err: unknown) => {
          this.logger.error({ err, path }, 'LOA sandbox hook failed');
          if (!res.headersSent) writeReply(res, { status: 500, body: { code: 'HOOK_FAILED', message: 'The sandbox hook failed' } });
        },
      ).finally(() => next());
    });
  }
}

function checkOptions(options: SandboxOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) problems.push('port must be an integer from 0 (any free port) to 65535');
  if (!Number.isInteger(options.tokenTtlS) || options.tokenTtlS < 1) problems.push('tokenTtlS must be a whole number of seconds, at least 1');
  if (!options.clientId) problems.push('clientId must not be empty');
  if (!options.clientSecret) problems.push('clientSecret must not be empty');
  if (options.entra && options.entra.audiences.length === 0) problems.push('entra.audiences must name at least one audience to accept');
  if (problems.length > 0) throw new Error(`Cannot start the LOA sandbox:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Starts the sandbox and resolves once it listens; throws at once on invalid options or fault plan. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  checkOptions(options);
  const sandbox = new LoaSandbox(options);
  await sandbox.listen();
  return sandbox;
}
