import pino from 'pino';
import type { Logger } from 'pino';
import pinoPretty from 'pino-pretty';

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

export interface LoggerOptions {
  level: string;
  name?: string;
  /** Lines for a person at a terminal instead of JSON lines; see `wantsPrettyLogs`. */
  pretty?: boolean;
}

/**
 * JSON lines, or with `pretty` coloured one-line entries. Redaction runs before either format,
 * so a secret is blanked out in both.
 */
export function createLogger(options: LoggerOptions, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? 'loa-bot',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.pretty ? prettyStream(destination) : destination,
  );
}

/**
 * Pretty logs only for a developer watching a terminal. Production and tests keep JSON lines,
 * and so does any output that goes to a pipe or a file, where a program reads it.
 */
export function wantsPrettyLogs(environment: 'development' | 'test' | 'production', stdoutIsTty: boolean): boolean {
  return environment === 'development' && stdoutIsTty;
}

function prettyStream(destination: pino.DestinationStream | undefined): pino.DestinationStream {
  // In-process and synchronous: no worker thread to start, and no line lost when the process exits at once.
  return pinoPretty({ colorize: destination === undefined, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true, destination: destination ?? 1 });
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
