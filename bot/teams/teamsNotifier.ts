import { CardFactory, MessageFactory } from 'botbuilder';
import type { BotAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { ConversationOrigin } from '../domain/agreementRecords';
import type { ChatNotifier } from '../domain/statusWatcher';
import type { FlowResult } from '../flows/flowContext';
import { describeError } from '../logger';
import { plainText } from './loaBot';

/**
 * Posts into a chat outside the turn that started the work: the result of a slow send
 * (updating the pressed card in place) and status news for an agreement.
 */
export class TeamsNotifier implements ChatNotifier {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly adapter: BotAdapter,
    private readonly appId: string,
  ) {}

  /** Delivers a follow-up when it settles; shutdown waits for it (see drain). */
  deliver(reference: Partial<ConversationReference>, cardActivityId: string | undefined, result: Promise<FlowResult>, log: Logger): void {
    const delivery = result
      .then((r) => this.send(reference, cardActivityId, r))
      .then(() => log.info('Follow-up delivered'))
      .catch((err: unknown) => log.error({ err: describeError(err) }, 'Could not deliver a follow-up'))
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  async post(origin: ConversationOrigin, text: string): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, origin.reference as Partial<ConversationReference>, async (context) => {
      await context.sendActivity(plainText(text));
    });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Waits for undelivered follow-ups, for a graceful shutdown. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async send(reference: Partial<ConversationReference>, cardActivityId: string | undefined, result: FlowResult): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      const card = CardFactory.adaptiveCard(result.card);
      if (cardActivityId) await context.updateActivity({ ...MessageFactory.attachment(card), id: cardActivityId });
      else await context.sendActivity(MessageFactory.attachment(card));
      for (const text of result.messages ?? []) await context.sendActivity(plainText(text));
    });
  }
}
