/** The config of the local LOA sandbox (`npm run sandbox`, `npm run dev`): never read in production. */
import { z } from 'zod';
import type { Env } from './configSchema';
import { ConfigError, deepFreeze, freePortOnlyInTests, int, problemsOf, setting, sharedFields } from './configSchema';

/** The credentials the sandbox accepts unless told others, as .env.sample documents them. */
const LOCAL_LOA_CREDENTIALS = { clientId: 'local-loa-client', clientSecret: 'local-loa-secret' } as const;

export const sandboxFields = {
  NODE_ENV: sharedFields.NODE_ENV,
  LOA_SANDBOX_PORT: int(0, 65535, 4010).describe('port of `npm run sandbox`, 1-65535 (default 4010); 0 picks a free port, with NODE_ENV=test only'),
  LOA_SANDBOX_TOKEN_TTL_S: int(1, 86_400, 3600).describe('lifetime of sandbox tokens in seconds (default 3600)'),
  LOA_SANDBOX_FAULTS: setting(z.string().optional())
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .describe('JSON fault plan for the sandbox, e.g. {"create":{"latencyMs":2000,"rates":{"503":0.1}}}'),
  LOA_CLIENT_ID: setting(z.string().default(LOCAL_LOA_CREDENTIALS.clientId)).describe(`the client id the sandbox accepts (default ${LOCAL_LOA_CREDENTIALS.clientId})`),
  LOA_CLIENT_SECRET: setting(z.string().default(LOCAL_LOA_CREDENTIALS.clientSecret)).describe(`the client secret the sandbox accepts (default ${LOCAL_LOA_CREDENTIALS.clientSecret})`),
  LOA_TEMPLATES_FILE: sharedFields.LOA_TEMPLATES_FILE,
  LOG_LEVEL: sharedFields.LOG_LEVEL,
};

const sandboxSchema = z.object(sandboxFields).superRefine((env, ctx) => {
  if (env.LOA_SANDBOX_PORT === 0 && env.NODE_ENV !== 'test') freePortOnlyInTests(ctx, 'LOA_SANDBOX_PORT');
});

export interface SandboxConfig {
  readonly port: number;
  readonly tokenTtlS: number;
  readonly faults: unknown;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly templatesFile: string;
  readonly logLevel: string;
}

export function loadSandboxConfig(env: Env = process.env): SandboxConfig {
  const parsed = sandboxSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error, sandboxFields));
  const e = parsed.data;
  return deepFreeze<SandboxConfig>({
    port: e.LOA_SANDBOX_PORT,
    tokenTtlS: e.LOA_SANDBOX_TOKEN_TTL_S,
    faults: e.LOA_SANDBOX_FAULTS,
    clientId: e.LOA_CLIENT_ID,
    clientSecret: e.LOA_CLIENT_SECRET,
    templatesFile: e.LOA_TEMPLATES_FILE,
    logLevel: e.LOG_LEVEL,
  });
}
