/**
 * What tests and the bench both send the bot: who the rep is, what their chat looks like,
 * and what they type. It loads nothing but node:crypto, so that a measured server (bench/echoBot.ts)
 * loads nothing more than these values.
 */
import { randomUUID } from 'node:crypto';
import type { RosterMember } from './fakeTeams';

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** The template of the overview's example: "Distributor pricing agreement". */
export const DISTRIBUTOR_TEMPLATE_ID = '1891f288-eed5-4253-8934-a1160207b6b9';

/**
 * One sentence a rep types to start the distributor LOA: the template, the signer, the
 * customer, a discount, a product range and a period, all read by the sentence parser.
 */
export const DISTRIBUTOR_SENTENCE = 'send the distributor pricing LOA to Jane Doe jane.doe@acme.example for Acme Distribution SAS, 12.5% discount on low voltage, from 1 April 2026 to 31 March 2027';

/** Details a rep would type for the distributor pricing template. */
export function distributorDetails(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    signerName: 'Jane Customer',
    signerEmail: 'jane.customer@acme.example',
    ccName: '',
    ccEmail: '',
    f_customerName: 'Acme Distribution SAS',
    f_accountNumber: '1234567',
    f_productRange: 'LV',
    f_discountPercent: '12.5',
    f_startDate: '2026-04-01',
    f_endDate: '2027-03-31',
    f_specialTerms: '',
    notifyEnabled: 'false',
    notifyEmails: '',
    emailSubject: '',
    emailMessage: '',
    ...overrides,
  };
}

/** A Teams user whose UPN and email are `slug`@se.com; of our tenant unless told otherwise. */
export function rosterMember(name: string, slug: string, tenantId = TENANT_ID): RosterMember {
  return { id: `29:${randomUUID()}`, name, aadObjectId: randomUUID(), userPrincipalName: `${slug}@se.com`, email: `${slug}@se.com`, tenantId };
}

/** A rep's 1:1 chat with the bot, as Teams names it in every activity. */
export interface PersonalChat {
  member: RosterMember;
  conversationId: string;
  /** The Bot Connector the bot answers through: the fake Teams' URL. */
  serviceUrl: string;
}

/** An activity of `type` from the rep in `chat`, as Teams posts it to the bot. */
export function personalChatActivity(type: string, chat: PersonalChat): Record<string, unknown> {
  const { member, conversationId, serviceUrl } = chat;
  return {
    type,
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: member.id, name: member.name, aadObjectId: member.aadObjectId },
    recipient: { id: '28:loa-bot', name: 'LOA bot' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: member.tenantId },
    channelData: { tenant: { id: member.tenantId } },
    locale: 'en-US',
  };
}
