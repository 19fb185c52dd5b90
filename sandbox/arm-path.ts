/**
 * Resource Manager path helpers. Resource Manager compares path segments case-insensitively,
 * so lookups use `pathKey`, and responses keep the casing the resource was created with.
 */

/** Splits a path into its non-empty segments, percent-decoded. */
export function splitPath(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map(safeDecode);
}

/** Returns the path with empty segments removed (`//subscriptions` becomes `/subscriptions`). */
export function normalizePath(path: string): string {
  return '/' + splitPath(path).join('/');
}

/**
 * Lookup keys by path, because every request computes keys of the same few paths many times
 * (for each role assignment, for each scope above a resource). Cleared when full, and only
 * paths of a usual length are kept, so hostile requests cannot fill memory with long ones.
 */
const pathKeys = new Map<string, string>();
const MAX_PATH_KEYS = 10_000;
const MAX_KEPT_PATH_LENGTH = 512;

/** Returns the case-insensitive lookup key of a resource id or scope. */
export function pathKey(path: string): string {
  if (path.length > MAX_KEPT_PATH_LENGTH) return normalizePath(path).toLowerCase();
  let key = pathKeys.get(path);
  if (key === undefined) {
    key = normalizePath(path).toLowerCase();
    if (pathKeys.size >= MAX_PATH_KEYS) pathKeys.clear();
    pathKeys.set(path, key);
  }
  return key;
}

export function lastSegment(path: string): string {
  const segments = splitPath(path);
  return segments[segments.length - 1] ?? '';
}

/** Returns the index of the last `providers` segment, or -1. */
export function lastProvidersIndex(segments: string[]): number {
  for (let index = segments.length - 2; index >= 0; index--) {
    if (segments[index]?.toLowerCase() === 'providers') return index;
  }
  return -1;
}

/**
 * Derives the resource type from a resource id, such as `Microsoft.Compute/galleries/images`
 * for an image definition, or `Microsoft.Resources/resourceGroups` for a resource group.
 */
export function resourceTypeOf(id: string): string {
  const segments = splitPath(id);
  const providersIndex = lastProvidersIndex(segments);
  if (providersIndex === -1) {
    if (segments.length <= 2) return 'Microsoft.Resources/subscriptions';
    return 'Microsoft.Resources/resourceGroups';
  }

  const namespace = segments[providersIndex + 1] ?? '';
  const typeNames = segments.slice(providersIndex + 2).filter((_, index) => index % 2 === 0);
  return [namespace, ...typeNames].join('/');
}

/**
 * Tells a collection path (`…/galleries/g/images`) from a resource path (`…/images/i`):
 * after the namespace, a resource path alternates type and name, so its count is even.
 */
export function isCollectionPath(path: string): boolean {
  const segments = splitPath(path);
  const providersIndex = lastProvidersIndex(segments);
  if (providersIndex === -1) return segments.length % 2 === 1;
  return (segments.length - providersIndex - 2) % 2 === 1;
}

/**
 * Returns the scope directly above a resource or scope, without management groups: an image
 * definition's gallery, a gallery's resource group, a resource group's subscription. Returns
 * `/` for tenant-level resources and undefined for a subscription and for `/`.
 */
export function parentScope(path: string): string | undefined {
  const segments = splitPath(path);
  if (segments.length === 0) return undefined;

  const providersIndex = lastProvidersIndex(segments);
  if (providersIndex === -1) {
    if (segments.length <= 2) return undefined;
    return '/' + segments.slice(0, 2).join('/');
  }

  const typeAndNameCount = segments.length - providersIndex - 2;
  if (typeAndNameCount > 2) return '/' + segments.slice(0, segments.length - 2).join('/');
  return '/' + segments.slice(0, providersIndex).join('/');
}

/** Returns the owner of a collection path, such as `…/galleries/g` for `…/galleries/g/images`. */
export function collectionOwner(path: string): string {
  const segments = splitPath(path);
  const providersIndex = lastProvidersIndex(segments);
  if (providersIndex !== -1 && providersIndex === segments.length - 3) {
    return '/' + segments.slice(0, providersIndex).join('/');
  }
  return '/' + segments.slice(0, segments.length - 1).join('/');
}

export function subscriptionOf(path: string): string | undefined {
  const segments = splitPath(path);
  if (segments[0]?.toLowerCase() !== 'subscriptions') return undefined;
  return segments[1];
}

export function resourceGroupOf(path: string): string | undefined {
  const segments = splitPath(path);
  if (segments[0]?.toLowerCase() !== 'subscriptions') return undefined;
  if (segments[2]?.toLowerCase() !== 'resourcegroups') return undefined;
  return segments[3];
}

/** Lower-cases a region and removes its spaces: `West US` becomes `westus`, as Azure does. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

function safeDecode(segment: string): string {
  // Most segments have no percent sign, and decodeURIComponent with its try is costly.
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
