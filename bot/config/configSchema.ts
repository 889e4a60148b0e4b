/**
 * What the three configs (the bot's, the sandbox's, the app package's) are built from: field
 * schemas whose hint lives in `.describe()`, the fields more than one of them reads, and the
 * error that lists every problem at once, each with its key's hint.
 */
import { resolve } from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';

export type Env = Record<string, string | undefined>;

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A setting where a blank value means "not set", so that .env.sample's empty lines are defaults. */
export const setting = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema);

export const optionalString = setting(z.string().optional());

/** A whole number written in decimal digits only: no sign, exponent, hex prefix or surrounding spaces. */
export const int = (min: number, max: number, fallback: number) =>
  setting(
    z
      .string()
      .regex(/^[0-9]+$/, 'must be a whole number written in decimal digits')
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .default(fallback),
  );

/** Fields the bot and the sandbox both read, with the same meaning. */
export const sharedFields = {
  NODE_ENV: setting(z.enum(['development', 'test', 'production']).default('development')).describe('development, test or production'),
  LOG_LEVEL: setting(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')).describe('one of fatal, error, warn, info, debug, trace, silent (default info)'),
  LOA_TEMPLATES_FILE: setting(z.string().default(resolve(__dirname, '../domain/loaTemplates.json'))).describe('path of the LOA template catalog JSON (default: the bundled catalog)'),
};

/** Port 0 lets the OS pick a free port: right for tests, which read the URL back, and a surprise anywhere else. */
export function freePortOnlyInTests(ctx: z.RefinementCtx, key: string): void {
  ctx.addIssue({ code: 'custom', path: [key], message: 'can be 0 only with NODE_ENV=test' });
}

/** Thrown at startup with every configuration problem listed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The hint of every described field; where several field sets describe a key, the first one's. */
export function hintsOf(...fieldSets: z.ZodRawShape[]): Record<string, string> {
  const hints: Record<string, string> = {};
  for (const [key, field] of fieldSets.flatMap((fields) => Object.entries(fields))) {
    const hint = z.globalRegistry.get(field)?.description;
    if (hint !== undefined && !(key in hints)) hints[key] = hint;
  }
  return hints;
}

/** One line per issue: the key, what is wrong (never the value, which may be a secret), and its hint. */
export function problemsOf(error: z.ZodError, fields: z.ZodRawShape): string[] {
  const hints = hintsOf(fields);
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const hint = hints[key];
    const message = issue.code === 'custom' || issue.message.startsWith('is ') || issue.message.startsWith('must ') ? issue.message : 'is invalid';
    return `${key} ${message}${hint ? ` (expected ${hint})` : ''}`;
  });
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Reads .env (without overriding real environment variables) into `env`. */
export function loadDotEnv(env: Env = process.env): void {
  dotenv.config({ processEnv: env, quiet: true });
}
