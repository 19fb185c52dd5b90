/**
 * Child-process entry of the benchmarks: starts Gallery Approvals or the echo bot on a free
 * loopback port and replies to the parent's requests for memory and CPU figures over IPC. The bot
 * runs alone in its process, so its resident set size and CPU time are its own, and the
 * Resource Manager emulator and the Bot Connector stand-in run in the parent.
 */
import type { TokenCredential } from '@azure/core-auth';
import { startApp } from '../src/app';
import { readConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startServer } from '../src/server';
import {
  OPTIONS_VARIABLE,
  type BotProcessOptions,
  type ChildMessage,
  type ParentMessage,
} from './bot-protocol';
import { EchoBot } from './echo-bot';

/** A credential for the emulators, which accept any bearer token. */
const benchCredential: TokenCredential = {
  getToken: async () => ({ token: 'bench-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

async function start(options: BotProcessOptions): Promise<{ url: string; close(): Promise<void> }> {
  if (options.kind === 'echo') {
    const config = readConfig({ PORT: '0', LOG_LEVEL: options.logLevel });
    const server = await startServer({
      config,
      logger: createLogger(config.logLevel),
      createBot: () => new EchoBot(),
      readiness: async () => ({}),
    });
    return server;
  }

  const config = readConfig({
    PORT: '0',
    STORAGE: `sqlite:${options.databaseFile}`,
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

async function main(): Promise<void> {
  const options = JSON.parse(process.env[OPTIONS_VARIABLE] ?? '{}') as BotProcessOptions;
  const bot = await start(options);

  // A runner that stopped without stopping this bot closes the IPC channel.
  process.once('disconnect', () => process.exit(0));
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'usage') {
      if (message.collectGarbage) {
        if (!global.gc) throw new Error('Start the bot process with --expose-gc.');
        global.gc();
      }
      send({ type: 'usage', memory: process.memoryUsage(), cpu: process.cpuUsage() });
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
