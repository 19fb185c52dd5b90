import { MAX_CARD_BYTES, measureCardBytes, type AdaptiveCard } from '../../src/cards/adaptive-card';
import { announcementCard } from '../../src/reports/announcement-card';
import { auditCard } from '../../src/reports/audit-card';
import { MICROSOFT_REPORT_FORMS, type AbuseReport } from '../../src/reports/report';
import { reportCard, type ReportCardOptions } from '../../src/reports/report-card';
import { reportFormCard } from '../../src/reports/report-form-card';
import type { AuditRecord } from '../../src/store/port';
import {
  actionData,
  executeActions,
  findByType,
  inputs,
  schemaErrors,
  stringsOutsideTextRuns,
  visibleText,
} from '../cards/card-inspection';
import { makeRequest } from '../cards/request-factory';

/** Text that Markdown would render, with a marker to find it by. */
function hostile(field: string): string {
  return `UNTRUSTED-${field} **${field}** [x](https://evil.example) <at>${field}</at>`;
}

const ALEX = { aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };

function makeReport(overrides: Partial<AbuseReport> = {}): AbuseReport {
  return {
    id: 'rp-abcdefghjk',
    dedupeKey: 'key',
    publicGalleryName: 'contoso-1a2b3c4d',
    gallery: {
      subscriptionId: '00000000-0000-0000-0000-000000000000',
      resourceGroup: 'sandbox-rg',
      galleryName: 'readyGallery',
    },
    galleryKey:
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/sandbox-rg/providers/microsoft.compute/galleries/readygallery',
    imageDefinition: 'ubuntu-22',
    imageVersion: '1.0.0',
    category: 'malware',
    description: 'Starts a miner at boot.',
    reporter: { source: 'webhook', contact: 'security@fabrikam.example' },
    receivedAt: '2026-01-05T10:00:00Z',
    updatedAt: '2026-01-05T10:00:00Z',
    revision: 1,
    repeatCount: 0,
    repeats: [],
    linkedRequestIds: ['r-published01'],
    unpublishRequests: [],
    messages: [],
    bodyHashes: [],
    ...overrides,
  };
}

function hostileReport(): AbuseReport {
  return makeReport({
    publicGalleryName: hostile('public-name'),
    imageDefinition: hostile('image'),
    imageVersion: hostile('version'),
    description: hostile('description'),
    reporter: {
      source: 'teams',
      person: { ...ALEX, name: hostile('reporter') },
      contact: hostile('contact'),
    },
    repeatCount: 1,
    repeats: [
      {
        at: '2026-01-05T11:00:00Z',
        reporter: { source: 'webhook', contact: hostile('repeat-contact') },
        description: hostile('repeat'),
      },
    ],
    acknowledged: { by: { ...ALEX, name: hostile('acknowledger') }, at: '2026-01-05T12:00:00Z' },
  });
}

const OPTIONS: ReportCardOptions = {
  view: 'channel',
  linkedRequests: [makeRequest({ id: 'r-published01', state: 'shared' })],
  unpublishRequests: [],
};

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    sequence: 1,
    at: '2026-01-05T10:00:00Z',
    requestId: 'r-published01',
    galleryId:
      '/subscriptions/0/resourcegroups/sandbox-rg/providers/microsoft.compute/galleries/readygallery',
    actor: { kind: 'user', ...ALEX },
    action: 'approve',
    fromState: 'pending',
    toState: 'approved',
    eligibleRoles: ['Owner at /subscriptions/00000000-0000-0000-0000-000000000000'],
    metadataHash: 'a'.repeat(64),
    reason: 'Release 1.1',
    ...overrides,
  };
}

/** Returns every card built in src/reports, each with a name for the test title. */
function everyCard(): { name: string; card: AdaptiveCard }[] {
  const unpublish = makeRequest({ id: 'r-unpublish01', kind: 'unpublish', state: 'pending' });
  return [
    { name: 'new report', card: reportCard(makeReport(), OPTIONS) },
    { name: 'hostile report', card: reportCard(hostileReport(), OPTIONS) },
    {
      name: 'report with unpublish',
      card: reportCard(
        makeReport({
          unpublishRequests: [{ requestId: unpublish.id, by: ALEX, at: '2026-01-05T12:00:00Z' }],
        }),
        {
          ...OPTIONS,
          unpublishRequests: [unpublish],
          notice: { kind: 'accent', text: hostile('notice') },
        },
      ),
    },
    {
      name: 'report without gallery',
      card: reportCard(makeReport({ gallery: undefined }), OPTIONS),
    },
    { name: 'reporter view', card: reportCard(makeReport(), { ...OPTIONS, view: 'reporter' }) },
    { name: 'empty form', card: reportFormCard() },
    {
      name: 'form with problems',
      card: reportFormCard({ publicGalleryName: hostile('form-name'), category: 'malware' }, [
        { field: 'description', message: hostile('problem') },
      ]),
    },
    { name: 'empty audit', card: auditCard('Request r-none', []) },
    {
      name: 'audit trail',
      card: auditCard(hostile('subject'), [
        record(),
        record({ sequence: 2, actor: { kind: 'bot' }, action: 'share', reason: hostile('reason') }),
      ]),
    },
    {
      name: 'publish announcement',
      card: announcementCard(makeRequest({ state: 'shared', publicNames: ['contoso-1'] })),
    },
    {
      name: 'unpublish announcement',
      card: announcementCard(
        makeRequest({
          kind: 'unpublish',
          state: 'shared',
          justification: hostile('justification'),
        }),
      ),
    },
  ];
}

describe('report cards', () => {
  test.each(everyCard())('$name matches the schema', ({ card }) => {
    expect(schemaErrors(card)).toEqual([]);
    expect(card.version).toBe('1.5');
  });

  test.each(everyCard())('$name keeps untrusted text plain', ({ card }) => {
    const inputValues = new Set(inputs(card).map((input) => input.value));
    const leaked = stringsOutsideTextRuns(card).filter(
      (text) => text.includes('UNTRUSTED-') && !inputValues.has(text),
    );

    expect(leaked).toEqual([]);
  });

  test.each(everyCard())('$name actions have fallbacks', ({ card }) => {
    for (const { action, parent } of executeActions(card)) {
      const fallback = action.fallback as Record<string, unknown>;
      const data = action.data as Record<string, unknown>;
      expect(parent?.type).toBe('ActionSet');
      expect(typeof action.verb).toBe('string');
      expect(data.verb).toBe(action.verb);
      expect(fallback.type).toBe('Action.Submit');
      expect(fallback.data).toEqual(data);
      expect(fallback.title).toBe(action.title);
    }
  });

  test('channel view offers both actions', () => {
    const card = reportCard(makeReport(), OPTIONS);

    expect(actionData(card, 'acknowledgeReport')).toEqual([
      { verb: 'acknowledgeReport', reportId: 'rp-abcdefghjk' },
    ]);
    expect(actionData(card, 'startUnpublish')).toEqual([
      { verb: 'startUnpublish', reportId: 'rp-abcdefghjk' },
    ]);
    const urls = findByType(card, 'Action.OpenUrl').map((action) => action.url);
    expect(urls).toEqual([MICROSOFT_REPORT_FORMS.abuse, MICROSOFT_REPORT_FORMS.infringement]);
  });

  test('acknowledged report drops acknowledge', () => {
    const card = reportCard(
      makeReport({ acknowledged: { by: ALEX, at: '2026-01-05T12:00:00Z' } }),
      OPTIONS,
    );

    expect(actionData(card, 'acknowledgeReport')).toEqual([]);
    expect(visibleText(card)).toContain('Acknowledged by Alex Wilber at 2026-01-05 12:00 UTC');
  });

  test('unknown gallery explains no unpublish', () => {
    const card = reportCard(makeReport({ gallery: undefined }), OPTIONS);

    expect(actionData(card, 'startUnpublish')).toEqual([]);
    expect(visibleText(card)).toContain('cannot start an unpublish request');
  });

  test('reporter view has no actions', () => {
    const card = reportCard(makeReport(), { ...OPTIONS, view: 'reporter' });

    expect(executeActions(card)).toEqual([]);
    expect(findByType(card, 'Action.OpenUrl')).toHaveLength(2);
  });

  test('largest report fits the budget', () => {
    const long = 'd'.repeat(4000);
    const report = makeReport({
      description: long,
      repeatCount: 50,
      repeats: Array.from({ length: 20 }, () => ({
        at: '2026-01-05T11:00:00Z',
        reporter: { source: 'webhook' as const, contact: 'c'.repeat(320) },
        description: long,
      })),
      unpublishRequests: Array.from({ length: 20 }, (_, index) => ({
        requestId: `r-unpublish${index}`,
        by: ALEX,
        at: '2026-01-05T12:00:00Z',
      })),
    });
    const requests = Array.from({ length: 20 }, (_, index) =>
      makeRequest({ id: `r-request${index}`, requester: { ...ALEX, name: 'n'.repeat(200) } }),
    );

    const card = reportCard(report, {
      ...OPTIONS,
      linkedRequests: requests,
      unpublishRequests: requests,
    });

    expect(measureCardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(visibleText(card)).toContain('Reported 50 more times within 24 hours');
  });

  test('long audit trail shows the latest', () => {
    const records = Array.from({ length: 500 }, (_, index) =>
      record({ sequence: index + 1, reason: `reason ${index + 1} ${'r'.repeat(900)}` }),
    );

    const card = auditCard('Gallery readyGallery', records);

    expect(measureCardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(visibleText(card)).toContain('npm run audit:export');
    expect(visibleText(card)).toContain('reason 500 ');
    expect(visibleText(card)).not.toContain('reason 1 ');
  });

  test('audit record shows roles and hash', () => {
    const text = visibleText(auditCard('Request r-published01', [record()]));

    expect(text).toContain('pending → approved');
    expect(text).toContain('Owner at /subscriptions/00000000-0000-0000-0000-000000000000');
    expect(text).toContain('a'.repeat(64));
    expect(text).toContain('Alex Wilber (00000000-0000-0000-0000-0000000000020)');
  });

  test('form keeps prefilled values', () => {
    const card = reportFormCard({ publicGalleryName: 'contoso-1', imageDefinition: 'ubuntu-22' });
    const values = Object.fromEntries(inputs(card).map((input) => [input.id, input.value]));

    expect(values.publicGalleryName).toBe('contoso-1');
    expect(values.imageDefinition).toBe('ubuntu-22');
    expect(actionData(card, 'submitReport')).toEqual([{ verb: 'submitReport' }]);
  });
});
