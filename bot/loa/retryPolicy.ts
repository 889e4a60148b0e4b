import type { LoaOperation } from './loaApiError';
import { REJECTED_BEFORE_PROCESSING } from './contract';

/** Statuses worth another try for calls that are safe to repeat (token, get, delete). */
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

export type NetworkFailure = 'refused' | 'reset' | 'timeout';

/**
 * Whether a failed call may be sent again. A create is resent only when the failure
 * proves nothing was created: a duplicate LOA in a customer's inbox is worse than an error.
 */
export function isSafeToRetry(operation: LoaOperation, failure: number | NetworkFailure): boolean {
  if (failure === 'refused') return true;
  if (operation === 'create') return typeof failure === 'number' && (REJECTED_BEFORE_PROCESSING as readonly number[]).includes(failure);
  return typeof failure === 'number' ? TRANSIENT_STATUSES.has(failure) : true;
}

/**
 * Whether a create or delete that failed this way may nevertheless have taken effect: no
 * answer arrived, or the server failed after it may have processed the request.
 */
export function mayHaveTakenEffect(failure: number | NetworkFailure): boolean {
  if (failure === 'reset' || failure === 'timeout') return true;
  return typeof failure === 'number' && failure >= 500 && !(REJECTED_BEFORE_PROCESSING as readonly number[]).includes(failure);
}

/** Reads Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: unknown, now: number): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random: () => number;
}

/** Exponential backoff with full jitter, never shorter than the server's Retry-After. */
export function backoffDelay(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions): number {
  const exponential = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  const jittered = Math.round(exponential * options.random());
  return Math.max(jittered, retryAfterMs ?? 0);
}
