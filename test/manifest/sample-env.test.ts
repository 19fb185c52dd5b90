import { readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { readConfig } from '../../src/config';
import { readPackageSettings } from '../../scripts/package-app';

const SAMPLE_ENV_PATH = path.join(__dirname, '..', '..', 'docs', 'sample.env');

function sampleEnv(): Record<string, string> {
  return dotenv.parse(readFileSync(SAMPLE_ENV_PATH, 'utf8'));
}

describe('docs sample env', () => {
  test('starts the bot in azure mode', () => {
    const config = readConfig(sampleEnv());

    expect(config.mode).toBe('azure');
    expect(config.host).toBe('0.0.0.0');
    expect(config.bot.appType).toBe('UserAssignedMSI');
    expect(config.bot.appId).toBe(sampleEnv().AZURE_CLIENT_ID);
    expect(config.bot.appPassword).toBeUndefined();
    expect(config.storage).toBe('azure-tables');
    expect(config.allowSelfApproval).toBe(false);
    expect(config.azure.resourceManagerEndpoint).toBe('https://management.azure.com/');
    expect(config.azure.graphEndpoint).toBe('https://graph.microsoft.com');
  });

  test('fills the app package', () => {
    const settings = readPackageSettings(sampleEnv(), '1.0.0');

    expect(settings.botId).toBe(sampleEnv().MicrosoftAppId);
    expect(settings.teamsAppId).toBe(settings.botId);
    expect(settings.botDomain).toBe('gallery-approvals.azurewebsites.net');
    expect(settings.privacyUrl).toBe(settings.websiteUrl);
  });

  test('sets every variable readConfig reads', () => {
    const source = readFileSync(path.join(__dirname, '..', '..', 'src', 'config.ts'), 'utf8');
    const read = [...source.matchAll(/value\('([A-Za-z_]+)'\)|env, '([A-Z_]+)'/g)].map(
      (match) => match[1] ?? match[2],
    );
    const documented = Object.keys(sampleEnv());
    // App Service sets PORT, SANDBOX_SEED is for the sandbox, and the endpoint settings are only
    // for another cloud or an emulator, which deploy.md describes.
    const leftOut = [
      'PORT',
      'SANDBOX_SEED',
      'AZURE_RESOURCE_MANAGER_ENDPOINT',
      'AZURE_RESOURCE_MANAGER_CA_FILE',
    ];

    const missing = read.filter((name) => !documented.includes(name!) && !leftOut.includes(name!));
    expect(read.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
