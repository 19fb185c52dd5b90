import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { COMMAND_HELP } from '../../src/cards/help-card';
import {
  MANIFEST_TEMPLATE_PATH,
  PackageSettingsError,
  buildAppPackage,
  fillManifest,
  readPackageSettings,
  validateManifest,
  type PackageSettings,
} from '../../scripts/package-app';
import { USERS, cardOf, cardText, sendText, startHarness } from '../support/bot-harness';
import { zipEntries } from './zip-entries';

// NOTE: @microsoft/app-manifest 1.1.2 requires strip-bom 5, an ES module. Node 20.19 loads it
// through require(esm), but Jest's module loader cannot, so the import fails here. The package
// calls stripBom only when it reads manifest files, which these tests never do.
jest.mock('../../node_modules/@microsoft/app-manifest/node_modules/strip-bom/index.js', () => ({
  __esModule: true,
  default: (text: string) => text.replace(/^\uFEFF/, ''),
}));

const BOT_ID = '9b19be9e-c2b8-462b-848c-8899775b044e';
const SAMPLE_ENV = {
  MicrosoftAppId: BOT_ID,
  BOT_DOMAIN: 'gallery-approvals.azurewebsites.net',
  APP_DEVELOPER_NAME: 'Contoso Platform Engineering',
  APP_WEBSITE_URL: 'https://contoso.example/wiki/gallery-approvals',
};

interface BotEntry {
  botId: string;
  scopes: string[];
  commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[];
}

function template(): unknown {
  return JSON.parse(readFileSync(MANIFEST_TEMPLATE_PATH, 'utf8')) as unknown;
}

function sampleSettings(env: Record<string, string> = {}): PackageSettings {
  return readPackageSettings({ ...SAMPLE_ENV, ...env }, '1.2.3');
}

function filledManifest(): Record<string, unknown> {
  return fillManifest(template(), sampleSettings()) as unknown as Record<string, unknown>;
}

function botOf(manifest: Record<string, unknown>): BotEntry {
  return (manifest.bots as BotEntry[])[0]!;
}

describe('teams app manifest', () => {
  test('filled manifest matches bundled schema', async () => {
    const manifest = filledManifest();

    expect(await validateManifest(manifest as never)).toEqual([]);
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.$schema).toBe(
      'https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json',
    );
  });

  test('validator rejects invalid manifests', async () => {
    const badBotId = filledManifest();
    botOf(badBotId).botId = 'not-a-guid';
    const missingIcons = filledManifest();
    delete missingIcons.icons;
    const unbundled = { ...filledManifest(), manifestVersion: '1.18' };

    expect((await validateManifest(badBotId as never)).join('\n')).toContain('/bots/0/botId');
    expect((await validateManifest(missingIcons as never)).join('\n')).toContain('icons');
    expect(await validateManifest(unbundled as never)).toEqual([
      '@microsoft/app-manifest bundles no schema for manifest version 1.18',
    ]);
  });

  test('settings fill every placeholder', () => {
    const manifest = filledManifest();
    const text = JSON.stringify(manifest);

    expect(text).not.toContain('${{');
    expect(manifest.id).toBe(BOT_ID);
    expect(manifest.version).toBe('1.2.3');
    expect(botOf(manifest).botId).toBe(BOT_ID);
    expect(manifest.validDomains).toEqual(['gallery-approvals.azurewebsites.net']);
    expect(manifest.webApplicationInfo).toEqual({
      id: BOT_ID,
      resource: `api://gallery-approvals.azurewebsites.net/botid-${BOT_ID}`,
    });
    expect(manifest.developer).toEqual({
      name: 'Contoso Platform Engineering',
      websiteUrl: 'https://contoso.example/wiki/gallery-approvals',
      privacyUrl: 'https://contoso.example/wiki/gallery-approvals',
      termsOfUseUrl: 'https://contoso.example/wiki/gallery-approvals',
    });
  });

  test('teams app id overrides bot id', () => {
    const teamsAppId = '3f1b2c4d-5e6f-4a1b-8c2d-9e0f1a2b3c4d';
    const manifest = fillManifest(template(), sampleSettings({ TEAMS_APP_ID: teamsAppId }));

    expect(manifest.id).toBe(teamsAppId);
    expect(botOf(manifest as never).botId).toBe(BOT_ID);
  });

  test('quotes in settings stay data', () => {
    const name = 'Contoso "R&D" \\ ops';
    const manifest = fillManifest(template(), sampleSettings({ APP_DEVELOPER_NAME: name }));

    expect((manifest.developer as { name: string }).name).toBe(name);
  });

  test('unknown placeholder is rejected', () => {
    expect(() => fillManifest({ id: '${{NOT_A_SETTING}}' }, sampleSettings())).toThrow(
      'The manifest template names NOT_A_SETTING, which no setting fills.',
    );
  });

  test.each([
    ['MicrosoftAppId', { MicrosoftAppId: '' }, 'MicrosoftAppId: missing.'],
    ['MicrosoftAppId', { MicrosoftAppId: 'gallery-bot' }, '"gallery-bot" is not a GUID'],
    ['TEAMS_APP_ID', { TEAMS_APP_ID: '1234' }, '"1234" is not a GUID'],
    ['BOT_DOMAIN', { BOT_DOMAIN: '' }, 'BOT_DOMAIN: missing.'],
    ['BOT_DOMAIN', { BOT_DOMAIN: 'https://bot.example.com/api' }, 'is not a host name'],
    ['APP_DEVELOPER_NAME', { APP_DEVELOPER_NAME: 'x'.repeat(33) }, 'longer than 32 characters'],
    ['APP_WEBSITE_URL', { APP_WEBSITE_URL: 'http://contoso.example' }, 'must use https'],
    ['APP_PRIVACY_URL', { APP_PRIVACY_URL: 'privacy' }, '"privacy" is not a URL'],
    ['APP_TERMS_URL', { APP_TERMS_URL: 'ftp://contoso.example/terms' }, 'must use https'],
  ])('settings reject invalid %s', (variable, env, message) => {
    let error: unknown;
    try {
      sampleSettings(env);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(PackageSettingsError);
    expect((error as PackageSettingsError).variable).toBe(variable);
    expect((error as PackageSettingsError).message).toContain(message);
  });

  test('bot covers all three scopes', () => {
    const bot = botOf(filledManifest());
    const listedScopes = bot.commandLists.flatMap((list) => list.scopes).sort();

    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(listedScopes).toEqual(['groupChat', 'personal', 'team']);
  });

  test('command lists match help', () => {
    const bot = botOf(filledManifest());
    const helpCommands = COMMAND_HELP.map((command) => command.syntax.split(' ')[0]!);
    const teamCommands = bot.commandLists
      .find((list) => list.scopes.includes('team'))!
      .commands.map((command) => command.title);
    const chatCommands = bot.commandLists
      .find((list) => list.scopes.includes('personal'))!
      .commands.map((command) => command.title);

    expect([...teamCommands].sort()).toEqual([...helpCommands].sort());
    expect(chatCommands).not.toContain('subscribe');
    expect(chatCommands).not.toContain('unsubscribe');
    expect(chatCommands.every((title) => helpCommands.includes(title))).toBe(true);
  });

  test('manifest commands reach the bot', async () => {
    const titles = new Set(
      botOf(filledManifest()).commandLists.flatMap((list) =>
        list.commands.map((command) => command.title),
      ),
    );
    const harness = await startHarness();
    try {
      // A control: the wording the loop looks for is what the bot sends for an unknown command.
      const unknown = await sendText(harness, USERS.alex, 'frobnicate');
      expect(cardText(cardOf(unknown.body))).toContain('"frobnicate" is not a command');

      for (const title of titles) {
        const reply = await sendText(harness, USERS.alex, title);
        // The bot's reply to an unknown command quotes it: '"title" is not a command.'
        expect(cardText(cardOf(reply.body))).not.toContain(`"${title}" is not a command`);
      }
    } finally {
      await harness.close();
    }
  });
});

describe('teams app package', () => {
  test('zip contains manifest and icons', async () => {
    const zip = await buildAppPackage(sampleSettings());
    const entries = zipEntries(zip);

    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(botOf(manifest).botId).toBe(BOT_ID);
    expect(await validateManifest(manifest as never)).toEqual([]);
    const icons = manifest.icons as { color: string; outline: string };
    expect(PNG.sync.read(entries.get(icons.color)!).width).toBe(192);
    expect(PNG.sync.read(entries.get(icons.outline)!).width).toBe(32);
  });

  test('same settings give same bytes', async () => {
    const first = await buildAppPackage(sampleSettings());
    const second = await buildAppPackage(sampleSettings());

    expect(second.equals(first)).toBe(true);
  });
});
