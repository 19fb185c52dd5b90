import Database from 'better-sqlite3';
import type { FakeConnector } from '../test/support/fake-connector';
import { cardOf } from '../test/support/bot-harness';
import { startBotChild, type BotChild } from './bot-child';
import { READ_COMMAND } from './echo-bot';
import { benchGalleryArgument, benchGalleryId, benchSeed } from './gallery-seed';
import { startIndexedEmulator } from './indexed-emulator';
import { summarize, type Summary } from './stats';
import { USERS, jsonBytes, messageTurn, personalChat } from './turns';

export interface PreviewSettings {
  imageCounts: readonly number[];
  /** Fixed delay of every Resource Manager request, in milliseconds. */
  latencyInMs: number;
  /** Items per page of the emulator's lists. */
  pageSize: number;
  /** Version lists in flight, as the bot's inspection uses them. */
  concurrency: number;
  /** Turns per gallery size: warm-up turns are not measured. */
  turnsFor(imageCount: number): { warmUp: number; measured: number };
  databaseFile: string;
  /** Node options added to the bot process, such as `--cpu-prof`. */
  botExecArgv?: readonly string[];
}

export interface PreviewFigures {
  imageCount: number;
  /** Echo turns taken between the preview turns, in ms. */
  echoLatency: Summary;
  /**
   * Echo turns that first read the gallery with the inspection's requests over plain HTTPS
   * (`bench/plain-reads.ts`), taken between the preview turns, in ms.
   */
  readLatency: Summary;
  /** From the `publish` message to the preview card's arrival at the connector, in ms. */
  latency: Summary;
  /** CPU time (user and system) of the bot process per measured turn, in ms. */
  cpuPerTurnInMs: number;
  /** Resource Manager requests of one preview turn. */
  requestsPerTurn: number;
  /** The Adaptive Card of the preview as UTF-8 JSON, in bytes. */
  cardBytes: number;
  /** The whole activity the bot posted to the connector, in bytes. */
  activityBytes: number;
  /** Largest stored request document (with the gallery snapshot) so far, in bytes. */
  storedRequestBytes?: number;
  /** Round trips with unlimited concurrency: the image list's pages, then one version list. */
  unavoidableRoundTrips: number;
  /** Round trips with the bot's version list concurrency. */
  boundedRoundTrips: number;
}

/**
 * Round trips that no client can avoid: the gallery, the first page of image definitions and
 * the application list go together, each further page needs the previous page's `nextLink`,
 * and the last page's version lists follow it.
 */
export function unavoidableRoundTrips(imageCount: number, pageSize: number): number {
  return imageCount === 0 ? 1 : Math.ceil(imageCount / pageSize) + 1;
}

/** Round trips when at most `concurrency` version lists are in flight. */
export function boundedRoundTrips(
  imageCount: number,
  pageSize: number,
  concurrency: number,
): number {
  if (imageCount === 0) return 1;
  return 1 + Math.max(Math.ceil(imageCount / concurrency), Math.ceil(imageCount / pageSize));
}

/**
 * Measures preview turns for galleries of each size: a bot process against the indexed
 * emulator with a fixed latency, one `publish` at a time from Alex's 1:1 chat. Each preview
 * follows two turns of an echo bot, a plain one and one that reads the same gallery over plain
 * HTTPS first, so that the baselines run under the same load from other processes.
 */
export async function runPreviewBench(
  settings: PreviewSettings,
  connector: FakeConnector,
): Promise<{ figures: PreviewFigures[]; problems: ReadonlyMap<string, number> }> {
  const emulator = await startIndexedEmulator({
    seed: benchSeed(settings.imageCounts),
    latencyInMs: settings.latencyInMs,
    pageSize: settings.pageSize,
  });
  const bot = await startBotChild(
    {
      kind: 'gallery',
      resourceManagerUrl: emulator.url,
      caCertificate: emulator.caCertificate,
      databaseFile: settings.databaseFile,
      logLevel: 'info',
    },
    settings.botExecArgv,
  );
  const echo = await startBotChild({
    kind: 'echo',
    resourceManagerUrl: emulator.url,
    caCertificate: emulator.caCertificate,
    logLevel: 'info',
  });

  try {
    const figures: PreviewFigures[] = [];
    for (const imageCount of settings.imageCounts) {
      figures.push(await measureSize(imageCount, settings, { bot, echo }, connector, emulator));
    }
    return { figures, problems: bot.problems };
  } finally {
    await Promise.all([bot.stop(), echo.stop()]);
    await emulator.close();
  }
}

async function measureSize(
  imageCount: number,
  settings: PreviewSettings,
  { bot, echo }: { bot: BotChild; echo: BotChild },
  connector: FakeConnector,
  emulator: { requestCount: number; clearRequests(): void },
): Promise<PreviewFigures> {
  const { warmUp, measured } = settings.turnsFor(imageCount);
  const chat = personalChat(connector, USERS.alex);
  const latencies: number[] = [];
  const echoLatencies: number[] = [];
  const readLatencies: number[] = [];
  let requestsPerTurn = 0;
  let cardBytes = 0;
  let activityBytes = 0;
  let cpuBefore = 0;

  for (let turn = 0; turn < warmUp + measured; turn++) {
    connector.reset();
    const echoTurn = await messageTurn(echo.url, connector, chat, 'status');
    emulator.clearRequests();
    const readTurn = await messageTurn(
      echo.url,
      connector,
      chat,
      `${READ_COMMAND} ${benchGalleryId(imageCount)}`,
    );
    const readRequests = emulator.requestCount;
    if (!JSON.stringify(readTurn.reply.body).includes(`read ${imageCount} images`)) {
      throw new Error(
        `The echo bot replied ${JSON.stringify(readTurn.reply.body).slice(0, 300)} instead ` +
          `of reading ${imageCount} images.`,
      );
    }
    if (turn === warmUp) cpuBefore = await bot.cpuTimeInMs();
    emulator.clearRequests();
    const { latencyInMs, reply } = await messageTurn(
      bot.url,
      connector,
      chat,
      `publish ${benchGalleryArgument(imageCount)}`,
    );
    const card = cardOf(reply.body);
    if (!JSON.stringify(card).includes('"verb":"submitRequest"')) {
      throw new Error(
        `The preview of ${imageCount} images is not a submittable card: ${JSON.stringify(card).slice(0, 500)}`,
      );
    }
    if (emulator.requestCount !== readRequests) {
      throw new Error(
        `The echo bot made ${readRequests} requests to read ${imageCount} images, and the ` +
          `preview ${emulator.requestCount}, so the baseline does not make the same reads.`,
      );
    }
    if (turn < warmUp) continue;
    latencies.push(latencyInMs);
    echoLatencies.push(echoTurn.latencyInMs);
    readLatencies.push(readTurn.latencyInMs);
    requestsPerTurn = Math.max(requestsPerTurn, emulator.requestCount);
    cardBytes = Math.max(cardBytes, jsonBytes(card));
    activityBytes = Math.max(activityBytes, jsonBytes(reply.body));
  }

  const cpuPerTurnInMs = ((await bot.cpuTimeInMs()) - cpuBefore) / measured;
  const storedRequestBytes = largestStoredRequest(settings.databaseFile);

  return {
    imageCount,
    echoLatency: summarize(echoLatencies),
    readLatency: summarize(readLatencies),
    latency: summarize(latencies),
    cpuPerTurnInMs,
    requestsPerTurn,
    cardBytes,
    activityBytes,
    storedRequestBytes,
    unavoidableRoundTrips: unavoidableRoundTrips(imageCount, settings.pageSize),
    boundedRoundTrips: boundedRoundTrips(imageCount, settings.pageSize, settings.concurrency),
  };
}

/**
 * Reads the size of the largest request document in the bot's SQLite file. Returns undefined
 * when the store's schema (table `documents`, column `body`) has changed.
 */
function largestStoredRequest(databaseFile: string): number | undefined {
  const database = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const row = database
      .prepare(
        "SELECT MAX(LENGTH(CAST(body AS BLOB))) AS size FROM documents WHERE collection = 'requests'",
      )
      .get() as { size: number | null } | undefined;
    return row?.size ?? undefined;
  } catch {
    return undefined;
  } finally {
    database.close();
  }
}
