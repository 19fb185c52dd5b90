import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../../sandbox/seed';
import {
  adaptiveCardAction,
  postActivity,
  type ActivityOptions,
  type TeamsUser,
} from '../support/activities';
import { startFakeConnector, type FakeConnector, type SentRecord } from '../support/fake-connector';
import {
  USERS,
  approvalCardOf,
  auditRecords,
  cardOf,
  cardText,
  clickCard,
  messageAndReply,
  personalChatWith,
  requestIdOf,
  sendText,
  settledRequest,
  startBotProcess,
  startHarness,
  storedRequest,
  submitRequest,
  waitUntil,
  type BotProcess,
  type Harness,
  type InvokeResponseBody,
} from '../support/bot-harness';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const APPROVERS = [USERS.megan, USERS.adele, USERS.isaiah];

describe('decision under concurrency', () => {
  let harness: Harness;

  beforeEach(async () => {
    // A deadline far above the test's run time makes every click wait for its decision, so
    // each response can be checked, however slow the machine.
    harness = await startHarness({ invokeDeadlineInMs: 60_000 });
    // Approvers who wrote to the bot before get the card in their stored 1:1 chat.
    for (const user of APPROVERS) await sendText(harness, user, 'help');
  });

  afterEach(async () => {
    await harness.close();
  });

  it('fifty parallel approvals decide once', async () => {
    const { requestId } = await submitRequest(harness, USERS.alex);
    const cards = new Map(
      APPROVERS.map((user) => [user, approvalCardOf(harness, user, requestId)]),
    );

    const clicks = Array.from({ length: 50 }, (_, index) => {
      const user = APPROVERS[index % APPROVERS.length] as TeamsUser;
      const card = cards.get(user);
      if (!card) throw new Error(`No card for ${user.name}`);
      return clickCard(harness, user, card, 'approve', { requestId });
    });
    const responses = await Promise.all(clicks);

    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.body.statusCode).toBe(200);
      expect(response.body.type).toBe(ADAPTIVE_CARD);
    }
    const request = await settledRequest(harness, requestId);
    const decider = request.decision?.by;
    expect(request.state).toBe('shared');
    expect(APPROVERS.map((user) => user.aadObjectId)).toContain(decider?.aadObjectId);
    expect(harness.emulator.shareCalls()).toHaveLength(1);

    const audit = auditRecords(harness.databaseFile, requestId);
    expect(audit.filter((record) => record.action === 'approve')).toHaveLength(1);
    expect(audit.filter((record) => record.action === 'share')).toHaveLength(1);
    expect(audit.filter((record) => record.action === 'shared')).toHaveLength(1);

    // Every click by someone other than the decider gets a card with who decided and when.
    const losers = responses.filter(
      (_, index) => APPROVERS[index % APPROVERS.length]?.aadObjectId !== decider?.aadObjectId,
    );
    expect(losers.length).toBeGreaterThan(0);
    for (const loser of losers) {
      const text = cardText(loser.body.value);
      expect(text).toContain(`approved by ${decider?.name}`);
      expect(text).toContain(request.decision?.at);
    }
  });

  it('resent invoke takes effect once', async () => {
    const { requestId } = await submitRequest(harness, USERS.alex);
    const card = approvalCardOf(harness, USERS.megan, requestId);
    const invoke = adaptiveCardAction(
      { ...harness.personal(USERS.megan), conversationId: card.conversationId },
      {
        verb: 'approve',
        data: { verb: 'approve', requestId },
        replyToId: card.activityId,
      },
    );

    const [first, second] = await Promise.all([
      postActivity(harness.botUrl, invoke),
      postActivity(harness.botUrl, invoke),
    ]);
    await settledRequest(harness, requestId);
    const third = await postActivity(harness.botUrl, invoke);

    for (const response of [first, second, third]) {
      expect(response.status).toBe(200);
      expect((response.body as InvokeResponseBody).type).toBe(ADAPTIVE_CARD);
      expect(cardText((response.body as InvokeResponseBody).value)).not.toMatch(/cannot be/);
    }
    const request = await settledRequest(harness, requestId);
    expect(request.state).toBe('shared');
    expect(request.decision?.by.aadObjectId).toBe(USERS.megan.aadObjectId);
    expect(harness.emulator.shareCalls()).toHaveLength(1);
    const audit = auditRecords(harness.databaseFile, requestId);
    expect(audit.filter((record) => record.action === 'approve')).toHaveLength(1);
  });

  it('approve and deny race once', async () => {
    const { requestId } = await submitRequest(harness, USERS.alex);
    const megan = approvalCardOf(harness, USERS.megan, requestId);
    const adele = approvalCardOf(harness, USERS.adele, requestId);

    const [approve, deny] = await Promise.all([
      clickCard(harness, USERS.megan, megan, 'approve', { requestId }),
      clickCard(harness, USERS.adele, adele, 'deny', { requestId, reason: 'Not this quarter' }),
    ]);

    expect(approve.status).toBe(200);
    expect(deny.status).toBe(200);
    const request = await settledRequest(harness, requestId);
    const audit = auditRecords(harness.databaseFile, requestId);
    const decisions = audit.filter((record) => ['approve', 'deny'].includes(record.action));
    expect(decisions).toHaveLength(1);
    expect(harness.emulator.shareCalls()).toHaveLength(
      request.decision?.outcome === 'approved' ? 1 : 0,
    );
    expect(request.state).toBe(request.decision?.outcome === 'approved' ? 'shared' : 'denied');
  });
});

describe('decision across two processes', () => {
  let folder: string;
  let databaseFile: string;
  let emulator: Emulator;
  let connector: FakeConnector;
  let bots: BotProcess[] = [];

  beforeEach(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-race-'));
    databaseFile = path.join(folder, 'bot.db');
    emulator = await startEmulator({
      seed: loadSeed(DEMO_SEED_PATH),
      port: 0,
      retryAfterInSeconds: 0,
      logger: { warn: () => undefined },
    });
    connector = await startFakeConnector();
    bots = [];
  });

  afterEach(async () => {
    for (const bot of bots) await bot.stop('SIGKILL');
    await connector.close();
    await emulator.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function personal(user: TeamsUser): ActivityOptions {
    return personalChatWith(connector, user);
  }

  function reply(bot: BotProcess, user: TeamsUser, text: string): Promise<SentRecord> {
    return messageAndReply(bot.url, connector, user, text, { timeoutInMs: 15_000 });
  }

  it('two bots decide once', async () => {
    // Both processes share one SQLite file, so only its conditional writes keep the
    // decision single: neither process knows of the other's clicks.
    bots.push(await startBotProcess({ emulator, databaseFile }));
    bots.push(await startBotProcess({ emulator, databaseFile }));
    const [first, second] = bots as [BotProcess, BotProcess];
    for (const user of APPROVERS) await reply(first, user, 'help');
    const preview = await reply(first, USERS.alex, 'publish sandbox-rg/readyGallery');
    const requestId = requestIdOf(cardOf(preview.body)) ?? '';
    const submit = await postActivity(
      first.url,
      adaptiveCardAction(personal(USERS.alex), {
        verb: 'submitRequest',
        data: { verb: 'submitRequest', requestId, justification: 'Release 1.1 for customers' },
        replyToId: preview.activityId,
      }),
    );
    expect(submit.status).toBe(200);
    const cards = new Map<TeamsUser, string>();
    for (const user of APPROVERS) {
      const card = await connector.waitFor(
        (record): record is SentRecord =>
          record.kind === 'sent' &&
          record.conversationId === personal(user).conversationId &&
          JSON.stringify(cardOf(record.body)).includes('"verb":"approve"'),
        { timeoutInMs: 15_000 },
      );
      cards.set(user, card.activityId);
    }

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => {
        const user = APPROVERS[index % APPROVERS.length] as TeamsUser;
        const bot = index % 2 === 0 ? first : second;
        return postActivity(
          bot.url,
          adaptiveCardAction(personal(user), {
            verb: 'approve',
            data: { verb: 'approve', requestId },
            replyToId: cards.get(user) ?? '',
          }),
        );
      }),
    );

    for (const response of responses) {
      expect(response.status).toBe(200);
      expect((response.body as InvokeResponseBody).type).toBe(ADAPTIVE_CARD);
    }
    const request = await waitUntil(
      () => {
        const stored = storedRequest(databaseFile, requestId);
        return stored?.state === 'shared' || stored?.state === 'failed' ? stored : undefined;
      },
      'the request to be shared',
      30_000,
    );
    expect(request.state).toBe('shared');
    expect(emulator.shareCalls()).toHaveLength(1);
    const audit = auditRecords(databaseFile, requestId);
    expect(audit.filter((record) => record.action === 'approve')).toHaveLength(1);
    expect(audit.filter((record) => record.action === 'share')).toHaveLength(1);
  }, 90_000);
});
