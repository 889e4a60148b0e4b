/**
 * Static checks of deploy/azure: az and bicep are not available offline, so the Bicep is read as
 * text. Every key the bot reads must reach the web app (or be allowed out, with a reason), secrets
 * must come from Key Vault, and the pieces Teams single sign-on depends on must be there.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_KEYS } from '../../../bot/config';
import type { ConfigKey } from '../../../bot/config';

const root = resolve(__dirname, '../../..');
const azureDir = join(root, 'deploy/azure');

/**
 * Keys the bot reads that main.bicep deliberately leaves out of the app settings, each with why.
 * A key here that the Bicep sets after all, or that the bot no longer reads, fails a test.
 */
const NOT_IN_BICEP: Readonly<Partial<Record<ConfigKey, string>>> = {
  // App Service sets PORT in its Node container and forwards requests to that port.
  PORT: 'set by App Service itself',
  // In production the bot listens on 0.0.0.0 unless told otherwise: App Service forwards to the container from outside it.
  HOST: 'its production default is what App Service needs',
  // Read only by `npm run sandbox` (loadSandboxConfig); production never starts the sandbox.
  LOA_SANDBOX_PORT: 'local sandbox only',
  LOA_SANDBOX_TOKEN_TTL_S: 'local sandbox only',
  LOA_SANDBOX_FAULTS: 'local sandbox only',
};

/** App settings whose value is a secret: only ever a Key Vault reference, or empty when unused. */
const SECRET_KEYS: readonly ConfigKey[] = ['LOA_CLIENT_SECRET', 'MicrosoftAppPassword', 'CertificatePrivateKey'];

const KEY_VAULT_REFERENCE = /^'@Microsoft\.KeyVault\(SecretUri=\$\{[\w.]+\}\)'$/;

interface BicepFile {
  readonly path: string;
  readonly text: string;
}

interface AppSetting {
  readonly name: string;
  /** The value expression, as written. */
  readonly value: string;
}

interface BicepParam {
  readonly name: string;
  readonly required: boolean;
  readonly secure: boolean;
}

function bicepFilesUnder(dir: string): BicepFile[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.bicep'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

/**
 * The `{ name: '…' value: … }` entries of every `appSettings` array literal (`var appSettings = [`
 * or `appSettings: [`), from its opening line to the `]` at the same indentation.
 */
function appSettingsIn(text: string): AppSetting[] {
  const lines = text.split(/\r?\n/);
  const settings: AppSetting[] = [];
  lines.forEach((line, start) => {
    const opening = /^(\s*)(?:var\s+)?appSettings\s*[:=]\s*\[\s*$/.exec(line);
    if (!opening) return;
    const indent = opening[1] ?? '';
    const end = lines.findIndex((candidate, i) => i > start && candidate.startsWith(`${indent}]`));
    assert.ok(end > start, `the appSettings array opened on line ${start + 1} is closed`);
    const block = lines.slice(start + 1, end).join('\n');
    for (const entry of block.matchAll(/\{\s*(?:\/\/[^\n]*\n\s*)*name:\s*'([^']+)'\s*\n\s*value:\s*(.+?)\s*\n\s*\}/g)) {
      settings.push({ name: entry[1]!, value: entry[2]! });
    }
  });
  return settings;
}

/** `param` declarations; required when they have no default, secure when decorated with @secure(). */
function paramsIn(text: string): BicepParam[] {
  const lines = text.split(/\r?\n/);
  const params: BicepParam[] = [];
  lines.forEach((line, i) => {
    const declaration = /^param\s+(\w+)\s+\w+(\s*=)?/.exec(line);
    if (!declaration) return;
    let secure = false;
    for (let above = i - 1; above >= 0 && lines[above]!.trim() !== '' && !lines[above]!.startsWith('param '); above--) {
      if (lines[above]!.trim() === '@secure()') secure = true;
    }
    params.push({ name: declaration[1]!, required: declaration[2] === undefined, secure });
  });
  return params;
}

function stringLiterals(expression: string): string[] {
  return [...expression.matchAll(/'(?:[^'\\]|\\.)*'/g)].map((m) => m[0]);
}

/** The decorator lines (`@maxLength(24)`, …) right above `param <name>`, and what follows its `=`, if anything. */
function paramDeclaration(text: string, name: string): { decorators: string[]; defaultValue: string | undefined } {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((line) => new RegExp(`^param\\s+${name}\\s`).test(line));
  assert.ok(at >= 0, `param ${name} is declared`);
  const decorators: string[] = [];
  for (let above = at - 1; above >= 0 && lines[above]!.trim() !== '' && !lines[above]!.startsWith('param '); above--) decorators.push(lines[above]!.trim());
  const defaultValue = /=\s*(.+)$/.exec(lines[at]!)?.[1]?.trim();
  return { decorators, defaultValue };
}

/** The @maxLength of every param of a file that has one. */
function maxLengths(text: string): Map<string, number> {
  const bounds = new Map<string, number>();
  for (const match of text.matchAll(/^param\s+(\w+)\s/gm)) {
    const limit = paramDeclaration(text, match[1]!).decorators.map((d) => /^@maxLength\((\d+)\)$/.exec(d)?.[1]).find(Boolean);
    if (limit) bounds.set(match[1]!, Number(limit));
  }
  return bounds;
}

/**
 * The longest string a name expression can produce, given the params' @maxLength: a bounded param,
 * a literal with interpolations of those, uniqueString() (13 characters) and take(x, n).
 * Infinity for anything else, so an unbounded name fails.
 */
function longestName(expression: string, bounds: ReadonlyMap<string, number>): number {
  const e = expression.trim();
  if (/^\w+$/.test(e)) return bounds.get(e) ?? Infinity;
  if (/^uniqueString\(.*\)$/.test(e)) return 13;
  const take = /^take\((.+),\s*(\d+)\)$/.exec(e);
  if (take) return Math.min(Number(take[2]), longestName(take[1]!, bounds));
  const literal = /^'(.*)'$/.exec(e);
  if (!literal) return Infinity;
  const parts = literal[1]!.split(/\$\{([^}]*)\}/);
  return parts.reduce((sum, part, i) => sum + (i % 2 === 0 ? part.length : longestName(part, bounds)), 0);
}

/** `resource … 'type@version'` declarations with the `name:` directly inside them. */
function resourcesIn(text: string): Array<{ type: string; name: string }> {
  const lines = text.split(/\r?\n/);
  return lines.flatMap((line, i) => {
    const declaration = /^resource\s+\w+\s+'([^'@]+)@[^']+'/.exec(line);
    if (!declaration || line.includes(' existing')) return [];
    const name = lines.slice(i + 1).map((l) => /^ {2}name:\s*(.+)$/.exec(l)?.[1]).find(Boolean);
    return name ? [{ type: declaration[1]!, name }] : [];
  });
}

/** Azure's length limits of the names the templates give. */
const NAME_LIMITS: Readonly<Record<string, number>> = {
  'Microsoft.Web/serverfarms': 60,
  'Microsoft.Web/sites': 60,
  'Microsoft.ManagedIdentity/userAssignedIdentities': 128,
  'Microsoft.OperationalInsights/workspaces': 63,
  'Microsoft.Insights/components': 260,
  'Microsoft.KeyVault/vaults': 24,
  'Microsoft.Storage/storageAccounts': 24,
  'Microsoft.Storage/storageAccounts/blobServices/containers': 63,
  'Microsoft.BotService/botServices': 64,
};

const runbook = readFileSync(join(root, 'deploy/README.md'), 'utf8');

const bicepFiles = bicepFilesUnder(azureDir);
const allBicep = bicepFiles.map((f) => f.text).join('\n');
const mainBicep = readFileSync(join(azureDir, 'main.bicep'), 'utf8');
const appSettings = bicepFiles.flatMap((f) => appSettingsIn(f.text));
const settingNames = new Set(appSettings.map((s) => s.name));
const configKeys = Object.keys(CONFIG_KEYS) as ConfigKey[];

describe('Azure deployment (deploy/azure)', () => {
  describe('configuration keys', () => {
    it('finds the web app settings in the Bicep', () => {
      assert.ok(bicepFiles.some((f) => f.path.endsWith('main.bicep')), 'deploy/azure/main.bicep exists');
      assert.ok(appSettings.length >= 10, `found only ${appSettings.length} app settings`);
    });

    it('sets every key the bot reads as an app setting, except the ones allowed out', () => {
      const missing = configKeys.filter((key) => !settingNames.has(key) && !(key in NOT_IN_BICEP));
      assert.deepEqual(missing, [], `not set in deploy/azure/*.bicep: ${missing.join(', ')}`);
    });

    it('allows out only keys the bot reads and the Bicep does not set, each with a reason', () => {
      for (const [key, reason] of Object.entries(NOT_IN_BICEP)) {
        assert.ok(key in CONFIG_KEYS, `${key} is allowed out of the Bicep but is not in CONFIG_KEYS`);
        assert.ok(!settingNames.has(key), `${key} is allowed out of the Bicep but the Bicep sets it`);
        assert.ok(reason.trim().length > 0, `${key} is allowed out without a reason`);
      }
    });

    it('sets each app setting once', () => {
      const duplicates = appSettings.map((s) => s.name).filter((name, i, names) => names.indexOf(name) !== i);
      assert.deepEqual(duplicates, []);
    });

    it('lists every key the bot reads in .env.sample', () => {
      const sample = readFileSync(join(root, '.env.sample'), 'utf8');
      const missing = configKeys.filter((key) => !new RegExp(`^${key}=`, 'm').test(sample));
      assert.deepEqual(missing, [], `not in .env.sample: ${missing.join(', ')}`);
    });

    it('documents every key the bot reads in the README configuration table', () => {
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      const missing = configKeys.filter((key) => !readme.includes(`| \`${key}\``));
      assert.deepEqual(missing, [], `not in README.md: ${missing.join(', ')}`);
    });
  });

  describe('secrets', () => {
    for (const key of SECRET_KEYS) {
      it(`takes ${key} from a Key Vault reference, never from a literal`, () => {
        const setting = appSettings.find((s) => s.name === key);
        assert.ok(setting, `${key} is an app setting`);
        const literals = stringLiterals(setting.value);
        assert.ok(literals.some((l) => KEY_VAULT_REFERENCE.test(l)), `${key} = ${setting.value} is a @Microsoft.KeyVault(SecretUri=...) reference`);
        const others = literals.filter((l) => l !== "''" && !KEY_VAULT_REFERENCE.test(l));
        assert.deepEqual(others, [], `${key} has no value but the reference (or empty when unused)`);
      });
    }

    it('takes the secrets as @secure() parameters and never puts one into an app setting', () => {
      const mainSecrets = paramsIn(mainBicep).filter((p) => p.secure).map((p) => p.name);
      assert.deepEqual(['appClientSecret', 'certificatePrivateKey', 'loaClientSecret'].filter((p) => !mainSecrets.includes(p)), [], 'secret parameters of main.bicep lack @secure()');
      const secureParams = bicepFiles.flatMap((f) => paramsIn(f.text)).filter((p) => p.secure).map((p) => p.name);
      const leaks = appSettings.filter((s) => secureParams.some((p) => new RegExp(`\\b${p}\\b`).test(s.value)));
      assert.deepEqual(leaks.map((s) => s.name), []);
    });

    it('resolves Key Vault references with the web app\'s user-assigned identity', () => {
      assert.match(allBicep, /keyVaultReferenceIdentity:\s*identityId\b/);
      assert.match(allBicep, /type:\s*'UserAssigned'/);
    });
  });

  describe('web app', () => {
    it('runs on Node 22 LTS', () => {
      assert.match(allBicep, /linuxFxVersion:\s*'NODE\|22-lts'/);
    });

    it('is probed on /healthz', () => {
      assert.match(allBicep, /healthCheckPath:\s*'\/healthz'/);
    });

    it('serves HTTPS only, stays loaded, and has FTP off and TLS 1.2 at least', () => {
      assert.match(allBicep, /httpsOnly:\s*true/);
      assert.match(allBicep, /alwaysOn:\s*true/);
      assert.match(allBicep, /ftpsState:\s*'Disabled'/);
      assert.match(allBicep, /minTlsVersion:\s*'1\.2'/);
    });

    it('builds on deploy and starts the built entry that npm start serves', () => {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      const startup = /appCommandLine:\s*'([^']+)'/.exec(allBicep)?.[1];
      assert.equal(startup, pkg.scripts.serve);
      assert.equal(pkg.scripts.start, 'npm run build && npm run serve');
      assert.equal(appSettings.find((s) => s.name === 'SCM_DO_BUILD_DURING_DEPLOYMENT')?.value, "'true'");
      assert.match(appSettings.find((s) => s.name === 'CUSTOM_BUILD_COMMAND')?.value ?? '', /npm ci --include=dev && npm run build\b/);
    });

    it('runs in production with single sign-on', () => {
      assert.equal(appSettings.find((s) => s.name === 'NODE_ENV')?.value, "'production'");
      assert.equal(appSettings.find((s) => s.name === 'REP_IDENTITY')?.value, "'sso'");
    });
  });

  describe('Azure Bot', () => {
    it('sends activities to /api/messages on the web app', () => {
      assert.match(allBicep, /'https:\/\/\$\{webApp\.outputs\.defaultHostName\}\/api\/messages'/);
    });

    it('has the Microsoft Teams channel, without calling', () => {
      assert.match(allBicep, /channelName:\s*'MsTeamsChannel'/);
      assert.match(allBicep, /enableCalling:\s*false/);
    });

    it('has the Aadv2 OAuth connection whose token exchange URL is api://botid-{appId}', () => {
      assert.match(allBicep, /Microsoft\.BotService\/botServices\/connections@/);
      assert.match(allBicep, /serviceProviderId:\s*'30dd229c-58e3-4a48-bdfd-91ec48eb906c'/);
      assert.match(allBicep, /serviceProviderDisplayName:\s*'Azure Active Directory v2'/);
      assert.match(allBicep, /key:\s*'tokenExchangeUrl'\s*\n\s*value:\s*'api:\/\/botid-\$\{\w+\}'/);
      assert.match(allBicep, /scopes:\s*'[^']*api:\/\/botid-\$\{\w+\}\/access_as_user[^']*'/);
    });
  });

  describe('names', () => {
    const resources = bicepFiles.flatMap((f) => resourcesIn(f.text).map((r) => ({ ...r, file: f })));

    it('finds a named resource of every type whose name length it checks', () => {
      const found = new Set(resources.map((r) => r.type));
      assert.deepEqual(Object.keys(NAME_LIMITS).filter((type) => !found.has(type)), []);
    });

    for (const [type, limit] of Object.entries(NAME_LIMITS)) {
      it(`keeps every ${type} name within ${limit} characters, whatever the parameters`, () => {
        for (const resource of resources.filter((r) => r.type === type)) {
          const longest = longestName(resource.name, maxLengths(resource.file.text));
          assert.ok(longest <= limit, `${resource.file.path}: name ${resource.name} can reach ${longest} characters`);
        }
      });
    }

    it('gives every bounded parameter of main.bicep a default that fits its bound', () => {
      const bounds = maxLengths(mainBicep);
      for (const [param, limit] of bounds) {
        const { defaultValue } = paramDeclaration(mainBicep, param);
        if (defaultValue === undefined || !defaultValue.startsWith("'")) continue;
        assert.ok(longestName(defaultValue, bounds) <= limit, `${param} = ${defaultValue} can pass @maxLength(${limit})`);
      }
    });
  });

  describe('App Service', () => {
    const webAppBicep = readFileSync(join(azureDir, 'modules/webApp.bicep'), 'utf8');

    it('runs one instance unless told otherwise, as the runbook says', () => {
      assert.equal(paramDeclaration(mainBicep, 'instanceCount').defaultValue, '1');
      assert.equal(paramDeclaration(webAppBicep, 'instanceCount').defaultValue, undefined, 'the module takes the count from main.bicep, with no default of its own');
      assert.match(mainBicep, /module webApp '[^']+' = \{[^]*?\n\s+instanceCount: instanceCount\n/);
      assert.match(webAppBicep, /capacity:\s*instanceCount\b/);
    });

    for (const policy of ['ftp', 'scm']) {
      it(`turns off ${policy.toUpperCase()} basic publishing credentials: deployments sign in with Entra ID`, () => {
        const resource = new RegExp(`resource \\w+ 'Microsoft\\.Web/sites/basicPublishingCredentialsPolicies@[^']+' = \\{\\s*parent: site\\s*name: '${policy}'\\s*properties: \\{\\s*allow: false\\s*\\}`);
        assert.match(webAppBicep, resource);
      });
    }
  });

  describe('Key Vault', () => {
    const keyVaultBicep = readFileSync(join(azureDir, 'modules/keyVault.bicep'), 'utf8');

    it('can recover a soft-deleted vault, and creates one by default', () => {
      const { decorators, defaultValue } = paramDeclaration(mainBicep, 'keyVaultCreateMode');
      assert.equal(defaultValue, "'default'");
      assert.match(decorators.join('\n'), /'recover'/);
      assert.match(mainBicep, /createMode:\s*keyVaultCreateMode\b/);
      assert.match(keyVaultBicep, /properties: \{\s*createMode:\s*createMode\b/);
    });

    it('references a secret only when the vault holds it: a missing secret would reach the bot as @Microsoft.KeyVault(...) text', () => {
      for (const key of SECRET_KEYS) {
        const value = appSettings.find((s) => s.name === key)?.value ?? '';
        const conditional = /^(\w+) \? '@Microsoft\.KeyVault\([^']+\)' : ''$/.exec(value);
        assert.ok(conditional, `${key} = ${value} is a reference only under a condition, and empty otherwise`);
      }
      for (const [param, setting] of [['loaClientSecret', 'LOA_CLIENT_SECRET'], ['certificatePrivateKey', 'CertificatePrivateKey']] as const) {
        assert.equal(paramDeclaration(mainBicep, param).defaultValue, "''", `${param} may be left empty`);
        assert.equal(paramDeclaration(mainBicep, `${param}InVault`).defaultValue, 'false');
        const condition = /^(\w+) \?/.exec(appSettings.find((s) => s.name === setting)!.value)![1]!;
        const definition = new RegExp(`^var ${condition} = (.+)$`, 'm').exec(mainBicep)?.[1] ?? '';
        assert.match(definition, new RegExp(`!empty\\(${param}\\) \\|\\| ${param}InVault\\b`), `${setting} is referenced when ${param} is written or already in the vault`);
      }
      assert.ok(paramDeclaration(mainBicep, 'appClientSecret').decorators.includes('@minLength(1)'), 'MicrosoftAppPassword is always written when it is referenced');
    });
  });

  describe('runbook (deploy/README.md)', () => {
    it('registers every resource provider the templates use', () => {
      const used = new Set([...allBicep.matchAll(/^resource\s+\w+\s+'(Microsoft\.\w+)\//gm)].map((m) => m[1]!));
      // Always registered in every subscription.
      used.delete('Microsoft.Authorization');
      const registered = new Set(/for ns in ([^;]+); do\s*\n\s*az provider register --namespace "\$ns"/.exec(runbook)?.[1]?.trim().split(/\s+/) ?? []);
      assert.deepEqual([...used].filter((ns) => !registered.has(ns)).sort(), []);
      assert.deepEqual([...registered].filter((ns) => !used.has(ns)).sort(), []);
    });

    it('deploys the code with Entra ID, never with publishing credentials', () => {
      assert.match(runbook, /az webapp deploy /);
      assert.doesNotMatch(runbook, /publishing-credentials|publish-profile|--password/);
    });

    it('runs the doctor in the web app after every deployment', () => {
      assert.match(runbook, /node dist\/bot\/doctor\.js --as /);
    });
  });

  describe('example parameters', () => {
    const example = JSON.parse(readFileSync(join(azureDir, 'main.parameters.example.json'), 'utf8')) as { parameters: Record<string, unknown> };
    const params = paramsIn(mainBicep);

    it('names only parameters that main.bicep declares', () => {
      const unknown = Object.keys(example.parameters).filter((name) => !params.some((p) => p.name === name));
      assert.deepEqual(unknown, []);
    });

    it('gives every required parameter but the secrets', () => {
      const missing = params.filter((p) => p.required && !p.secure && !(p.name in example.parameters)).map((p) => p.name);
      assert.deepEqual(missing, []);
    });

    it('holds no secret: those are passed on the command line', () => {
      const secrets = params.filter((p) => p.secure && p.name in example.parameters).map((p) => p.name);
      assert.ok(params.some((p) => p.secure), 'main.bicep has @secure() parameters');
      assert.deepEqual(secrets, []);
    });
  });
});
