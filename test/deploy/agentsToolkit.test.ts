/**
 * Offline checks of the Microsoft 365 Agents Toolkit project: the Toolkit's own YAML schema (a
 * copy in test/fixtures/agents-toolkit), the files the YAML points at, every `${{VAR}}` having
 * a source, and the Entra app manifest agreeing with the Teams manifest's single sign-on.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { CONFIG_KEYS } from '../../bot/config';

const root = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const schema = JSON.parse(read('test/fixtures/agents-toolkit/yaml.schema.v1.13.json')) as { properties: { version: { const: string } } };

/** The project files, each with its environment file. */
const PROJECTS = [
  { file: 'm365agents.yml', env: 'env/.env.dev' },
  { file: 'm365agents.local.yml', env: 'env/.env.local' },
] as const;

const TEAMS_CLIENTS = ['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346'];

/** Variables the Toolkit itself provides or asks for. */
const BUILT_IN = new Set(['TEAMSFX_ENV', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME', 'AAD_APP_ACCESS_AS_USER_PERMISSION_ID']);

interface Action {
  uses: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}

interface Project {
  version: string;
  provision?: Action[];
  deploy?: Action[];
}

const project = (file: string) => parse(read(file)) as Project;
const actionsOf = (p: Project) => [...(p.provision ?? []), ...(p.deploy ?? [])];
const variablesIn = (text: string) => [...text.matchAll(/\$\{\{(\w+)\}\}/g)].map((m) => m[1]!);
const keysOfEnvFile = (text: string) => [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

/** What each action writes: its writeToEnvironmentFile, a script's set-teamsfx-env, arm/deploy's outputs upper-cased. */
function variablesWrittenBy(action: Action): string[] {
  const written = Object.values(action.writeToEnvironmentFile ?? {});
  if (action.uses === 'script') written.push(...[...String(action.with?.run).matchAll(/::set-teamsfx-env (\w+)=/g)].map((m) => m[1]!));
  if (action.uses === 'arm/deploy') {
    for (const template of action.with?.templates as Array<{ path: string }>) {
      written.push(...[...read(template.path).matchAll(/^output (\w+) /gm)].map((m) => m[1]!.toUpperCase()));
    }
  }
  return written;
}

/** Paths an action reads, relative to the project root. */
function pathsReadBy(action: Action): string[] {
  const w = action.with ?? {};
  const paths = ['manifestPath', 'ignoreFile', 'artifactFolder'].flatMap((key) => (typeof w[key] === 'string' ? [w[key]] : []));
  for (const template of (w.templates ?? []) as Array<{ path: string; parameters?: string }>) paths.push(template.path, ...(template.parameters ? [template.parameters] : []));
  return paths;
}

describe('Agents Toolkit project', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  for (const { file, env } of PROJECTS) {
    describe(file, () => {
      it(`is valid against the Toolkit's YAML schema ${schema.properties.version.const}`, () => {
        const valid = validate(project(file));
        assert.ok(valid, JSON.stringify(validate.errors, null, 2));
        assert.equal(project(file).version, schema.properties.version.const);
      });

      it('points at files that exist: manifest/, the Bicep and its parameters, the Entra app manifest', () => {
        const paths = actionsOf(project(file)).flatMap(pathsReadBy);
        assert.ok(paths.includes('./manifest/manifest.json'));
        assert.ok(paths.includes('./manifest/aad.manifest.json'));
        for (const path of paths) assert.ok(existsSync(join(root, path)), `${file} reads ${path}, which does not exist`);
      });

      it(`gives every \${{VAR}} a source: ${env}, its .user file, an earlier action or the Toolkit`, () => {
        const actions = actionsOf(project(file));
        const known = new Set([...BUILT_IN, ...keysOfEnvFile(read(env)), ...actions.flatMap(variablesWrittenBy)]);
        const readers = [file, ...actions.flatMap(pathsReadBy).filter((p) => p.endsWith('.json'))];
        for (const reader of readers) {
          for (const variable of variablesIn(read(reader))) {
            if (variable.startsWith('SECRET_')) continue; // written by an action, or by hand in the git-ignored .user file
            assert.ok(known.has(variable), `${reader} uses \${{${variable}}}, which nothing sets for ${file}`);
          }
        }
      });
    });
  }

  it('hands the local bot only settings it reads', () => {
    const envFile = actionsOf(project('m365agents.local.yml')).find((a) => a.uses === 'file/createOrUpdateEnvironmentFile');
    const keys = Object.keys(envFile?.with?.envs as Record<string, unknown>);
    for (const key of keys) assert.ok(key in CONFIG_KEYS, `${key} is not a setting of bot/config`);
  });

  it('passes main.bicep only parameters it declares, and every one it requires', () => {
    const bicep = read('deploy/azure/main.bicep');
    const declared = [...bicep.matchAll(/^param (\w+) \w+( =)?/gm)];
    const given = Object.keys((JSON.parse(read('deploy/azure/main.parameters.agents-toolkit.json')) as { parameters: object }).parameters);
    for (const name of given) assert.ok(declared.some((d) => d[1] === name), `main.bicep has no parameter ${name}`);
    for (const [, name, hasDefault] of declared) if (!hasDefault && name !== 'deployerPrincipalId') assert.ok(given.includes(name!), `${name} is required by main.bicep`);
  });

  it('keeps secrets in the env/.env.*.user files git ignores', () => {
    assert.match(read('.gitignore'), /^env\/\.env\.\*\.user$/m);
    for (const { env } of PROJECTS) assert.deepEqual(keysOfEnvFile(read(env)).filter((k) => k.startsWith('SECRET_')), [], `${env} holds a secret`);
  });

  describe('Entra app manifest', () => {
    interface AadManifest {
      appId: string;
      identifierUris: string[];
      api: { oauth2PermissionScopes: Array<{ id: string; value: string; type: string; isEnabled: boolean }>; preAuthorizedApplications: Array<{ appId: string; delegatedPermissionIds: string[] }> };
      web: { redirectUris: string[] };
    }
    const aad = JSON.parse(read('manifest/aad.manifest.json')) as AadManifest;
    const teams = JSON.parse(read('manifest/manifest.json')) as { webApplicationInfo: { id: string; resource: string }; bots: Array<{ botId: string }> };

    it('is the app the Teams manifest names for single sign-on and as the bot', () => {
      assert.equal(aad.appId, teams.webApplicationInfo.id);
      assert.equal(aad.appId, teams.bots[0]!.botId);
      assert.deepEqual(aad.identifierUris, [teams.webApplicationInfo.resource]);
      assert.equal(teams.webApplicationInfo.resource, `api://botid-${aad.appId}`, 'the token exchange URL the bot and the OAuth connection expect');
    });

    it('exposes access_as_user, pre-authorized for the Teams clients', () => {
      const scope = aad.api.oauth2PermissionScopes.find((s) => s.value === 'access_as_user');
      assert.ok(scope?.isEnabled && scope.type === 'User');
      assert.deepEqual(
        aad.api.preAuthorizedApplications.map((p) => p.appId),
        TEAMS_CLIENTS,
      );
      for (const client of aad.api.preAuthorizedApplications) assert.deepEqual(client.delegatedPermissionIds, [scope.id]);
    });

    it("lets the Azure Bot's OAuth connection sign in", () => {
      assert.deepEqual(aad.web.redirectUris, ['https://token.botframework.com/.auth/web/redirect']);
    });
  });
});
