import { setTimeout as delay } from 'node:timers/promises';
import { signBody } from '../../src/reports/signature';
import { channelMessage, postActivity, type TeamsUser } from '../support/activities';
import {
  approvalCardIn,
  clickThrough,
  clusterOutboxSettled,
  outputLinesPerBot,
  sendTextTo,
  startBotCluster,
  submitThrough,
  type BotCluster,
} from '../support/bot-cluster';
import {
  TENANT_ID,
  USERS,
  cardOf,
  cardText,
  copyReadyGallery,
  waitUntil,
  type CardLocation,
} from '../support/bot-harness';
import type { BotProcess } from '../support/bot-harness';
import type { SentRecord } from '../support/fake-connector';
import { ABUSE_CHANNEL, TEAM_ID, WEBHOOK_SECRET, reportBody } from './reports-support';

const INSTANCES = 3;
const HOUR_IN_MS = 3600_000;
const HOUSEKEEPING_INTERVAL_IN_SECONDS = 1;
const APPROVERS = [USERS.megan, USERS.adele, USERS.isaiah];

describe('several bot instances on azurite', () => {
  let cluster: BotCluster;
  let bots: BotProcess[];

  beforeAll(async () => {
    cluster = await startBotCluster({
      instances: INSTANCES,
      env: {
        HOUSEKEEPING_INTERVAL_SECONDS: String(HOUSEKEEPING_INTERVAL_IN_SECONDS),
        ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    });
    bots = cluster.bots;
    // Approvers who wrote to the bot before get the approval card in their 1:1 chat.
    for (const [index, user] of APPROVERS.entries()) {
      await sendTextTo(cluster, botAt(index), user, 'help');
    }
  }, 90_000);

  afterAll(async () => {
    await cluster?.close();
  }, 30_000);

  function botAt(index: number): BotProcess {
    const bot = bots[index % bots.length];
    if (!bot) throw new Error('The cluster has no bot process.');
    return bot;
  }

  function sentTo(user: TeamsUser, title: string, requestId: string): SentRecord[] {
    const conversationId = cluster.personal(user).conversationId;
    return cluster.connector.sent.filter((record) => {
      const text = cardText(cardOf(record.body));
      return (
        record.conversationId === conversationId && text.includes(title) && text.includes(requestId)
      );
    });
  }

  async function actions(requestId: string): Promise<string[]> {
    return (await cluster.store.audit.list({ requestId })).map((record) => record.action);
  }

  it('hundred approvals decide once', async () => {
    const { requestId, approvalCard } = await submitThrough(
      cluster,
      botAt(0),
      botAt(1),
      USERS.alex,
      'sandbox-rg/readyGallery',
      USERS.megan,
    );
    const cards = new Map<TeamsUser, CardLocation>([[USERS.megan, approvalCard]]);
    for (const user of [USERS.adele, USERS.isaiah]) {
      const card = await waitUntil(
        () => approvalCardIn(cluster, user, requestId),
        `the approval card for ${user.name}`,
      );
      cards.set(user, card);
    }

    // Writes of the request reach Azurite in batches a second apart. While the first decision
    // is held, other bots still read the pending request, so their conditional writes compete
    // with it instead of finding it decided.
    cluster.proxy.holdMatching(
      (method, path) => method !== 'GET' && path.includes(`RowKey='${requestId}'`),
      1000,
    );
    // Click i goes to bot i mod 3. The approver changes every three clicks, so each bot gets
    // clicks from every approver.
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) => {
        const user = APPROVERS[Math.floor(index / INSTANCES) % APPROVERS.length] as TeamsUser;
        const card = cards.get(user) as CardLocation;
        return clickThrough(cluster, botAt(index), user, card, 'approve', { requestId });
      }),
    );

    cluster.proxy.holdMatching(undefined);

    expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200));
    expect(cluster.proxy.batches().length).toBeGreaterThan(0);
    const shared = await waitUntil(async () => {
      const request = await cluster.requests.get(requestId);
      return request.state === 'shared' ? request : undefined;
    }, `request ${requestId} to be shared`);
    // The audit record of a transition is appended just after the transition is stored.
    const trail = await waitUntil(async () => {
      const recorded = await actions(requestId);
      return recorded.includes('shared') ? recorded : undefined;
    }, `the audit record of sharing ${requestId}`);
    expect(trail.filter((action) => action === 'approve')).toHaveLength(1);
    expect(trail.filter((action) => action === 'share')).toHaveLength(1);
    expect(trail.filter((action) => action === 'shared')).toHaveLength(1);
    expect(cluster.emulator.shareCalls()).toHaveLength(1);
    expect(APPROVERS.map((user) => user.aadObjectId)).toContain(shared.decision?.by.aadObjectId);
    // One process took the decision, and the others returned the current card.
    expect(outputLinesPerBot(cluster, '"request decided"').reduce((a, b) => a + b, 0)).toBe(1);
  }, 90_000);

  it('expiry and reminder happen once', async () => {
    const expiring = copyReadyGallery(cluster.emulator, 'sandbox-rg', 'expiryGallery');
    const waiting = copyReadyGallery(cluster.emulator, 'sandbox-rg', 'reminderGallery');
    const expiry = await submitThrough(
      cluster,
      botAt(1),
      botAt(2),
      USERS.alex,
      expiring,
      USERS.megan,
    );
    const reminder = await submitThrough(
      cluster,
      botAt(2),
      botAt(0),
      USERS.alex,
      waiting,
      USERS.megan,
    );

    // Writes of the two requests are held for longer than a housekeeping interval, so a bot
    // that ran without the lease would still find them pending and try the same change.
    const ids = [expiry.requestId, reminder.requestId];
    cluster.proxy.holdMatching(
      (method, path) => method !== 'GET' && ids.some((id) => path.includes(`RowKey='${id}'`)),
      1500,
    );
    // The bots run on the real clock, so the requests are moved back in time in the store.
    // The expiry comes first and the reminder after it, in two housekeeping runs.
    await cluster.requests.update(expiry.requestId, (request) => ({
      ...request,
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    }));
    await waitUntil(async () => {
      const request = await cluster.requests.get(expiry.requestId);
      return request.state === 'expired' ? true : undefined;
    }, 'the expiry');
    await cluster.requests.update(reminder.requestId, (request) => ({
      ...request,
      submittedAt: new Date(Date.now() - 25 * HOUR_IN_MS).toISOString(),
    }));
    await waitUntil(async () => {
      const request = await cluster.requests.get(reminder.requestId);
      return request.reminderSentAt ? true : undefined;
    }, 'the reminder');
    // Let every bot have several more housekeeping runs before counting.
    await delay(3 * HOUSEKEEPING_INTERVAL_IN_SECONDS * 1000);
    cluster.proxy.holdMatching(undefined);
    await clusterOutboxSettled(cluster);

    const expiryTrail = await actions(expiry.requestId);
    const reminderTrail = await actions(reminder.requestId);
    expect(expiryTrail.filter((action) => action === 'expire')).toHaveLength(1);
    expect(expiryTrail).not.toContain('remind');
    expect(reminderTrail.filter((action) => action === 'remind')).toHaveLength(1);
    expect(reminderTrail).not.toContain('expire');
    expect((await cluster.requests.get(reminder.requestId)).state).toBe('pending');

    expect(sentTo(USERS.alex, 'Request expired', expiry.requestId)).toHaveLength(1);
    expect(sentTo(USERS.megan, 'Reminder: a request waits', reminder.requestId)).toHaveLength(1);
    const expiredLogs = outputLinesPerBot(cluster, '"request expired"');
    const remindedLogs = outputLinesPerBot(cluster, '"approvers reminded"');
    expect(expiredLogs.reduce((a, b) => a + b, 0)).toBe(1);
    // The bot that holds the housekeeping lease keeps it while it runs, so it did both.
    expect(remindedLogs).toEqual(expiredLogs);
  }, 90_000);

  it('outbox posts each report once', async () => {
    const thread = {
      serviceUrl: cluster.connector.url,
      user: USERS.adele,
      conversationId: `${ABUSE_CHANNEL};messageid=1700000000001`,
      tenantId: TENANT_ID,
      teamId: TEAM_ID,
    };
    const subscribed = await postActivity(
      botAt(2).url,
      channelMessage(thread, 'subscribe abuse-reports'),
    );
    expect(subscribed.status).toBe(200);
    await cluster.connector.waitFor(
      (record) => record.kind === 'sent' && record.conversationId === thread.conversationId,
      { timeoutInMs: 30_000 },
    );

    // Six different reports (no two merge), each posted to one bot, round-robin, at once.
    const reportIds = await Promise.all(
      Array.from({ length: 6 }, async (_, index) => {
        const text = JSON.stringify(reportBody({ imageVersion: `1.0.${index}` }));
        const response = await fetch(`${botAt(index).url}/api/abuse-reports`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-timestamp': String(Math.floor(Date.now() / 1000)),
            'x-signature-256': signBody(text, WEBHOOK_SECRET),
          },
          body: text,
        });
        expect(response.status).toBe(202);
        return String(((await response.json()) as { reportId: unknown }).reportId);
      }),
    );

    const posts = await waitUntil(() => {
      const found = channelPosts();
      return found.length >= reportIds.length ? found : undefined;
    }, 'a channel post of every report');
    const entries = await clusterOutboxSettled(cluster);
    // A second delivery that raced the first would reach the connector shortly after it.
    await delay(1_000);

    expect(channelPosts()).toHaveLength(reportIds.length);
    for (const reportId of reportIds) {
      expect(posts.filter((post) => JSON.stringify(post.body).includes(reportId))).toHaveLength(1);
    }
    const channelEntries = entries.filter((entry) => entry.target.kind === 'channel');
    expect(channelEntries.map((entry) => [entry.state, entry.attempts])).toEqual(
      Array(reportIds.length).fill(['delivered', 1]),
    );
  }, 90_000);

  /** Returns the channel threads that the bots started in the abuse channel (their posts). */
  function channelPosts(): SentRecord[] {
    return cluster.connector.sent.filter(
      (record) => record.conversationId === `${ABUSE_CHANNEL};messageid=${record.activityId}`,
    );
  }
});
