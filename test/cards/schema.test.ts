import { everyOtherCard, everyRequestCard } from './card-matrix';
import { schemaErrors } from './card-inspection';
import { makeImages, makeRequest, makeSnapshot } from './request-factory';

describe('adaptive card schema', () => {
  test.each(everyRequestCard())('$name matches the schema', ({ card }) => {
    expect(schemaErrors(card)).toEqual([]);
    expect(card.version).toBe('1.5');
  });

  test.each(everyOtherCard())('$name matches the schema', ({ card }) => {
    expect(schemaErrors(card)).toEqual([]);
    expect(card.version).toBe('1.5');
  });

  test.each(
    everyRequestCard((state, kind) =>
      makeRequest({ state, kind, snapshot: makeSnapshot({ images: makeImages(1000) }) }),
    ),
  )('$name with 1,000 images matches', ({ card }) => {
    expect(schemaErrors(card)).toEqual([]);
  });

  test('validator rejects an invalid card', () => {
    const invalid = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock' }] };
    const unknownProperty = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'x', markdown: true }] }],
    };

    expect(schemaErrors(invalid)).not.toEqual([]);
    expect(schemaErrors(unknownProperty)).not.toEqual([]);
  });
});
