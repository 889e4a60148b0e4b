import { createHash, randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';

const LOG_KEY = Symbol('loaTurnLog');
const CORRELATION_KEY = Symbol('loaCorrelationId');

/** A short, stable pseudonym for a user id, so logs can follow a rep without naming them. */
export function hashId(id: string | undefined): string | undefined {
  return id ? createHash('sha256').update(id).digest('hex').slice(0, 16) : undefined;
}

/** The turn's logger, carrying its correlation id; created on first use. */
export function turnLog(context: TurnContext, root: Logger): Logger {
  const existing = context.turnState.get<Logger | undefined>(LOG_KEY);
  if (existing) return existing;
  const a = context.activity;
  const log = root.child({
    correlationId: correlationIdOf(context),
    activity: { type: a.type, name: a.name, id: a.id, channel: a.channelId },
    rep: hashId(a.from?.aadObjectId ?? a.from?.id),
  });
  context.turnState.set(LOG_KEY, log);
  return log;
}

export function correlationIdOf(context: TurnContext): string {
  let id = context.turnState.get<string | undefined>(CORRELATION_KEY);
  if (!id) {
    id = randomUUID();
    context.turnState.set(CORRELATION_KEY, id);
  }
  return id;
}
