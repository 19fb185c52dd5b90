import { InvalidGalleryIdError, parseGalleryId } from '../azure/gallery-id';
import { REPORT_CATEGORIES, type ReportCategory, type ReportInput } from './report';

/** One invalid field of a report, named as in the JSON body and the form. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Raised when a report body or form fails validation; lists every invalid field. */
export class InvalidReportError extends Error {
  readonly code = 'InvalidReport';

  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((problem) => `${problem.field}: ${problem.message}`).join(' '));
    this.name = 'InvalidReportError';
  }
}

export const MAX_DESCRIPTION_LENGTH = 4000;
export const MAX_CONTACT_LENGTH = 320;

const REPORT_FIELDS = [
  'publicGalleryName',
  'galleryResourceId',
  'imageDefinition',
  'imageVersion',
  'category',
  'description',
  'reporterContact',
] as const;

type ReportField = (typeof REPORT_FIELDS)[number];

// NOTE: Azure documents no character rules for public gallery names, which have the form
// `<publicNamePrefix>-<GUID>`. This pattern accepts letters, digits, hyphens, periods and
// underscores, and a name that no approval record knows is stored unlinked.
const PUBLIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Resource Manager naming rules for image definitions: 1 to 80 letters, digits, hyphens,
// periods and underscores, starting and ending with a letter or digit.
const IMAGE_DEFINITION = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9])?$/;
// Image versions are `major.minor.patch` with 32-bit integers.
const IMAGE_VERSION = /^\d{1,10}\.\d{1,10}\.\d{1,10}$/;

/**
 * Validates a webhook body: a JSON object with only the report fields, each a string. Raises
 * InvalidReportError listing every unknown field, wrong type and invalid value.
 */
export function parseWebhookReport(body: unknown): ReportInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidReportError([{ field: '(body)', message: 'must be a JSON object.' }]);
  }

  const problems: FieldProblem[] = [];
  const values: Partial<Record<ReportField, string>> = {};
  for (const [field, value] of Object.entries(body)) {
    if (!(REPORT_FIELDS as readonly string[]).includes(field)) {
      problems.push({
        field: field.slice(0, 60),
        message: `is not a report field. Use only ${REPORT_FIELDS.join(', ')}.`,
      });
    } else if (typeof value !== 'string') {
      problems.push({ field, message: `must be a string, not ${typeName(value)}.` });
    } else {
      values[field as ReportField] = value;
    }
  }

  return validateFields(values, problems);
}

/**
 * Validates the data of the Teams report form. The card adds `verb` and leaves empty inputs
 * as empty strings, so other fields are ignored and empty strings count as missing.
 */
export function parseFormReport(data: Record<string, unknown>): ReportInput {
  const values: Partial<Record<ReportField, string>> = {};
  for (const field of REPORT_FIELDS) {
    const value = data[field];
    if (typeof value === 'string') values[field] = value;
  }
  return validateFields(values, []);
}

function validateFields(
  values: Partial<Record<ReportField, string>>,
  problems: FieldProblem[],
): ReportInput {
  const text = (field: ReportField): string | undefined => {
    const value = values[field]?.trim();
    return value === '' ? undefined : value;
  };
  // A field with the wrong type is reported once, not again as missing.
  const wrongType = new Set(problems.map((problem) => problem.field));

  const publicGalleryName = text('publicGalleryName');
  const galleryResourceId = text('galleryResourceId');
  const imageDefinition = text('imageDefinition');
  const imageVersion = text('imageVersion');
  const category = text('category');
  const description = text('description');
  const reporterContact = text('reporterContact');

  if (!wrongType.has('publicGalleryName') && !wrongType.has('galleryResourceId')) {
    problems.push(...checkGallery(publicGalleryName, galleryResourceId));
  }
  if (imageDefinition !== undefined && !IMAGE_DEFINITION.test(imageDefinition)) {
    problems.push({
      field: 'imageDefinition',
      message:
        'must be an image definition name: 1 to 80 letters, digits, hyphens, periods or ' +
        'underscores, starting and ending with a letter or digit.',
    });
  }
  if (imageVersion !== undefined && !IMAGE_VERSION.test(imageVersion)) {
    problems.push({ field: 'imageVersion', message: 'must be major.minor.patch, such as 1.0.0.' });
  }
  if (imageVersion !== undefined && imageDefinition === undefined) {
    problems.push({ field: 'imageVersion', message: 'needs imageDefinition as well.' });
  }
  if (!wrongType.has('category') && (category === undefined || !isCategory(category))) {
    problems.push({
      field: 'category',
      message: `must be one of ${REPORT_CATEGORIES.join(', ')}.`,
    });
  }
  if (!wrongType.has('description')) {
    problems.push(...checkLength('description', description, MAX_DESCRIPTION_LENGTH, true));
  }
  problems.push(...checkLength('reporterContact', reporterContact, MAX_CONTACT_LENGTH, false));
  if (reporterContact !== undefined && /[\r\n]/.test(reporterContact)) {
    problems.push({ field: 'reporterContact', message: 'must be one line.' });
  }

  if (problems.length > 0) throw new InvalidReportError(problems);
  return {
    publicGalleryName,
    galleryResourceId,
    imageDefinition,
    imageVersion,
    category: category as ReportCategory,
    description: description ?? '',
    reporterContact,
  };
}

function checkGallery(
  publicGalleryName: string | undefined,
  galleryResourceId: string | undefined,
): FieldProblem[] {
  if (publicGalleryName === undefined && galleryResourceId === undefined) {
    return [
      {
        field: 'publicGalleryName',
        message: 'missing. Give the public gallery name, or galleryResourceId.',
      },
    ];
  }
  if (publicGalleryName !== undefined && galleryResourceId !== undefined) {
    return [
      {
        field: 'galleryResourceId',
        message: 'give either publicGalleryName or galleryResourceId, not both.',
      },
    ];
  }
  if (publicGalleryName !== undefined && !PUBLIC_NAME.test(publicGalleryName)) {
    return [
      {
        field: 'publicGalleryName',
        message:
          'must be a public gallery name: up to 128 letters, digits, hyphens, periods or ' +
          'underscores, such as contoso-1a2b3c4d-0000-0000-0000-000000000000.',
      },
    ];
  }
  if (galleryResourceId !== undefined) {
    try {
      // Without a default subscription, only a full resource id or a portal URL parses.
      parseGalleryId(galleryResourceId);
    } catch (error) {
      if (!(error instanceof InvalidGalleryIdError)) throw error;
      return [
        {
          field: 'galleryResourceId',
          message: `${error.reason}. Give /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/galleries/{name}.`,
        },
      ];
    }
  }
  return [];
}

function checkLength(
  field: ReportField,
  value: string | undefined,
  maxLength: number,
  required: boolean,
): FieldProblem[] {
  if (value === undefined) {
    return required ? [{ field, message: 'missing. Describe what is wrong with the image.' }] : [];
  }
  if (value.length > maxLength) {
    return [{ field, message: `is ${value.length} characters; keep it to ${maxLength}.` }];
  }
  return [];
}

function isCategory(value: string): value is ReportCategory {
  return (REPORT_CATEGORIES as readonly string[]).includes(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
