import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear in a log object. The LOA client never
 * logs request bodies or headers; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'access_token',
  'id_token',
  'idToken',
  'authorization',
  'Authorization',
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.token',
  '*.access_token',
  '*.id_token',
  '*.idToken',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'req.headers.authorization',
];

export function createLogger(options: { level: string; name?: string }, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'loa-bot',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * The parts of an error that are safe to log. Errors from HTTP libraries carry their
 * request, headers and body; copying only these fields keeps tokens out of the logs.
 */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; statusCode?: unknown; status?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    stack: e.stack,
  };
}
