import type { Logger } from 'pino';
import type { AdaptiveCard } from '../../cards/render';
import type { AgreementRecords, ConversationOrigin } from '../domain/agreementRecords';
import type { Clock } from '../domain/clock';
import type { AgreementDeleter } from '../domain/deletions';
import type { Draft } from '../domain/draft';
import type { FollowUps, PendingFollowUp } from '../domain/followUps';
import type { LoaPrincipal, LoaService } from '../domain/loaService';
import type { RepIdentity } from '../domain/rep';
import type { AgreementSender } from '../domain/submissions';
import type { TemplateCatalog } from '../domain/templateCatalog';
import type { Translate } from '../i18n';

/** What the bot remembers about one conversation. Saved after every turn. */
export interface ConversationData {
  draft?: Draft;
  /** The last draft the rep cancelled with something typed, kept so Restore can bring it back until `until` (epoch ms). */
  cancelled?: { draft: Draft; until: number };
  /** Drafts closed because the rep started a newer one, newest last, so their cards can say so. */
  replacedDraftIds?: string[];
  /** Results promised in this chat ("I post the result here"), shown on the next turn if still undelivered then. */
  pendingFollowUps?: Array<Pick<PendingFollowUp, 'kind' | 'id'>>;
}

/** One turn as the flows see it: no botbuilder types, so flows can move to another SDK. */
export interface FlowContext {
  readonly log: Logger;
  readonly conversation: ConversationData;
  /**
   * The rep key of whoever took this turn, as Teams asserts it on the activity: cheap, so it
   * can check a card's owner before anything slow. Falls back to the resolved rep.
   */
  caller(): Promise<string>;
  /** The rep taking this turn; resolved on first use. */
  rep(): Promise<RepIdentity>;
  /** The LOA API principal acting for this rep in this turn. */
  principal(): Promise<LoaPrincipal>;
  /** This chat, and the card that was pressed, for news that comes later. */
  readonly origin: ConversationOrigin;
  /** The rep's Teams locale (BCP 47), for dates and numbers; "en-US" when Teams gives none or one Intl does not know. */
  readonly locale: string;
  /** The rep's words: looks up `chat:…` (and any catalog) key in the language of `locale`, English when we have no catalog for it. */
  readonly t: Translate;
  /** The rep's IANA time zone, as Teams gives it, for when a day starts ("today", "last month"); "UTC" when Teams gives none or one Intl does not know. */
  readonly timeZone: string;
}

/** What a handler wants shown. */
export interface FlowResult {
  /** Replaces the card that was pressed, or is sent when the turn came from text. */
  card: AdaptiveCard;
  /** Chat messages to post after the card, sent as plain text: what a rep typed stays literal. */
  messages?: string[];
  /**
   * A later result, for work that outlives the turn (a slow LOA API). It settles with the
   * work, and gives the result once called: the delivery holds its stored promise first, so
   * that only a delivery that may post takes the announcement. The result's card replaces
   * this turn's card and its messages are posted.
   */
  followUp?: Promise<() => Promise<FlowResult>>;
  /** What the Teams layer tells the stored promise as it delivers the follow-up. */
  delivery?: FollowUpDelivery;
  /** A follow-up is delivering this outcome right now: a redelivery leaves it to that one. */
  heldElsewhere?: boolean;
  /** Called when `messages` could not be posted: this turn had won the right to tell the chat, and gives it back. */
  unannounce?: () => Promise<void>;
}

/** The stored promise of a follow-up, as its delivery goes. */
export interface FollowUpDelivery {
  /** Delivery goes on for up to `ms`: no other instance, nor the rep's next turn, shows it meanwhile. */
  holding(ms: number): Promise<void>;
  /** It reached the chat: forgotten. */
  delivered(): Promise<void>;
  /** Teams refused it: anyone may show it again. */
  failed(): Promise<void>;
}

/** Everything the flows need, built once by the composition root. */
export interface FlowDeps {
  readonly catalog: TemplateCatalog;
  readonly sender: AgreementSender;
  readonly records: AgreementRecords;
  readonly deleter: AgreementDeleter;
  /** Results promised to reps and not yet delivered, kept across restarts and instances. */
  readonly followUps: FollowUps;
  /** How long a promised result is left to the instance that promised it before another delivers it. */
  readonly followUpGraceMs: number;
  /** For status refreshes in "my LOAs"; creates and deletes go through sender and deleter. */
  readonly loa: LoaService;
  readonly clock: Clock;
  /** How long Send waits for the API before answering "Sending…". */
  readonly sendAckAfterMs: number;
  readonly newId: () => string;
}

export type FlowHandler<T = Record<string, unknown>> = (ctx: FlowContext, data: T) => Promise<FlowResult>;
