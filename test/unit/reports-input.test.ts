import {
  InvalidReportError,
  parseFormReport,
  parseWebhookReport,
  type FieldProblem,
} from '../../src/reports/report-input';

const GALLERY_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery';

function problemsOf(action: () => unknown): FieldProblem[] {
  try {
    action();
    return [];
  } catch (error) {
    if (error instanceof InvalidReportError) return error.problems;
    throw error;
  }
}

/** Returns the valid report without `field`, as a JSON body would leave it out. */
function without(field: keyof typeof VALID, extra: Record<string, unknown> = {}) {
  const body: Record<string, unknown> = { ...VALID, ...extra };
  delete body[field];
  return body;
}

const VALID = {
  publicGalleryName: 'contoso-1a2b3c4d-0000-4000-8000-000000000000',
  imageDefinition: 'ubuntu-22',
  imageVersion: '1.0.0',
  category: 'intellectual-property',
  description: '  Ships a licensed database without a license.  ',
  reporterContact: 'legal@fabrikam.example',
};

describe('webhook report input', () => {
  test('valid report is trimmed', () => {
    const input = parseWebhookReport(VALID);

    expect(input.description).toBe('Ships a licensed database without a license.');
    expect(input.category).toBe('intellectual-property');
    expect(input.galleryResourceId).toBeUndefined();
  });

  test('resource id replaces public name', () => {
    const input = parseWebhookReport(
      without('publicGalleryName', { galleryResourceId: GALLERY_ID }),
    );

    expect(input.galleryResourceId).toBe(GALLERY_ID);
  });

  test.each([
    ['unknown field', { ...VALID, priority: 'high' }, 'priority'],
    ['number description', { ...VALID, description: 42 }, 'description'],
    ['null contact', { ...VALID, reporterContact: null }, 'reporterContact'],
    ['object category', { ...VALID, category: { name: 'malware' } }, 'category'],
    ['unknown category', { ...VALID, category: 'spam' }, 'category'],
    ['no gallery', { ...VALID, publicGalleryName: '' }, 'publicGalleryName'],
    [
      'public name with spaces',
      { ...VALID, publicGalleryName: 'contoso gallery' },
      'publicGalleryName',
    ],
    [
      'group and name only',
      without('publicGalleryName', { galleryResourceId: 'sandbox-rg/readyGallery' }),
      'galleryResourceId',
    ],
    ['image with slash', { ...VALID, imageDefinition: 'ubuntu/22' }, 'imageDefinition'],
    ['version latest', { ...VALID, imageVersion: 'latest' }, 'imageVersion'],
    ['version without image', without('imageDefinition'), 'imageVersion'],
    ['long description', { ...VALID, description: 'd'.repeat(4001) }, 'description'],
    ['two-line contact', { ...VALID, reporterContact: 'a\nb' }, 'reporterContact'],
  ])('%s is rejected', (_name, body, field) => {
    const problems = problemsOf(() => parseWebhookReport(body));

    expect(problems.map((problem) => problem.field)).toEqual([field]);
  });

  test.each([
    ['array', []],
    ['string', 'malware'],
    ['null', null],
  ])('%s body is rejected', (_name, body) => {
    expect(problemsOf(() => parseWebhookReport(body))).toHaveLength(1);
  });
});

describe('form report input', () => {
  test('verb and empty inputs are ignored', () => {
    const input = parseFormReport({
      verb: 'submitReport',
      publicGalleryName: VALID.publicGalleryName,
      imageDefinition: '',
      imageVersion: '',
      category: 'malware',
      description: 'Miner at boot.',
      reporterContact: '',
    });

    expect(input.imageDefinition).toBeUndefined();
    expect(input.reporterContact).toBeUndefined();
    expect(input.category).toBe('malware');
  });

  test('missing fields are all listed', () => {
    const problems = problemsOf(() => parseFormReport({ verb: 'submitReport' }));

    expect(problems.map((problem) => problem.field).sort()).toEqual([
      'category',
      'description',
      'publicGalleryName',
    ]);
  });
});
