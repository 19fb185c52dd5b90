import type { AbuseReport } from '../../src/reports/report';
import { adaptiveCardAction, postActivity } from '../support/activities';
import type { SentRecord } from '../support/fake-connector';
import {
  USERS,
  approvalCardOf,
  cardOf,
  cardText,
  clickCard,
  requestIdOf,
  sendText,
  settledRequest,
  startHarness,
  type Harness,
  type InvokeResponseBody,
} from '../support/bot-harness';
import {
  READY_GALLERY,
  WEBHOOK_SECRET,
  channelPosts,
  channelThread,
  outboxSettled,
  postReport,
  publishReadyGallery,
  reportAuditRecords,
  sendInChannel,
} from './reports-support';

describe('unpublish from an abuse report', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({
      env: { ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET },
      invokeDeadlineInMs: 60_000,
      app: { outbox: { pollIntervalInMs: 50 } },
    });
  });

  afterEach(async () => {
    await harness.close();
  });

  /** Sends a card action as `user` in a channel thread, replying to `activityId`. */
  async function clickInThread(
    user: (typeof USERS)[keyof typeof USERS],
    conversationId: string,
    activityId: string,
    verb: string,
    data: Record<string, unknown>,
  ): Promise<InvokeResponseBody> {
    const channelId = conversationId.split(';')[0] ?? '';
    const options = { ...channelThread(harness, user, channelId), conversationId };
    const response = await postActivity(
      harness.botUrl,
      adaptiveCardAction(options, { verb, data: { verb, ...data }, replyToId: activityId }),
    );
    expect(response.status).toBe(200);
    return response.body as InvokeResponseBody;
  }

  it('report to reset and announcement', async () => {
    const published = await publishReadyGallery(harness);
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');

    const accepted = await postReport(harness, {
      publicGalleryName: published.publicName,
      category: 'malware',
      description: 'The image starts a cryptocurrency miner at boot.',
    });
    expect(accepted.status).toBe(202);
    const reportId = String(accepted.body.reportId);
    const report = await harness.app.reports.get(reportId);
    expect(report.linkedRequestIds).toEqual([published.requestId]);
    expect(report.gallery?.galleryName).toBe('readyGallery');
    await outboxSettled(harness);
    const [post] = channelPosts(harness);
    if (!post) throw new Error('The report was not posted to the channel.');
    expect(cardText(cardOf(post.body))).toContain(published.requestId);

    // Alex starts the unpublish from the report; the review is posted in the report's thread.
    const started = await clickInThread(
      USERS.alex,
      post.conversationId,
      post.activityId,
      'startUnpublish',
      { reportId },
    );
    expect(cardText(started.value)).toMatch(/Alex Wilber opened unpublish request r-/);
    const preview = await harness.connector.waitFor(
      (record): record is SentRecord =>
        record.kind === 'sent' &&
        record.conversationId === post.conversationId &&
        JSON.stringify(record.body).includes('"verb":"submitRequest"'),
    );
    const requestId = requestIdOf(cardOf(preview.body));
    if (!requestId) throw new Error('The unpublish preview names no request.');
    const draft = await settledRequest(harness, requestId);
    expect(draft.kind).toBe('unpublish');
    expect(draft.findings.map((finding) => finding.code).sort()).toEqual([
      'DeleteAfterReset',
      'ScaleSetsStopScaling',
    ]);
    expect(cardText(cardOf(preview.body))).toMatch(/scale sets/i);
    const linked = (await harness.app.reports.get(reportId)) as AbuseReport;
    expect(linked.unpublishRequests.map((entry) => entry.requestId)).toEqual([requestId]);

    const submitted = await clickInThread(
      USERS.alex,
      post.conversationId,
      preview.activityId,
      'submitRequest',
      { requestId, justification: 'Abuse report: the image mines cryptocurrency.' },
    );
    expect(cardText(submitted.value)).toContain('Abuse report: the image mines cryptocurrency.');
    await harness.app.workflow.idle();

    const approvalCard = approvalCardOf(harness, USERS.megan, requestId);
    const approved = await clickCard(harness, USERS.megan, approvalCard, 'approve', { requestId });
    expect(approved.status).toBe(200);
    const finished = await settledRequest(harness, requestId);

    expect(finished.state).toBe('shared');
    const resets = harness.emulator
      .shareCalls(READY_GALLERY)
      .filter((call) => JSON.stringify(call.body) === JSON.stringify({ operationType: 'Reset' }));
    expect(resets).toHaveLength(1);
    const gallery = harness.emulator.resource(READY_GALLERY)?.properties as {
      sharingProfile?: { communityGalleryInfo?: { communityGalleryEnabled?: boolean } };
    };
    expect(gallery.sharingProfile?.communityGalleryInfo?.communityGalleryEnabled).toBe(false);

    await outboxSettled(harness);
    const announcements = channelPosts(harness).filter((record) =>
      cardText(cardOf(record.body)).includes('Gallery no longer public'),
    );
    expect(announcements).toHaveLength(1);
    expect(cardText(cardOf(announcements[0]?.body))).toContain(requestId);
    const reportCardUpdates = harness.connector.updated.filter(
      (record) => record.activityId === post.activityId,
    );
    expect(cardText(cardOf(reportCardUpdates[reportCardUpdates.length - 1]?.body))).toContain(
      'No longer public',
    );
    expect(
      reportAuditRecords(harness.databaseFile, reportId).map((record) => record.action),
    ).toEqual(['report-received', 'report-unpublish-started']);
  });

  it('second start shows the open request', async () => {
    await publishReadyGallery(harness);
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');
    await sendText(harness, USERS.alex, 'help');
    const accepted = await postReport(harness, {
      galleryResourceId: READY_GALLERY,
      category: 'vulnerability',
      description: 'Ships an OpenSSH version with a known remote code execution flaw.',
    });
    const reportId = String(accepted.body.reportId);
    await outboxSettled(harness);
    const [post] = channelPosts(harness);
    if (!post) throw new Error('The report was not posted to the channel.');

    await clickInThread(USERS.alex, post.conversationId, post.activityId, 'startUnpublish', {
      reportId,
    });
    const report = await harness.app.reports.get(reportId);
    const requestId = report.unpublishRequests[0]?.requestId ?? '';
    const preview = harness.connector.sent.find(
      (record) =>
        record.conversationId === post.conversationId &&
        requestIdOf(cardOf(record.body)) === requestId,
    );
    await clickInThread(
      USERS.alex,
      post.conversationId,
      preview?.activityId ?? '',
      'submitRequest',
      {
        requestId,
        justification: 'Known remote code execution flaw.',
      },
    );
    const again = await clickInThread(
      USERS.lynne,
      post.conversationId,
      post.activityId,
      'startUnpublish',
      { reportId },
    );

    expect(cardText(again.value)).toContain(
      `Unpublish request ${requestId} from this report is already pending.`,
    );
    expect((await harness.app.reports.get(reportId)).unpublishRequests).toHaveLength(1);
  });

  it('private gallery cannot be unpublished', async () => {
    const reply = await sendText(harness, USERS.alex, 'unpublish sandbox-rg/privateGallery');
    const requestId = requestIdOf(cardOf(reply.body));
    if (!requestId) throw new Error('The preview names no request.');

    const request = await settledRequest(harness, requestId);
    expect(request.findings.find((finding) => finding.severity === 'blocker')?.code).toBe(
      'NotPublic',
    );
    const submitted = await clickCard(
      harness,
      USERS.alex,
      { conversationId: reply.conversationId, activityId: reply.activityId },
      'submitRequest',
      { requestId, justification: 'Stop sharing.' },
    );
    expect(cardText(submitted.body.value)).toContain('This gallery has blockers');
    expect(harness.emulator.shareCalls()).toHaveLength(0);
  });
});
