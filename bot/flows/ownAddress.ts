import { isEmail } from '../domain/draft';
import { describeError } from '../logger';
import type { FlowContext } from './flowContext';

/**
 * The rep's own email, offered for status notifications; undefined when their sign-in name
 * is not an address, or when who they are is not known yet (not signed in, Teams not
 * answering). The offer is a convenience: the draft in front of the rep must show without it,
 * and Send asks for the rep again and says plainly if that fails.
 */
export async function ownAddress(ctx: FlowContext): Promise<string | undefined> {
  try {
    const { upn } = await ctx.rep();
    return isEmail(upn) ? upn : undefined;
  } catch (err) {
    ctx.log.warn({ err: describeError(err) }, 'The rep is not known yet; their address is not offered for notifications');
    return undefined;
  }
}
