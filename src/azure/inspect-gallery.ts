import { setMaxListeners } from 'node:events';
import type {
  CommunityGalleryInfo,
  GalleryImage,
  GalleryImageVersion,
  TargetRegion,
} from '@azure/arm-compute';
import type { AzureClients } from './clients';
import { mapIterableWithConcurrency } from './concurrency';
import { toAzureCallError } from './errors';
import { galleryResourceId, type GalleryRef } from './gallery-id';
import type {
  GallerySnapshot,
  ImageDefinitionFacts,
  ImageVersionFacts,
  TargetRegionFacts,
} from './snapshot';

/**
 * Version lists in flight at once. A gallery of N image definitions costs N version lists.
 * Each can start only once the page with its image definition has arrived, so an inspection
 * takes at least 1 + max(ceil(N / C), ceil(N / page size)) round trips. At 64, above the
 * emulator's page size of 50, the chain of pages sets the pace, and a higher C gains nothing.
 * At 16 or 32 the version lists are the slower chain (figures at 20 ms per request in
 * docs/benchmarks.md, from `npm run bench`). The number of reads does not depend on C, so
 * neither does Resource Manager's read throttling (a bucket of 250 reads per subscription and
 * principal, refilled at 25 per second).
 * NOTE: the page size of Azure's image definition list is not documented; 50 is the emulator's.
 */
export const VERSION_LIST_CONCURRENCY = 64;

export interface InspectGalleryOptions {
  abortSignal?: AbortSignal;
  now?: () => Date;
  /** Version lists in flight at once; default `VERSION_LIST_CONCURRENCY`. */
  versionListConcurrency?: number;
}

/**
 * Reads everything that community sharing makes public: the gallery, its image definitions,
 * every version of each, and the names of its VM applications. Raises AzureCallError. When the
 * gallery itself cannot be read, its error wins over the errors of the lists.
 *
 * The gallery, the image definition list and the application list need nothing from each
 * other, so they start together. Each image's version list starts as soon as the page with
 * its image definition arrives. When each image's versions fit in one page, the critical path
 * is 1 + max(ceil(N / concurrency), ceil(N / page size)) round trips for N image definitions.
 */
export async function inspectGallery(
  clients: AzureClients,
  ref: GalleryRef,
  options: InspectGalleryOptions = {},
): Promise<GallerySnapshot> {
  const compute = clients.compute(ref.subscriptionId);
  const galleryId = galleryResourceId(ref);
  const concurrency = options.versionListConcurrency ?? VERSION_LIST_CONCURRENCY;
  // Stops the lists once the gallery read or one of the lists has failed.
  const lists = new AbortController();
  const listSignal = options.abortSignal
    ? AbortSignal.any([options.abortSignal, lists.signal])
    : lists.signal;
  // Every request in flight listens to the signal: the version lists and the two other lists.
  setMaxListeners(concurrency + 2, listSignal);
  const listOptions = { abortSignal: listSignal };

  const galleryRead = compute.galleries.get(ref.resourceGroup, ref.galleryName, {
    abortSignal: options.abortSignal,
  });
  galleryRead.catch(() => lists.abort());
  const contentsRead = Promise.all([
    mapIterableWithConcurrency(
      compute.galleryImages.listByGallery(ref.resourceGroup, ref.galleryName, listOptions),
      concurrency,
      async (image) => {
        const versions = await collect(
          compute.galleryImageVersions.listByGalleryImage(
            ref.resourceGroup,
            ref.galleryName,
            image.name ?? '',
            listOptions,
          ),
          `Listing the versions of image definition ${image.name ?? ''}`,
        );
        return imageDefinitionFacts(image, versions);
      },
    ).catch((error: unknown) => {
      // A version list has already become an AzureCallError; a failed page has not.
      throw toAzureCallError(error, `Listing the image definitions of ${ref.galleryName}`);
    }),
    collect(
      compute.galleryApplications.listByGallery(ref.resourceGroup, ref.galleryName, listOptions),
      `Listing the VM applications of ${ref.galleryName}`,
    ),
  ]);
  contentsRead.catch(() => lists.abort());

  const [galleryResult, contentsResult] = await Promise.allSettled([galleryRead, contentsRead]);
  if (galleryResult.status === 'rejected') {
    throw toAzureCallError(galleryResult.reason, `Reading gallery ${galleryId}`);
  }
  if (contentsResult.status === 'rejected') throw contentsResult.reason;
  const gallery = galleryResult.value;
  const [imageFacts, applications] = contentsResult.value;

  const community = gallery.sharingProfile?.communityGalleryInfo;
  return {
    gallery: {
      id: gallery.id ?? galleryId,
      name: gallery.name ?? ref.galleryName,
      location: gallery.location,
      description: gallery.description,
      provisioningState: gallery.provisioningState,
      permissions: gallery.sharingProfile?.permissions,
      community: community ? communityFacts(community) : undefined,
    },
    images: imageFacts,
    applications: applications.map((application) => application.name ?? ''),
    readAt: (options.now?.() ?? new Date()).toISOString(),
  };
}

async function collect<T>(iterator: AsyncIterable<T>, doing: string): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const item of iterator) items.push(item);
  } catch (error) {
    throw toAzureCallError(error, doing);
  }
  return items;
}

function communityFacts(
  info: CommunityGalleryInfo,
): NonNullable<GallerySnapshot['gallery']['community']> {
  return {
    publisherUri: text(info.publisherUri),
    publisherContact: text(info.publisherContact),
    eula: text(info.eula),
    publicNamePrefix: text(info.publicNamePrefix),
    publicNames: Array.isArray(info.publicNames) ? info.publicNames.map(String) : [],
    communityGalleryEnabled: info.communityGalleryEnabled === true,
  };
}

function imageDefinitionFacts(
  image: GalleryImage,
  versions: GalleryImageVersion[],
): ImageDefinitionFacts {
  const versionFacts = versions.map(imageVersionFacts).sort(newestFirst);
  return {
    id: image.id ?? '',
    name: image.name ?? '',
    location: image.location,
    provisioningState: image.provisioningState,
    osType: text(image.osType),
    osState: text(image.osState),
    hyperVGeneration: text(image.hyperVGeneration),
    architecture: text(image.architecture),
    publisher: text(image.identifier?.publisher),
    offer: text(image.identifier?.offer),
    sku: text(image.identifier?.sku),
    description: text(image.description),
    eula: text(image.eula),
    privacyStatementUri: text(image.privacyStatementUri),
    releaseNoteUri: text(image.releaseNoteUri),
    purchasePlan: image.purchasePlan
      ? {
          name: text(image.purchasePlan.name),
          publisher: text(image.purchasePlan.publisher),
          product: text(image.purchasePlan.product),
        }
      : undefined,
    versions: versionFacts,
  };
}

function imageVersionFacts(version: GalleryImageVersion): ImageVersionFacts {
  const profile = version.publishingProfile;
  const source = version.storageProfile?.source;
  return {
    id: version.id ?? '',
    name: version.name ?? '',
    location: version.location,
    provisioningState: version.provisioningState,
    publishedDate: isoDate(profile?.publishedDate),
    excludeFromLatest: profile?.excludeFromLatest === true,
    targetRegions: (profile?.targetRegions ?? []).map(targetRegionFacts),
    sourceId:
      text(source?.id) ?? text(source?.communityGalleryImageId) ?? text(source?.virtualMachineId),
    policyViolations: (version.safetyProfile?.policyViolations ?? []).map((violation) => ({
      category: text(violation.category),
      details: text(violation.details),
    })),
    reportedForPolicyViolation: version.safetyProfile?.reportedForPolicyViolation === true,
  };
}

function targetRegionFacts(region: TargetRegion): TargetRegionFacts {
  const encryption = region.encryption;
  const ids = [
    encryption?.osDiskImage?.diskEncryptionSetId,
    encryption?.osDiskImage?.securityProfile?.secureVMDiskEncryptionSetId,
    ...(encryption?.dataDiskImages ?? []).map((disk) => disk.diskEncryptionSetId),
  ].filter((id): id is string => typeof id === 'string' && id !== '');
  return {
    name: region.name,
    excludeFromLatest: region.excludeFromLatest === true,
    encryption: {
      diskEncryptionSetIds: ids,
      confidentialVmEncryptionType: text(
        encryption?.osDiskImage?.securityProfile?.confidentialVMEncryptionType,
      ),
    },
  };
}

/** Orders versions newest first: by published date, then by dotted version number. */
function newestFirst(a: ImageVersionFacts, b: ImageVersionFacts): number {
  if (a.publishedDate && b.publishedDate && a.publishedDate !== b.publishedDate) {
    return a.publishedDate < b.publishedDate ? 1 : -1;
  }
  return compareVersionNames(b.name, a.name);
}

function compareVersionNames(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0 && !Number.isNaN(difference)) return difference;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keeps a value only if Azure sent a string: free-text fields may hold anything. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isoDate(value: unknown): string | undefined {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return typeof value === 'string' ? value : undefined;
}
