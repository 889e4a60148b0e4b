/** The config of `npm run package`: what the Teams app manifest needs filled in. */
import { z } from 'zod';
import type { Env } from './configSchema';
import { ConfigError, GUID, deepFreeze, problemsOf, setting } from './configSchema';

const REQUIRED = 'is required to build the Teams app package';

export const packagingFields = {
  MicrosoftAppId: setting(z.string({ error: REQUIRED }).regex(GUID, 'must be a GUID')).describe('the Azure Bot app registration id (a GUID)'),
  BOT_DOMAIN: setting(z.string({ error: REQUIRED }).regex(/^(?!https?:\/\/)[a-z0-9.-]+(:[0-9]+)?$/i, 'must be a host name without https:// or a path')).describe(
    'host name the bot is served from, e.g. loa-bot.azurewebsites.net (for the Teams app package)',
  ),
};

const packagingSchema = z.object(packagingFields);

/** What `npm run package` needs to fill in the Teams app manifest. */
export interface PackagingConfig {
  readonly appId: string;
  readonly domain: string;
}

export function loadPackagingConfig(env: Env = process.env): PackagingConfig {
  const parsed = packagingSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error, packagingFields));
  return deepFreeze<PackagingConfig>({ appId: parsed.data.MicrosoftAppId, domain: parsed.data.BOT_DOMAIN });
}
