/**
 * Starts the Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground 0.2.28) against
 * the bot, and the sandbox bot itself when nothing responds at the bot's /healthz yet.
 *
 *   npm run playground     then open http://localhost:56150
 *
 * Settings: PORT (the bot's, default 3978) and PLAYGROUND_PORT (default 56150). The mock tenant
 * comes from .m365agentsplayground.yml at the repository root.
 *
 * The Playground 0.2.28 needs three settings to stay local, and this script always passes them:
 * `--disable-telemetry`; APPLICATION_INSIGHTS_NO_STATSBEAT=true, without which it still calls
 * the cloud metadata address 169.254.169.254 and Application Insights at start-up; and
 * TEAMSAPPTESTER_BROWSER=none, without which it opens a browser. It has no host option and
 * listens on all interfaces, so anyone who can reach this machine on its port can chat as the
 * mock users.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const REPOSITORY_ROOT = path.join(__dirname, '..');
const PLAYGROUND_CLI = require.resolve('@microsoft/m365agentsplayground/cli.js');
const TSX_CLI = require.resolve('tsx/cli');

export const PLAYGROUND_CONFIG_PATH = path.join(REPOSITORY_ROOT, '.m365agentsplayground.yml');
export const DEFAULT_PLAYGROUND_PORT = 56150;
export const DEFAULT_BOT_PORT = 3978;

/** Environment that keeps the Playground 0.2.28 from reaching any other host or opening a browser. */
export const PLAYGROUND_OFFLINE_ENV = {
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
  TEAMSAPPTESTER_BROWSER: 'none',
} as const;

const START_TIMEOUT_IN_MS = 60_000;
const POLL_INTERVAL_IN_MS = 250;
const STOP_TIMEOUT_IN_MS = 5_000;

/** A child process this module started, with the URL where it responds. */
export interface RunningProcess {
  url: string;
  process: ChildProcess;
  /** Sends SIGTERM and waits for the exit; SIGKILL after five seconds. */
  stop(): Promise<void>;
}

export interface PlaygroundOptions {
  /** The bot's messaging endpoint, such as http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  port?: number;
  configPath?: string;
  /** The Playground writes its own log here; default .data/m365agentsplayground.log. */
  logFile?: string;
  /** Receives the Playground's stdout and stderr; default: this process's stderr. */
  output?: NodeJS.WritableStream;
}

/**
 * Starts the Playground and resolves when its web UI responds. The Playground falls back to a
 * random port when the requested one is taken, so the URL comes from its "Listening on" line.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningProcess> {
  const logFile =
    options.logFile ?? path.join(REPOSITORY_ROOT, '.data', 'm365agentsplayground.log');
  mkdirSync(path.dirname(logFile), { recursive: true });
  const child = spawn(
    process.execPath,
    [
      PLAYGROUND_CLI,
      'start',
      '--app-endpoint',
      options.botEndpoint,
      '--port',
      String(options.port ?? DEFAULT_PLAYGROUND_PORT),
      '--disable-telemetry',
    ],
    {
      cwd: REPOSITORY_ROOT,
      env: {
        ...process.env,
        ...PLAYGROUND_OFFLINE_ENV,
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: options.configPath ?? PLAYGROUND_CONFIG_PATH,
        M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = options.output ?? process.stderr;
  child.stderr?.pipe(output, { end: false });

  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () =>
        reject(
          new Error(`The Playground did not report its port within ${START_TIMEOUT_IN_MS} ms.`),
        ),
      START_TIMEOUT_IN_MS,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output.write(chunk);
      text += chunk.toString();
      const match = /Listening on (\d+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The Playground exited before listening (code ${code}, signal ${signal}).`));
    });
  });

  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`, child);
  return { url, process: child, stop: () => stopProcess(child) };
}

export interface SandboxBotOptions {
  port?: number;
  /** Extra environment for the bot, such as STORAGE or LOG_LEVEL. */
  env?: Record<string, string>;
  /** Receives the bot's JSON log lines; default: this process's stdout. */
  output?: NodeJS.WritableStream;
}

/** Starts the sandbox bot (`src/main.ts`, as `npm start` does) and waits for its /healthz. */
export async function startSandboxBot(options: SandboxBotOptions = {}): Promise<RunningProcess> {
  const port = options.port ?? DEFAULT_BOT_PORT;
  const child = spawn(
    process.execPath,
    [TSX_CLI, '--disable-warning=DEP0111', path.join(REPOSITORY_ROOT, 'src', 'main.ts')],
    {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = options.output ?? process.stdout;
  child.stdout?.pipe(output, { end: false });
  child.stderr?.pipe(output, { end: false });

  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child);
  return { url, process: child, stop: () => stopProcess(child) };
}

/** Returns true when the URL responds with a 2xx status within two seconds. */
export async function responds(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_IN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The process exited (code ${child.exitCode}) before ${url} responded.`);
    }
    if (await responds(url)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_IN_MS));
  }
  throw new Error(`${url} did not respond within ${START_TIMEOUT_IN_MS} ms.`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_IN_MS);
  await exited;
  clearTimeout(timer);
}

function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}: "${text}" is not a TCP port from 1 to 65535.`);
  }
  return port;
}

async function main(): Promise<void> {
  const botPort = readPort(process.env, 'PORT', DEFAULT_BOT_PORT);
  const playgroundPort = readPort(process.env, 'PLAYGROUND_PORT', DEFAULT_PLAYGROUND_PORT);
  const botUrl = `http://127.0.0.1:${botPort}`;

  let bot: RunningProcess | undefined;
  if (await responds(`${botUrl}/healthz`)) {
    console.error(`Using the bot that already responds at ${botUrl}.`);
  } else {
    console.error(`Starting the sandbox bot on ${botUrl}.`);
    bot = await startSandboxBot({ port: botPort });
  }

  let playground: RunningProcess;
  try {
    playground = await startPlayground({
      botEndpoint: `${botUrl}/api/messages`,
      port: playgroundPort,
    });
  } catch (error) {
    await bot?.stop();
    throw error;
  }
  const port = new URL(playground.url).port;
  console.error(
    `\nThe Microsoft 365 Agents Playground is at http://localhost:${port}. Open Personal Chat ` +
      `and send "publish sandbox-rg/readyGallery".\nIt listens on all network interfaces ` +
      `(it has no host option), so anyone who can reach port ${port} of this machine can chat ` +
      `as the mock users. Press Ctrl+C to stop.`,
  );

  let stopping = false;
  const stopAll = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.error(`${reason}, stopping the Playground${bot ? ' and the bot' : ''}.`);
    await playground.stop();
    await bot?.stop();
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stopAll('Received SIGINT', 0));
  process.once('SIGTERM', () => void stopAll('Received SIGTERM', 0));
  playground.process.once('exit', (code) => {
    void stopAll(`The Playground exited with code ${code}`, code ?? 1);
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
