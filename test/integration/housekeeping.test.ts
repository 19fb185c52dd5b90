import Database from 'better-sqlite3';
import { startApp, type App } from '../../src/app';
import { readConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { HOUSEKEEPING_LEASE } from '../../src/workflow/housekeeping';
import type { SentRecord, UpdatedRecord } from '../support/fake-connector';
import {
  SUBSCRIPTION_ID,
  USERS,
  approvalCardOf,
  auditRecords,
  cardOf,
  cardText,
  clickCard,
  sendText,
  settledRequest,
  staticCredential,
  startHarness,
  submitRequest,
  waitUntil,
  type Harness,
} from '../support/bot-harness';
import { outboxSettled } from './reports-support';

const HOUR_IN_MS = 3600_000;

describe('housekeeping of pending requests', () => {
  let harness: Harness;
  let second: App | undefined;
  let clockOffsetInMs = 0;
  const now = () => new Date(Date.now() + clockOffsetInMs);

  beforeEach(async () => {
    clockOffsetInMs = 0;
    harness = await startHarness({
      invokeDeadlineInMs: 60_000,
      app: { now, outbox: { pollIntervalInMs: 50 } },
    });
    await sendText(harness, USERS.megan, 'help');
  });

  afterEach(async () => {
    await second?.close();
    second = undefined;
    await harness.close();
  });

  /** Starts a second bot instance on the same database, emulator and connector. */
  async function startSecondInstance(): Promise<App> {
    const config = readConfig({
      PORT: '0',
      STORAGE: `sqlite:${harness.databaseFile}`,
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
      AZURE_RESOURCE_MANAGER_ENDPOINT: `${harness.emulator.url}/`,
      GRAPH_ENDPOINT: harness.emulator.url,
      ALLOW_SELF_APPROVAL: 'false',
      LOG_LEVEL: 'silent',
    });
    return startApp({
      config,
      logger: createLogger('silent'),
      credential: staticCredential,
      caCertificate: harness.emulator.caCertificate,
      pollIntervalInMs: 10,
      now,
      outbox: { pollIntervalInMs: 50 },
    });
  }

  function reminders(): SentRecord[] {
    const conversationId = harness.personal(USERS.megan).conversationId;
    return harness.connector.sent.filter(
      (record) =>
        record.conversationId === conversationId &&
        cardText(cardOf(record.body)).includes('Reminder: a request waits for your decision'),
    );
  }

  it('expired request cannot be approved', async () => {
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const approvalCard = approvalCardOf(harness, USERS.megan, requestId);

    clockOffsetInMs = 72 * HOUR_IN_MS + 60_000;
    const run = await harness.app.housekeeping.runOnce();

    expect(run.expired).toEqual([requestId]);
    const expired = await settledRequest(harness, requestId);
    expect(expired.state).toBe('expired');
    const record = auditRecords(harness.databaseFile, requestId).find(
      (entry) => entry.action === 'expire',
    );
    expect(record?.fromState).toBe('pending');
    expect(record?.toState).toBe('expired');
    expect(record?.actor.kind).toBe('system');
    expect(record?.reason).toBe('No decision within 72 hours of submission.');

    const approve = await clickCard(harness, USERS.megan, approvalCard, 'approve', { requestId });
    expect(cardText(approve.body.value)).toMatch(/expired/);
    expect((await settledRequest(harness, requestId)).state).toBe('expired');
    expect(harness.emulator.shareCalls()).toHaveLength(0);

    await outboxSettled(harness);
    const told = harness.connector.sent.filter(
      (sent) =>
        sent.conversationId === preview.conversationId &&
        cardText(cardOf(sent.body)).includes('Request expired'),
    );
    expect(told).toHaveLength(1);
    expect(cardText(cardOf(told[0]?.body))).toContain(requestId);
    const updatedCard = harness.connector.updated.filter(
      (updated: UpdatedRecord) => updated.activityId === approvalCard.activityId,
    );
    expect(cardText(cardOf(updatedCard[updatedCard.length - 1]?.body))).toContain('Expired');
  });

  it('pending request stays before expiry', async () => {
    const { requestId } = await submitRequest(harness, USERS.alex);

    clockOffsetInMs = 71 * HOUR_IN_MS;
    const run = await harness.app.housekeeping.runOnce();

    expect(run.expired).toEqual([]);
    expect((await settledRequest(harness, requestId)).state).toBe('pending');
  });

  it('one reminder with two instances', async () => {
    const { requestId } = await submitRequest(harness, USERS.alex);
    second = await startSecondInstance();

    clockOffsetInMs = 24 * HOUR_IN_MS + 60_000;
    const runs = await Promise.all([
      harness.app.housekeeping.runOnce(),
      second.housekeeping.runOnce(),
    ]);
    expect(runs.filter((run) => run.ran)).toHaveLength(1);

    // With the lease gone, the other instance runs too, and the stored reminder time stops it.
    const database = new Database(harness.databaseFile);
    database.prepare('DELETE FROM leases WHERE name = ?').run(HOUSEKEEPING_LEASE);
    database.close();
    clockOffsetInMs = 25 * HOUR_IN_MS;
    const later = await Promise.all([
      second.housekeeping.runOnce(),
      harness.app.housekeeping.runOnce(),
    ]);

    expect(later.filter((run) => run.ran)).toHaveLength(1);
    expect([...runs, ...later].flatMap((run) => run.reminded)).toEqual([requestId]);
    await outboxSettled(harness);
    expect(reminders()).toHaveLength(1);
    expect(cardText(cardOf(reminders()[0]?.body))).toContain(requestId);
    const remindRecords = auditRecords(harness.databaseFile, requestId).filter(
      (entry) => entry.action === 'remind',
    );
    expect(remindRecords).toHaveLength(1);
    expect((await settledRequest(harness, requestId)).reminderSentAt).toBeDefined();
  });

  it('no reminder before the delay', async () => {
    await submitRequest(harness, USERS.alex);

    clockOffsetInMs = 23 * HOUR_IN_MS;
    const run = await harness.app.housekeeping.runOnce();

    expect(run.reminded).toEqual([]);
    await outboxSettled(harness);
    expect(reminders()).toHaveLength(0);
  });
});

describe('housekeeping timer', () => {
  it('expires without being called', async () => {
    let clockOffsetInMs = 0;
    const harness = await startHarness({
      app: {
        now: () => new Date(Date.now() + clockOffsetInMs),
        housekeepingIntervalInMs: 50,
      },
    });
    try {
      await sendText(harness, USERS.megan, 'help');
      const { requestId } = await submitRequest(harness, USERS.alex);

      clockOffsetInMs = 73 * HOUR_IN_MS;
      const request = await waitUntil(async () => {
        const current = await harness.app.workflow.requests.get(requestId);
        return current.state === 'expired' ? current : undefined;
      }, 'the timer to expire the request');

      expect(request.state).toBe('expired');
    } finally {
      await harness.close();
    }
  });
});
