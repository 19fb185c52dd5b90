import Database from 'better-sqlite3';
import type { AbuseReport } from '../../src/reports/report';
import type { ChannelSubscription } from '../../src/teams/subscriptions';
import { adaptiveCardAction, postActivity } from '../support/activities';
import type { SentRecord, UpdatedRecord } from '../support/fake-connector';
import {
  USERS,
  cardOf,
  cardText,
  sendText,
  startHarness,
  type Harness,
  type InvokeResponseBody,
} from '../support/bot-harness';
import {
  ABUSE_CHANNEL,
  TEAM_ID,
  WEBHOOK_SECRET,
  channelPosts,
  channelThread,
  countDocuments,
  outboxSettled,
  postReport,
  reportAuditRecords,
  reportBody,
  sendInChannel,
} from './reports-support';

const OTHER_CHANNEL = '19:security-leads@thread.tacv2';

function storedDocuments<T>(databaseFile: string, collection: string): T[] {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const rows = database
      .prepare('SELECT body FROM documents WHERE collection = ? ORDER BY key')
      .all(collection) as { body: string }[];
    return rows.map((row) => JSON.parse(row.body) as T);
  } finally {
    database.close();
  }
}

describe('channel commands and report actions', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({
      env: { ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET },
      app: { outbox: { pollIntervalInMs: 50 } },
    });
  });

  afterEach(async () => {
    await harness.close();
  });

  /** Clicks a report card action in the channel thread that the post started. */
  async function clickInChannel(
    user: (typeof USERS)[keyof typeof USERS],
    post: SentRecord,
    verb: string,
    data: Record<string, unknown>,
  ): Promise<InvokeResponseBody> {
    const channelId = post.conversationId.split(';')[0] ?? '';
    const options = {
      ...channelThread(harness, user, channelId, post.activityId),
      conversationId: post.conversationId,
    };
    const response = await postActivity(
      harness.botUrl,
      adaptiveCardAction(options, { verb, data: { verb, ...data }, replyToId: post.activityId }),
    );
    expect(response.status).toBe(200);
    return response.body as InvokeResponseBody;
  }

  it('subscribe outside a channel is refused', async () => {
    const reply = await sendText(harness, USERS.adele, 'subscribe abuse-reports');

    expect(cardText(cardOf(reply.body))).toContain('Only in a team channel');
    expect(countDocuments(harness.databaseFile, 'subscriptions')).toBe(0);
  });

  it('subscribe stores the channel', async () => {
    const reply = await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');

    expect(reply.conversationId).toBe(`${ABUSE_CHANNEL};messageid=1700000000001`);
    expect(cardText(cardOf(reply.body))).toContain('Subscribed');
    const [subscription] = storedDocuments<ChannelSubscription>(
      harness.databaseFile,
      'subscriptions',
    );
    expect(subscription?.channelId).toBe(ABUSE_CHANNEL);
    expect(subscription?.teamId).toBe(TEAM_ID);
    expect(subscription?.reference.conversation?.id).toBe(ABUSE_CHANNEL);
    expect(subscription?.reference.activityId).toBeUndefined();
    expect(subscription?.subscribedBy.aadObjectId).toBe(USERS.adele.aadObjectId);
  });

  it('unknown topic is explained', async () => {
    const reply = await sendInChannel(harness, USERS.adele, 'subscribe everything');

    expect(cardText(cardOf(reply.body))).toContain('subscribe abuse-reports');
    expect(countDocuments(harness.databaseFile, 'subscriptions')).toBe(0);
  });

  it('unsubscribe stops the posts', async () => {
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');
    const reply = await sendInChannel(harness, USERS.adele, 'unsubscribe abuse-reports');

    expect(cardText(cardOf(reply.body))).toContain('Unsubscribed');
    await postReport(harness, reportBody());
    await outboxSettled(harness);
    expect(channelPosts(harness)).toHaveLength(0);
  });

  it('report form submits a report', async () => {
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');
    const form = await sendText(harness, USERS.alex, 'report contoso-1a2b3c4d ubuntu-22 1.0.0');
    expect(JSON.stringify(cardOf(form.body))).toContain('"value":"contoso-1a2b3c4d"');

    const response = await postActivity(
      harness.botUrl,
      adaptiveCardAction(harness.personal(USERS.alex), {
        verb: 'submitReport',
        replyToId: form.activityId,
        data: {
          verb: 'submitReport',
          publicGalleryName: 'contoso-1a2b3c4d',
          imageDefinition: 'ubuntu-22',
          imageVersion: '1.0.0',
          category: 'intellectual-property',
          description: 'Contains our licensed database engine.',
          reporterContact: '',
        },
      }),
    );

    const body = response.body as InvokeResponseBody;
    expect(cardText(body.value)).toMatch(/Thank you\. Report rp-[a-z0-9]{10} was sent/);
    const [report] = storedDocuments<AbuseReport>(harness.databaseFile, 'reports');
    expect(report?.reporter.source).toBe('teams');
    expect(report?.reporter.person?.aadObjectId).toBe(USERS.alex.aadObjectId);
    expect(report?.galleryKey).toBe('public:contoso-1a2b3c4d');
    await outboxSettled(harness);
    expect(channelPosts(harness)).toHaveLength(1);
  });

  it('invalid form shows the problems', async () => {
    const form = await sendText(harness, USERS.alex, 'report contoso-1a2b3c4d');

    const response = await postActivity(
      harness.botUrl,
      adaptiveCardAction(harness.personal(USERS.alex), {
        verb: 'submitReport',
        replyToId: form.activityId,
        data: { verb: 'submitReport', publicGalleryName: 'contoso-1a2b3c4d', category: 'malware' },
      }),
    );

    const text = cardText((response.body as InvokeResponseBody).value);
    expect(text).toContain('description: ');
    expect(text).toContain('Describe what is wrong with the image.');
    expect(countDocuments(harness.databaseFile, 'reports')).toBe(0);
  });

  it('acknowledge updates every card', async () => {
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');
    await sendInChannel(harness, USERS.lynne, 'subscribe abuse-reports', OTHER_CHANNEL);
    const accepted = await postReport(harness, reportBody());
    const reportId = String(accepted.body.reportId);
    await outboxSettled(harness);
    const [post] = channelPosts(harness, ABUSE_CHANNEL);
    const [otherPost] = channelPosts(harness, OTHER_CHANNEL);
    if (!post || !otherPost) throw new Error('The report did not reach both channels.');

    const clicked = await clickInChannel(USERS.adele, post, 'acknowledgeReport', { reportId });
    await clickInChannel(USERS.megan, post, 'acknowledgeReport', { reportId });

    expect(cardText(clicked.value)).toContain('Acknowledged by Adele Vance');
    expect(JSON.stringify(clicked.value)).not.toContain('"verb":"acknowledgeReport"');
    await outboxSettled(harness);
    const updated = harness.connector.updated.filter(
      (record: UpdatedRecord) => record.activityId === otherPost.activityId,
    );
    expect(updated.length).toBeGreaterThan(0);
    expect(cardText(cardOf(updated[updated.length - 1]?.body))).toContain(
      'Acknowledged by Adele Vance',
    );
    const acknowledged = reportAuditRecords(harness.databaseFile, reportId).filter(
      (record) => record.action === 'report-acknowledged',
    );
    expect(acknowledged).toHaveLength(1);
    expect(acknowledged[0]?.actor.aadObjectId).toBe(USERS.adele.aadObjectId);
  });

  it('invalid report id is refused', async () => {
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');
    await postReport(harness, reportBody());
    await outboxSettled(harness);
    const [post] = channelPosts(harness);
    if (!post) throw new Error('The report was not posted.');

    const forged = await clickInChannel(USERS.adele, post, 'acknowledgeReport', {
      reportId: '../requests/r-1',
    });
    const missing = await clickInChannel(USERS.adele, post, 'startUnpublish', {
      reportId: 'rp-zzzzzzzzzz',
    });

    expect(cardText(forged.value)).toContain('does not name a valid abuse report');
    expect(cardText(missing.value)).toContain('Report rp-zzzzzzzzzz was not found');
    expect(countDocuments(harness.databaseFile, 'requests')).toBe(0);
  });
});
