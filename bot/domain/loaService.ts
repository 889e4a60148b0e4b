import type { Agreement, AgreementRequest } from './agreement';

/**
 * The LOA service as the domain needs it, in the domain's terms. bot/loa implements it
 * (the HTTP client and its error mapping); only the composition root wires the two together.
 */
export interface LoaService {
  createAgreement(principal: LoaPrincipal, request: AgreementRequest, options?: CallOptions): Promise<Agreement>;
  /** Fails with code `notSupported` when the service cannot report an agreement. */
  getAgreement(principal: LoaPrincipal, id: string, options?: CallOptions): Promise<Agreement>;
  deleteAgreement(principal: LoaPrincipal, id: string, options?: CallOptions): Promise<void>;
  /** False for a while after the service has shown it cannot return an agreement's status. */
  readonly canGetAgreement: boolean;
}

/**
 * Someone the LOA service acts for. Opaque here: the LOA side makes it (with whatever it
 * needs to prove who the rep is) and is handed it back unread.
 */
export interface LoaPrincipal {
  /** Stable key, e.g. tenant and Entra object id. */
  readonly key: string;
}

/** Bounds for one call, its token and its retries included. */
export interface CallOptions {
  /** Epoch ms by which the call gives up with a `timeout` failure, however many retries were left. */
  deadline?: number;
}

/** How LOA calls are bounded: enough to work out the longest one call can take. */
export interface LoaCallSettings {
  /** Each attempt gives up after this. */
  timeoutMs: number;
  /** Retries of a call that is safe to retry. */
  maxRetries: number;
  /** The longest wait between two attempts; the service asking for more fails the call instead. */
  maxRetryWaitMs: number;
}

/** The calls a failure can come from: a token call means the rep's sign-in was refused, not the LOA. */
export type LoaOperation = 'token' | 'create' | 'get' | 'delete';

/** One field the service refused, and why. */
export interface FieldProblem {
  /** Domain field path: signer.email, cc.name, formData.<name>, notification.emails, emailSubject, … */
  field: string;
  message: string;
}

/**
 * The codes of a failure that the domain tells apart. The adapter translates the service's
 * own codes into these; any other code passes through and counts as a plain refusal.
 */
export const LOA_ERROR_CODES = {
  /** The service refused named fields; `details` says which. */
  refusedByField: 'VALIDATION_ERROR',
  notFound: 'AGREEMENT_NOT_FOUND',
  /** The service cannot report an agreement's status. */
  notSupported: 'NOT_SUPPORTED',
  unreachable: 'CONNECTION_REFUSED',
  timeout: 'TIMEOUT',
  /** The connection dropped before an answer came. */
  dropped: 'NETWORK_ERROR',
  /** The service answered, but with something the bot cannot read. */
  badResponse: 'BAD_RESPONSE',
  /** The rep's account has no mailbox address (LOA_IMPERSONATE_AS=mail). */
  noMailbox: 'NO_MAILBOX',
  /** The rep's identity could not be proven to the service; nothing was sent. */
  noGrant: 'GRANT_UNAVAILABLE',
} as const;

/** What a failed call tells: the parts stored with an outcome, so it can be worded again later. */
export interface FailureFacts {
  operation?: LoaOperation;
  code: string;
  /** HTTP status, absent when no answer arrived. */
  status?: number;
}

export interface LoaServiceErrorInit extends FailureFacts {
  operation: LoaOperation;
  message: string;
  details?: FieldProblem[];
  retryable: boolean;
  outcomeUnknown?: boolean;
}

/**
 * The one failure a LoaService throws. It carries no request, token or secret, so it can be
 * logged or stored as it is.
 */
export class LoaServiceError extends Error {
  override readonly name: string = 'LoaServiceError';
  readonly operation: LoaOperation;
  readonly status?: number;
  /** One of LOA_ERROR_CODES, or the service's own code for a plain refusal. */
  readonly code: string;
  readonly details: readonly FieldProblem[];
  /** True when sending the same request again cannot do harm (it was refused before processing). */
  readonly retryable: boolean;
  /** True when the request may have been processed although no clear answer arrived (a create may exist). */
  readonly outcomeUnknown: boolean;

  constructor(init: LoaServiceErrorInit) {
    super(init.message);
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    this.code = init.code;
    this.details = Object.freeze([...(init.details ?? [])]);
    this.retryable = init.retryable;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }

  /** How a rep is told about it. */
  get failure(): LoaFailure {
    return loaFailureOf(this);
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

/**
 * What went wrong with an LOA service call, in the kinds a rep is told apart:
 * - refused before processing: `unreachable`, `busy`, `refused`; nothing happened;
 * - failed after it may have been processed: `failed` (a 5xx), `dropped` (the connection reset);
 * - `timeout`: no answer in time;
 * - the token call refused: `botAccess` (the bot's own client credentials, an operator's
 *   problem) or `repSignIn` (the rep's identity);
 * - `noMailbox`: the rep's account has no mailbox address for the LOA service to know them by.
 */
export type LoaFailure = 'unreachable' | 'busy' | 'refused' | 'failed' | 'dropped' | 'timeout' | 'botAccess' | 'repSignIn' | 'noMailbox';

/** OAuth token endpoints answer 401 or invalid_client when the client's own credentials are wrong (RFC 6749 §5.2). */
const CLIENT_REFUSED = new Set(['invalid_client', 'unauthorized_client']);

/** The kind of a failure, from the facts an error (or an outcome stored earlier) holds. */
export function loaFailureOf({ operation, code, status }: FailureFacts): LoaFailure {
  if (code === LOA_ERROR_CODES.unreachable) return 'unreachable';
  if (code === LOA_ERROR_CODES.timeout) return 'timeout';
  if (code === LOA_ERROR_CODES.dropped) return 'dropped';
  if (code === LOA_ERROR_CODES.noMailbox) return 'noMailbox';
  if (operation === 'token' && (status === 401 || CLIENT_REFUSED.has(code))) return 'botAccess';
  if (operation === 'token' || code === LOA_ERROR_CODES.noGrant) return status !== undefined && status >= 500 ? failedOrBusy(status) : 'repSignIn';
  if (status === 401) return 'repSignIn';
  if (status !== undefined && status >= 500) return failedOrBusy(status);
  if (status === 429) return 'busy';
  if (code === LOA_ERROR_CODES.badResponse) return 'failed';
  return 'refused';
}

function failedOrBusy(status: number): LoaFailure {
  return status === 503 ? 'busy' : 'failed';
}
