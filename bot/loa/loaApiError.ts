import { LoaServiceError } from '../domain/loaService';
import type { LoaOperation, LoaServiceErrorInit } from '../domain/loaService';

export type { LoaOperation };

export interface LoaApiErrorInit extends LoaServiceErrorInit {
  retryAfterMs?: number;
}

/**
 * The one error the LOA client throws: the domain's failure, with the API's own codes and the
 * wait the API asked for. It holds no request, headers or body, so it can be logged or shown
 * without leaking the client secret or a token.
 */
export class LoaApiError extends LoaServiceError {
  override readonly name = 'LoaApiError';
  readonly retryAfterMs?: number;

  constructor(init: LoaApiErrorInit) {
    super(init);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}
