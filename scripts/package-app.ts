/**
 * Builds the Teams app package `appPackage/gallery-approvals.zip`: the manifest template in
 * `manifest/manifest.json` filled from the environment (and `.env`), validated offline against
 * the schema that `@microsoft/app-manifest` bundles, plus both icons drawn by make-icons.ts.
 *
 *   MicrosoftAppId=… BOT_DOMAIN=… APP_DEVELOPER_NAME=… APP_WEBSITE_URL=… npm run package
 *
 * docs/deploy.md describes each setting.
 */
import 'dotenv/config';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { AppManifest, AppManifestUtils } from '@microsoft/app-manifest';
import archiver from 'archiver';
import { ACCENT_COLOR, renderIcons } from './make-icons';

const REPOSITORY_ROOT = path.join(__dirname, '..');
export const MANIFEST_TEMPLATE_PATH = path.join(REPOSITORY_ROOT, 'manifest', 'manifest.json');
export const PACKAGE_PATH = path.join(REPOSITORY_ROOT, 'appPackage', 'gallery-approvals.zip');

/** Zip entries get this timestamp, so two builds from the same settings give the same bytes. */
const ENTRY_DATE = new Date('2000-01-01T00:00:00Z');

const GUID_PATTERN = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
const HOST_NAME_PATTERN =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const PLACEHOLDER_PATTERN = /\$\{\{([A-Z_]+)\}\}/g;
const MAX_DEVELOPER_NAME_LENGTH = 32;

/** The values that differ from one organization or deployment to the next. */
export interface PackageSettings {
  /** Microsoft App ID of the Azure Bot: its Entra app or user-assigned managed identity. */
  botId: string;
  /** Teams app id, which defaults to the bot id. */
  teamsAppId: string;
  /** Host name of the bot's messaging endpoint, such as `gallery-approvals.azurewebsites.net`. */
  botDomain: string;
  developerName: string;
  websiteUrl: string;
  privacyUrl: string;
  termsOfUseUrl: string;
  /** Manifest `version`, taken from package.json. */
  version: string;
}

/** Raised when a package setting is missing or invalid; the message names the variable. */
export class PackageSettingsError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'PackageSettingsError';
  }
}

/** Reads the package settings from an environment object. Like readConfig, it is a pure function. */
export function readPackageSettings(
  env: Record<string, string | undefined>,
  version: string,
): PackageSettings {
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text === '' ? undefined : text;
  };
  const required = (name: string, hint: string): string => {
    const text = value(name);
    if (!text) throw new PackageSettingsError(name, `missing. ${hint}`);
    return text;
  };

  const botId = required('MicrosoftAppId', "Set it to the Azure Bot's Microsoft App ID.");
  if (!GUID_PATTERN.test(botId)) {
    throw new PackageSettingsError('MicrosoftAppId', `"${botId}" is not a GUID.`);
  }
  const teamsAppId = value('TEAMS_APP_ID') ?? botId;
  if (!GUID_PATTERN.test(teamsAppId)) {
    throw new PackageSettingsError('TEAMS_APP_ID', `"${teamsAppId}" is not a GUID.`);
  }

  const botDomain = required(
    'BOT_DOMAIN',
    'Set it to the host name of the messaging endpoint, such as gallery-approvals.azurewebsites.net.',
  );
  if (!HOST_NAME_PATTERN.test(botDomain)) {
    throw new PackageSettingsError(
      'BOT_DOMAIN',
      `"${botDomain}" is not a host name. Give the host alone, without https:// or a path.`,
    );
  }

  const developerName = required(
    'APP_DEVELOPER_NAME',
    'Set it to the name of the organization that runs the bot.',
  );
  if (developerName.length > MAX_DEVELOPER_NAME_LENGTH) {
    throw new PackageSettingsError(
      'APP_DEVELOPER_NAME',
      `"${developerName}" is longer than ${MAX_DEVELOPER_NAME_LENGTH} characters.`,
    );
  }

  const websiteUrl = httpsUrl(
    'APP_WEBSITE_URL',
    required('APP_WEBSITE_URL', 'Set it to an https page about the bot, such as its wiki page.'),
  );
  return {
    botId,
    teamsAppId,
    botDomain,
    developerName,
    websiteUrl,
    privacyUrl: httpsUrl('APP_PRIVACY_URL', value('APP_PRIVACY_URL') ?? websiteUrl),
    termsOfUseUrl: httpsUrl('APP_TERMS_URL', value('APP_TERMS_URL') ?? websiteUrl),
    version,
  };
}

/**
 * Fills every `${{NAME}}` placeholder in the template's string values. Values are substituted
 * after parsing, so a setting can never change the JSON structure. Raises on an unknown name.
 */
export function fillManifest(template: unknown, settings: PackageSettings): AppManifest {
  const values: Record<string, string> = {
    APP_VERSION: settings.version,
    TEAMS_APP_ID: settings.teamsAppId,
    BOT_ID: settings.botId,
    BOT_DOMAIN: settings.botDomain,
    APP_DEVELOPER_NAME: settings.developerName,
    APP_WEBSITE_URL: settings.websiteUrl,
    APP_PRIVACY_URL: settings.privacyUrl,
    APP_TERMS_URL: settings.termsOfUseUrl,
    ACCENT_COLOR,
  };
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER_PATTERN, (_match, name: string) => {
        const value = values[name];
        if (value === undefined)
          throw new Error(`The manifest template names ${name}, which no setting fills.`);
        return value;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, fill(child)]));
    }
    return node;
  };
  return fill(template) as AppManifest;
}

/**
 * Validates a manifest against the JSON schema of its `manifestVersion` that
 * `@microsoft/app-manifest` bundles. Reads the schema from disk, so it never fetches. Returns
 * the schema errors, empty when the manifest is valid.
 */
export async function validateManifest(manifest: AppManifest): Promise<string[]> {
  const version = (manifest as { manifestVersion?: unknown }).manifestVersion;
  if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version)) {
    return [`manifestVersion "${String(version)}" is not a version such as 1.22`];
  }
  let schemaPath: string;
  try {
    schemaPath = require.resolve(
      `@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`,
    );
  } catch {
    return [`@microsoft/app-manifest bundles no schema for manifest version ${version}`];
  }
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Parameters<
    typeof AppManifestUtils.validateAgainstSchema
  >[1];
  // Loaded here, not at the top, because the package's ES module dependency (strip-bom 5) cannot
  // load under Jest; only callers that validate need it.
  const { AppManifestUtils: utils } = await import('@microsoft/app-manifest');
  return utils.validateAgainstSchema(manifest, schema);
}

/** Builds the app package: the filled and validated manifest with both icons, as a zip. */
export async function buildAppPackage(
  settings: PackageSettings,
  templatePath = MANIFEST_TEMPLATE_PATH,
): Promise<Buffer> {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as unknown;
  const manifest = fillManifest(template, settings);
  const errors = await validateManifest(manifest);
  if (errors.length > 0) {
    throw new Error(`The filled manifest does not match its schema:\n- ${errors.join('\n- ')}`);
  }
  const icons = renderIcons();
  return zipEntries([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: 'color.png', data: icons.color },
    { name: 'outline.png', data: icons.outline },
  ]);
}

async function zipEntries(entries: { name: string; data: Buffer }[]): Promise<Buffer> {
  const archive = archiver('zip', { zlib: { level: 9 } });
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    output.on('end', resolve);
    archive.on('error', reject);
    archive.on('warning', reject);
  });
  archive.pipe(output);
  for (const entry of entries) archive.append(entry.data, { name: entry.name, date: ENTRY_DATE });
  await archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}

function httpsUrl(variable: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PackageSettingsError(variable, `"${text}" is not a URL.`);
  }
  if (url.protocol !== 'https:') {
    throw new PackageSettingsError(variable, `"${text}" must use https, as Teams requires.`);
  }
  return text;
}

function packageVersion(): string {
  const packageJson = JSON.parse(
    readFileSync(path.join(REPOSITORY_ROOT, 'package.json'), 'utf8'),
  ) as { version: string };
  return packageJson.version;
}

async function main(): Promise<void> {
  let settings: PackageSettings;
  try {
    settings = readPackageSettings(process.env, packageVersion());
  } catch (error) {
    if (!(error instanceof PackageSettingsError)) throw error;
    console.error(`Invalid package setting. ${error.message} See docs/deploy.md.`);
    process.exit(2);
  }
  const zip = await buildAppPackage(settings);
  mkdirSync(path.dirname(PACKAGE_PATH), { recursive: true });
  writeFileSync(PACKAGE_PATH, zip);
  console.log(
    `Wrote ${path.relative(process.cwd(), PACKAGE_PATH)} (${zip.length} bytes) for bot ` +
      `${settings.botId} at ${settings.botDomain}, app version ${settings.version}.`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
