import type { FieldProblem } from './contract';

export type LoaOperation = 'token' | 'create' | 'get' | 'delete';

export interface LoaApiErrorInit {
  operation: LoaOperation;
  status?: number;
  code: string;
  message: string;
  details?: FieldProblem[];
  retryable: boolean;
  outcomeUnknown?: boolean;
  retryAfterMs?: number;
}

/**
 * The one error the LOA client throws. It holds no request, headers or body, so it
 * can be logged or shown without leaking the client secret or a token.
 */
export class LoaApiError extends Error {
  override readonly name = 'LoaApiError';
  readonly operation: LoaOperation;
  /** HTTP status, absent when no response arrived. */
  readonly status?: number;
  /** The API's error code, or NETWORK_ERROR, TIMEOUT, CONNECTION_REFUSED, BAD_RESPONSE. */
  readonly code: string;
  readonly details: readonly FieldProblem[];
  /** True when sending the same request again cannot do harm. */
  readonly retryable: boolean;
  /** True when the request may have been processed although no answer arrived (a create may exist). */
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs?: number;

  constructor(init: LoaApiErrorInit) {
    super(init.message);
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    this.code = init.code;
    this.details = Object.freeze([...(init.details ?? [])]);
    this.retryable = init.retryable;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      operation: this.operation,
      status: this.status,
      code: this.code,
      message: this.message,
      details: this.details,
      retryable: this.retryable,
      outcomeUnknown: this.outcomeUnknown,
    };
  }
}
