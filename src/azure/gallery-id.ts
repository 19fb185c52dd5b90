/** A gallery's coordinates in Azure Resource Manager. */
export interface GalleryRef {
  subscriptionId: string;
  resourceGroup: string;
  galleryName: string;
}

/** Raised when the text a user typed is not a gallery resource id, `rg/name` or portal URL. */
export class InvalidGalleryIdError extends Error {
  readonly code = 'InvalidGalleryId';

  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`"${input}" is not a gallery id: ${reason}`);
    this.name = 'InvalidGalleryIdError';
  }
}

// Resource Manager naming rules: resource groups take 1-90 characters of letters, digits,
// underscores, hyphens, periods and parentheses, not ending in a period; gallery names take
// 1-80 letters, digits, underscores and periods, starting and ending with a letter or digit.
const SUBSCRIPTION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/u;
const GALLERY = /^[a-z0-9](?:[\w.]{0,78}[a-z0-9])?$/i;
const RESOURCE_ID =
  /\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/galleries\/([^/?#]+)/i;
const MAX_INPUT_LENGTH = 2048;

/**
 * Parses a gallery given as a full resource id, `resourceGroup/gallery` (with the default
 * subscription), or an Azure portal URL that contains the resource id.
 */
export function parseGalleryId(input: string, defaultSubscriptionId?: string): GalleryRef {
  const text = input.trim();
  if (text === '') throw new InvalidGalleryIdError(input, 'nothing was given');
  if (text.length > MAX_INPUT_LENGTH) {
    throw new InvalidGalleryIdError(text.slice(0, 40) + '…', 'it is too long');
  }

  const match = RESOURCE_ID.exec(safeDecode(text));
  if (match) {
    return validate(text, match[1] ?? '', match[2] ?? '', match[3] ?? '');
  }
  if (text.startsWith('/') || /^https?:/i.test(text)) {
    throw new InvalidGalleryIdError(
      text,
      'expected /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/galleries/{name}',
    );
  }

  const parts = text.split('/');
  if (parts.length !== 2) {
    throw new InvalidGalleryIdError(text, 'expected resourceGroup/galleryName or a resource id');
  }
  if (!defaultSubscriptionId) {
    throw new InvalidGalleryIdError(
      text,
      'no default subscription is configured (AZURE_SUBSCRIPTION_ID), so give the full resource id',
    );
  }
  return validate(text, defaultSubscriptionId, parts[0] ?? '', parts[1] ?? '');
}

/** Formats the canonical resource id of a gallery. */
export function galleryResourceId(ref: GalleryRef): string {
  return (
    `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}` +
    `/providers/Microsoft.Compute/galleries/${ref.galleryName}`
  );
}

function validate(
  input: string,
  subscriptionId: string,
  resourceGroup: string,
  galleryName: string,
): GalleryRef {
  if (!SUBSCRIPTION.test(subscriptionId)) {
    throw new InvalidGalleryIdError(input, `subscription "${subscriptionId}" is not a GUID`);
  }
  if (!RESOURCE_GROUP.test(resourceGroup)) {
    throw new InvalidGalleryIdError(input, `"${resourceGroup}" is not a valid resource group name`);
  }
  if (!GALLERY.test(galleryName)) {
    throw new InvalidGalleryIdError(
      input,
      `"${galleryName}" is not a valid gallery name (letters, digits, periods and underscores)`,
    );
  }
  return { subscriptionId: subscriptionId.toLowerCase(), resourceGroup, galleryName };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
