import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { TokenCredential } from '@azure/core-auth';
import Database from 'better-sqlite3';
import { startApp, type App, type AppOptions } from '../../src/app';
import { readConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { AuditRecord } from '../../src/store/port';
import type { PublishRequest } from '../../src/workflow/request';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../../sandbox/seed';
import { startFakeConnector, type FakeConnector, type SentRecord } from './fake-connector';
import {
  adaptiveCardAction,
  personalMessage,
  postActivity,
  type ActivityOptions,
  type TeamsUser,
} from './activities';

export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const TENANT_ID = '00000000-0000-0000-0000-0000000000001';

/** The Microsoft 365 Agents Playground's mock users, as the demonstration seed knows them. */
export const USERS = {
  alex: {
    id: '29:alex',
    name: 'Alex Wilber',
    aadObjectId: '00000000-0000-0000-0000-0000000000020',
  },
  megan: {
    id: '29:megan',
    name: 'Megan Bowen',
    aadObjectId: '00000000-0000-0000-0000-0000000000021',
  },
  adele: {
    id: '29:adele',
    name: 'Adele Vance',
    aadObjectId: '00000000-0000-0000-0000-0000000000022',
  },
  isaiah: {
    id: '29:isaiah',
    name: 'Isaiah Langer',
    aadObjectId: '00000000-0000-0000-0000-0000000000023',
  },
  patti: {
    id: '29:patti',
    name: 'Patti Fernandez',
    aadObjectId: '00000000-0000-0000-0000-0000000000024',
  },
  lynne: {
    id: '29:lynne',
    name: 'Lynne Robbins',
    aadObjectId: '00000000-0000-0000-0000-0000000000025',
  },
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
  /** Time after which a card action returns the current card; default: the app's. */
  invokeDeadlineInMs?: number;
  /** Timing of the outbox and housekeeping, and their clock; the app's defaults. */
  app?: Pick<AppOptions, 'now' | 'outbox' | 'housekeepingIntervalInMs' | 'requestTimeoutInMs'>;
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
      invokeDeadlineInMs: options.invokeDeadlineInMs,
      ...options.app,
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
    personal: (user) => personalChatWith(connector, user),
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
        if ((key === 'text' || key === 'title' || key === 'value') && typeof value === 'string')
          parts.push(value);
        else visit(value);
      }
    }
  };
  visit(card);
  return parts.join('\n');
}

/** A conversation the bot card lives in, and the id of the message that shows it. */
export interface CardLocation {
  conversationId: string;
  activityId: string;
}

/** Returns the activity options of a user's 1:1 chat with a bot that replies to `connector`. */
export function personalChatWith(connector: FakeConnector, user: TeamsUser): ActivityOptions {
  return {
    serviceUrl: connector.url,
    user,
    conversationId: `a:personal-${user.aadObjectId}`,
    tenantId: TENANT_ID,
  };
}

/**
 * Sends a text message from `user` in their 1:1 chat to the bot at `botUrl` and returns the
 * bot's first reply in that chat, as `connector` recorded it.
 */
export async function messageAndReply(
  botUrl: string,
  connector: FakeConnector,
  user: TeamsUser,
  text: string,
  options: { timeoutInMs?: number } = {},
): Promise<SentRecord> {
  const chat = personalChatWith(connector, user);
  const before = connector.sent.length;
  const response = await postActivity(botUrl, personalMessage(chat, text));
  if (response.status !== 200) {
    throw new Error(`${botUrl} returned HTTP ${response.status} for "${text}" from ${user.name}.`);
  }
  return connector.waitFor(
    (record): record is SentRecord =>
      record.kind === 'sent' &&
      record.conversationId === chat.conversationId &&
      connector.sent.indexOf(record as SentRecord) >= before,
    options,
  );
}

/** Sends a text message in a user's 1:1 chat and returns the bot's first reply to it. */
export function sendText(harness: Harness, user: TeamsUser, text: string): Promise<SentRecord> {
  return messageAndReply(harness.botUrl, harness.connector, user, text);
}

/**
 * Previews a gallery as `requester` and submits it, then waits until the workflow finished
 * the work the submission started (card updates and approval cards).
 */
export async function submitRequest(
  harness: Harness,
  requester: TeamsUser,
  gallery = 'sandbox-rg/readyGallery',
): Promise<{ requestId: string; preview: CardLocation }> {
  const preview = await sendText(harness, requester, `publish ${gallery}`);
  const requestId = requestIdOf(cardOf(preview.body));
  if (!requestId) throw new Error(`The preview of ${gallery} names no request.`);

  const response = await postActivity(
    harness.botUrl,
    adaptiveCardAction(harness.personal(requester), {
      verb: 'submitRequest',
      data: { verb: 'submitRequest', requestId, justification: 'Release 1.1 for customers' },
      replyToId: preview.activityId,
    }),
  );
  if (response.status !== 200)
    throw new Error(`Submitting ${requestId} answered ${response.status}.`);
  await harness.app.workflow.idle();
  const submitted = await harness.app.workflow.requests.get(requestId);
  if (submitted.state !== 'pending') {
    throw new Error(`Submitting ${requestId} left it ${submitted.state}.`);
  }
  return {
    requestId,
    preview: { conversationId: preview.conversationId, activityId: preview.activityId },
  };
}

/** Returns the approval card message the bot sent to a user who wrote to it before. */
export function approvalCardOf(harness: Harness, user: TeamsUser, requestId: string): CardLocation {
  const conversationId = harness.personal(user).conversationId;
  const record = harness.connector.sent.find(
    (sent) =>
      sent.conversationId === conversationId &&
      requestIdOf(cardOf(sent.body)) === requestId &&
      JSON.stringify(cardOf(sent.body)).includes('"verb":"approve"'),
  );
  if (!record) throw new Error(`No approval card of ${requestId} reached ${user.name}.`);
  return { conversationId, activityId: record.activityId };
}

/** The body of an `adaptiveCard/action` invoke response. */
export interface InvokeResponseBody {
  statusCode: number;
  type: string;
  value: unknown;
}

/** Clicks a card action as `user` in the conversation of `card`, and returns the response. */
export async function clickCard(
  harness: Harness,
  user: TeamsUser,
  card: CardLocation,
  verb: string,
  data: Record<string, unknown>,
  trigger: 'manual' | 'automatic' = 'manual',
): Promise<{ status: number; body: InvokeResponseBody }> {
  const activity = adaptiveCardAction(
    { ...harness.personal(user), conversationId: card.conversationId },
    { verb, data: { verb, ...data }, replyToId: card.activityId, trigger },
  );
  const response = await postActivity(harness.botUrl, activity);
  return { status: response.status, body: response.body as InvokeResponseBody };
}

/** Reads a request as stored, after the background work of the bot has finished. */
export async function settledRequest(harness: Harness, requestId: string): Promise<PublishRequest> {
  await harness.app.workflow.idle();
  return harness.app.workflow.requests.get(requestId);
}

/** Reads the audit trail of a request from a SQLite file, oldest first. */
export function auditRecords(databaseFile: string, requestId: string): AuditRecord[] {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const rows = database
      .prepare('SELECT record FROM audit WHERE request_id = ? ORDER BY sequence')
      .all(requestId) as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as AuditRecord);
  } finally {
    database.close();
  }
}

/** Reads a request document from a SQLite file, or undefined when there is none. */
export function storedRequest(databaseFile: string, requestId: string): PublishRequest | undefined {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const row = database
      .prepare("SELECT body FROM documents WHERE collection = 'requests' AND key = ?")
      .get(requestId) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as PublishRequest) : undefined;
  } finally {
    database.close();
  }
}

/** Returns the ids of a principal's role assignments in the demonstration seed. */
export function demoRoleAssignmentIds(principalId: string, roleDefinitionGuid?: string): string[] {
  return loadSeed(DEMO_SEED_PATH)
    .resources.filter(
      (resource) =>
        resource.type === 'Microsoft.Authorization/roleAssignments' &&
        resource.properties?.principalId === principalId &&
        (roleDefinitionGuid === undefined ||
          String(resource.properties?.roleDefinitionId).endsWith(`/${roleDefinitionGuid}`)),
    )
    .map((resource) => resource.id);
}

/** Object id of the bot's own Azure identity in the demonstration seed. */
export const BOT_PRINCIPAL_ID = loadSeed(DEMO_SEED_PATH).botPrincipalId;

/** Polls `read` until it returns a value other than undefined, or raises after the timeout. */
export async function waitUntil<T>(
  read: () => T | undefined | Promise<T | undefined>,
  description: string,
  timeoutInMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutInMs} ms waiting for ${description}.`);
    await delay(25);
  }
}

/** The bot running as a separate process, started by `startBotProcess`. */
export interface BotProcess {
  url: string;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal and resolves when the process has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

export interface BotProcessOptions {
  emulator: Emulator;
  databaseFile: string;
  env?: Record<string, string>;
}

const REPOSITORY_ROOT = path.join(__dirname, '..', '..');

/**
 * Starts `src/main.ts` in its own Node.js process (through tsx, in-process so that a signal
 * reaches the bot itself), pointed at the emulator and a SQLite file, on a free port.
 * Resolves once `/healthz` returns 200.
 */
export async function startBotProcess(options: BotProcessOptions): Promise<BotProcess> {
  const caFile = path.join(path.dirname(options.databaseFile), 'emulator-ca.pem');
  writeFileSync(caFile, options.emulator.caCertificate);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(
    process.execPath,
    ['--disable-warning=DEP0111', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: REPOSITORY_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(port),
        STORAGE: `sqlite:${options.databaseFile}`,
        AZURE_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
        AZURE_RESOURCE_MANAGER_ENDPOINT: `${options.emulator.url}/`,
        AZURE_RESOURCE_MANAGER_CA_FILE: caFile,
        GRAPH_ENDPOINT: options.emulator.url,
        ALLOW_SELF_APPROVAL: 'false',
        LOG_LEVEL: 'debug',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const chunks: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output = () => chunks.join('');

  try {
    await waitUntil(async () => {
      if (child.exitCode !== null) {
        throw new Error(`The bot exited with code ${child.exitCode}:\n${output()}`);
      }
      const response = await fetch(`${url}/healthz`).catch(() => undefined);
      return response?.ok ? true : undefined;
    }, `the bot process on ${url}`);
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }

  return {
    url,
    pid: child.pid ?? 0,
    output,
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Copies the demonstration `readyGallery`, with its image definitions and versions, into
 * another resource group, where only the subscription's Owner and the bot hold roles.
 * Returns the copy's `resourceGroup/gallery` argument.
 */
export function copyReadyGallery(
  emulator: Emulator,
  resourceGroup: string,
  galleryName: string,
): string {
  const seed = loadSeed(DEMO_SEED_PATH);
  const sourceGroup = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/sandbox-rg`;
  const targetGroup = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${resourceGroup}`;
  const sourceGallery = `${sourceGroup}/providers/Microsoft.Compute/galleries/readyGallery`;
  const targetGallery = `${targetGroup}/providers/Microsoft.Compute/galleries/${galleryName}`;

  emulator.putResource({
    id: targetGroup,
    name: resourceGroup,
    type: 'Microsoft.Resources/resourceGroups',
    location: 'westus',
    properties: { provisioningState: 'Succeeded' },
  });
  for (const resource of seed.resources) {
    if (
      !resource.id.startsWith(sourceGallery) ||
      resource.type.startsWith('Microsoft.Authorization')
    ) {
      continue;
    }
    const id = targetGallery + resource.id.slice(sourceGallery.length);
    emulator.putResource({
      ...structuredClone(resource),
      id,
      name: id === targetGallery ? galleryName : resource.name,
    });
  }
  const botAssignments = seed.resources.filter(
    (resource) =>
      resource.type === 'Microsoft.Authorization/roleAssignments' &&
      resource.properties?.principalId === seed.botPrincipalId &&
      resource.properties?.scope === sourceGroup,
  );
  for (const assignment of botAssignments) {
    emulator.putResource({
      ...structuredClone(assignment),
      id: targetGroup + assignment.id.slice(sourceGroup.length),
      properties: { ...assignment.properties, scope: targetGroup },
    });
  }
  return `${resourceGroup}/${galleryName}`;
}
