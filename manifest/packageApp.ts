/**
 * `npm run package`: fills manifest/manifest.json from the packaging config, checks it against
 * the official Teams schema and the icons against Teams' rules, and only then writes
 * dist/appPackage/loa-bot-<version>.zip, the file to upload in Teams.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import type { AppManifest, TeamsManifestV1D24 } from '@microsoft/app-manifest';
import type { JSONSchemaType } from 'ajv';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { ConfigError, loadDotEnv, loadPackagingConfig } from '../bot/config';
import type { PackagingConfig } from '../bot/config';

/** The schema version manifest.json is written against; change it together with `manifestVersion` there. */
export type TeamsManifest = TeamsManifestV1D24.TeamsManifestV1D24;

export interface AppIcons {
  /** Full-color icon, 192×192. */
  readonly color: Buffer;
  /** White-on-transparent icon, 32×32. */
  readonly outline: Buffer;
}

export const MANIFEST_DIR = __dirname;
export const PACKAGE_DIR = resolve(__dirname, '../dist/appPackage');

export const ICON_SIZES = { color: 192, outline: 32 } as const;

const PLACEHOLDERS: Record<string, (config: PackagingConfig) => string> = {
  MICROSOFT_APP_ID: (config) => config.appId,
  BOT_DOMAIN: (config) => config.domain,
};

/** A fixed timestamp for the zip entries, so the same inputs give the same package. */
const ZIP_ENTRY_DATE = new Date(Date.UTC(2020, 0, 1));

/**
 * Replaces the `${{NAME}}` placeholders of the manifest template. The result is not yet
 * checked: pass it to {@link validateManifest} before packaging it.
 */
export function fillManifest(template: string, config: PackagingConfig): TeamsManifest {
  const unknown = new Set<string>();
  const filled = template.replace(/\$\{\{(\w+)\}\}/g, (placeholder, name: string) => {
    const value = PLACEHOLDERS[name];
    if (!value) {
      unknown.add(name);
      return placeholder;
    }
    // Escaped as a JSON string body, since every placeholder sits inside a JSON string.
    return JSON.stringify(value(config)).slice(1, -1);
  });
  if (unknown.size > 0) {
    throw new Error(`manifest.json uses placeholders that npm run package does not fill: ${[...unknown].join(', ')} (known: ${Object.keys(PLACEHOLDERS).join(', ')})`);
  }
  return JSON.parse(filled) as TeamsManifest;
}

/**
 * Checks a manifest against the official Teams schema of its `manifestVersion`, read from the copy
 * bundled with @microsoft/app-manifest, so it works offline. Returns one readable line per problem.
 */
export async function validateManifest(manifest: unknown): Promise<string[]> {
  const found = bundledSchemaOf(manifest);
  if ('problem' in found) return [found.problem];
  // The package's validator: ajv with draft-04 (what the Teams schema declares) and its formats.
  const errors = await AppManifestUtils.validateAgainstSchema(manifest as AppManifest, found.schema);
  return [...found.problems, ...errors.map((error) => `manifest.json${error}`)];
}

type BundledSchema = { schema: JSONSchemaType<AppManifest>; problems: string[] } | { problem: string };

function bundledSchemaOf(manifest: unknown): BundledSchema {
  if (!manifest || typeof manifest !== 'object') return { problem: 'manifest.json is not a JSON object' };
  const { manifestVersion, $schema } = manifest as { manifestVersion?: unknown; $schema?: unknown };
  if (typeof manifestVersion !== 'string' || !/^\d+\.\d+$/.test(manifestVersion)) {
    return { problem: `manifest.json manifestVersion must be a version such as "1.24", not ${JSON.stringify(manifestVersion)}` };
  }
  let path: string;
  try {
    path = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`);
  } catch {
    return { problem: `manifest.json manifestVersion ${manifestVersion} has no schema in @microsoft/app-manifest (see node_modules/@microsoft/app-manifest/build/json-schemas/teams)` };
  }
  const schemaPath = `/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;
  const problems = typeof $schema === 'string' && $schema.endsWith(schemaPath) ? [] : [`manifest.json $schema must name the schema of manifestVersion ${manifestVersion} (…/json-schemas${schemaPath}), not ${JSON.stringify($schema)}`];
  return { schema: readBundledSchema(path), problems };
}

function readBundledSchema(path: string): JSONSchemaType<AppManifest> {
  // The same clean-up the package applies to the schemas it loads: their regexes hold \a and \v, which ajv refuses;
  // and the localization schema's patterns close a bracket unescaped ("\b]"), which a unicode regex refuses.
  const text = readFileSync(path, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replace(/\\\\b\]/g, '\\\\b\\\\]');
  return JSON.parse(text) as JSONSchemaType<AppManifest>;
}

/** Checks the icons against what Teams accepts: their sizes, and an outline of white on transparent only. */
export function checkIcons(icons: AppIcons): string[] {
  const problems: string[] = [];
  for (const kind of ['color', 'outline'] as const) {
    const png = decodePng(icons[kind]);
    if (typeof png === 'string') {
      problems.push(`the ${kind} icon is not a readable PNG: ${png}`);
      continue;
    }
    const size = ICON_SIZES[kind];
    if (png.width !== size || png.height !== size) problems.push(`the ${kind} icon must be ${size}×${size} pixels, not ${png.width}×${png.height}`);
    if (kind === 'outline') problems.push(...outlineColorProblems(png));
  }
  return problems;
}

function decodePng(data: Buffer): PNG | string {
  try {
    return PNG.sync.read(data);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Teams draws outline icons in its own colours, so any pixel that shows must be white. */
function outlineColorProblems(png: PNG): string[] {
  let wrong = 0;
  let first = '';
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
    if (a === 0 || (r === 255 && g === 255 && b === 255)) continue;
    if (wrong++ === 0) {
      const pixel = i / 4;
      first = ` (the first at x=${pixel % png.width}, y=${Math.floor(pixel / png.width)} is rgba(${r}, ${g}, ${b}, ${a}))`;
    }
  }
  return wrong === 0 ? [] : [`the outline icon must be white on transparent, but ${wrong} pixel${wrong === 1 ? ' is' : 's are'} neither white nor fully transparent${first}`];
}

/** A language file the manifest's `localizationInfo` names, by its path in the package ("fr.json") -> its JSON. */
export type Localizations = Readonly<Record<string, unknown>>;

/** The language files the manifest names, read from `dir`; a file that cannot be read is a problem, not an exception. */
export function readLocalizations(manifest: TeamsManifest, dir = MANIFEST_DIR): { localizations: Record<string, unknown>; problems: string[] } {
  const localizations: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const file of localizationFilesOf(manifest)) {
    try {
      localizations[file] = JSON.parse(readFileSync(resolve(dir, file), 'utf8'));
    } catch (err) {
      problems.push(`${file}, named in manifest.json localizationInfo, cannot be read: ${(err as Error).message}`);
    }
  }
  return { localizations, problems };
}

function localizationFilesOf(manifest: TeamsManifest): string[] {
  const info = manifest.localizationInfo;
  return [...(info?.defaultLanguageFile ? [info.defaultLanguageFile] : []), ...(info?.additionalLanguages ?? []).map((l) => l.file)];
}

/**
 * Checks each language file against the official Teams localization schema of the manifest's
 * `manifestVersion` (bundled, so offline), and that every file the manifest names is there.
 */
export async function validateLocalizations(manifest: TeamsManifest, localizations: Localizations): Promise<string[]> {
  const version = manifest.manifestVersion;
  let path: string;
  try {
    path = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.Localization.schema.json`);
  } catch {
    return [`manifest.json manifestVersion ${version} has no localization schema in @microsoft/app-manifest`];
  }
  const schema = readBundledSchema(path);
  const schemaPath = `/teams/v${version}/MicrosoftTeams.Localization.schema.json`;
  const problems: string[] = [];
  for (const file of localizationFilesOf(manifest)) {
    const content = localizations[file];
    if (content === undefined) {
      problems.push(`${file}, named in manifest.json localizationInfo, is missing`);
      continue;
    }
    const $schema = (content as { $schema?: unknown }).$schema;
    if (typeof $schema !== 'string' || !$schema.endsWith(schemaPath)) problems.push(`${file} $schema must name the localization schema of manifestVersion ${version} (…/json-schemas${schemaPath}), not ${JSON.stringify($schema)}`);
    const errors = await AppManifestUtils.validateAgainstSchema(content as AppManifest, schema);
    problems.push(...errors.map((error) => `${file}${error}`));
  }
  return problems;
}

/** The app package: manifest.json, both icons and the language files at the root of a zip. */
export async function buildAppPackage(manifest: TeamsManifest, icons: AppIcons, localizations: Localizations = {}): Promise<Buffer> {
  const zip = new JSZip();
  const options = { date: ZIP_ENTRY_DATE };
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`, options);
  zip.file(manifest.icons.color, icons.color, options);
  zip.file(manifest.icons.outline, icons.outline, options);
  for (const [file, content] of Object.entries(localizations)) zip.file(file, `${JSON.stringify(content, null, 2)}\n`, options);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function main(): Promise<number> {
  loadDotEnv();
  const config = loadPackagingConfig();
  const manifest = fillManifest(readFileSync(resolve(MANIFEST_DIR, 'manifest.json'), 'utf8'), config);
  const icons: AppIcons = {
    color: readFileSync(resolve(MANIFEST_DIR, manifest.icons.color)),
    outline: readFileSync(resolve(MANIFEST_DIR, manifest.icons.outline)),
  };
  const { localizations, problems: unreadable } = readLocalizations(manifest);
  const problems = [...(await validateManifest(manifest)), ...unreadable, ...(await validateLocalizations(manifest, localizations)), ...checkIcons(icons)];
  if (problems.length > 0) {
    console.error(`No app package written: the Teams app has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  mkdirSync(PACKAGE_DIR, { recursive: true });
  const path = resolve(PACKAGE_DIR, `loa-bot-${manifest.version}.zip`);
  writeFileSync(path, await buildAppPackage(manifest, icons, localizations));
  console.log(path);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // A ConfigError already lists every missing or invalid key with its hint.
      console.error(err instanceof ConfigError ? err.message : err);
      process.exitCode = 1;
    },
  );
}
