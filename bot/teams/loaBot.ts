import { ActivityTypes, CardFactory, MessageFactory, StatusCodes, TeamsActivityHandler, TurnContext } from 'botbuilder';
import type { Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ConversationState, InvokeResponse, StatePropertyAccessor } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AdaptiveCard } from '../../cards/render';
import { renderNoticeCard } from '../../cards/simpleCards';
import { ALL_VERBS, VERBS } from '../../cards/verbs';
import type { Verb } from '../../cards/verbs';
import type { RepIdentity } from '../domain/rep';
import { recognizeCommand } from '../flows/commands';
import type { ConversationData, FlowContext, FlowHandler, FlowResult } from '../flows/flowContext';
import type { Flows } from '../flows';
import { describeError } from '../logger';
import type { TeamsNotifier } from './teamsNotifier';
import { IdentityError } from './identity';
import type { RepIdentityProvider } from './identity';
import { correlationIdOf, turnLog } from './turnLog';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const executeAction = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().max(100),
    data: z.record(z.string(), z.unknown()).optional().nullable(),
  }),
});

export interface LoaBotDeps {
  flows: Flows;
  conversationState: ConversationState;
  identity: RepIdentityProvider;
  notifier: TeamsNotifier;
  logger: Logger;
}

/** The Teams layer: maps messages and card verbs to flow handlers and renders what they return. */
export class LoaBot extends TeamsActivityHandler {
  private readonly conversationData: StatePropertyAccessor<ConversationData>;

  constructor(private readonly deps: LoaBotDeps) {
    super();
    this.conversationData = deps.conversationState.createProperty<ConversationData>('loa');

    this.onMessage(async (context, next) => {
      const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
      const recognized = recognizeCommand(typeof text === 'string' ? text : '');
      const handler = recognized ? deps.flows.commands[recognized.command] : deps.flows.unknownText;
      turnLog(context, deps.logger).info({ command: recognized?.command ?? 'unknown' }, 'Message');
      const result = await this.runFlow(context, handler, recognized?.argument ? { argument: recognized.argument } : {});
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(result.card)));
      await this.postMessages(context, result);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botAdded = context.activity.membersAdded?.some((m) => m.id === context.activity.recipient?.id);
      if (botAdded) {
        const result = await deps.flows.welcome(this.flowContext(context, {}), {});
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(result.card)));
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.deps.conversationState.saveChanges(context, false);
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name === 'adaptiveCard/action' && !executeAction.safeParse(context.activity.value).success) {
      turnLog(context, this.deps.logger).warn('Malformed adaptiveCard/action invoke');
      return { status: StatusCodes.BAD_REQUEST, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'This card action is malformed.' } } };
    }
    return super.onInvokeActivity(context);
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const verb = invokeValue.action.verb;
    const log = turnLog(context, this.deps.logger);
    log.info({ verb }, 'Card action');
    if (!isVerb(verb)) {
      return cardResponse(renderNoticeCard({ title: 'This button no longer works', text: 'Type **help** to see what I can do.' }));
    }
    const data = invokeValue.action.data ?? {};
    const result = await this.runFlow(context, this.deps.flows.verbs[verb], data);
    await this.postMessages(context, result);
    if (result.followUp) {
      this.deps.notifier.deliver(TurnContext.getConversationReference(context.activity), context.activity.replyToId, result.followUp, log);
    }
    return cardResponse(result.card);
  }

  private async runFlow(context: TurnContext, handler: FlowHandler, data: Record<string, unknown>): Promise<FlowResult> {
    const conversation = await this.conversationData.get(context, {});
    const ctx = this.flowContext(context, conversation);
    try {
      return await handler(ctx, data);
    } catch (err) {
      if (!(err instanceof IdentityError)) throw err;
      ctx.log.warn({ err: describeError(err) }, 'Could not identify the rep');
      return {
        card: renderNoticeCard({
          title: "I couldn't tell who you are",
          text: 'Teams did not give me your work email, so I cannot send LOAs for you. Nothing was sent. Ask IT to check your Teams profile, then try again.',
          style: 'attention',
        }),
      };
    }
  }

  private flowContext(context: TurnContext, conversation: ConversationData): FlowContext {
    let rep: Promise<RepIdentity> | undefined;
    return {
      log: turnLog(context, this.deps.logger),
      conversation,
      rep: () => (rep ??= this.deps.identity.resolve(context)),
      origin: {
        reference: TurnContext.getConversationReference(context.activity),
        ...(context.activity.type === 'invoke' && context.activity.replyToId ? { cardActivityId: context.activity.replyToId } : {}),
      },
    };
  }

  private async postMessages(context: TurnContext, result: FlowResult): Promise<void> {
    for (const text of result.messages ?? []) await context.sendActivity(MessageFactory.text(text));
  }
}

function isVerb(verb: string): verb is Verb {
  return ALL_VERBS.includes(verb);
}

export function cardResponse(card: AdaptiveCard): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
}

/** The invoke response for a turn that failed, so the pressed card says so instead of spinning. */
export function failedTurnInvokeResponse(context: TurnContext): Partial<Activity> | undefined {
  if (context.activity.type !== 'invoke' || context.activity.name !== 'adaptiveCard/action') return undefined;
  const parsed = z.object({ action: z.object({ data: z.object({ draftId: z.string().max(100) }) }) }).safeParse(context.activity.value);
  const draftId = parsed.success ? parsed.data.action.data.draftId : undefined;
  const card = renderNoticeCard({
    title: 'Something went wrong on my side',
    text: `Nothing new was sent. ${draftId ? 'Your draft is kept: press Back to my draft to carry on.' : 'Type **send LOA** to start again.'} Reference: ${correlationIdOf(context)}`,
    style: 'attention',
    actions: draftId ? [{ title: 'Back to my draft', verb: VERBS.editDraft, data: { draftId } }] : [],
  });
  return { type: ActivityTypes.InvokeResponse, value: { status: 200, body: cardResponse(card) } };
}
