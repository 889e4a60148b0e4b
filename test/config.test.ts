import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_KEYS, ConfigError, MULTI_TENANT_WARNING, loadConfig, loadSandboxConfig } from '../bot/config';

const root = resolve(__dirname, '..');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('runs locally with no configuration at all, on the sandbox and without inbound auth', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3978);
    assert.equal(config.environment, 'development');
    assert.equal(config.loa.baseUrl, undefined);
    assert.equal(config.bot.appId, '');
    assert.equal(config.loa.timeoutMs, 10_000);
    assert.equal(config.loa.authMode, 'impersonate');
  });

  it('is frozen, so nothing can change it after startup', () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.loa));
    assert.throws(() => {
      (config.loa as { timeoutMs: number }).timeoutMs = 1;
    }, TypeError);
  });

  it('refuses to start in production without the LOA API and the bot registration, naming each key', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    assert.ok(problems.some((p) => p.startsWith('LOA_API_BASE_URL is required in production')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('MicrosoftAppId is required in production')), problems.join('\n'));
  });

  it('lists every invalid key at once, each with a hint', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', LOA_AUTH_MODE: 'magic', LOA_API_BASE_URL: 'ftp://x', LOA_HTTP_TIMEOUT_MS: '5' });
    assert.equal(problems.length, 5, problems.join('\n'));
    for (const key of ['PORT', 'LOG_LEVEL', 'LOA_AUTH_MODE', 'LOA_API_BASE_URL', 'LOA_HTTP_TIMEOUT_MS'] as const) {
      const line = problems.find((p) => p.startsWith(`${key} `));
      assert.ok(line, `${key} is reported`);
      assert.ok(line.includes(CONFIG_KEYS[key]), `${key} comes with its hint`);
    }
  });

  it('asks for the LOA credentials when an LOA API URL is set', () => {
    const problems = problemsOf({ LOA_API_BASE_URL: 'https://api.exchange.se.com/ecostruxure' });
    assert.deepEqual(problems.map((p) => p.split(' ')[0]).sort(), ['LOA_CLIENT_ID', 'LOA_CLIENT_SECRET']);
  });

  const SSO = { SSO_CONNECTION_NAME: 'teams-sso', SSO_ALLOWED_TENANTS: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
  /** A single-tenant bot registration, as Azure creates one now and deploy/README.md sets it up. */
  const APP = { MicrosoftAppId: 'a', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
  /** A complete production configuration. */
  const PRODUCTION = {
    NODE_ENV: 'production',
    ...APP,
    MicrosoftAppPassword: 'p',
    ...SSO,
    LOA_API_BASE_URL: 'https://api.exchange.se.com/ecostruxure',
    LOA_CLIENT_ID: 'x',
    LOA_CLIENT_SECRET: 'y',
    STATE_STORAGE: 'blob',
    STATE_BLOB_ACCOUNT_URL: 'https://loastate.blob.core.windows.net',
  };

  it('asks for the credentials each bot app type needs', () => {
    assert.deepEqual(problemsOf({ ...APP, ...SSO }).map((p) => p.split(' ')[0]), ['MicrosoftAppPassword']);
    assert.deepEqual(problemsOf({ ...APP, MicrosoftAppTenantId: '', MicrosoftAppPassword: 'p', ...SSO }).map((p) => p.split(' ')[0]), ['MicrosoftAppTenantId']);
    assert.doesNotThrow(() => loadConfig({ MicrosoftAppId: 'a', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't', ...SSO }));
    assert.doesNotThrow(() => loadConfig({ ...APP, CertificateThumbprint: 'AB12', CertificatePrivateKey: '-----BEGIN PRIVATE KEY-----', ...SSO }));
    assert.deepEqual(problemsOf({ ...APP, CertificateThumbprint: 'AB12', ...SSO }).map((p) => p.split(' ')[0]), ['CertificatePrivateKey']);
  });

  describe('bot app type', () => {
    it('has no default once MicrosoftAppId is set, and says which type Azure creates', () => {
      const problems = problemsOf({ MicrosoftAppId: 'a', MicrosoftAppPassword: 'p', MicrosoftAppTenantId: 't', ...SSO });
      assert.deepEqual(problems.map((p) => p.split(' (expected')[0]), ['MicrosoftAppType is required with MicrosoftAppId']);
      assert.match(problems[0]!, /SingleTenant \(what Azure creates for a new bot/);
    });

    it('takes SingleTenant, the documented path, without a warning', () => {
      const config = loadConfig({ ...APP, MicrosoftAppPassword: 'p', ...SSO });
      assert.equal(config.bot.appType, 'SingleTenant');
      assert.deepEqual(config.warnings, []);
    });

    it('takes MultiTenant only when set, and warns that Azure no longer creates such bots', () => {
      const config = loadConfig({ MicrosoftAppId: 'a', MicrosoftAppType: 'MultiTenant', MicrosoftAppPassword: 'p', ...SSO });
      assert.equal(config.bot.appType, 'MultiTenant');
      assert.deepEqual(config.warnings, [MULTI_TENANT_WARNING]);
      assert.match(MULTI_TENANT_WARNING, /^MicrosoftAppType is MultiTenant: Azure no longer creates multi-tenant bots/);
    });

    it('has no app type without MicrosoftAppId, whatever is set, since nothing is authenticated', () => {
      for (const type of ['', 'SingleTenant', 'MultiTenant']) {
        const config = loadConfig({ MicrosoftAppType: type });
        assert.equal(config.bot.appType, undefined, type);
        assert.deepEqual(config.warnings, [], type);
      }
    });
  });

  describe('rep identity', () => {
    it('uses the roster without an app id, and single sign-on with one', () => {
      assert.equal(loadConfig({}).identity.mode, 'roster');
      const sso = loadConfig({ ...APP, MicrosoftAppPassword: 'p', ...SSO, SSO_ALLOWED_TENANTS: ' 72F988BF-86F1-41AF-91AB-2D7CD011DB47 , 0b2a8c1e-1111-4c3a-9a55-000000000001' });
      assert.deepEqual(sso.identity, { mode: 'sso', connectionName: 'teams-sso', authority: 'https://login.microsoftonline.com', allowedTenants: ['72f988bf-86f1-41af-91ab-2d7cd011db47', '0b2a8c1e-1111-4c3a-9a55-000000000001'] });
    });

    it('refuses the roster identity once inbound authentication is on', () => {
      const problems = problemsOf({ ...APP, MicrosoftAppPassword: 'p', REP_IDENTITY: 'roster' });
      assert.ok(problems.some((p) => p.startsWith('REP_IDENTITY cannot be roster while MicrosoftAppId is set')), problems.join('\n'));
    });

    it('asks for the SSO connection and tenant allow-list with single sign-on', () => {
      const keys = problemsOf({ ...APP, MicrosoftAppPassword: 'p' }).map((p) => p.split(' ')[0]);
      assert.deepEqual(keys, ['SSO_CONNECTION_NAME', 'SSO_ALLOWED_TENANTS']);
      assert.match(problemsOf({ ...APP, MicrosoftAppPassword: 'p', ...SSO, SSO_ALLOWED_TENANTS: 'contoso' })[0]!, /SSO_ALLOWED_TENANTS must be tenant GUIDs/);
    });

    it('needs single sign-on and an OBO scope for the id_token exchange', () => {
      assert.ok(problemsOf({ LOA_AUTH_MODE: 'id_token' }).some((p) => p.startsWith('LOA_AUTH_MODE id_token needs REP_IDENTITY=sso')));
      const keys = problemsOf({ ...APP, MicrosoftAppPassword: 'p', ...SSO, LOA_AUTH_MODE: 'id_token' }).map((p) => p.split(' ')[0]);
      assert.deepEqual(keys, ['LOA_OBO_SCOPE']);
    });
  });

  describe('LOA sign-in', () => {
    const SIGNED_IN = { MicrosoftAppId: 'a', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', ...SSO };
    const CERTIFICATE = { CertificateThumbprint: 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678', CertificatePrivateKey: '-----BEGIN PRIVATE KEY-----' };
    const keysOf = (env: Record<string, string>) => problemsOf(env).map((p) => p.split(' ')[0]);

    it('impersonates the rep\'s sign-in name unless told to use their mailbox address', () => {
      assert.equal(loadConfig({}).loa.impersonateAs, 'upn');
      assert.equal(loadConfig({ ...SIGNED_IN, MicrosoftAppPassword: 'p', LOA_IMPERSONATE_AS: 'mail' }).loa.impersonateAs, 'mail');
      assert.match(problemsOf({ LOA_IMPERSONATE_AS: 'email' })[0]!, /^LOA_IMPERSONATE_AS is invalid \(expected with LOA_AUTH_MODE=impersonate: upn .* or mail/);
    });

    it('reads the mailbox address only with single sign-on, since Graph is asked on the rep\'s behalf', () => {
      assert.ok(problemsOf({ LOA_IMPERSONATE_AS: 'mail' }).some((p) => p.startsWith('LOA_IMPERSONATE_AS mail needs REP_IDENTITY=sso')));
    });

    for (const [setting, env] of [
      ['LOA_AUTH_MODE=id_token', { LOA_AUTH_MODE: 'id_token', LOA_OBO_SCOPE: 'api://loa-bridge/.default' }],
      ['LOA_IMPERSONATE_AS=mail', { LOA_IMPERSONATE_AS: 'mail' }],
    ] as const) {
      it(`takes the client secret or the bot certificate for the on-behalf-of exchange of ${setting}, and asks for one of them`, () => {
        assert.doesNotThrow(() => loadConfig({ ...SIGNED_IN, ...env, MicrosoftAppPassword: 'p' }));
        assert.doesNotThrow(() => loadConfig({ ...SIGNED_IN, ...env, ...CERTIFICATE }));
        const problems = problemsOf({ ...SIGNED_IN, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't', ...env });
        assert.deepEqual(problems.map((p) => p.split(' (expected')[0]), [`MicrosoftAppPassword is required for the on-behalf-of exchange (${setting}), or a certificate: CertificateThumbprint and CertificatePrivateKey`]);
      });
    }

    it('refuses LOA_ID_TOKEN_SOURCE=sso, which relayed the bot\'s own SSO token, and says what to do instead', () => {
      const problems = problemsOf({ ...SIGNED_IN, MicrosoftAppPassword: 'p', LOA_AUTH_MODE: 'id_token', LOA_OBO_SCOPE: 'api://loa-bridge/.default', LOA_ID_TOKEN_SOURCE: 'sso' });
      assert.deepEqual(problems, [
        'LOA_ID_TOKEN_SOURCE sso is no longer supported: the SSO token is issued to the bot and is never relayed to another service. Remove LOA_ID_TOKEN_SOURCE; LOA_AUTH_MODE=id_token always obtains a token for LOA_OBO_SCOPE on the rep\'s behalf',
      ]);
      assert.deepEqual(keysOf({ LOA_ID_TOKEN_SOURCE: 'sso', NODE_ENV: 'development' }), ['LOA_ID_TOKEN_SOURCE']);
      assert.doesNotThrow(() => loadConfig({ ...SIGNED_IN, MicrosoftAppPassword: 'p', LOA_AUTH_MODE: 'id_token', LOA_OBO_SCOPE: 'api://loa-bridge/.default', LOA_ID_TOKEN_SOURCE: 'obo' }), 'obo is what id_token does anyway');
    });
  });

  it('never echoes a secret value in its error', () => {
    const secret = 'S3cr3t-value-never-shown';
    const problems = problemsOf({ LOA_API_BASE_URL: 'not a url', LOA_CLIENT_ID: 'x', LOA_CLIENT_SECRET: secret, MicrosoftAppPassword: secret, PORT: secret });
    assert.equal(problems.join('\n').includes(secret), false);
  });

  describe('numbers', () => {
    const keyOf = (problem: string) => problem.split(' ')[0];

    for (const key of ['PORT', 'LOA_SANDBOX_PORT'] as const) {
      const load = (value: string, env: Record<string, string> = {}) => (key === 'PORT' ? loadConfig({ ...env, PORT: value }).port : loadSandboxConfig({ ...env, LOA_SANDBOX_PORT: value }).port);
      const problemOf = (value: string) => {
        try {
          load(value);
        } catch (err) {
          assert.ok(err instanceof ConfigError);
          return err.problems.join('\n');
        }
        return assert.fail(`${key}=${JSON.stringify(value)} was accepted`);
      };

      it(`takes ${key} only as a port written in decimal digits`, () => {
        assert.equal(load('5144'), 5144);
        assert.equal(load('1'), 1);
        assert.equal(load('65535'), 65535);
        for (const value of ['0x1416', '5.143e3', ' 5144 ', '5144 ', '+5144', '-1', '5144.0', '1_000', 'eighty']) {
          assert.match(problemOf(value), new RegExp(`^${key} must be a whole number written in decimal digits \\(expected`), JSON.stringify(value));
        }
        assert.match(problemOf('65536'), new RegExp(`^${key} must be at most 65535`));
      });

      it(`takes ${key}=0, a free port, only with NODE_ENV=test`, () => {
        assert.equal(load('0', { NODE_ENV: 'test' }), 0);
        assert.match(problemOf('0'), new RegExp(`^${key} can be 0 only with NODE_ENV=test`));
      });
    }

    it('reads every other whole number as strictly', () => {
      const problems = problemsOf({ LOA_HTTP_TIMEOUT_MS: '1e4', LOA_MAX_RETRIES: ' 3', SEND_ACK_AFTER_MS: '0x320', REP_IDENTITY_CACHE_S: '2.5', STATUS_POLL_STOP_AFTER_H: '-720' });
      assert.deepEqual(problems.map(keyOf).sort(), ['LOA_HTTP_TIMEOUT_MS', 'LOA_MAX_RETRIES', 'REP_IDENTITY_CACHE_S', 'SEND_ACK_AFTER_MS', 'STATUS_POLL_STOP_AFTER_H']);
      for (const problem of problems) assert.match(problem, /must be a whole number written in decimal digits/);
      assert.equal(loadConfig({ LOA_HTTP_TIMEOUT_MS: '2500' }).loa.timeoutMs, 2500);
    });
  });

  it('needs an https LOA API in production, and takes http elsewhere', () => {
    assert.deepEqual(problemsOf({ ...PRODUCTION, LOA_API_BASE_URL: 'http://api.exchange.se.com/ecostruxure' }).map((p) => p.split(' (expected')[0]), [
      'LOA_API_BASE_URL must be https in production: the client secret and the reps\' tokens travel on it',
    ]);
    assert.equal(loadConfig({ NODE_ENV: 'test', LOA_API_BASE_URL: 'http://127.0.0.1:4010', LOA_CLIENT_ID: 'x', LOA_CLIENT_SECRET: 'y' }).loa.baseUrl, 'http://127.0.0.1:4010');
    assert.equal(loadConfig({ LOA_API_BASE_URL: 'http://localhost:4010', LOA_CLIENT_ID: 'x', LOA_CLIENT_SECRET: 'y' }).loa.baseUrl, 'http://localhost:4010');
  });

  describe('HTTP host', () => {
    it('listens on loopback in development and test, and on every interface in production', () => {
      assert.equal(loadConfig({}).host, '127.0.0.1');
      assert.equal(loadConfig({ NODE_ENV: 'test' }).host, '127.0.0.1');
      assert.equal(loadConfig(PRODUCTION).host, '0.0.0.0');
    });

    it('takes HOST as an IP address or a host name', () => {
      assert.equal(loadConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0');
      assert.equal(loadConfig({ HOST: '::1' }).host, '::1');
      assert.equal(loadConfig({ ...PRODUCTION, HOST: '127.0.0.1' }).host, '127.0.0.1');
      assert.equal(loadConfig({ HOST: 'bot.internal' }).host, 'bot.internal');
      for (const host of ['http://0.0.0.0', '0.0.0.0:3978', 'two words']) assert.match(problemsOf({ HOST: host })[0]!, /^HOST must be an IP address or a host name/, host);
    });

    it('bounds requests in flight and the time to send headers and body, by default and as configured', () => {
      assert.deepEqual(loadConfig({}).http, { maxInFlight: 200, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 });
      assert.deepEqual(loadConfig({ HTTP_MAX_IN_FLIGHT: '50', HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_BODY_TIMEOUT_MS: '20000' }).http, { maxInFlight: 50, headersTimeoutMs: 5000, bodyTimeoutMs: 20_000 });
      const problems = problemsOf({ HTTP_MAX_IN_FLIGHT: '0', HTTP_HEADERS_TIMEOUT_MS: '999', HTTP_BODY_TIMEOUT_MS: '60001' });
      assert.deepEqual(problems.map((p) => p.split(' (expected')[0]), ['HTTP_MAX_IN_FLIGHT must be at least 1', 'HTTP_HEADERS_TIMEOUT_MS must be at least 1000', 'HTTP_BODY_TIMEOUT_MS must be at most 60000']);
    });
  });

  it('strips a trailing slash from the LOA base URL', () => {
    const config = loadConfig({ LOA_API_BASE_URL: 'https://api.exchange.se.com/ecostruxure/', LOA_CLIENT_ID: 'x', LOA_CLIENT_SECRET: 'y' });
    assert.equal(config.loa.baseUrl, 'https://api.exchange.se.com/ecostruxure');
  });

  it('reads the sandbox settings, fault plan included', () => {
    const sandbox = loadSandboxConfig({ LOA_SANDBOX_PORT: '4999', LOA_SANDBOX_FAULTS: '{"create":{"latencyMs":5}}' });
    assert.equal(sandbox.port, 4999);
    assert.deepEqual(sandbox.faults, { create: { latencyMs: 5 } });
    assert.throws(() => loadSandboxConfig({ LOA_SANDBOX_FAULTS: '{nope' }), /LOA_SANDBOX_FAULTS is invalid|not valid JSON/);
  });

  describe('documentation', () => {
    it('documents every key in .env.sample with a comment, and only those keys', () => {
      const sample = readFileSync(resolve(root, '.env.sample'), 'utf8').split('\n');
      const keys = sample.filter((l) => /^[A-Za-z_]+=/.test(l)).map((l) => l.split('=')[0]);
      assert.deepEqual([...keys].sort(), Object.keys(CONFIG_KEYS).sort());
      for (const key of keys) {
        const index = sample.findIndex((l) => l.startsWith(`${key}=`));
        assert.match(sample[index - 1] ?? '', /^#/, `${key} has a comment above it`);
      }
    });

    it('lists every key in the README configuration table', () => {
      const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
      for (const key of Object.keys(CONFIG_KEYS)) assert.ok(readme.includes(`| \`${key}\``), `README documents ${key}`);
    });
  });

  it('stops npm start in production with every missing key listed, before serving anything', function () {
    this.timeout(30_000);
    const run = spawnSync(process.execPath, ['--import', 'tsx', resolve(root, 'bot/index.ts')], {
      // A bare environment: only what Node needs to run, plus production.
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production' },
      cwd: root,
      encoding: 'utf8',
      timeout: 25_000,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /LOA_API_BASE_URL is required in production/);
    assert.match(run.stderr, /MicrosoftAppId is required in production/);
  });
});
