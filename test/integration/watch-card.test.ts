import { watchCard } from '../../src/cards/watch-card';
import type { WatchChange } from '../../src/watch/watch-records';
import {
  actionData,
  executeActions,
  schemaErrors,
  stringsOutsideTextRuns,
  visibleText,
} from '../cards/card-inspection';
import { makeFinding, makeSnapshot } from '../cards/request-factory';

const HOSTILE = 'UNTRUSTED **bold** [x](https://evil.example) ${change.id} <at>Megan</at>';

function makeChange(overrides: Partial<WatchChange> = {}): WatchChange {
  return {
    id: 'w-0123456789abcdef01234567',
    galleryKey: '/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/galleries/g',
    gallery: { subscriptionId: 's', resourceGroup: HOSTILE, galleryName: HOSTILE },
    requestId: 'r-abc123',
    baselineHash: 'a'.repeat(64),
    metadataHash: 'b'.repeat(64),
    snapshot: makeSnapshot(),
    changes: [`Image definition "${HOSTILE}" was added.`],
    findings: [makeFinding({ subject: HOSTILE, message: HOSTILE, fix: HOSTILE })],
    urgent: false,
    detectedAt: '2026-12-04T18:00:00.000Z',
    unpublishRequestIds: [],
    ...overrides,
  };
}

describe('gallery change card', () => {
  test.each([
    ['open change', makeChange()],
    [
      'urgent change',
      makeChange({ urgent: true, findings: [makeFinding({ severity: 'blocker' })] }),
    ],
    [
      'acknowledged change',
      makeChange({
        acknowledged: {
          by: { aadObjectId: 'u', name: 'Megan' },
          at: '2026-12-04T19:00:00Z',
          eligibleRoles: [],
        },
        unpublishRequestIds: ['r-def456'],
      }),
    ],
  ])('%s matches the schema', (_name, change) => {
    expect(schemaErrors(watchCard(change))).toEqual([]);
  });

  test('untrusted text stays in text runs', () => {
    const card = watchCard(makeChange());

    expect(stringsOutsideTextRuns(card).some((text) => text.includes('UNTRUSTED'))).toBe(false);
    expect(visibleText(card)).toContain(HOSTILE);
  });

  test('actions carry verb and fallback', () => {
    const card = watchCard(makeChange());
    const actions = executeActions(card);

    expect(actions.map(({ action }) => action.verb)).toEqual([
      'acknowledgeChange',
      'startUnpublish',
    ]);
    for (const { action, parent } of actions) {
      expect(parent?.type).toBe('ActionSet');
      const fallback = action.fallback as { type?: string; data?: unknown };
      expect(fallback.type).toBe('Action.Submit');
      expect(fallback.data).toEqual(action.data);
    }
    expect(actionData(card, 'acknowledgeChange')).toEqual([
      { verb: 'acknowledgeChange', changeId: 'w-0123456789abcdef01234567' },
    ]);
  });

  test('urgent change says urgent', () => {
    const text = visibleText(watchCard(makeChange({ urgent: true })));

    expect(text).toContain('Urgent: ');
  });

  test('acknowledged change hides acknowledge', () => {
    const change = makeChange({
      acknowledged: {
        by: { aadObjectId: 'u', name: 'Megan' },
        at: '2026-12-04T19:00:00Z',
        eligibleRoles: [],
      },
    });
    const card = watchCard(change);

    expect(actionData(card, 'acknowledgeChange')).toEqual([]);
    expect(visibleText(card)).toContain('Acknowledged by Megan');
  });
});
