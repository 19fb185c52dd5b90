import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  OPTIONS_VARIABLE,
  type BotProcessOptions,
  type ChildMessage,
  type ParentMessage,
  type ResidentKinds,
} from './bot-protocol';

export interface BotUsage {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
  /** Undefined where the system does not report it. */
  resident?: ResidentKinds;
}

/** A bot running in a child process that this process started. */
export interface BotChild {
  url: string;
  /** Warning and error messages the bot logged, with how often each came. */
  readonly problems: ReadonlyMap<string, number>;
  /** Returns the child's memory and CPU time, after a full garbage collection if asked. */
  usage(options?: { collectGarbage?: boolean }): Promise<BotUsage>;
  /** Returns the child's CPU time so far, user and system, in milliseconds. */
  cpuTimeInMs(): Promise<number>;
  /** Closes the bot and waits for its process to exit; kills it after 10 seconds. */
  stop(): Promise<void>;
}

/** Node options of the child: TypeScript through tsx, and `global.gc` for the memory figures. */
export const CHILD_EXEC_ARGV = ['--import', 'tsx', '--expose-gc', '--disable-warning=DEP0111'];

/** Bot processes still running, killed if this process exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const START_TIMEOUT_IN_MS = 60_000;
const STOP_TIMEOUT_IN_MS = 10_000;
const PINO_WARN_LEVEL = 40;

/**
 * Forks bench/bot-process.ts and resolves once the bot listens. `extraExecArgv` adds Node
 * options, such as `--cpu-prof`.
 */
export async function startBotChild(
  options: BotProcessOptions,
  extraExecArgv: readonly string[] = [],
): Promise<BotChild> {
  const child = fork(path.join(__dirname, 'bot-process.ts'), [], {
    execArgv: [...CHILD_EXEC_ARGV, ...extraExecArgv],
    env: { ...process.env, [OPTIONS_VARIABLE]: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const problems = new Map<string, number>();
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => countProblem(line, problems));
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 40) stderr.shift();
  });

  const url = await waitForReady(child, () => stderr.join('\n'));
  return {
    url,
    problems,
    usage: (usageOptions = {}) => requestUsage(child, usageOptions.collectGarbage ?? false),
    cpuTimeInMs: async () => {
      const { cpu } = await requestUsage(child, false);
      return (cpu.user + cpu.system) / 1000;
    },
    stop: () => stopChild(child),
  };
}

function countProblem(line: string, problems: Map<string, number>): void {
  let entry: { level?: number; msg?: string };
  try {
    entry = JSON.parse(line) as { level?: number; msg?: string };
  } catch {
    return;
  }
  if ((entry.level ?? 0) < PINO_WARN_LEVEL) return;
  const message = entry.msg ?? '(no message)';
  problems.set(message, (problems.get(message) ?? 0) + 1);
}

function waitForReady(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The bot process did not start within ${START_TIMEOUT_IN_MS} ms.`));
    }, START_TIMEOUT_IN_MS);
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message.url);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`The bot process failed to start: ${message.message}`));
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`The bot process exited with code ${code} before it was ready.\n${stderr()}`),
      );
    });
  });
}

function requestUsage(child: ChildProcess, collectGarbage: boolean): Promise<BotUsage> {
  return new Promise((resolve) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== 'usage') return;
      child.off('message', onMessage);
      resolve({ memory: message.memory, cpu: message.cpu, resident: message.resident });
    };
    child.on('message', onMessage);
    child.send({ type: 'usage', collectGarbage } satisfies ParentMessage);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_IN_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' } satisfies ParentMessage);
  });
}
