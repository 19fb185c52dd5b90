import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHILD_EXEC_ARGV } from './bot-child';
import { summarize, type Summary } from './stats';

const MAIN = path.join(__dirname, '..', 'src', 'main.ts');
const READY_TIMEOUT_IN_MS = 60_000;
const POLL_INTERVAL_IN_MS = 10;

/**
 * Starts src/main.ts in sandbox mode (no Azure identity: it starts its own emulator with the
 * demonstration seed) `starts` times and measures from the spawn to the first 200 of
 * `GET /readyz`. The environment carries no Azure or Bot Framework settings.
 */
export async function runReadinessBench(starts: number): Promise<Summary> {
  const durations: number[] = [];
  for (let index = 0; index < starts; index++) durations.push(await timeOneStart());
  return summarize(durations);
}

async function timeOneStart(): Promise<number> {
  const folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-readyz-'));
  const port = await freePort();
  const started = performance.now();
  const child = fork(MAIN, [], {
    cwd: path.join(__dirname, '..'),
    execArgv: CHILD_EXEC_ARGV,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      PORT: String(port),
      HOST: '127.0.0.1',
      STORAGE: `sqlite:${path.join(folder, 'readyz.db')}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  try {
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(
          `src/main.ts exited with code ${child.exitCode} before /readyz returned 200:\n${stderr}`,
        );
      }
      if (performance.now() - started > READY_TIMEOUT_IN_MS) {
        throw new Error(`/readyz did not return 200 within ${READY_TIMEOUT_IN_MS} ms:\n${stderr}`);
      }
      if (await isReady(port)) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_IN_MS));
    }
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(folder, { recursive: true, force: true });
  }
}

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Returns a port that was free a moment ago; another process may take it in between. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
