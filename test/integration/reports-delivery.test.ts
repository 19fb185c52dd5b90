import type { ChannelSubscription } from '../../src/teams/subscriptions';
import { USERS, startHarness, waitUntil, type Harness } from '../support/bot-harness';
import {
  ABUSE_CHANNEL,
  WEBHOOK_SECRET,
  channelPosts,
  outboxEntries,
  outboxSettled,
  postReport,
  reportBody,
  sendInChannel,
} from './reports-support';
import Database from 'better-sqlite3';

/** Path of the Bot Connector call that starts a channel thread. */
const CREATE_CONVERSATION = /^\/v3\/conversations$/;

function createConversationStatuses(harness: Harness): number[] {
  return harness.connector.requests
    .filter((request) => request.method === 'POST' && CREATE_CONVERSATION.test(request.path))
    .map((request) => request.status);
}

function injectThrottleThenError(harness: Harness): void {
  harness.connector.inject({
    method: 'POST',
    path: CREATE_CONVERSATION,
    answer: {
      status: 429,
      headers: { 'Retry-After': '1' },
      body: { error: { code: 'Throttled', message: 'Too many requests.' } },
    },
  });
  harness.connector.inject({
    method: 'POST',
    path: CREATE_CONVERSATION,
    answer: {
      status: 500,
      body: { error: { code: 'InternalServerError', message: 'Something failed.' } },
    },
  });
}

function storedSubscription(databaseFile: string, key: string): ChannelSubscription | undefined {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const row = database
      .prepare("SELECT body FROM documents WHERE collection = 'subscriptions' AND key = ?")
      .get(key) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as ChannelSubscription) : undefined;
  } finally {
    database.close();
  }
}

describe('report delivery through the outbox', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({
      env: { ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET },
      // Shutdown aborts a waiting retry at once, so a restart can fall between two attempts.
      app: { outbox: { shutdownGraceInMs: 0, pollIntervalInMs: 50 } },
    });
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');
  });

  afterEach(async () => {
    await harness.close();
  });

  it('delivers once after 429 and 500', async () => {
    injectThrottleThenError(harness);

    const response = await postReport(harness, reportBody());
    expect(response.status).toBe(202);
    const entries = await outboxSettled(harness);

    expect(createConversationStatuses(harness)).toEqual([429, 500, 201]);
    expect(channelPosts(harness)).toHaveLength(1);
    expect(JSON.stringify(channelPosts(harness)[0]?.body)).toContain(
      String(response.body.reportId),
    );
    expect(entries.map((entry) => entry.state)).toEqual(['delivered']);
  });

  it('delivers once across a restart', async () => {
    injectThrottleThenError(harness);

    const response = await postReport(harness, reportBody());
    expect(response.status).toBe(202);
    await waitUntil(
      () => (createConversationStatuses(harness).includes(429) ? true : undefined),
      'the throttled first attempt',
    );
    await harness.stopBot();

    expect(channelPosts(harness)).toHaveLength(0);
    expect(outboxEntries(harness.databaseFile).map((entry) => entry.state)).toEqual(['pending']);

    await harness.restartBot();
    const entries = await outboxSettled(harness);

    expect(createConversationStatuses(harness)).toEqual([429, 500, 201]);
    expect(channelPosts(harness)).toHaveLength(1);
    expect(entries.map((entry) => entry.state)).toEqual(['delivered']);
  });

  it('retries after the connector gives up', async () => {
    // botframework-connector retries a 429 three times itself; the fourth 429 reaches the outbox.
    harness.connector.inject({
      method: 'POST',
      path: CREATE_CONVERSATION,
      times: 4,
      answer: { status: 429, headers: { 'Retry-After': '0' } },
    });

    await postReport(harness, reportBody());
    const entries = await outboxSettled(harness);

    expect(createConversationStatuses(harness)).toEqual([429, 429, 429, 429, 201]);
    expect(channelPosts(harness)).toHaveLength(1);
    expect(entries[0]?.attempts).toBe(2);
    expect(entries[0]?.lastError?.statusCode).toBe(429);
  });

  it('removed bot breaks the subscription', async () => {
    harness.connector.inject({
      method: 'POST',
      path: CREATE_CONVERSATION,
      answer: {
        status: 403,
        body: {
          error: {
            code: 'BotNotInConversationRoster',
            message: 'The bot is not part of the conversation roster.',
          },
        },
      },
    });

    await postReport(harness, reportBody());
    const entries = await outboxSettled(harness);

    expect(entries.map((entry) => entry.state)).toEqual(['failed']);
    expect(createConversationStatuses(harness)).toEqual([403]);
    const subscription = storedSubscription(harness.databaseFile, `abuse-reports:${ABUSE_CHANNEL}`);
    expect(subscription?.brokenAt).toBeDefined();
    expect(subscription?.brokenReason).toContain('403');

    await postReport(harness, reportBody({ category: 'vulnerability' }));
    await outboxSettled(harness);
    expect(outboxEntries(harness.databaseFile)).toHaveLength(1);
    expect(createConversationStatuses(harness)).toEqual([403]);
  });
});
