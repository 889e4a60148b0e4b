import { TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { ConversationOrigin } from '../domain/agreementRecords';
import { repKey } from '../domain/rep';
import { translatorFor } from '../i18n';
import type { ConversationData, FlowContext } from '../flows/flowContext';
import type { LoaPrincipals } from '../loa/principals';
import type { RepIdentityProvider, ResolvedRep } from './identity';
import { turnLog } from './turnLog';

const DEFAULT_LOCALE = 'en-US';
const DEFAULT_TIME_ZONE = 'UTC';

/** What a turn needs to know who the rep is and to act for them. */
export interface TurnIdentity {
  identity: RepIdentityProvider;
  principals: LoaPrincipals;
  logger: Logger;
}

/**
 * A Teams turn as the flows see it. `origin` is where later news goes: this chat and the
 * pressed card, unless the caller names another chat (a message extension names the 1:1 one).
 */
export function flowContextOf(context: TurnContext, conversation: ConversationData, parts: TurnIdentity, origin?: ConversationOrigin): FlowContext {
  let resolved: Promise<ResolvedRep> | undefined;
  const resolve = () => (resolved ??= parts.identity.resolve(context));
  const locale = localeOf(context.activity);
  return {
    log: turnLog(context, parts.logger),
    conversation,
    caller: async () => callerKey(context.activity) ?? repKey((await resolve()).rep),
    rep: async () => (await resolve()).rep,
    principal: async () => {
      const { rep, ssoToken } = await resolve();
      return parts.principals.forTurn(rep, ssoToken);
    },
    origin: origin ?? {
      reference: TurnContext.getConversationReference(context.activity),
      ...(context.activity.type === 'invoke' && context.activity.replyToId ? { cardActivityId: context.activity.replyToId } : {}),
      locale,
    },
    locale,
    t: translatorFor(locale),
    timeZone: timeZoneOf(context.activity),
  };
}

/**
 * The rep key of the sender as Teams asserts it on the (authenticated) activity: their Entra
 * object id and tenant. Undefined on channels that do not say.
 */
export function callerKey(activity: Activity): string | undefined {
  const objectId = activity.from?.aadObjectId;
  const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return objectId && tenantId ? repKey({ tenantId, objectId }) : undefined;
}

/** The locale Teams gives the activity, if Intl knows it: a rep's client can send anything here. */
export function localeOf(activity: Activity): string {
  const given = activity.locale;
  if (typeof given !== 'string' || given.length > 35) return DEFAULT_LOCALE;
  return remembered(canonicalLocales, given, () => {
    try {
      return Intl.getCanonicalLocales(given)[0] || DEFAULT_LOCALE;
    } catch {
      return DEFAULT_LOCALE;
    }
  });
}

/** The IANA time zone Teams gives the activity (`localTimezone`), if Intl knows it. */
function timeZoneOf(activity: Activity): string {
  const zone = activity.localTimezone;
  if (typeof zone !== 'string' || zone.length > 64) return DEFAULT_TIME_ZONE;
  return remembered(knownTimeZones, zone, () => {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      return DEFAULT_TIME_ZONE;
    }
  });
}

/** Distinct locales and time zones remembered: Teams sends a few dozen; a client sending junk only fills it. */
const MAX_REMEMBERED = 1000;
const canonicalLocales = new Map<string, string>();
const knownTimeZones = new Map<string, string>();

/**
 * Checking a locale or time zone with Intl builds ICU objects, on every turn; the answer for a
 * given string never changes, so it is remembered.
 */
function remembered(answers: Map<string, string>, given: string, check: () => string): string {
  const known = answers.get(given);
  if (known !== undefined) return known;
  const answer = check();
  if (answers.size < MAX_REMEMBERED) answers.set(given, answer);
  return answer;
}
