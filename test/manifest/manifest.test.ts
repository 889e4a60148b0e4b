import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { COMMANDS } from '../../cards/simpleCards';
import { drawColorIcon, drawOutlineIcon } from '../../manifest/drawIcons';
import { ME_COMMANDS } from '../../bot/teams/messageExtension';
import { buildAppPackage, checkIcons, fillManifest, readLocalizations, validateLocalizations, validateManifest } from '../../manifest/packageApp';
import type { AppIcons, TeamsManifest } from '../../manifest/packageApp';

const root = resolve(__dirname, '../..');
const manifestDir = resolve(root, 'manifest');
const config = { appId: '7f3c2a9e-4b1d-4e8a-9c6f-2d5b8e1a0f47', domain: 'loa.example.com' };
const BOT_SCOPES = ['personal', 'groupChat', 'team'] as const;

function filledManifest(): TeamsManifest {
  return fillManifest(readFileSync(resolve(manifestDir, 'manifest.json'), 'utf8'), config);
}

function committedIcons(): AppIcons {
  return { color: readFileSync(resolve(manifestDir, 'color.png')), outline: readFileSync(resolve(manifestDir, 'outline.png')) };
}

function theBot(manifest: TeamsManifest) {
  assert.equal(manifest.bots?.length, 1, 'the app has exactly one bot');
  return manifest.bots[0]!;
}

/** Pixels of an outline icon that Teams would refuse: anything visible that is not white. */
function nonWhitePixels(png: PNG): number {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const visible = png.data[i + 3] !== 0;
    const white = png.data[i] === 255 && png.data[i + 1] === 255 && png.data[i + 2] === 255;
    if (visible && !white) count++;
  }
  return count;
}

/** Runs `npm run package` as package.json defines it, in a bare environment plus `env`. */
function runPackageScript(env: Record<string, string>) {
  const scripts = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [command, ...args] = (scripts.package ?? '').split(' ');
  assert.equal(command, 'node', `the package script runs node directly: ${scripts.package}`);
  return spawnSync(process.execPath, args, {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
    cwd: root,
    encoding: 'utf8',
    timeout: 25_000,
  });
}

describe('Teams app package', () => {
  describe('manifest', () => {
    it('validates against the official Teams schema without going online', async () => {
      const realFetch = globalThis.fetch;
      globalThis.fetch = () => Promise.reject(new Error('the manifest check must not fetch anything'));
      try {
        assert.deepEqual(await validateManifest(filledManifest()), []);
      } finally {
        globalThis.fetch = realFetch;
      }
    });

    it('rejects a bot without an id and a short description over 80 characters, saying where', async () => {
      const manifest = filledManifest();
      const broken = {
        ...manifest,
        description: { ...manifest.description, short: 'x'.repeat(300) },
        bots: [{ ...theBot(manifest), botId: undefined }],
      };
      const problems = await validateManifest(broken);
      assert.ok(problems.some((p) => p.includes('/bots/0') && p.includes("'botId'")), problems.join('\n'));
      assert.ok(problems.some((p) => p.includes('/description/short') && p.includes('80')), problems.join('\n'));
    });

    it('offers the app in French, with a French file the official localization schema accepts offline', async () => {
      const manifest = filledManifest();
      assert.equal(manifest.localizationInfo?.defaultLanguageTag, 'en-us');
      assert.deepEqual(manifest.localizationInfo?.additionalLanguages, [{ languageTag: 'fr', file: 'fr.json' }]);
      const { localizations, problems } = readLocalizations(manifest);
      assert.deepEqual(problems, []);
      const realFetch = globalThis.fetch;
      globalThis.fetch = () => Promise.reject(new Error('the localization check must not fetch anything'));
      try {
        assert.deepEqual(await validateLocalizations(manifest, localizations), []);
      } finally {
        globalThis.fetch = realFetch;
      }
      const french = localizations['fr.json'] as Record<string, string>;
      assert.equal(french['name.full'], 'Lettres d’accord');
    });

    it('translates only strings the manifest has, and every command description', () => {
      const manifest = filledManifest() as unknown as Record<string, unknown>;
      const french = readLocalizations(filledManifest()).localizations['fr.json'] as Record<string, string>;
      const at = (path: string) => path.split(/\.|\[|\]\.?/).filter(Boolean).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], manifest);
      for (const key of Object.keys(french).filter((k) => k !== '$schema')) assert.equal(typeof at(key), 'string', `${key} is a string of manifest.json`);
      const commands = theBot(filledManifest()).commandLists?.[0]?.commands ?? [];
      commands.forEach((_, i) => assert.ok(french[`bots[0].commandLists[0].commands[${i}].description`], `command ${i} has a French description`));
    });

    it('rejects a French file that is missing or breaks the localization schema, saying which', async () => {
      const manifest = filledManifest();
      assert.match((await validateLocalizations(manifest, {})).join('\n'), /fr\.json.*missing/);
      const broken = { ...(readLocalizations(manifest).localizations['fr.json'] as object), 'description.short': 'x'.repeat(200), 'name.short': undefined };
      const problems = await validateLocalizations(manifest, { 'fr.json': broken });
      assert.ok(problems.some((p) => p.startsWith('fr.json') && p.includes('description.short')), problems.join('\n'));
      assert.ok(problems.some((p) => p.includes("'name.short'")), problems.join('\n'));
    });

    it('rejects a $schema that names another schema version than manifestVersion', async () => {
      const manifest = { ...filledManifest(), $schema: 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.16/MicrosoftTeams.schema.json' };
      const problems = await validateManifest(manifest);
      assert.ok(problems.some((p) => p.includes('$schema') && p.includes('v1.16')), problems.join('\n'));
    });

    it('fills in every placeholder and refuses one it does not know', () => {
      const filled = JSON.stringify(filledManifest());
      assert.doesNotMatch(filled, /\$\{\{/);
      assert.equal(filledManifest().id, config.appId);
      assert.throws(() => fillManifest('{"id": "${{TENANT_ID}}"}', config), /TENANT_ID/);
    });

    it('offers the bot, under the app id, in personal chats, group chats and teams', () => {
      const bot = theBot(filledManifest());
      assert.equal(bot.botId, config.appId);
      assert.deepEqual([...(bot.scopes ?? [])].sort(), [...BOT_SCOPES].sort());
      assert.equal(bot.supportsFiles, false);
      assert.equal(bot.isNotificationOnly, false);
    });

    it('lists send LOA, my LOAs and help in the command menu of every scope', () => {
      const lists = theBot(filledManifest()).commandLists ?? [];
      for (const scope of BOT_SCOPES) {
        const titles = lists.filter((list) => (list.scopes ?? []).includes(scope)).flatMap((list) => (list.commands ?? []).map((c) => c.title));
        for (const command of ['send LOA', 'my LOAs', 'help']) assert.ok(titles.includes(command), `${scope} offers "${command}": ${titles.join(', ')}`);
      }
    });

    it('offers only commands the bot understands', () => {
      const understood = COMMANDS.map((c) => c.command.replace(/\s*<[^>]+>/g, ''));
      const offered = (theBot(filledManifest()).commandLists ?? []).flatMap((list) => (list.commands ?? []).map((c) => c.title));
      for (const title of offered) assert.ok(understood.includes(title), `"${title}" is one of ${understood.join(', ')}`);
    });

    it("asks Teams for single sign-on tokens for the bot's own app registration", () => {
      const manifest = filledManifest();
      assert.equal(manifest.webApplicationInfo?.id, config.appId);
      assert.equal(manifest.webApplicationInfo?.resource, `api://botid-${config.appId}`);
      assert.ok(manifest.permissions?.includes('identity'));
    });

    it('offers the message extension on the bot: "Send an LOA" from a message and the compose box, "LOAs" as a search', () => {
      const manifest = filledManifest();
      assert.equal(manifest.composeExtensions?.length, 1);
      const extension = manifest.composeExtensions[0]!;
      // Without its bot, Teams refuses the extension's invokes (BotNotInConversationRoster).
      assert.equal(extension.botId, config.appId);
      assert.equal(extension.botId, theBot(manifest).botId);
      const byId = new Map((extension.commands ?? []).map((c) => [c.id, c]));
      const send = byId.get(ME_COMMANDS.sendLoa);
      assert.equal(send?.type, 'action');
      assert.equal(send?.fetchTask, true);
      assert.deepEqual([...(send?.context ?? [])].sort(), ['compose', 'message']);
      const search = byId.get(ME_COMMANDS.searchLoas);
      assert.equal(search?.type, 'query');
      assert.deepEqual(search?.parameters?.map((p) => p.name), ['query']);
      assert.equal(byId.size, 2, 'only the commands the bot answers');
    });

    it('describes the search so that Microsoft 365 Copilot can use it as a plugin', () => {
      const search = filledManifest().composeExtensions![0]!.commands!.find((c) => c.id === ME_COMMANDS.searchLoas)!;
      assert.match(search.semanticDescription ?? '', /status/);
      assert.match(search.semanticDescription ?? '', /only theirs/);
      assert.ok((search.samplePrompts ?? []).length >= 3, 'sample prompts for Copilot');
      for (const parameter of search.parameters ?? []) {
        assert.ok(parameter.description, `${parameter.name} has a description`);
        assert.ok(parameter.semanticDescription, `${parameter.name} has a semantic description`);
      }
    });

    it('rejects a message extension command with an unknown context or a sample prompt over 128 characters, saying where', async () => {
      const manifest = filledManifest();
      const extension = manifest.composeExtensions![0]!;
      const [first, ...rest] = extension.commands!;
      const broken = { ...manifest, composeExtensions: [{ ...extension, commands: [{ ...first!, context: ['everywhere'], samplePrompts: [{ text: 'x'.repeat(200) }] }, ...rest] }] };
      const problems = await validateManifest(broken);
      assert.ok(problems.some((p) => p.includes('/composeExtensions/0/commands/0/context')), problems.join('\n'));
      assert.ok(problems.some((p) => p.includes('/composeExtensions/0/commands/0/samplePrompts/0/text')), problems.join('\n'));
    });

    it('trusts the bot domain and the Bot Framework token service used by sign-in', () => {
      const domains = filledManifest().validDomains ?? [];
      assert.ok(domains.includes(config.domain), domains.join(', '));
      assert.ok(domains.includes('token.botframework.com'), domains.join(', '));
    });
  });

  describe('icons', () => {
    it('has a 192×192 color icon and a 32×32 outline icon of only white and fully transparent pixels', () => {
      const icons = committedIcons();
      const color = PNG.sync.read(icons.color);
      const outline = PNG.sync.read(icons.outline);
      assert.deepEqual([color.width, color.height], [192, 192]);
      assert.deepEqual([outline.width, outline.height], [32, 32]);
      assert.equal(nonWhitePixels(outline), 0);
      assert.ok(outline.data.some((value, i) => i % 4 === 3 && value === 0), 'the outline has a transparent background');
      assert.deepEqual(checkIcons(icons), []);
    });

    it('refuses icons of the wrong size and an outline icon with coloured pixels', () => {
      const icons = committedIcons();
      const problems = checkIcons({ color: icons.outline, outline: icons.color });
      assert.ok(problems.some((p) => p.includes('color icon must be 192×192') && p.includes('32×32')), problems.join('\n'));
      assert.ok(problems.some((p) => p.includes('outline icon must be 32×32')), problems.join('\n'));
      assert.ok(problems.some((p) => p.includes('outline icon must be white on transparent')), problems.join('\n'));
    });

    it('are the icons manifest/drawIcons.ts draws', () => {
      const icons = committedIcons();
      assert.ok(PNG.sync.read(icons.color).data.equals(drawColorIcon().data), 'color.png is up to date: run npx tsx manifest/drawIcons.ts');
      assert.ok(PNG.sync.read(icons.outline).data.equals(drawOutlineIcon().data), 'outline.png is up to date: run npx tsx manifest/drawIcons.ts');
    });
  });

  describe('npm run package', () => {
    it('puts manifest.json, both icons and the language files at the root of the zip', async () => {
      const manifest = filledManifest();
      const zip = await JSZip.loadAsync(await buildAppPackage(manifest, committedIcons(), readLocalizations(manifest).localizations));
      assert.deepEqual(Object.keys(zip.files).sort(), ['color.png', 'fr.json', 'manifest.json', 'outline.png']);
    });

    it('writes dist/appPackage/loa-bot-<version>.zip with the values filled in and both icons', async function () {
      this.timeout(30_000);
      const run = runPackageScript({ MicrosoftAppId: config.appId, BOT_DOMAIN: config.domain });
      assert.equal(run.status, 0, run.stderr);
      const path = run.stdout.trim().split('\n').at(-1) ?? '';
      const template = JSON.parse(readFileSync(resolve(manifestDir, 'manifest.json'), 'utf8')) as { version: string };
      assert.equal(path, resolve(root, 'dist/appPackage', `loa-bot-${template.version}.zip`));

      const zip = await JSZip.loadAsync(readFileSync(path));
      const manifest = JSON.parse((await zip.file('manifest.json')?.async('string')) ?? '{}') as TeamsManifest;
      assert.equal(manifest.id, config.appId);
      assert.equal(theBot(manifest).botId, config.appId);
      assert.equal(manifest.webApplicationInfo?.resource, `api://botid-${config.appId}`);
      assert.ok(manifest.validDomains?.includes(config.domain));
      const icons = committedIcons();
      assert.ok((await zip.file('color.png')?.async('nodebuffer'))?.equals(icons.color), 'color.png is in the zip');
      assert.ok((await zip.file('outline.png')?.async('nodebuffer'))?.equals(icons.outline), 'outline.png is in the zip');
      const french = JSON.parse((await zip.file('fr.json')?.async('string')) ?? '{}') as Record<string, string>;
      assert.deepEqual(french, JSON.parse(readFileSync(resolve(manifestDir, 'fr.json'), 'utf8')), 'fr.json is in the zip');
    });

    it('stops with exit code 1 and names MicrosoftAppId when it is missing', function () {
      this.timeout(30_000);
      // Set but empty, so a developer's .env cannot supply it.
      const run = runPackageScript({ MicrosoftAppId: '', BOT_DOMAIN: config.domain });
      assert.equal(run.status, 1, run.stdout);
      assert.match(run.stderr, /MicrosoftAppId is required to build the Teams app package/);
      assert.equal(run.stdout, '');
    });
  });
});
