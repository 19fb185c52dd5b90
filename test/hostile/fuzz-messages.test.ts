import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { startEmulator, type Emulator } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../../sandbox/seed';
import {
  adaptiveCardAction,
  personalMessage,
  postActivity,
  type ActivityOptions,
  type TeamsUser,
} from '../support/activities';
import {
  TENANT_ID,
  USERS,
  cardOf,
  copyReadyGallery,
  messageAndReply,
  personalChatWith,
  requestIdOf,
  startBotProcess,
  waitUntil,
  type BotProcess,
} from '../support/bot-harness';
import { startFakeConnector, type FakeConnector, type SentRecord } from '../support/fake-connector';
import { ActivityFuzzer, Random, type FuzzBody, type FuzzTargets } from './activity-fuzzer';

const ACTIVITY_COUNT = 10_000;
/** Requests in flight at once; the bot process is the bottleneck, not the client. */
const CONCURRENCY = 16;
/** Seed of the generator; set FUZZ_SEED to repeat a run. */
const SEED = Number(process.env.FUZZ_SEED ?? 20240401);
const HEALTH_CHECK_EVERY = 250;
/** Bound of one request, so that a stuck turn shows up as a failed request, not a hung run. */
const REQUEST_TIMEOUT_IN_MS = 20_000;

/** Users who may approve nothing (Patti is a Contributor only) and own no request. */
const UNKNOWN_USER: TeamsUser = {
  id: '29:mallory',
  name: 'Mallory',
  aadObjectId: '99999999-9999-9999-9999-999999999999',
};
const ATTACKERS: TeamsUser[] = [USERS.patti, USERS.lynne, UNKNOWN_USER];

interface Outcome {
  label: string;
  body: FuzzBody;
  /** HTTP status, or 0 when the request failed without one. */
  status: number;
  error?: string;
}

interface FuzzRun {
  targets: FuzzTargets;
  requestsBefore: Map<string, string>;
  requestsAfter: Map<string, string>;
  shareCallsBefore: number;
  shareCallsAfter: number;
  outcomes: Outcome[];
  healthStatuses: number[];
  finalHealthStatus: number;
  botOutput: string;
  botExited: boolean;
}

describe('hostile activities on /api/messages', () => {
  let folder: string;
  let databaseFile: string;
  let emulator: Emulator;
  let connector: FakeConnector;
  let bot: BotProcess;
  let run: FuzzRun;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-fuzz-'));
    databaseFile = path.join(folder, 'fuzz.db');
    emulator = await startEmulator({
      seed: loadSeed(DEMO_SEED_PATH),
      port: 0,
      retryAfterInSeconds: 0,
      logger: { warn: () => undefined },
    });
    connector = await startFakeConnector();
    bot = await startBotProcess({ emulator, databaseFile, env: { LOG_LEVEL: 'warn' } });
    run = await fuzz();
  }, 300_000);

  afterAll(async () => {
    await bot?.stop('SIGTERM');
    await connector?.close();
    await emulator?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function personal(user: TeamsUser): ActivityOptions {
    return personalChatWith(connector, user);
  }

  function preview(user: TeamsUser, gallery: string): Promise<SentRecord> {
    return messageAndReply(bot.url, connector, user, `publish ${gallery}`, {
      timeoutInMs: 15_000,
    });
  }

  async function click(
    user: TeamsUser,
    card: { conversationId: string; activityId: string },
    verb: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    const activity = adaptiveCardAction(
      { ...personal(user), conversationId: card.conversationId },
      { verb, data: { verb, ...data }, replyToId: card.activityId },
    );
    const response = await postActivity(bot.url, activity);
    if (response.status !== 200) throw new Error(`${verb} answered ${response.status}`);
  }

  function readRequests(): Map<string, string> {
    const database = new Database(databaseFile, { readonly: true });
    try {
      const rows = database
        .prepare("SELECT key, body FROM documents WHERE collection = 'requests'")
        .all() as { key: string; body: string }[];
      return new Map(rows.map((row) => [row.key, row.body]));
    } finally {
      database.close();
    }
  }

  function stateOf(requestId: string): string | undefined {
    const body = readRequests().get(requestId);
    return body === undefined ? undefined : (JSON.parse(body) as { state: string }).state;
  }

  /** Stores a pending, a failed and a draft request of Alex for the activities to aim at. */
  async function storeTargets(): Promise<FuzzTargets> {
    await postActivity(bot.url, personalMessage(personal(USERS.megan), 'help'));

    const pendingPreview = await preview(USERS.alex, 'sandbox-rg/readyGallery');
    const pendingId = requestIdOf(cardOf(pendingPreview.body)) ?? '';
    await click(USERS.alex, pendingPreview, 'submitRequest', {
      requestId: pendingId,
      justification: 'Release 1.1 for customers',
    });

    const copy = copyReadyGallery(emulator, 'sandbox-rg', 'fuzzGallery');
    const failedPreview = await preview(USERS.alex, copy);
    const failedId = requestIdOf(cardOf(failedPreview.body)) ?? '';
    await click(USERS.alex, failedPreview, 'submitRequest', {
      requestId: failedId,
      justification: 'Release 2.0 for customers',
    });
    const approvalCard = await connector.waitFor(
      (record): record is SentRecord =>
        record.kind === 'sent' &&
        record.conversationId === personal(USERS.megan).conversationId &&
        requestIdOf(cardOf(record.body)) === failedId,
      { timeoutInMs: 15_000 },
    );
    emulator.failNextShare({ code: 'InternalError', message: 'The share failed on purpose.' });
    await click(USERS.megan, approvalCard, 'approve', { requestId: failedId });
    await waitUntil(() => (stateOf(failedId) === 'failed' ? true : undefined), 'a failed share');

    const draftPreview = await preview(USERS.alex, 'sandbox-rg/readyGallery');
    const draftId = requestIdOf(cardOf(draftPreview.body)) ?? '';
    await waitUntil(() => (stateOf(pendingId) === 'pending' ? true : undefined), 'a pending one');

    return {
      serviceUrl: connector.url,
      tenantId: TENANT_ID,
      attackers: ATTACKERS,
      requestIds: [pendingId, failedId, draftId],
      cardActivityIds: [
        pendingPreview.activityId,
        failedPreview.activityId,
        draftPreview.activityId,
        approvalCard.activityId,
      ],
    };
  }

  async function send(body: FuzzBody): Promise<number> {
    const text = body.kind === 'json' ? JSON.stringify(body.value) : body.text;
    const contentType = body.kind === 'json' ? 'application/json' : body.contentType;
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: text,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_IN_MS),
    });
    await response.arrayBuffer();
    return response.status;
  }

  async function healthStatus(): Promise<number> {
    try {
      const response = await fetch(`${bot.url}/healthz`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_IN_MS),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** Sends the generated activities with a fixed number in flight, checking health on the way. */
  async function fuzz(): Promise<FuzzRun> {
    const targets = await storeTargets();
    const requestsBefore = readRequests();
    const shareCallsBefore = emulator.shareCalls().length;
    const fuzzer = new ActivityFuzzer(new Random(SEED), targets);
    const outcomes: Outcome[] = [];
    const healthStatuses: number[] = [];

    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < ACTIVITY_COUNT) {
        const index = sent++;
        const { label, body } = fuzzer.next();
        try {
          outcomes.push({ label, body, status: await send(body) });
        } catch (error) {
          outcomes.push({ label, body, status: 0, error: String(error) });
        }
        if (index % HEALTH_CHECK_EVERY === 0) healthStatuses.push(await healthStatus());
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    return {
      targets,
      requestsBefore,
      requestsAfter: readRequests(),
      shareCallsBefore,
      shareCallsAfter: emulator.shareCalls().length,
      outcomes,
      healthStatuses,
      finalHealthStatus: await healthStatus(),
      botOutput: bot.output(),
      botExited: !isRunning(bot.pid),
    };
  }

  function describeOutcomes(outcomes: Outcome[]): string[] {
    return outcomes.slice(0, 5).map((outcome) => {
      const body = JSON.stringify(outcome.body).slice(0, 400);
      return `${outcome.status} ${outcome.label} ${outcome.error ?? ''} ${body}`;
    });
  }

  it('sends every generated activity', () => {
    expect(run.outcomes).toHaveLength(ACTIVITY_COUNT);
    // Restify sends 413 for an oversized body before reading it, and closes the connection,
    // so the client may see the reset instead of the status.
    const failed = run.outcomes.filter(
      (outcome) => outcome.status === 0 && outcome.label !== 'oversized body',
    );
    expect(describeOutcomes(failed)).toEqual([]);
  });

  it('bot process keeps running', () => {
    expect(run.botExited).toBe(false);
    expect(run.healthStatuses.length).toBeGreaterThanOrEqual(ACTIVITY_COUNT / HEALTH_CHECK_EVERY);
    expect(run.healthStatuses.filter((status) => status !== 200)).toEqual([]);
    expect(run.finalHealthStatus).toBe(200);
  });

  it('no unhandled rejection', () => {
    // Node.js 20 ends the process on an unhandled rejection; main.ts installs no handler.
    expect(run.botOutput).not.toMatch(/unhandledRejection|UnhandledPromiseRejection/);
    expect(run.botOutput).not.toMatch(/uncaughtException/);
  });

  it('replies stay on loopback', () => {
    // A reply to any other host would fail here with a DNS or connection error in the log.
    expect(run.botOutput).not.toMatch(/ENOTFOUND|EAI_AGAIN|api\.botframework\.com/);
  });

  it('no server error except 501', () => {
    // botbuilder returns 501 for an invoke name that the bot does not implement.
    const serverErrors = run.outcomes.filter(
      (outcome) => outcome.status >= 500 && outcome.status !== 501,
    );
    expect(describeOutcomes(serverErrors)).toEqual([]);
  });

  it('stored requests stay unchanged', () => {
    for (const requestId of run.targets.requestIds) {
      const before = JSON.parse(run.requestsBefore.get(requestId) ?? 'null');
      const after = JSON.parse(run.requestsAfter.get(requestId) ?? 'null');
      expect(before).not.toBeNull();
      expect(after).toEqual(before);
    }
  });

  it('new requests stay drafts', () => {
    const created = [...run.requestsAfter].filter(([key]) => !run.requestsBefore.has(key));
    const advanced = created.filter(([, body]) => JSON.parse(body).state !== 'draft');
    expect(advanced.map(([key]) => key)).toEqual([]);
  });

  it('no share call is sent', () => {
    expect(run.shareCallsBefore).toBe(1);
    expect(run.shareCallsAfter).toBe(run.shareCallsBefore);
  });

  // src/server.ts rejects an activity whose fields have the wrong type before botbuilder
  // processes it.
  it('no turn fails on bad fields', () => {
    const turnErrors = run.botOutput
      .split('\n')
      .filter((line) => line.includes('"msg":"unhandled error in a turn"'));
    expect(turnErrors.slice(0, 3)).toEqual([]);
  });

  // botbuilder 4.23 raises a TypeError for such a service URL inside CloudAdapter.process,
  // which then responds 500, so src/server.ts rejects it first.
  it('non-string service url answers 400', async () => {
    for (const serviceUrl of [42, {}, []]) {
      const activity = { ...personalMessage(personal(USERS.lynne), 'help'), serviceUrl };
      const response = await postActivity(bot.url, activity as never);
      expect(response.status).toBe(400);
    }
  });
});

/** Returns whether a process exists; signal 0 only probes and delivers nothing. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
