import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Azurite's published development account. Its key is the same in every Azurite install and
 * grants access only to the local emulator.
 */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const START_ATTEMPTS = 3;
const READY_TIMEOUT_IN_MS = 30_000;

export interface Azurite {
  connectionString: string;
  /** Stops Azurite if this process started it. An Azurite from the environment stays up. */
  stop(): Promise<void>;
}

export function azuriteConnectionString(port: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};` +
    `AccountKey=${AZURITE_ACCOUNT_KEY};` +
    `TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`
  );
}

/**
 * Returns the Azurite that `AZURE_STORAGE_CONNECTION_STRING` names (as `scripts/ci-azurite.sh`
 * sets it), or starts a private one. A connection string whose table endpoint is not on
 * loopback is ignored, so tests never write to a real storage account.
 */
export async function useAzurite(
  env: Record<string, string | undefined> = process.env,
): Promise<Azurite> {
  const fromEnvironment = env.AZURE_STORAGE_CONNECTION_STRING;
  if (fromEnvironment !== undefined && isLoopbackTableEndpoint(fromEnvironment)) {
    return { connectionString: fromEnvironment, stop: async () => undefined };
  }
  return startAzurite();
}

export function isLoopbackTableEndpoint(connectionString: string): boolean {
  const match = /(?:^|;)\s*TableEndpoint=([^;]+)/i.exec(connectionString);
  if (match?.[1] === undefined)
    return /(?:^|;)\s*UseDevelopmentStorage=true/i.test(connectionString);
  try {
    return LOOPBACK_HOSTS.has(new URL(match[1]).hostname);
  } catch {
    return false;
  }
}

/**
 * Starts Azurite's table service as a child process on a free loopback port, with a new
 * temporary workspace and telemetry off, and waits until it responds to HTTP.
 */
export async function startAzurite(): Promise<Azurite> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const location = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-azurite-'));
    const port = await findFreePort();
    const child = spawn(
      process.execPath,
      [azuriteTableMain(), ...azuriteArguments(port, location)],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    try {
      await waitUntilListening(child, port);
      return {
        connectionString: azuriteConnectionString(port),
        stop: () => stopProcess(child, location),
      };
    } catch (error) {
      // Another process may have taken the port between the probe and the start.
      lastError = new Error(`Azurite did not start on port ${port}: ${String(error)}\n${stderr}`);
      await stopProcess(child, location);
    }
  }
  throw lastError;
}

/** Returns the version of the installed azurite package. */
export function installedAzuriteVersion(): string {
  return readAzuritePackage().version;
}

function azuriteTableMain(): string {
  const bin = readAzuritePackage().bin['azurite-table'];
  if (bin === undefined) throw new Error('The azurite package has no azurite-table program.');
  return path.join(path.dirname(require.resolve('azurite/package.json')), bin);
}

function readAzuritePackage(): { version: string; bin: Record<string, string> } {
  return JSON.parse(readFileSync(require.resolve('azurite/package.json'), 'utf8')) as {
    version: string;
    bin: Record<string, string>;
  };
}

/** Returns the azurite-table options, the same that `scripts/ci-azurite.sh` passes. */
function azuriteArguments(port: number, location: string): string[] {
  return [
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    String(port),
    '--location',
    location,
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--silent',
  ];
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('The probe server reported no port.'));
      });
    });
  });
}

async function waitUntilListening(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_IN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`azurite-table exited with ${child.exitCode ?? child.signalCode}`);
    }
    if (await isAzuriteResponding(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`azurite-table did not listen within ${READY_TIMEOUT_IN_MS} ms`);
}

/** Tells whether the port answers HTTP as Azurite's table service (its `Server` header). */
function isAzuriteResponding(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(
      { host: '127.0.0.1', port, path: `/${AZURITE_ACCOUNT}/Tables`, timeout: 1000 },
      (response) => {
        response.resume();
        resolve(String(response.headers.server ?? '').startsWith('Azurite-Table'));
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess, location: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(location, { recursive: true, force: true });
}
