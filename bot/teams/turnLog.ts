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
  // Read now: the logger may be used after the turn (a follow-up), when the context is revoked.
  // The correlation id is made when the turn first needs it, which most turns never do.
  const correlationId = lazyCorrelationId(context);
  const activity = { type: a.type, name: a.name, id: a.id, channel: a.channelId };
  const from = a.from?.aadObjectId ?? a.from?.id;
  const log = lazyChild(root, () => root.child({ correlationId: correlationId(), activity, rep: hashId(from) }));
  context.turnState.set(LOG_KEY, log);
  return log;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
const ignore = () => undefined;

/**
 * A child logger that is only built once something is logged at an enabled level: building
 * one serialises (and redacts) its bindings, work wasted on the many turns that log nothing.
 */
function lazyChild(root: Logger, make: () => Logger): Logger {
  let child: Logger | undefined;
  return new Proxy(root, {
    get(_target, property) {
      if (typeof property === 'string' && LEVELS.has(property) && !root.isLevelEnabled(property)) return ignore;
      child ??= make();
      const value: unknown = Reflect.get(child, property, child);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(child) : value;
    },
  });
}

/** The turn's correlation id, made on first use: the one a rep is told ("reference") is the one the logs carry. */
export function correlationIdOf(context: TurnContext): string {
  let id = context.turnState.get<string | undefined>(CORRELATION_KEY);
  if (!id) {
    id = randomUUID();
    context.turnState.set(CORRELATION_KEY, id);
  }
  return id;
}

/** The turn's correlation id, as a function that still works once the turn is over and its context revoked. */
function lazyCorrelationId(context: TurnContext): () => string {
  let id = context.turnState.get<string | undefined>(CORRELATION_KEY);
  return () => {
    if (id) return id;
    try {
      return (id = correlationIdOf(context));
    } catch {
      // The turn ended (its context is revoked) before anything needed the id: a fresh one.
      return (id = randomUUID());
    }
  };
}
