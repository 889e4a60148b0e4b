import type { LoaOperation } from './loaApiError';

/**
 * What went wrong with an LOA API call, in the kinds a rep is told apart:
 * - refused before processing: `unreachable`, `busy`, `refused`; nothing happened;
 * - failed after it may have been processed: `failed` (a 5xx), `dropped` (the connection reset);
 * - `timeout`: no answer in time;
 * - the token call refused: `botAccess` (the bot's own client credentials, an operator's
 *   problem) or `repSignIn` (the rep's identity);
 * - `noMailbox`: the rep's account has no mailbox address for the LOA API to know them by.
 */
export type LoaFailure = 'unreachable' | 'busy' | 'refused' | 'failed' | 'dropped' | 'timeout' | 'botAccess' | 'repSignIn' | 'noMailbox';

/** The code of a LoaApiError when the rep's account has no mailbox address (LOA_IMPERSONATE_AS=mail). */
export const NO_MAILBOX = 'NO_MAILBOX';

/** The parts of a LoaApiError (or of one recorded earlier) that tell its kind. */
export interface FailureFacts {
  operation?: LoaOperation;
  code: string;
  status?: number;
}

/** OAuth token endpoints answer 401 or invalid_client when the client's own credentials are wrong (RFC 6749 §5.2). */
const CLIENT_REFUSED = new Set(['invalid_client', 'unauthorized_client']);

export function loaFailureOf({ operation, code, status }: FailureFacts): LoaFailure {
  if (code === 'CONNECTION_REFUSED') return 'unreachable';
  if (code === 'TIMEOUT') return 'timeout';
  if (code === 'NETWORK_ERROR') return 'dropped';
  if (code === NO_MAILBOX) return 'noMailbox';
  if (operation === 'token' && (status === 401 || CLIENT_REFUSED.has(code))) return 'botAccess';
  if (operation === 'token' || code === 'GRANT_UNAVAILABLE') return status !== undefined && status >= 500 ? failedOrBusy(status) : 'repSignIn';
  if (status === 401) return 'repSignIn';
  if (status !== undefined && status >= 500) return failedOrBusy(status);
  if (status === 429) return 'busy';
  if (code === 'BAD_RESPONSE') return 'failed';
  return 'refused';
}

function failedOrBusy(status: number): LoaFailure {
  return status === 503 ? 'busy' : 'failed';
}
