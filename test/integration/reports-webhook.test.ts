import { signBody } from '../../src/reports/signature';
import type { SentRecord } from '../support/fake-connector';
import { USERS, startHarness, type Harness } from '../support/bot-harness';
import {
  ABUSE_CHANNEL,
  READY_GALLERY,
  WEBHOOK_SECRET,
  channelPosts,
  countAuditRecords,
  countDocuments,
  outboxSettled,
  postReport,
  reportAuditRecords,
  reportBody,
  sendInChannel,
  type PostReportOptions,
} from './reports-support';

const nowInSeconds = () => Math.floor(Date.now() / 1000);

describe('abuse report webhook rejections', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ env: { ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');
  });

  afterAll(async () => {
    await harness.close();
  });

  const cases: {
    name: string;
    body: Record<string, unknown> | string;
    options?: PostReportOptions;
    status: number;
    code: string;
  }[] = [
    {
      name: 'body over 64 KB',
      body: reportBody({ description: 'x'.repeat(64 * 1024) }),
      status: 413,
      code: 'PayloadTooLarge',
    },
    { name: 'bad json', body: '{"category": "malware",', status: 400, code: 'InvalidJson' },
    { name: 'json array', body: '[1, 2]', status: 422, code: 'InvalidReport' },
    {
      name: 'unknown field',
      body: reportBody({ severity: 'high' }),
      status: 422,
      code: 'InvalidReport',
    },
    {
      name: 'number as category',
      body: reportBody({ category: 5 }),
      status: 422,
      code: 'InvalidReport',
    },
    {
      name: 'unknown category',
      body: reportBody({ category: 'spam' }),
      status: 422,
      code: 'InvalidReport',
    },
    {
      name: 'missing description',
      body: reportBody({ description: '  ' }),
      status: 422,
      code: 'InvalidReport',
    },
    {
      name: 'both gallery fields',
      body: reportBody({ publicGalleryName: 'contoso-1234' }),
      status: 422,
      code: 'InvalidReport',
    },
    {
      name: 'signature with another secret',
      body: reportBody(),
      options: { secret: 'not-the-secret' },
      status: 401,
      code: 'InvalidSignature',
    },
    {
      name: 'malformed signature',
      body: reportBody(),
      options: { signature: 'sha1=abcdef' },
      status: 401,
      code: 'InvalidSignature',
    },
    {
      name: 'missing signature',
      body: reportBody(),
      options: { signature: null },
      status: 401,
      code: 'MissingSignature',
    },
    {
      name: 'timestamp six minutes old',
      body: reportBody(),
      options: { timestamp: nowInSeconds() - 6 * 60 },
      status: 401,
      code: 'StaleTimestamp',
    },
    {
      name: 'timestamp six minutes ahead',
      body: reportBody(),
      options: { timestamp: nowInSeconds() + 6 * 60 },
      status: 401,
      code: 'StaleTimestamp',
    },
    {
      name: 'timestamp not a number',
      body: reportBody(),
      options: { timestamp: 'yesterday' },
      status: 401,
      code: 'InvalidTimestamp',
    },
    {
      name: 'text content type',
      body: reportBody(),
      options: { contentType: 'text/plain' },
      status: 415,
      code: 'UnsupportedMediaType',
    },
  ];

  test.each(cases)('$name is rejected', async ({ body, options, status, code }) => {
    const response = await postReport(harness, body, options);

    expect(response.status).toBe(status);
    expect((response.body.error as { code?: string } | undefined)?.code).toBe(code);
    expect(countDocuments(harness.databaseFile, 'reports')).toBe(0);
    expect(countDocuments(harness.databaseFile, 'report-dedupe')).toBe(0);
    expect(countDocuments(harness.databaseFile, 'outbox')).toBe(0);
    expect(countAuditRecords(harness.databaseFile)).toBe(0);
    expect(channelPosts(harness)).toHaveLength(0);
  });

  test('streamed oversized body is rejected', async () => {
    const text = JSON.stringify(reportBody({ description: 'y'.repeat(70 * 1024) }));
    const chunks = [text.slice(0, 1000), text.slice(1000)];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });

    const response = await fetch(`${harness.botUrl}/api/abuse-reports`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-timestamp': String(nowInSeconds()),
        'x-signature-256': signBody(text, WEBHOOK_SECRET),
      },
      body,
      duplex: 'half',
    } as RequestInit);

    expect(response.status).toBe(413);
    expect(countDocuments(harness.databaseFile, 'reports')).toBe(0);
  });

  test('problems name each invalid field', async () => {
    const response = await postReport(
      harness,
      reportBody({ severity: 'high', category: 5, imageVersion: 'latest' }),
    );

    const details = (response.body.error as { details?: { field: string }[] }).details ?? [];
    expect(details.map((problem) => problem.field).sort()).toEqual([
      'category',
      'imageVersion',
      'severity',
    ]);
  });
});

describe('abuse report webhook intake', () => {
  let harness: Harness;
  let clockOffsetInMs = 0;

  beforeEach(async () => {
    clockOffsetInMs = 0;
    harness = await startHarness({
      env: { ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET },
      app: { now: () => new Date(Date.now() + clockOffsetInMs) },
    });
    await sendInChannel(harness, USERS.adele, 'subscribe abuse-reports');
  });

  afterEach(async () => {
    await harness.close();
  });

  const botTimestamp = () => Math.floor((Date.now() + clockOffsetInMs) / 1000);

  it('stores and posts a signed report', async () => {
    const response = await postReport(harness, reportBody());

    expect(response.status).toBe(202);
    expect(response.body.outcome).toBe('created');
    const reportId = String(response.body.reportId);
    expect(reportId).toMatch(/^rp-[a-z0-9]{10}$/);
    const post = await harness.connector.waitFor(
      (record): record is SentRecord =>
        record.kind === 'sent' &&
        record.conversationId.startsWith(`${ABUSE_CHANNEL};messageid=`) &&
        JSON.stringify(record.body).includes(reportId),
    );
    expect(JSON.stringify(post.body)).toContain('"verb":"acknowledgeReport"');
    const audit = reportAuditRecords(harness.databaseFile, reportId);
    expect(audit.map((record) => record.action)).toEqual(['report-received']);
    expect(audit[0]?.galleryId).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/sandbox-rg/providers/microsoft.compute/galleries/readygallery',
    );
  });

  it('merges a repeat within a day', async () => {
    const first = await postReport(harness, reportBody());
    const repeat = await postReport(
      harness,
      reportBody({
        description: 'Same miner, seen from another tenant.',
        imageDefinition: 'UBUNTU-22',
      }),
    );
    const replay = await postReport(harness, reportBody());

    expect(repeat.status).toBe(202);
    expect(repeat.body.reportId).toBe(first.body.reportId);
    expect(repeat.body.outcome).toBe('repeated');
    expect(replay.body.outcome).toBe('replayed');
    expect(countDocuments(harness.databaseFile, 'reports')).toBe(1);
    const report = await harness.app.reports.get(String(first.body.reportId));
    expect(report.repeatCount).toBe(1);
    await outboxSettled(harness);
    expect(channelPosts(harness)).toHaveLength(1);
  });

  it('concurrent repeats make one report', async () => {
    const responses = await Promise.all(
      ['first', 'second', 'third', 'fourth'].map((word) =>
        postReport(harness, reportBody({ description: `The ${word} sighting of the miner.` })),
      ),
    );

    expect(responses.map((response) => response.status)).toEqual([202, 202, 202, 202]);
    expect(responses.map((response) => response.body.outcome).sort()).toEqual([
      'created',
      'repeated',
      'repeated',
      'repeated',
    ]);
    expect(new Set(responses.map((response) => response.body.reportId)).size).toBe(1);
    expect(countDocuments(harness.databaseFile, 'reports')).toBe(1);
    await outboxSettled(harness);
    expect(channelPosts(harness)).toHaveLength(1);
  });

  it('parallel submissions share one report', async () => {
    const input = {
      galleryResourceId: READY_GALLERY,
      category: 'malware' as const,
      description: 'Miner at boot.',
    };

    const results = await Promise.all(
      Array.from({ length: 8 }, () => harness.app.reports.submit(input, { source: 'webhook' })),
    );

    expect(results.filter((result) => result.outcome === 'created')).toHaveLength(1);
    expect(new Set(results.map((result) => result.report.id)).size).toBe(1);
    expect(countDocuments(harness.databaseFile, 'reports')).toBe(1);
  });

  it('keeps other categories apart', async () => {
    const malware = await postReport(harness, reportBody());
    const vulnerability = await postReport(harness, reportBody({ category: 'vulnerability' }));

    expect(vulnerability.body.outcome).toBe('created');
    expect(vulnerability.body.reportId).not.toBe(malware.body.reportId);
    expect(countDocuments(harness.databaseFile, 'reports')).toBe(2);
  });

  it('new report after a day', async () => {
    const first = await postReport(harness, reportBody());
    clockOffsetInMs = 24 * 3600_000 + 60_000;
    const later = await postReport(harness, reportBody({ description: 'Still mining.' }), {
      timestamp: botTimestamp(),
    });

    expect(later.status).toBe(202);
    expect(later.body.outcome).toBe('created');
    expect(later.body.reportId).not.toBe(first.body.reportId);
  });
});

describe('abuse report webhook without secret', () => {
  it('answers not found', async () => {
    const harness = await startHarness();
    try {
      const response = await postReport(harness, reportBody());

      expect(response.status).toBe(404);
      expect(countDocuments(harness.databaseFile, 'reports')).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
