import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../../sandbox/seed';
import { AzureTablesStore } from '../../src/store/azure-tables-store';
import type { Collection } from '../../src/store/port';
import type { OutboxEntry } from '../../src/teams/outbox-entry';
import { OUTBOX_COLLECTION } from '../../src/teams/outbox';
import { RequestRepository } from '../../src/workflow/requests';
import {
  adaptiveCardAction,
  postActivity,
  type ActivityOptions,
  type TeamsUser,
} from './activities';
import { azuriteConnectionString, startAzurite, type Azurite } from './azurite';
import { startBatchingProxy, type BatchingProxy } from './batching-proxy';
import {
  cardOf,
  messageAndReply,
  personalChatWith,
  requestIdOf,
  startBotProcess,
  waitUntil,
  type BotProcess,
  type CardLocation,
  type InvokeResponseBody,
} from './bot-harness';
import { startFakeConnector, type FakeConnector, type SentRecord } from './fake-connector';

/** How long the cluster helpers wait for a reply or a stored change from a bot process. */
const WAIT_IN_MS = 30_000;

/**
 * Several bot processes (`src/main.ts`) on their own loopback ports that share one private
 * Azurite, one Resource Manager emulator and one fake Bot Connector. The test process reads
 * and writes the same tables through `store`.
 */
export interface BotCluster {
  bots: BotProcess[];
  azurite: Azurite;
  /** The proxy between the bots and Azurite. The test process connects to Azurite directly. */
  proxy: BatchingProxy;
  emulator: Emulator;
  connector: FakeConnector;
  /** The bots' store, opened in the test process. */
  store: AzureTablesStore;
  requests: RequestRepository;
  outbox: Collection<OutboxEntry>;
  /** Activity options for a user's 1:1 chat with the bot. */
  personal(user: TeamsUser): ActivityOptions;
  close(): Promise<void>;
}

export interface BotClusterOptions {
  instances: number;
  /** Extra environment of every bot process. */
  env?: Record<string, string>;
}

/**
 * Starts a fresh Azurite, so the bots' default table names (which `STORAGE=azure-tables`
 * cannot change) hold only this cluster's data, then the emulator, the connector and the bots.
 */
export async function startBotCluster(options: BotClusterOptions): Promise<BotCluster> {
  const folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-cluster-'));
  const azurite = await startAzurite();
  const proxy = await startBatchingProxy(tablePortOf(azurite.connectionString));
  const emulator = await startEmulator({
    seed: loadSeed(DEMO_SEED_PATH),
    port: 0,
    retryAfterInSeconds: 0,
  });
  const connector = await startFakeConnector();
  const bots: BotProcess[] = [];
  let store: AzureTablesStore | undefined;

  const close = async (): Promise<void> => {
    await Promise.all(bots.map((bot) => bot.stop('SIGTERM')));
    await store?.close();
    await connector.close();
    await emulator.close();
    await proxy.close();
    await azurite.stop();
    rmSync(folder, { recursive: true, force: true });
  };

  try {
    store = await AzureTablesStore.open({ connectionString: azurite.connectionString });
    const env = {
      STORAGE: 'azure-tables',
      AZURE_STORAGE_CONNECTION_STRING: azuriteConnectionString(proxy.port),
      LOG_LEVEL: 'info',
      ...options.env,
    };
    // One at a time: several tsx compilations at once on a small machine can outlast the
    // start-up timeout of `startBotProcess`.
    for (let index = 0; index < options.instances; index++) {
      bots.push(
        await startBotProcess({ emulator, databaseFile: path.join(folder, 'unused.db'), env }),
      );
    }
  } catch (error) {
    await close();
    throw error;
  }

  return {
    bots,
    azurite,
    proxy,
    emulator,
    connector,
    store,
    requests: new RequestRepository(store),
    // The same definition as the outbox's own, so opening it rewrites no index.
    outbox: store.collection<OutboxEntry>({
      name: OUTBOX_COLLECTION,
      indexes: { state: (entry) => entry.state },
    }),
    personal: (user) => personalChatWith(connector, user),
    close,
  };
}

function tablePortOf(connectionString: string): number {
  const match = /TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)\//.exec(connectionString);
  if (!match?.[1]) throw new Error(`No loopback table endpoint in ${connectionString}.`);
  return Number(match[1]);
}

/** Sends a text message in a user's 1:1 chat through `bot` and returns the first reply. */
export function sendTextTo(
  cluster: BotCluster,
  bot: BotProcess,
  user: TeamsUser,
  text: string,
): Promise<SentRecord> {
  return messageAndReply(bot.url, cluster.connector, user, text, { timeoutInMs: WAIT_IN_MS });
}

/**
 * Previews a gallery through `previewBot` and submits it through `submitBot`, then waits until
 * the stored request is pending and its approval card reached `approver`.
 */
export async function submitThrough(
  cluster: BotCluster,
  previewBot: BotProcess,
  submitBot: BotProcess,
  requester: TeamsUser,
  gallery: string,
  approver: TeamsUser,
): Promise<{ requestId: string; approvalCard: CardLocation }> {
  const preview = await sendTextTo(cluster, previewBot, requester, `publish ${gallery}`);
  const requestId = requestIdOf(cardOf(preview.body));
  if (!requestId) throw new Error(`The preview of ${gallery} names no request.`);

  const response = await postActivity(
    submitBot.url,
    adaptiveCardAction(cluster.personal(requester), {
      verb: 'submitRequest',
      data: { verb: 'submitRequest', requestId, justification: 'Release 1.1 for customers' },
      replyToId: preview.activityId,
    }),
  );
  if (response.status !== 200) {
    throw new Error(`Submitting ${requestId} failed with HTTP ${response.status}.`);
  }
  await waitUntil(
    async () => ((await cluster.requests.get(requestId)).state === 'pending' ? true : undefined),
    `request ${requestId} to be pending`,
    WAIT_IN_MS,
  );
  const approvalCard = await waitUntil(
    () => approvalCardIn(cluster, approver, requestId),
    `the approval card of ${requestId} for ${approver.name}`,
    WAIT_IN_MS,
  );
  return { requestId, approvalCard };
}

/** Returns the approval card message of a request in a user's 1:1 chat, if it arrived. */
export function approvalCardIn(
  cluster: BotCluster,
  user: TeamsUser,
  requestId: string,
): CardLocation | undefined {
  const conversationId = cluster.personal(user).conversationId;
  const record = cluster.connector.sent.find(
    (sent) =>
      sent.conversationId === conversationId &&
      requestIdOf(cardOf(sent.body)) === requestId &&
      JSON.stringify(cardOf(sent.body)).includes('"verb":"approve"'),
  );
  return record && { conversationId, activityId: record.activityId };
}

/** Clicks a card action as `user` through `bot`, and returns the invoke response. */
export async function clickThrough(
  cluster: BotCluster,
  bot: BotProcess,
  user: TeamsUser,
  card: CardLocation,
  verb: string,
  data: Record<string, unknown>,
): Promise<{ status: number; body: InvokeResponseBody }> {
  const activity = adaptiveCardAction(
    { ...cluster.personal(user), conversationId: card.conversationId },
    { verb, data: { verb, ...data }, replyToId: card.activityId },
  );
  const response = await postActivity(bot.url, activity);
  return { status: response.status, body: response.body as InvokeResponseBody };
}

/** Waits until the shared outbox has no pending entry left, and returns every entry. */
export async function clusterOutboxSettled(cluster: BotCluster): Promise<OutboxEntry[]> {
  return waitUntil(
    async () => {
      const entries = (await cluster.outbox.query({})).map((stored) => stored.value);
      return entries.some((entry) => entry.state === 'pending') ? undefined : entries;
    },
    'the outbox to deliver every entry',
    WAIT_IN_MS,
  );
}

/** Counts the lines of every bot's output that contain `text`, per bot. */
export function outputLinesPerBot(cluster: BotCluster, text: string): number[] {
  return cluster.bots.map(
    (bot) =>
      bot
        .output()
        .split('\n')
        .filter((line) => line.includes(text)).length,
  );
}
