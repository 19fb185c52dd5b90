import type {
  CommunityGalleryInfo,
  Gallery,
  GalleryImage,
  GalleryImageVersion,
  TargetRegion,
} from '@azure/arm-compute';
import type { AzureClients } from './clients';
import { mapWithConcurrency } from './concurrency';
import { toAzureCallError } from './errors';
import { galleryResourceId, type GalleryRef } from './gallery-id';
import type {
  GallerySnapshot,
  ImageDefinitionFacts,
  ImageVersionFacts,
  TargetRegionFacts,
} from './snapshot';

/**
 * Version lists read at once. Each image definition costs one list call, so a gallery of 1,000
 * images is 1,000 calls; 16 in flight keeps a large gallery to about 63 sequential round trips
 * while staying far below Resource Manager's read throttling limits for one principal.
 */
export const VERSION_LIST_CONCURRENCY = 16;

export interface InspectGalleryOptions {
  abortSignal?: AbortSignal;
  now?: () => Date;
}

/**
 * Reads everything that community sharing makes public: the gallery, its image definitions,
 * every version of each, and the names of its VM applications. Raises AzureCallError.
 */
export async function inspectGallery(
  clients: AzureClients,
  ref: GalleryRef,
  options: InspectGalleryOptions = {},
): Promise<GallerySnapshot> {
  const compute = clients.compute(ref.subscriptionId);
  const requestOptions = { abortSignal: options.abortSignal };
  const galleryId = galleryResourceId(ref);

  let gallery: Gallery;
  try {
    gallery = await compute.galleries.get(ref.resourceGroup, ref.galleryName, requestOptions);
  } catch (error) {
    throw toAzureCallError(error, `Reading gallery ${galleryId}`);
  }

  const [images, applications] = await Promise.all([
    collect(
      compute.galleryImages.listByGallery(ref.resourceGroup, ref.galleryName, requestOptions),
      `Listing the image definitions of ${ref.galleryName}`,
    ),
    collect(
      compute.galleryApplications.listByGallery(ref.resourceGroup, ref.galleryName, requestOptions),
      `Listing the VM applications of ${ref.galleryName}`,
    ),
  ]);

  const imageFacts = await mapWithConcurrency(images, VERSION_LIST_CONCURRENCY, async (image) => {
    const versions = await collect(
      compute.galleryImageVersions.listByGalleryImage(
        ref.resourceGroup,
        ref.galleryName,
        image.name ?? '',
        requestOptions,
      ),
      `Listing the versions of image definition ${image.name ?? ''}`,
    );
    return imageDefinitionFacts(image, versions);
  });

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
