import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { TokenCredential } from '@azure/core-auth';
import { startApp, type App } from '../../src/app';
import { readConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../../sandbox/seed';
import { startFakeConnector, type FakeConnector } from './fake-connector';
import type { ActivityOptions, TeamsUser } from './activities';

export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const TENANT_ID = '00000000-0000-0000-0000-0000000000001';

/** The Microsoft 365 Agents Playground's mock users, as the demonstration seed knows them. */
export const USERS = {
  alex: { id: '29:alex', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-0000000000020' },
  megan: { id: '29:megan', name: 'Megan Bowen', aadObjectId: '00000000-0000-0000-0000-0000000000021' },
  adele: { id: '29:adele', name: 'Adele Vance', aadObjectId: '00000000-0000-0000-0000-0000000000022' },
  isaiah: { id: '29:isaiah', name: 'Isaiah Langer', aadObjectId: '00000000-0000-0000-0000-0000000000023' },
  patti: { id: '29:patti', name: 'Patti Fernandez', aadObjectId: '00000000-0000-0000-0000-0000000000024' },
  lynne: { id: '29:lynne', name: 'Lynne Robbins', aadObjectId: '00000000-0000-0000-0000-0000000000025' },
} satisfies Record<string, TeamsUser>;

export const staticCredential: TokenCredential = {
  getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

export interface Harness {
  app: App;
  emulator: Emulator;
  connector: FakeConnector;
  botUrl: string;
  databaseFile: string;
  logs: Record<string, unknown>[];
  /** Activity options for a user's 1:1 chat with the bot. */
  personal(user: TeamsUser): ActivityOptions;
  /** Stops the bot only, keeping the emulator, the connector and the database. */
  stopBot(): Promise<void>;
  /** Starts the bot again on the same database. */
  restartBot(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  emulator?: Partial<EmulatorOptions>;
}

/**
 * Starts the real bot server on a free loopback port with a fresh SQLite file, the Resource
 * Manager emulator over HTTPS with the demonstration seed, and a fake Bot Connector.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emulatorErrors: Record<string, unknown>[] = [];
  const folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-'));
  const databaseFile = path.join(folder, 'test.db');
  const emulator = await startEmulator({
    seed: loadSeed(DEMO_SEED_PATH),
    port: 0,
    retryAfterInSeconds: 0,
    logger: { warn: (details, message) => emulatorErrors.push({ message, ...details }) },
    ...options.emulator,
  });
  const connector = await startFakeConnector();
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });

  const config = readConfig({
    PORT: '0',
    STORAGE: `sqlite:${databaseFile}`,
    AZURE_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
    AZURE_RESOURCE_MANAGER_ENDPOINT: `${emulator.url}/`,
    GRAPH_ENDPOINT: emulator.url,
    ALLOW_SELF_APPROVAL: 'false',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logger = createLogger(config.logLevel, sink);
  const start = () =>
    startApp({
      config,
      logger,
      credential: staticCredential,
      caCertificate: emulator.caCertificate,
      pollIntervalInMs: 10,
    });

  let app = await start();
  let running = true;
  const harness: Harness = {
    app,
    emulator,
    connector,
    botUrl: app.server.url,
    databaseFile,
    logs,
    personal: (user) => ({
      serviceUrl: connector.url,
      user,
      conversationId: `a:personal-${user.aadObjectId}`,
      tenantId: TENANT_ID,
    }),
    stopBot: async () => {
      if (running) await app.close();
      running = false;
    },
    restartBot: async () => {
      app = await start();
      running = true;
      harness.app = app;
      harness.botUrl = app.server.url;
    },
    close: async () => {
      if (running) await app.close();
      await connector.close();
      await emulator.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Finds the first `requestId` in a card's action data. */
export function requestIdOf(card: unknown): string | undefined {
  return /"requestId":"(r-[a-z0-9]+)"/.exec(JSON.stringify(card))?.[1];
}

/** Returns the Adaptive Card content of an activity's first attachment. */
export function cardOf(activity: { attachments?: { content?: unknown }[] } | undefined): unknown {
  return activity?.attachments?.[0]?.content;
}

/** Collects every string a card shows, to assert on what a person reads. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'text' || key === 'title' || key === 'value') && typeof value === 'string') parts.push(value);
        else visit(value);
      }
    }
  };
  visit(card);
  return parts.join('\n');
}
