/**
 * Child-process entry of the benchmarks: starts Gallery Approvals or the echo bot on a free
 * loopback port and replies to the parent's requests for memory and CPU figures over IPC. The bot
 * runs alone in its process, so its resident set size and CPU time are its own, and the
 * Resource Manager emulator and the Bot Connector stand-in run in the parent.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import type { TokenCredential } from '@azure/core-auth';
import { startApp } from '../src/app';
import { VERSION_LIST_CONCURRENCY } from '../src/azure/inspect-gallery';
import { readConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startServer } from '../src/server';
import {
  OPTIONS_VARIABLE,
  type BotProcessOptions,
  type ChildMessage,
  type ParentMessage,
  type ResidentKinds,
} from './bot-protocol';
import { EchoBot } from './echo-bot';
import { PlainGalleryReader } from './plain-reads';

/** A credential for the emulators, which accept any bearer token. */
const benchCredential: TokenCredential = {
  getToken: async () => ({ token: 'bench-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

async function start(options: BotProcessOptions): Promise<{ url: string; close(): Promise<void> }> {
  if (options.kind === 'echo') {
    const config = readConfig({ PORT: '0', LOG_LEVEL: options.logLevel });
    const reader = options.resourceManagerUrl
      ? new PlainGalleryReader(
          options.resourceManagerUrl,
          options.caCertificate,
          VERSION_LIST_CONCURRENCY,
        )
      : undefined;
    const server = await startServer({
      config,
      logger: createLogger(config.logLevel),
      createBot: () => new EchoBot(reader),
      readiness: async () => ({}),
    });
    return {
      url: server.url,
      close: async () => {
        await server.close();
        reader?.close();
      },
    };
  }

  const config = readConfig({
    PORT: '0',
    STORAGE: options.tablesConnectionString ? 'azure-tables' : `sqlite:${options.databaseFile}`,
    AZURE_STORAGE_CONNECTION_STRING: options.tablesConnectionString,
    AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
    AZURE_RESOURCE_MANAGER_ENDPOINT: `${options.resourceManagerUrl}/`,
    GRAPH_ENDPOINT: options.resourceManagerUrl,
    ALLOW_SELF_APPROVAL: 'false',
    LOG_LEVEL: options.logLevel,
  });
  const app = await startApp({
    config,
    logger: createLogger(config.logLevel),
    credential: benchCredential,
    caCertificate: options.caCertificate,
    pollIntervalInMs: 10,
  });
  return { url: app.server.url, close: () => app.close() };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Time left idle before a full collection, so that work started by the last turns ends. */
const IDLE_BEFORE_GC_MS = 2000;
const RSS_POLL_INTERVAL_MS = 100;
const MAX_RSS_SETTLE_MS = 3000;
/** RSS counts as settled once it falls by less than this between two polls. */
const RSS_SETTLED_BYTES = 256 * 1024;

/**
 * Runs a full collection that compacts the old generation, and waits until RSS stops falling.
 *
 * A plain `global.gc()` frees objects but keeps the old generation's partly used pages. After
 * 10,000 turns it kept 80 to 87 MB of old space for 40 MB of live objects, and what it kept
 * varied by 20 MB between runs with how fragmented the pages happened to be. V8 compacts them
 * on its own only after about 8 s without work (its memory reducer). So this one collection
 * runs with `--compact-on-every-full-gc`, which moves the objects off partly used pages and
 * gives those pages back. The turns themselves run with V8's defaults.
 *
 * `global.gc()` also returns before V8's helper threads have unmapped the pages it freed, and
 * RSS read at once still counted 30 to 85 MB of them on a 2-core machine.
 */
async function collectGarbage(): Promise<void> {
  if (!global.gc) throw new Error('Start the bot process with --expose-gc.');
  await delay(IDLE_BEFORE_GC_MS);
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    global.gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }

  let previous = process.memoryUsage.rss();
  for (let waited = 0; waited < MAX_RSS_SETTLE_MS; waited += RSS_POLL_INTERVAL_MS) {
    await delay(RSS_POLL_INTERVAL_MS);
    const current = process.memoryUsage.rss();
    if (previous - current < RSS_SETTLED_BYTES) return;
    previous = current;
  }
}

/** Reads the resident set by kind of page; undefined where `/proc` is missing. */
function residentKinds(): ResidentKinds | undefined {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
  const kilobytes = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const anonymous = kilobytes('RssAnon');
  const fileBacked = kilobytes('RssFile');
  return anonymous === undefined || fileBacked === undefined
    ? undefined
    : { anonymous, fileBacked };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env[OPTIONS_VARIABLE] ?? '{}') as BotProcessOptions;
  const bot = await start(options);

  // A runner that stopped without stopping this bot closes the IPC channel.
  process.once('disconnect', () => process.exit(0));
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'usage') {
      const collected = message.collectGarbage ? collectGarbage() : Promise.resolve();
      void collected.then(() =>
        send({
          type: 'usage',
          memory: process.memoryUsage(),
          cpu: process.cpuUsage(),
          resident: residentKinds(),
        }),
      );
    } else if (message.type === 'stop') {
      void bot.close().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', url: bot.url });
}

main().catch((error: unknown) => {
  send({
    type: 'failed',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
});
