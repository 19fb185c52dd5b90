import {
  InvalidGalleryIdError,
  galleryResourceId,
  parseGalleryId,
} from '../../src/azure/gallery-id';

const SUB = '00000000-0000-0000-0000-000000000000';
const ID = `/subscriptions/${SUB}/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery`;

describe('parseGalleryId', () => {
  it('parses a full resource id', () => {
    expect(parseGalleryId(ID)).toEqual({
      subscriptionId: SUB,
      resourceGroup: 'sandbox-rg',
      galleryName: 'readyGallery',
    });
  });

  it('parses group/name with default subscription', () => {
    expect(parseGalleryId('sandbox-rg/readyGallery', SUB).galleryName).toBe('readyGallery');
  });

  it('parses a portal url', () => {
    const url = `https://portal.azure.com/#@contoso.onmicrosoft.com/resource${ID}/overview`;
    expect(galleryResourceId(parseGalleryId(url))).toBe(ID);
  });

  it('parses a url-encoded portal url', () => {
    const url = `https://portal.azure.com/#view/x/id/${encodeURIComponent(ID)}`;
    expect(galleryResourceId(parseGalleryId(url))).toBe(ID);
  });

  it.each([
    ['empty text', ''],
    ['blanks', '   '],
    ['a bare name', 'justonename'],
    ['three segments', 'a/b/c'],
    ['a space in the name', 'sandbox-rg/bad name'],
    ['a leading hyphen', 'sandbox-rg/-leading'],
    [
      'a subscription that is not a guid',
      '/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/galleries/g',
    ],
    ['a url without an id', 'https://example.com/nothing-here'],
    ['5,000 characters', 'x'.repeat(5000)],
  ])('rejects %s', (_label, input) => {
    expect(() => parseGalleryId(input, SUB)).toThrow(InvalidGalleryIdError);
  });

  it('needs a default subscription for group/name', () => {
    expect(() => parseGalleryId('sandbox-rg/readyGallery')).toThrow(/AZURE_SUBSCRIPTION_ID/);
  });
});
