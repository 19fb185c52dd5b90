import 'dotenv/config';
import type { TokenCredential } from '@azure/core-auth';
import { readConfig, redactedSummary, type Config } from './config';
import { startApp } from './app';
import { createLogger } from './logger';
import { startEmulator } from '../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../sandbox/seed';

const SANDBOX_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
const VERSION = process.env.npm_package_version ?? '0.1.0';

/** A credential for the sandbox emulator, which accepts any bearer token. */
const sandboxCredential: TokenCredential = {
  getToken: async () => ({ token: 'sandbox-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

async function main(): Promise<void> {
  let config: Config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    console.error(
      `Invalid configuration. ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);

  let credential: TokenCredential;
  let caCertificate: string | undefined;
  let closeEmulator = async (): Promise<void> => {};

  if (config.mode === 'azure') {
    const { DefaultAzureCredential } = await import('@azure/identity');
    credential = new DefaultAzureCredential();
  } else {
    credential = sandboxCredential;
    // An explicit endpoint (for example an emulator another process started) wins.
    if (!process.env.AZURE_RESOURCE_MANAGER_ENDPOINT) {
      const seedPath = config.sandboxSeed ?? DEMO_SEED_PATH;
      const emulator = await startEmulator({ seed: await loadSeed(seedPath), port: 0 });
      caCertificate = emulator.caCertificate;
      closeEmulator = () => emulator.close();
      config = {
        ...config,
        azure: {
          ...config.azure,
          subscriptionId: config.azure.subscriptionId ?? SANDBOX_SUBSCRIPTION_ID,
          resourceManagerEndpoint: `${emulator.url}/`,
          graphEndpoint: config.azure.graphEndpoint ?? emulator.url,
        },
      };
      logger.info(
        { url: emulator.url, seed: seedPath },
        'sandbox Resource Manager emulator started',
      );
    }
  }

  logger.info(
    { version: VERSION, settings: redactedSummary(config) },
    'starting Gallery Approvals',
  );
  const app = await startApp({ config, logger, credential, caCertificate });
  logger.info(
    { url: app.server.url, mode: config.mode },
    config.mode === 'sandbox'
      ? `listening on ${app.server.url}; point a Bot Framework client (such as the Microsoft 365 ` +
          `Agents Playground) at ${app.server.url}/api/messages and send "publish sandbox-rg/readyGallery"`
      : `listening on ${app.server.url}/api/messages`,
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      await closeEmulator();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
