import type { Emulator, RecordedRequest } from '../sandbox/emulator';
import { openStore } from '../src/store/open-store';
import type { Store } from '../src/store/port';
import { RequestRepository } from '../src/workflow/requests';
import { personalMessage } from '../test/support/activities';
import { cardOf, requestIdOf } from '../test/support/bot-harness';
import type { FakeConnector } from '../test/support/fake-connector';
import type { BotChild } from './bot-child';
import type { BenchStorage } from './bot-protocol';
import { sendBurst } from './throughput';
import { summarize, type Summary } from './stats';
import { USERS, invokeTurn, messageTurn, personalChat } from './turns';

export const READY_GALLERY =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery';

/** The demonstration seed's approvers of readyGallery: directly, by resource group, by group. */
const APPROVERS = [USERS.alex, USERS.megan, USERS.adele, USERS.isaiah];
/** Holds no role on the gallery, so every approver may decide the request. */
const REQUESTER = USERS.lynne;
const WAIT_TIMEOUT_IN_MS = 30_000;

export interface ApproveSettings {
  /**
   * Rounds run first on the new bot process and left out of every figure but
   * `firstBurstLatency`. Their clicks run code that V8 has not optimized yet, while the echo
   * bot's code has been optimized by the time it is compared.
   */
  warmUpRounds: number;
  rounds: number;
  /** Approve invokes sent at once on one pending request, spread over the approvers. */
  clicks: number;
  /** The bot's store, which the benchmark reads for the audit trail and the request states. */
  storage: BenchStorage;
}

export interface ApproveFigures {
  /** From sending each approve invoke to its invoke response, every round together. */
  latency: Summary;
  /** The same for the warm-up rounds, the first bursts after the bot process started. */
  firstBurstLatency?: Summary;
  /** CPU time (user and system) of the bot process per click during the bursts, in ms. */
  cpuPerClickInMs: number;
  /**
   * Response times of the echo bot to as many messages sent at once, one burst after each
   * round's clicks. They show what the same stack needs for a burst of that size.
   */
  echoBurstLatency?: Summary;
  /** Invoke responses per second of burst, averaged over the rounds. */
  decisionsPerSecond: number;
  rounds: number;
  clicks: number;
  /** Requests that recorded exactly one approval in the audit trail, of `rounds`. */
  singleApprovalRounds: number;
  /** Resource Manager and Graph requests of one round's burst by kind, divided by `clicks`. */
  requestsPerClick: Record<string, number>;
}

/**
 * Measures approve-to-decision: per round, Lynne previews and submits readyGallery, then every
 * approver clicks Approve at once, `clicks` invokes in all. The emulator responds with no added
 * latency, and the round ends when the share has finished and readyGallery is private again.
 */
export async function runApproveBench(
  settings: ApproveSettings,
  bot: BotChild,
  connector: FakeConnector,
  emulator: Emulator,
  echo?: BotChild,
): Promise<ApproveFigures> {
  const botUrl = bot.url;
  const store = await openBenchStore(settings.storage);
  const requests = new RequestRepository(store);
  const originalGallery = emulator.resource(READY_GALLERY);
  if (!originalGallery) throw new Error(`The emulator has no gallery ${READY_GALLERY}.`);

  const latencies: number[] = [];
  const warmUpLatencies: number[] = [];
  const echoLatencies: number[] = [];
  const rates: number[] = [];
  const kinds = new Map<string, number>();
  let singleApprovalRounds = 0;
  let burstCpuInMs = 0;
  try {
    for (let round = 0; round < settings.warmUpRounds + settings.rounds; round++) {
      const measured = round >= settings.warmUpRounds;
      const requestId = await submitRequest(botUrl, connector, `Benchmark round ${round + 1}`);
      await waitForApprovalCards(connector, requestId);

      const firstSequence = emulator.requests.length;
      const cpuBefore = await bot.cpuTimeInMs();
      const started = performance.now();
      const turns = await Promise.all(
        Array.from({ length: settings.clicks }, (_, index) =>
          invokeTurn(botUrl, personalChat(connector, APPROVERS[index % APPROVERS.length]!), {
            verb: 'approve',
            data: { verb: 'approve', requestId },
            replyToId: `approval-card-${round}`,
          }),
        ),
      );
      const rate = settings.clicks / ((performance.now() - started) / 1000);
      const cpuInMs = (await bot.cpuTimeInMs()) - cpuBefore;
      const requestsMade = emulator.requests.slice(firstSequence);
      const approvals = (await store.audit.list({ requestId })).filter(
        (record) => record.action === 'approve',
      );
      await waitForState(requests, requestId, ['shared', 'failed']);
      emulator.putResource(originalGallery);
      connector.reset();
      if (!measured) {
        warmUpLatencies.push(...turns.map((turn) => turn.latencyInMs));
        continue;
      }

      rates.push(rate);
      burstCpuInMs += cpuInMs;
      latencies.push(...turns.map((turn) => turn.latencyInMs));
      for (const request of requestsMade) {
        const kind = requestKind(request);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      if (approvals.length === 1) singleApprovalRounds += 1;

      if (echo) {
        const chat = personalChat(connector, REQUESTER);
        const burst = await sendBurst(
          echo.url,
          (index) => personalMessage(chat, `approve ${index}`),
          settings.clicks,
        );
        echoLatencies.push(...burst);
        connector.reset();
      }
    }
  } finally {
    await store.close();
  }

  const totalClicks = settings.rounds * settings.clicks;
  return {
    latency: summarize(latencies),
    firstBurstLatency: warmUpLatencies.length > 0 ? summarize(warmUpLatencies) : undefined,
    echoBurstLatency: echoLatencies.length > 0 ? summarize(echoLatencies) : undefined,
    cpuPerClickInMs: burstCpuInMs / totalClicks,
    decisionsPerSecond: rates.reduce((sum, rate) => sum + rate, 0) / rates.length,
    rounds: settings.rounds,
    clicks: settings.clicks,
    singleApprovalRounds,
    requestsPerClick: Object.fromEntries(
      [...kinds].map(([kind, count]) => [kind, count / totalClicks]),
    ),
  };
}

/**
 * Previews and submits readyGallery `count` times as Lynne and leaves the requests pending, so
 * that her `status` lists them. Returns once their approval cards have reached the connector,
 * when the bot has no work left from them.
 */
export async function submitOpenRequests(
  bot: BotChild,
  connector: FakeConnector,
  count: number,
): Promise<void> {
  for (let index = 0; index < count; index++) {
    const requestId = await submitRequest(
      bot.url,
      connector,
      `Benchmark open request ${index + 1}`,
    );
    await waitForApprovalCards(connector, requestId);
    connector.reset();
  }
}

/** Previews and submits readyGallery as Lynne and returns the pending request's id. */
async function submitRequest(
  botUrl: string,
  connector: FakeConnector,
  justification: string,
): Promise<string> {
  const chat = personalChat(connector, REQUESTER);
  const preview = await messageTurn(botUrl, connector, chat, 'publish sandbox-rg/readyGallery');
  const requestId = requestIdOf(cardOf(preview.reply.body));
  if (!requestId) {
    throw new Error(
      `The preview of readyGallery has no request id: ${JSON.stringify(preview.reply.body).slice(0, 500)}`,
    );
  }
  const submit = await invokeTurn(botUrl, chat, {
    verb: 'submitRequest',
    data: { verb: 'submitRequest', requestId, justification },
    replyToId: preview.reply.activityId,
  });
  if (!JSON.stringify(submit.body).includes('"verb":"cancelRequest"')) {
    throw new Error(
      `Submitting ${requestId} did not make it pending: ${JSON.stringify(submit.body).slice(0, 500)}`,
    );
  }
  return requestId;
}

/** Waits until each approver's approval card has reached the connector. */
async function waitForApprovalCards(connector: FakeConnector, requestId: string): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_IN_MS;
  const isApprovalCard = (body: unknown): boolean => {
    const text = JSON.stringify(body);
    return text.includes(requestId) && text.includes('"verb":"approve"');
  };
  while (connector.sent.filter((record) => isApprovalCard(record.body)).length < APPROVERS.length) {
    if (Date.now() > deadline) {
      throw new Error(`The approval cards of ${requestId} did not reach the connector in time.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitForState(
  requests: RequestRepository,
  requestId: string,
  states: string[],
): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_IN_MS;
  for (;;) {
    const request = await requests.get(requestId);
    if (states.includes(request.state)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `Request ${requestId} is still ${request.state}, expected ${states.join(' or ')}.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens the store of a bot under test from this process. */
export function openBenchStore(storage: BenchStorage): Promise<Store> {
  return 'databaseFile' in storage
    ? openStore(`sqlite:${storage.databaseFile}`)
    : openStore('azure-tables', { connectionString: storage.tablesConnectionString });
}

/** Names what a recorded emulator request reads or writes. */
export function requestKind(request: RecordedRequest): string {
  const path = request.path.toLowerCase();
  if (path.startsWith('/v1.0/')) return 'Microsoft Graph group members';
  if (path.includes('/roleassignments')) return 'role assignments';
  if (path.includes('/roledefinitions')) return 'role definitions';
  if (path.endsWith('/permissions')) return "bot's permissions";
  if (path.endsWith('/share')) return 'share';
  if (path.includes('/capsoperations/')) return 'share operation status';
  if (path.includes('/communitygalleries/')) return 'community gallery';
  if (/\/images\/[^/]+\/versions$/.test(path)) return 'version list';
  if (path.endsWith('/images')) return 'image list';
  if (path.endsWith('/applications')) return 'application list';
  if (/\/galleries\/[^/]+$/.test(path)) return 'gallery';
  return 'other';
}
