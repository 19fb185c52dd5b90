import {
  MAX_CARD_BYTES,
  imageListCard,
  measureCardBytes,
  requestCard,
  statusListCard,
  type AdaptiveCard,
} from '../../src/cards';
import { lineBytes } from '../../src/cards/details-pages';
import type { Line } from '../../src/cards/view-parts';
import type { Approver, PublishRequest } from '../../src/workflow/request';
import { actionData, findByType, textRunTexts, visibleText } from './card-inspection';
import { everyRequestCard, imageListPages } from './card-matrix';
import {
  makeFinding,
  makeImage,
  makeImages,
  makeRequest,
  makeSnapshot,
  makeVersion,
} from './request-factory';

const TEAMS_LIMIT_BYTES = 28 * 1024;
const LONG = 10_000;

/** Repeats `unit` to a text of exactly `codePoints` code points. */
function longText(unit: string, codePoints = LONG): string {
  const units = Array.from(unit);
  return Array.from({ length: codePoints }, (_, index) => units[index % units.length]).join('');
}

const LONG_VALUES = {
  ascii: longText('https://contoso.example/a-very-long-path/'),
  nonLatin: longText('公開ギャラリー'),
  emoji: longText('🚀'),
  escaped: longText('"\\\n\u0001'),
};

function largeRequest(unit: string) {
  const value = longText(unit);
  const images = makeImages(1000, {
    publisher: value,
    offer: value,
    sku: value,
    description: value,
    eula: value,
    privacyStatementUri: value,
    releaseNoteUri: value,
  });
  // Lists are ten times longer than any card shows; 1,000 long findings would only slow the test.
  const approvers: Approver[] = Array.from({ length: 100 }, (_, index) => ({
    principalId: `principal-${index}`,
    principalType: 'User',
    displayName: value,
    roles: [value],
  }));
  return (overrides: Partial<PublishRequest>) =>
    makeRequest({
      ...overrides,
      requester: { aadObjectId: 'x', name: value },
      justification: value.slice(0, 1000),
      approvers,
      findings: Array.from({ length: 100 }, () =>
        makeFinding({ severity: 'blocker', subject: value, message: value, fix: value }),
      ),
      snapshot: makeSnapshot({
        gallery: {
          id: value,
          name: 'largeGallery',
          location: value,
          description: value,
          permissions: 'Community',
          community: {
            publisherUri: value,
            publisherContact: value,
            eula: value,
            publicNamePrefix: value,
            publicNames: [value, value],
            communityGalleryEnabled: false,
          },
        },
        images,
        applications: [value, value],
      }),
    });
}

/** Returns the image list page on which a text run first shows `text`. */
function firstPageWith(request: PublishRequest, text: string): number {
  const pages = imageListPages(request);
  return pages.findIndex(({ card }) => textRunTexts(card).includes(text)) + 1;
}

function expectWithinBudget(card: AdaptiveCard): void {
  const bytes = measureCardBytes(card);
  expect(bytes).toBeLessThanOrEqual(MAX_CARD_BYTES);
  expect(bytes).toBeLessThan(TEAMS_LIMIT_BYTES);
}

describe('card size budget', () => {
  test('measure counts utf-8 bytes', () => {
    const card: AdaptiveCard = { type: 'AdaptiveCard', version: '1.5', fallbackText: 'é🚀' };

    expect(measureCardBytes(card)).toBe(Buffer.byteLength(JSON.stringify(card), 'utf8'));
    expect(measureCardBytes(card)).toBe(JSON.stringify(card).length + 1 + 2);
  });

  test('thousand image definitions fit', () => {
    const request = makeRequest({ snapshot: makeSnapshot({ images: makeImages(1000) }) });
    const card = requestCard(request, { audience: 'requester', allowSelfApproval: false });
    const runs = textRunTexts(card);

    expectWithinBudget(card);
    expect(visibleText(card)).toContain('Image definitions (1,000)');
    expect(visibleText(card)).toContain('Showing 1–20 of 1,000.');
    expect(runs).toContain('image-0020');
    expect(runs).not.toContain('image-0021');
    expect(actionData(card, 'refreshRequest')).toContainEqual({
      verb: 'refreshRequest',
      requestId: request.id,
      view: 'imageList',
      imagePage: firstPageWith(request, 'image-0001'),
    });
  });

  test('image page option moves rows', () => {
    const request = makeRequest({ snapshot: makeSnapshot({ images: makeImages(1000) }) });
    const card = requestCard(request, {
      audience: 'requester',
      allowSelfApproval: false,
      imagePage: 50,
    });

    expect(visibleText(card)).toContain('Showing 981–1,000 of 1,000.');
    expect(textRunTexts(card)).toContain('image-1000');
  });

  test.each(Object.entries(LONG_VALUES))('%s long values fit everywhere', (_, unit) => {
    const build = largeRequest(unit);
    const cards = everyRequestCard((state, kind) => build({ state, kind }));

    for (const { card } of cards) expectWithinBudget(card);
    expectWithinBudget(
      statusListCard(Array.from({ length: 200 }, () => build({ state: 'pending' }))),
    );
  });

  test('long values end with an ellipsis', () => {
    const value = LONG_VALUES.ascii;
    const request = makeRequest({
      state: 'pending',
      snapshot: makeSnapshot({ images: [makeImage({ publisher: value })] }),
    });
    const card = requestCard(request, { audience: 'approver', allowSelfApproval: false });
    const rows = textRunTexts(card).filter((text) =>
      text.includes('https://contoso.example/a-very'),
    );

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/…/);
    expect(textRunTexts(card)).not.toContain(value);
  });
});

describe('image list paging', () => {
  test('every page of 1,000 images fits', () => {
    const request = makeRequest({ snapshot: makeSnapshot({ images: makeImages(1000) }) });
    const pages = imageListPages(request);
    const titles = pages.flatMap(({ card }) =>
      findByType(card, 'TextRun')
        .map((run) => String(run.text))
        .filter((text) => /^image-\d{4}$/.test(text)),
    );

    for (const { card } of pages) expectWithinBudget(card);
    expect(titles).toHaveLength(1000);
    expect(new Set(titles).size).toBe(1000);
  });

  test.each(Object.entries(LONG_VALUES))('%s values are complete across pages', (_, unit) => {
    const value = longText(unit);
    const images = [0, 1, 2].map((index) =>
      makeImage({
        name: `long-${index}`,
        description: value,
        eula: value,
        privacyStatementUri: value,
        releaseNoteUri: value,
        versions: [makeVersion({ name: value })],
      }),
    );
    const request = makeRequest({
      gallery: { subscriptionId: value, resourceGroup: value, galleryName: value },
      snapshot: makeSnapshot({ images }),
      findings: [makeFinding({ message: value, fix: value })],
    });
    const pages = imageListPages(request);
    const lines = pages.flatMap(({ card }) =>
      findByType(card, 'RichTextBlock').map((block) => block.inlines as { text: string }[]),
    );
    const partsOf = (label: string): string =>
      lines
        .filter((runs) => runs[0]?.text.startsWith(label))
        .map((runs) => runs[1]?.text ?? '')
        .join('');

    for (const { card } of pages) expectWithinBudget(card);
    expect(partsOf('Description (part')).toBe(value.repeat(3));
    expect(partsOf('Release notes URL (part')).toBe(value.repeat(3));
    expect(partsOf('Fix (part')).toBe(value);
  });

  test('pages link to each other', () => {
    const request = makeRequest({ snapshot: makeSnapshot({ images: makeImages(100) }) });
    const pages = imageListPages(request);
    const last = pages.length;

    expect(last).toBeGreaterThan(2);
    expect(actionData(imageListCard(request, 1), 'refreshRequest')).toEqual([
      { verb: 'refreshRequest', requestId: request.id, view: 'imageList', imagePage: 2 },
      { verb: 'refreshRequest', requestId: request.id, view: 'request' },
    ]);
    expect(actionData(imageListCard(request, last), 'refreshRequest')).toEqual([
      { verb: 'refreshRequest', requestId: request.id, view: 'imageList', imagePage: last - 1 },
      { verb: 'refreshRequest', requestId: request.id, view: 'request' },
    ]);
  });

  test('out of range pages are clamped', () => {
    const request = makeRequest({ snapshot: makeSnapshot({ images: makeImages(100) }) });
    const last = imageListPages(request).length;

    expect(imageListCard(request, 0)).toEqual(imageListCard(request, 1));
    expect(imageListCard(request, -3)).toEqual(imageListCard(request, 1));
    expect(imageListCard(request, 1.5)).toEqual(imageListCard(request, 1));
    expect(imageListCard(request, last + 10)).toEqual(imageListCard(request, last));
  });
});

describe('details size estimate', () => {
  test('line estimate covers rendered lines', () => {
    const request = makeRequest({
      snapshot: makeSnapshot({ images: [makeImage({ description: 'é"\n🚀' }), makeImage()] }),
    });
    const blocks = imageListPages(request).flatMap(({ card }) => findByType(card, 'RichTextBlock'));
    const lineBlocks = blocks.filter((block) => block.spacing === 'Small');

    expect(lineBlocks.length).toBeGreaterThan(20);
    for (const block of lineBlocks) {
      const runs = block.inlines as { text: string; weight?: string; isSubtle?: boolean }[];
      const label = runs.find((run) => run.weight === 'Bolder')?.text ?? '';
      const valueIndex = label === '' ? 0 : 1;
      const value = runs[valueIndex] as { text: string; fontType?: string; italic?: boolean };
      const note = runs[valueIndex + 1]?.text ?? '';
      let style: Line['style'] = value.fontType === 'monospace' ? 'monospace' : 'plain';
      if (value.italic) style = 'missing';
      const rendered = Buffer.byteLength(JSON.stringify(block), 'utf8') + 1;

      expect(lineBytes({ label, value: value.text, note, style })).toBeGreaterThanOrEqual(rendered);
      expect(lineBytes({ label, value: value.text, note, style })).toBeLessThan(rendered + 10);
    }
  });
});
