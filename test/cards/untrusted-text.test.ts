import { imageListCard, requestCard, type AdaptiveCard } from '../../src/cards';
import type { PublishRequest, RequestKind, RequestState } from '../../src/workflow/request';
import { stringsOutsideTextRuns, textRunTexts, visibleLines } from './card-inspection';
import { everyOtherCard, everyRequestCard, imageListPages } from './card-matrix';
import { makeFinding, makeImage, makeRequest, makeSnapshot, makeVersion } from './request-factory';

const MARKDOWN_LINK = '[Click here](https://evil.example)';
const MARKDOWN_BOLD = '**urgent**';
const TEMPLATE_EXPRESSION = '${request.id}';
const QUOTED = '"quoted" \\back\\slash\nsecond line';
const MARKUP = '<b>bold</b> & <at>Megan</at> 1 < 2 > 0';
const NON_LATIN = 'Публичная галерея 公開ギャラリー معرض 🚀';

/** Returns text that contains a marker and characters that Markdown or templating act on. */
function hostile(field: string): string {
  const markdown = `_${field}_ **${field}** [x](https://evil.example)`;
  return `UNTRUSTED-${field} ${markdown} \${${field}} <${field}>`;
}

/** Builds a request in which every string read from Azure or typed by a user is hostile. */
function hostileRequest(state: RequestState, kind: RequestKind): PublishRequest {
  const base = makeRequest({ state, kind });
  const image = makeImage({
    name: hostile('image-name'),
    publisher: hostile('publisher'),
    offer: hostile('offer'),
    sku: hostile('sku'),
    osType: hostile('os'),
    osState: hostile('os-state'),
    location: hostile('image-location'),
    description: hostile('description'),
    eula: hostile('image-eula'),
    privacyStatementUri: hostile('privacy'),
    releaseNoteUri: hostile('release-notes'),
    purchasePlan: { name: hostile('plan'), publisher: hostile('plan-publisher') },
    versions: [makeVersion({ name: hostile('version') })],
  });
  return {
    ...base,
    gallery: { ...base.gallery, galleryName: hostile('gallery-name') },
    requester: { ...base.requester, name: hostile('requester') },
    justification: hostile('justification'),
    snapshot: makeSnapshot({
      gallery: {
        id: hostile('gallery-id'),
        name: hostile('snapshot-gallery-name'),
        location: hostile('gallery-location'),
        description: hostile('gallery-description'),
        permissions: hostile('permissions'),
        community: {
          publisherUri: hostile('publisher-uri'),
          publisherContact: hostile('contact'),
          eula: hostile('gallery-eula'),
          publicNamePrefix: hostile('prefix'),
          publicNames: state === 'draft' ? [] : [hostile('public-name')],
          communityGalleryEnabled: false,
        },
      },
      images: [image],
      applications: [hostile('application')],
    }),
    findings: [
      makeFinding({
        severity: 'blocker',
        subject: hostile('subject'),
        message: hostile('message'),
        fix: hostile('fix'),
        code: hostile('code'),
      }),
    ],
    approvers: [
      {
        principalId: hostile('principal'),
        principalType: 'User',
        displayName: hostile('approver'),
        roles: [hostile('role')],
        viaGroup: hostile('group'),
      },
    ],
    decision: base.decision && {
      ...base.decision,
      by: { aadObjectId: 'x', name: hostile('decider') },
      reason: base.decision.reason && hostile('reason'),
    },
    cancelledBy: base.cancelledBy && { aadObjectId: 'x', name: hostile('canceller') },
    share: base.share && {
      ...base.share,
      error: base.share.error && { code: hostile('error-code'), message: hostile('error-message') },
    },
    publicNames: base.publicNames && [hostile('confirmed-public-name')],
  };
}

/** Cards that show no request data. */
const FIXED_CARDS = ['help', 'empty status list'];

function expectOnlyInTextRuns(card: AdaptiveCard, marker: string): void {
  const outside = stringsOutsideTextRuns(card).filter((text) => text.includes(marker));
  expect(outside).toEqual([]);
}

describe('untrusted text in cards', () => {
  const cardsWithRequestData = [
    ...everyRequestCard(hostileRequest),
    ...everyOtherCard(hostileRequest).filter(({ name }) => !FIXED_CARDS.includes(name)),
  ];

  test.each(cardsWithRequestData)('$name keeps untrusted text in runs', ({ card }) => {
    expectOnlyInTextRuns(card, 'UNTRUSTED-');
    expect(textRunTexts(card).some((text) => text.includes('UNTRUSTED-'))).toBe(true);
  });

  test('markdown in image fields stays plain', () => {
    const request = makeRequest({
      state: 'pending',
      snapshot: makeSnapshot({
        images: [makeImage({ publisher: MARKDOWN_LINK, offer: MARKDOWN_BOLD })],
      }),
    });
    const cards = [
      requestCard(request, { audience: 'requester', allowSelfApproval: false }),
      requestCard(request, { audience: 'approver', allowSelfApproval: false }),
      imageListCard(request, 2),
    ];

    for (const card of cards) {
      expectOnlyInTextRuns(card, MARKDOWN_LINK);
      expectOnlyInTextRuns(card, MARKDOWN_BOLD);
    }
    expect(textRunTexts(cards[1]!).some((text) => text.includes(MARKDOWN_LINK))).toBe(true);
    expect(textRunTexts(cards[1]!).some((text) => text.includes(MARKDOWN_BOLD))).toBe(true);
    expect(textRunTexts(cards[2]!)).toEqual(expect.arrayContaining([MARKDOWN_LINK, MARKDOWN_BOLD]));
  });

  test('quotes backslashes and newlines survive', () => {
    const request = makeRequest({
      snapshot: makeSnapshot({ images: [makeImage({ description: QUOTED })] }),
    });
    const pages = imageListPages(request).map(({ card }) => card);

    const roundTrip = pages.map((card) => JSON.parse(JSON.stringify(card)) as AdaptiveCard);

    expect(roundTrip).toEqual(pages);
    expect(pages.flatMap(textRunTexts)).toContain(QUOTED);
  });

  test('template expressions arrive literally', () => {
    const expressions = [TEMPLATE_EXPRESSION, '${requestId}', '${$root.requestId}', '${title}'];
    for (const justification of expressions) {
      const request = makeRequest({ id: 'req-7', state: 'pending', justification });
      const card = requestCard(request, { audience: 'approver', allowSelfApproval: false });

      expect(textRunTexts(card)).toContain(justification);
      expect(visibleLines(card)).toContain(`Justification: ${justification}`);
    }
  });

  test('template expressions in lists arrive literally', () => {
    const request = makeRequest({
      state: 'pending',
      snapshot: makeSnapshot({
        images: [makeImage({ name: '${requestId}', publisher: '${title}' })],
      }),
    });
    const card = requestCard(request, { audience: 'approver', allowSelfApproval: false });
    const details = imageListCard(request, 1);

    expect(textRunTexts(card)).toContain('${requestId}');
    expect(textRunTexts(card).join('\n')).toContain('${title}');
    expect(textRunTexts(details)).toEqual(expect.arrayContaining(['${requestId}', '${title}']));
  });

  test('markup and non-latin text survive', () => {
    const request = makeRequest({
      state: 'denied',
      requester: { aadObjectId: 'x', name: NON_LATIN },
      snapshot: makeSnapshot({ images: [makeImage({ description: MARKUP, offer: NON_LATIN })] }),
    });
    const card = requestCard(request, { audience: 'requester', allowSelfApproval: false });
    const details = imageListCard(request, 1);

    expect(textRunTexts(card)).toContain(NON_LATIN);
    expect(textRunTexts(details)).toEqual(expect.arrayContaining([MARKUP, NON_LATIN]));
  });
});
