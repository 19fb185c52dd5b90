/**
 * Starts the Resource Manager emulator alone, for trying the SDK clients or curl against it.
 *
 *   SANDBOX_SEED=path/to/seed.json SANDBOX_PORT=8443 npx tsx sandbox/cli.ts
 *
 * SANDBOX_SEED defaults to the demonstration seed and SANDBOX_PORT to a free port. The CA
 * certificate is written to a temporary file whose path is printed with the URL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startEmulator } from './emulator';
import { DEMO_SEED_PATH, loadSeed } from './seed';

interface CliSettings {
  seedPath: string;
  port: number;
}

function readCliSettings(env: NodeJS.ProcessEnv): CliSettings {
  const port = Number(env.SANDBOX_PORT ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `SANDBOX_PORT must be a TCP port number (0 for a free port), got "${env.SANDBOX_PORT}".`,
    );
  }
  return { seedPath: env.SANDBOX_SEED || DEMO_SEED_PATH, port };
}

async function main(): Promise<void> {
  const settings = readCliSettings(process.env);
  const seed = loadSeed(settings.seedPath);
  const emulator = await startEmulator({ seed, port: settings.port });

  const directory = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-emulator-'));
  const caFile = path.join(directory, 'ca.pem');
  writeFileSync(caFile, emulator.caCertificate);

  console.log(`Resource Manager emulator listening on ${emulator.url}`);
  console.log(`Seed: ${settings.seedPath}`);
  console.log(`AZURE_RESOURCE_MANAGER_ENDPOINT=${emulator.url}`);
  console.log(`AZURE_RESOURCE_MANAGER_CA_FILE=${caFile}`);

  const stop = (signal: string): void => {
    console.log(`Received ${signal}, stopping the emulator`);
    void emulator.close().then(() => rmSync(directory, { recursive: true, force: true }));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
