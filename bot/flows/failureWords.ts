import type { LoaFailure } from '../domain/loaService';
import type { Translate } from '../i18n';

/** What happened, in a rep's words: one sentence start per kind of failure (catalog keys, written out so the catalog test finds them). */
const FAILURE_CAUSE: Readonly<Record<LoaFailure, string>> = {
  unreachable: 'chat:failure.cause.unreachable',
  busy: 'chat:failure.cause.busy',
  refused: 'chat:failure.cause.refused',
  failed: 'chat:failure.cause.failed',
  dropped: 'chat:failure.cause.dropped',
  timeout: 'chat:failure.cause.timeout',
  botAccess: 'chat:failure.cause.botAccess',
  repSignIn: 'chat:failure.cause.repSignIn',
  noMailbox: 'chat:failure.cause.noMailbox',
};

/** What happened, in the rep's language: the start of a sentence. */
export function failureCause(t: Translate, failure: LoaFailure): string {
  return t(FAILURE_CAUSE[failure]);
}

/** What the rep can do about it; `retry` is the button to press, already in the rep's words ("Press Retry"). */
export function nextStep(t: Translate, failure: LoaFailure, retry: string): string {
  if (failure === 'botAccess') return t('chat:failure.next.botAccess');
  if (failure === 'repSignIn') return t('chat:failure.next.repSignIn', { retry });
  if (failure === 'noMailbox') return t('chat:failure.next.noMailbox');
  return t('chat:failure.next.later', { retry });
}
