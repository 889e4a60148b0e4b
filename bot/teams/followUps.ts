import { CardFactory, MessageFactory } from 'botbuilder';
import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { FlowResult } from '../flows/flowContext';
import { describeError } from './errors';

/**
 * Delivers results that arrive after a turn has answered (a slow LOA API): the card the
 * rep pressed is updated in place and the messages are posted to the same chat.
 */
export class FollowUps {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  deliver(reference: Partial<ConversationReference>, cardActivityId: string | undefined, result: Promise<FlowResult>, log: Logger): void {
    const delivery = result
      .then((r) => this.post(reference, cardActivityId, r))
      .then(() => log.info('Follow-up delivered'))
      .catch((err: unknown) => log.error({ err: describeError(err) }, 'Could not deliver a follow-up'))
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Waits for undelivered follow-ups, for a graceful shutdown. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async post(reference: Partial<ConversationReference>, cardActivityId: string | undefined, result: FlowResult): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      const card = CardFactory.adaptiveCard(result.card);
      if (cardActivityId) await context.updateActivity({ ...MessageFactory.attachment(card), id: cardActivityId });
      else await context.sendActivity(MessageFactory.attachment(card));
      for (const text of result.messages ?? []) await context.sendActivity(MessageFactory.text(text));
    });
  }
}
