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
