import type { LoaFailure } from '../domain/loaService';

/** What happened, in a rep's words: one sentence start per kind of failure. */
export const FAILURE_CAUSE: Readonly<Record<LoaFailure, string>> = {
  unreachable: 'The LOA service could not be reached',
  busy: 'The LOA service is busy',
  refused: 'The LOA service refused it',
  failed: 'The LOA service failed while it was handling it',
  dropped: 'The connection to the LOA service dropped before it answered',
  timeout: 'The LOA service did not answer in time',
  botAccess: "The LOA bot's access to the LOA service was refused",
  repSignIn: 'The LOA service did not accept your sign-in',
  noMailbox: 'Your account has no mailbox address for the LOA service to know you by',
};

/** What the rep can do about it. */
export function nextStep(failure: LoaFailure, retry: string): string {
  if (failure === 'botAccess') return 'Your admin has been told; try again later.';
  if (failure === 'repSignIn') return `${retry}; if it happens again, contact LOA support.`;
  if (failure === 'noMailbox') return 'Ask IT to give your account a mailbox, then try again.';
  return `${retry} in a minute.`;
}
