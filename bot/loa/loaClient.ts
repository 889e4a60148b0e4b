import axios from 'axios';
import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import type { Logger } from 'pino';
import type { Agreement, AgreementRequest } from '../domain/agreement';
import { sleep, systemClock, withDeadline } from '../domain/clock';
import type { Clock } from '../domain/clock';
import { LOA_ERROR_CODES } from '../domain/loaService';
import type { CallOptions, LoaPrincipal as ServicePrincipal } from '../domain/loaService';
import { API_ERROR_CODES, PATHS, parseAgreement, parseApiError, parseTokenResponse, toWireCreateRequest, tokenRequestForm } from './contract';
import type { AccessToken, TokenGrant } from './contract';
import { LoaApiError } from './loaApiError';
import type { LoaOperation } from './loaApiError';
import { NoMailboxError } from './principals';
import { backoffDelay, isSafeToRetry, mayHaveTakenEffect, parseRetryAfter } from './retryPolicy';
import type { NetworkFailure } from './retryPolicy';
import { TokenCache } from './tokenCache';

/** Someone the LOA API acts for: the domain's opaque principal, with what the token call needs. */
export interface LoaPrincipal extends ServicePrincipal {
  /** How to obtain a token grant; called only when no cached token is valid. */
  grant(): Promise<TokenGrant>;
}

export interface LoaClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
  clock?: Clock;
  /** Injected transport; its baseURL is ignored. */
  http?: AxiosInstance;
  random?: () => number;
  delay?: (ms: number) => Promise<void>;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A Retry-After longer than this is not waited for; the call fails as retryable instead. */
  maxRetryAfterMs?: number;
  /** How long a 405 or 501 on GET turns status checks off before GET is tried again (default 10 minutes). */
  getUnsupportedForMs?: number;
}

/** The longest Retry-After waited for by default. */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * A 405 or 501 can pass (a gateway or an API version being redeployed), so it turns GET off
 * for this long only; the next call after that asks the API again.
 */
export const GET_UNSUPPORTED_FOR_MS = 10 * 60_000;

interface Attempt {
  method: Method;
  path: string;
  data?: unknown;
  headers?: Record<string, string>;
}

/**
 * The LOA API over HTTP: tokens, retries and deadlines. Every failure is a LoaApiError; the
 * rest of the bot reaches it through LoaServiceAdapter.
 */
export class LoaClient {
  private readonly http: AxiosInstance;
  private readonly clock: Clock;
  private readonly tokens: TokenCache;
  private readonly random: () => number;
  private readonly delay: (ms: number) => Promise<void>;
  /** Epoch ms until which GET is taken as unsupported, after a 405 or 501. */
  private getUnsupportedUntil = 0;

  constructor(private readonly options: LoaClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.http = options.http ?? axios.create();
    this.tokens = new TokenCache(this.clock);
    this.random = options.random ?? Math.random;
    this.delay = options.delay ?? ((ms) => sleep(ms));
  }

  /** False for a while after the API has shown it cannot return an agreement's status. */
  get canGetAgreement(): boolean {
    return this.clock.now() >= this.getUnsupportedUntil;
  }

  async createAgreement(principal: LoaPrincipal, request: AgreementRequest, options: CallOptions = {}): Promise<Agreement> {
    const res = await this.callApi('create', principal, { method: 'POST', path: PATHS.agreements, data: toWireCreateRequest(request) }, options);
    return this.agreementFrom('create', res);
  }

  /** Fails with code NOT_SUPPORTED when the API has no GET for agreements. */
  async getAgreement(principal: LoaPrincipal, id: string, options: CallOptions = {}): Promise<Agreement> {
    if (!this.canGetAgreement) throw notSupported();
    try {
      const res = await this.callApi('get', principal, { method: 'GET', path: PATHS.agreement(id) }, options);
      return this.agreementFrom('get', res);
    } catch (err) {
      if (err instanceof LoaApiError && err.code === LOA_ERROR_CODES.notSupported) {
        this.getUnsupportedUntil = this.clock.now() + (this.options.getUnsupportedForMs ?? GET_UNSUPPORTED_FOR_MS);
      }
      throw err;
    }
  }

  async deleteAgreement(principal: LoaPrincipal, id: string, options: CallOptions = {}): Promise<void> {
    await this.callApi('delete', principal, { method: 'DELETE', path: PATHS.agreement(id) }, options);
  }

  /** A token for the principal, from the cache when it is still valid. */
  token(principal: LoaPrincipal, options: CallOptions = {}): Promise<string> {
    return this.tokens.get(principal.key, () => this.requestToken(principal, options));
  }

  private async requestToken(principal: LoaPrincipal, options: CallOptions): Promise<AccessToken> {
    let grant: TokenGrant;
    try {
      grant = await principal.grant();
    } catch (err) {
      // Nothing was sent to the LOA API. The cause may hold an Entra ID answer: keep only its type.
      const kind = err instanceof Error ? err.name : 'Error';
      if (err instanceof NoMailboxError) {
        this.options.logger.warn({ loa: { operation: 'token', grantFailure: kind } }, 'The rep\'s account has no mailbox address to impersonate (LOA_IMPERSONATE_AS=mail)');
        throw new LoaApiError({ operation: 'token', code: LOA_ERROR_CODES.noMailbox, message: 'The rep\'s account has no mailbox address for the LOA API', retryable: false });
      }
      this.options.logger.warn({ loa: { operation: 'token', grantFailure: kind } }, 'No grant for an LOA token');
      throw new LoaApiError({ operation: 'token', code: LOA_ERROR_CODES.noGrant, message: `Could not prove the rep's identity to the LOA API (${kind})`, retryable: false });
    }
    const { path, form } = tokenRequestForm(grant, this.options.clientId, this.options.clientSecret);
    const res = await this.withRetries(
      'token',
      { method: 'POST', path, data: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      options,
    ).catch((err: unknown) => {
      if (err instanceof LoaApiError && err.failure === 'botAccess') {
        // Not the rep's fault and not theirs to fix: the operator must.
        this.options.logger.error(
          { loa: { operation: 'token', status: err.status, code: err.code }, operatorError: true },
          'The LOA token endpoint refused the bot\'s own credentials: check LOA_CLIENT_ID and LOA_CLIENT_SECRET',
        );
      }
      throw err;
    });
    const token = parseTokenResponse(res.data);
    if (!token) throw badResponse('token', res.status);
    return token;
  }

  private async callApi(operation: LoaOperation, principal: LoaPrincipal, attempt: Attempt, options: CallOptions): Promise<AxiosResponse> {
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.token(principal, options);
      try {
        return await this.withRetries(operation, { ...attempt, headers: { ...attempt.headers, Authorization: `Bearer ${token}` } }, options);
      } catch (err) {
        // An expired or revoked token: fetch a new one once, then give up.
        if (err instanceof LoaApiError && err.status === 401 && !refreshed) {
          this.tokens.invalidate(principal.key, token);
          continue;
        }
        throw err;
      }
    }
  }

  private async withRetries(operation: LoaOperation, attempt: Attempt, { deadline }: CallOptions): Promise<AxiosResponse> {
    for (let retry = 0; ; retry++) {
      const remainingMs = deadline === undefined ? this.options.timeoutMs : deadline - this.clock.now();
      if (remainingMs <= 0) throw new LoaApiError({ operation, code: LOA_ERROR_CODES.timeout, message: 'The call ran out of time before it was sent', retryable: true });
      const error = await this.once(operation, attempt, Math.min(this.options.timeoutMs, remainingMs));
      if (!(error instanceof LoaApiError)) return error;
      const mayRetry = error.retryable && retry < this.options.maxRetries;
      const waitMs = backoffDelay(retry, error.retryAfterMs, {
        baseMs: this.options.backoffBaseMs ?? 200,
        capMs: this.options.backoffCapMs ?? 5000,
        random: this.random,
      });
      const pastDeadline = deadline !== undefined && this.clock.now() + waitMs >= deadline;
      if (!mayRetry || waitMs > (this.options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS) || pastDeadline) throw error;
      this.options.logger.warn({ loa: { operation, status: error.status, code: error.code, retry: retry + 1, waitMs } }, 'LOA API call failed, retrying');
      await this.delay(waitMs);
    }
  }

  /** One HTTP exchange: the response when it succeeded, otherwise the error it maps to. */
  private async once(operation: LoaOperation, attempt: Attempt, timeoutMs: number): Promise<AxiosResponse | LoaApiError> {
    const started = this.clock.now();
    // axios' timeout is an idle timeout: a server that trickles bytes would never trip it.
    let deadline: AbortSignal | undefined;
    let res: AxiosResponse;
    try {
      res = await withDeadline(timeoutMs, (signal) => {
        deadline = signal;
        return this.http.request({
          baseURL: this.options.baseUrl,
          url: attempt.path,
          method: attempt.method,
          data: attempt.data,
          headers: { Accept: 'application/json', ...attempt.headers },
          timeout: timeoutMs,
          signal,
          validateStatus: () => true,
          maxRedirects: 0,
        });
      });
    } catch (err) {
      // Never rethrow the axios error: its config carries the secret or the bearer token.
      const failure = deadline?.aborted ? 'timeout' : networkFailureOf(err);
      this.options.logger.warn({ loa: { operation, method: attempt.method, path: pathOnly(attempt.path), failure, ms: this.clock.now() - started } }, 'LOA API call failed without an answer');
      return networkError(operation, failure, timeoutMs);
    }
    this.options.logger.debug({ loa: { operation, method: attempt.method, path: pathOnly(attempt.path), status: res.status, ms: this.clock.now() - started } }, 'LOA API call');
    if (res.status >= 200 && res.status < 300) return res;
    return this.httpError(operation, res);
  }

  private httpError(operation: LoaOperation, res: AxiosResponse): LoaApiError {
    if (operation === 'get' && (res.status === 405 || res.status === 501)) return notSupported();
    const parsed = parseApiError(res.data);
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.clock.now());
    return new LoaApiError({
      operation,
      status: res.status,
      code: parsed?.code ?? defaultCode(res.status),
      message: parsed?.message ?? `The LOA API answered ${res.status}`,
      details: parsed?.details ?? [],
      retryable: isSafeToRetry(operation, res.status),
      outcomeUnknown: changesState(operation) && mayHaveTakenEffect(res.status),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  private agreementFrom(operation: LoaOperation, res: AxiosResponse): Agreement {
    const agreement = parseAgreement(res.data);
    if (!agreement) throw badResponse(operation, res.status);
    return agreement;
  }
}

function networkFailureOf(err: unknown): NetworkFailure {
  const code = axios.isAxiosError(err) ? err.code : undefined;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return 'timeout';
  return 'reset';
}

function networkError(operation: LoaOperation, failure: NetworkFailure, timeoutMs: number): LoaApiError {
  const messages: Record<NetworkFailure, [string, string]> = {
    refused: [LOA_ERROR_CODES.unreachable, 'The LOA API could not be reached'],
    timeout: [LOA_ERROR_CODES.timeout, `The LOA API did not answer within ${timeoutMs} ms`],
    reset: [LOA_ERROR_CODES.dropped, 'The connection to the LOA API dropped before it answered'],
  };
  const [code, message] = messages[failure];
  return new LoaApiError({
    operation,
    code,
    message,
    retryable: isSafeToRetry(operation, failure),
    outcomeUnknown: changesState(operation) && mayHaveTakenEffect(failure),
  });
}

/** The calls whose failure can leave the rep unsure whether they took effect. */
function changesState(operation: LoaOperation): boolean {
  return operation === 'create' || operation === 'delete';
}

function notSupported(): LoaApiError {
  return new LoaApiError({ operation: 'get', code: LOA_ERROR_CODES.notSupported, message: 'The LOA API cannot report an agreement status', retryable: false });
}

/** Only ever built for a 2xx answer: a create the API accepted exists even when its answer cannot be read. */
function badResponse(operation: LoaOperation, status: number): LoaApiError {
  return new LoaApiError({
    operation,
    status,
    code: LOA_ERROR_CODES.badResponse,
    message: `The LOA API answered ${status} with a body the bot cannot read`,
    retryable: false,
    outcomeUnknown: operation === 'create',
  });
}

function defaultCode(status: number): string {
  if (status === 401) return API_ERROR_CODES.unauthorized;
  if (status === 403) return API_ERROR_CODES.forbidden;
  if (status === 404) return API_ERROR_CODES.notFound;
  if (status === 429) return API_ERROR_CODES.rateLimited;
  if (status === 503) return API_ERROR_CODES.unavailable;
  return `HTTP_${status}`;
}

function pathOnly(path: string): string {
  return path.split('?')[0] ?? path;
}
