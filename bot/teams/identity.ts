import { TeamsInfo } from 'botbuilder';
import type { TurnContext } from 'botbuilder';
import type { RepIdentity } from '../domain/rep';

/** Establishes who is taking a turn. Never reads anything the rep typed or any card data. */
export interface RepIdentityProvider {
  resolve(context: TurnContext): Promise<RepIdentity>;
}

/** A rep the bot cannot identify; the turn ends with a message saying why. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';
}

/**
 * Identity from the rep's Teams roster entry (TeamsInfo.getMember). Good enough for
 * local runs and the Agents Playground; single sign-on replaces it in production.
 */
export class RosterIdentityProvider implements RepIdentityProvider {
  async resolve(context: TurnContext): Promise<RepIdentity> {
    const from = context.activity.from;
    if (!from?.id) throw new IdentityError('The activity names no sender');
    const member = await TeamsInfo.getMember(context, from.id);
    const upn = member.userPrincipalName || member.email;
    const objectId = member.aadObjectId || from.aadObjectId;
    const tenantId = member.tenantId || context.activity.conversation?.tenantId;
    if (!upn || !objectId || !tenantId) throw new IdentityError('The Teams roster gave no email, object id or tenant for this rep');
    return { objectId, tenantId, upn: upn.toLowerCase(), name: member.name || from.name || upn };
  }
}
