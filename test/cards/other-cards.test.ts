import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  CARD_VERBS,
  cardAttachment,
  helpCard,
  noticeCard,
  statusListCard,
} from '../../src/cards';
import { actionData, findByType, visibleLines, visibleText } from './card-inspection';
import { makeRequest } from './request-factory';

describe('help card', () => {
  test('lists every contract command', () => {
    const text = visibleText(helpCard());
    const commands = [
      'publish <gallery>',
      'unpublish <gallery>',
      'status [request-id]',
      'report <public-gallery-name> [image] [version]',
      'subscribe approvals',
      'unsubscribe approvals',
      'audit <gallery or request-id>',
      'help',
    ];

    for (const command of commands) expect(text).toContain(command);
    expect(text).toContain('Example: publish sandbox-rg/readyGallery');
  });

  test('keeps angle brackets out of markdown', () => {
    const textBlocks = findByType(helpCard(), 'TextBlock').map((block) => String(block.text));

    expect(textBlocks.some((text) => /[<>[\]*_`]/.test(text))).toBe(false);
  });
});

describe('notice card', () => {
  test.each([
    ['info', 'accent'],
    ['success', 'good'],
    ['warning', 'warning'],
    ['error', 'attention'],
  ] as const)('%s notice uses its style', (kind, style) => {
    const card = noticeCard('Request not found', 'No request has the id req-9.', kind);
    const [container] = findByType(card, 'Container');

    expect(container?.style).toBe(style);
    expect(visibleLines(card)).toEqual(['Request not found', 'No request has the id req-9.']);
  });

  test('long notice text is cut', () => {
    const card = noticeCard('Title', 'x'.repeat(10_000), 'info');
    const [, text] = visibleLines(card);

    expect(text).toHaveLength(4000);
    expect(text?.endsWith('…')).toBe(true);
  });
});

describe('status list card', () => {
  test('empty list says so', () => {
    expect(visibleLines(statusListCard([]))).toContain('You have no open requests.');
  });

  test('each request can be opened', () => {
    const requests = [
      makeRequest({ id: 'req-1', state: 'pending' }),
      makeRequest({ id: 'req-2', state: 'shared', kind: 'unpublish' }),
    ];
    const card = statusListCard(requests);
    const lines = visibleLines(card);

    expect(lines).toContain('2 open requests');
    expect(lines).toContain('readyGallery · make public · Waiting for approval');
    expect(lines).toContain('readyGallery · stop public sharing · No longer public');
    expect(actionData(card, 'refreshRequest')).toEqual([
      { verb: 'refreshRequest', requestId: 'req-1', view: 'request' },
      { verb: 'refreshRequest', requestId: 'req-2', view: 'request' },
    ]);
  });

  test('very long list names twenty more', () => {
    const requests = Array.from({ length: 40 }, (_, index) => makeRequest({ id: `req-${index}` }));
    const text = visibleText(statusListCard(requests));

    expect(text).toContain('and 30 other open requests: req-10,');
    expect(text).toContain('req-29 and 10 more. Send status');
    expect(text).not.toContain('req-30');
  });

  test('long list shows the rest count', () => {
    const requests = Array.from({ length: 30 }, (_, index) => makeRequest({ id: `req-${index}` }));
    const text = visibleText(statusListCard(requests));

    expect(text).toContain('30 open requests');
    expect(text).toContain('and 20 other open requests: req-10, req-11,');
    expect(text).toContain('req-29. Send status with a request id to see one.');
  });
});

describe('card exports', () => {
  test('attachment wraps the card', () => {
    const card = helpCard();

    expect(cardAttachment(card)).toEqual({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: card,
    });
    expect(ADAPTIVE_CARD_CONTENT_TYPE).toBe('application/vnd.microsoft.card.adaptive');
  });

  test('verbs match the contract', () => {
    expect([...CARD_VERBS].sort()).toEqual(
      [
        'submitRequest',
        'cancelRequest',
        'approve',
        'deny',
        'retryShare',
        'refreshRequest',
        'acknowledgeReport',
        'startUnpublish',
        'submitReport',
        'acknowledgeChange',
      ].sort(),
    );
  });
});
