import { createHash } from 'node:crypto';

/**
 * What the bot read from a gallery: everything that becomes public when it is shared to the
 * community, plus the facts the pre-publication checks need. Built from Resource Manager
 * responses; every string in it is untrusted text typed by whoever created the resources.
 */
export interface GallerySnapshot {
  gallery: GalleryFacts;
  images: ImageDefinitionFacts[];
  /** Names of the gallery's VM applications, which community sharing never shares. */
  applications: string[];
  /** ISO 8601 time the gallery was read. */
  readAt: string;
}

export interface GalleryFacts {
  id: string;
  name: string;
  location: string;
  description?: string;
  provisioningState?: string;
  /** `sharingProfile.permissions`; undefined when the gallery has no sharing profile. */
  permissions?: string;
  community?: CommunityGalleryFacts;
}

/** The gallery's `communityGalleryInfo`: free text to Azure, public once shared. */
export interface CommunityGalleryFacts {
  publisherUri?: string;
  publisherContact?: string;
  eula?: string;
  publicNamePrefix?: string;
  publicNames: string[];
  communityGalleryEnabled: boolean;
}

export interface ImageDefinitionFacts {
  id: string;
  name: string;
  location: string;
  provisioningState?: string;
  osType?: string;
  osState?: string;
  hyperVGeneration?: string;
  architecture?: string;
  publisher?: string;
  offer?: string;
  sku?: string;
  description?: string;
  eula?: string;
  privacyStatementUri?: string;
  releaseNoteUri?: string;
  purchasePlan?: { name?: string; publisher?: string; product?: string };
  /** Every version of the image definition, newest first by published date, then name. */
  versions: ImageVersionFacts[];
}

export interface ImageVersionFacts {
  id: string;
  name: string;
  location: string;
  provisioningState?: string;
  publishedDate?: string;
  /** True when `publishingProfile.excludeFromLatest` is set. */
  excludeFromLatest: boolean;
  targetRegions: TargetRegionFacts[];
  /** `storageProfile.source.id` or the source's URI, when the version names one. */
  sourceId?: string;
  policyViolations: { category?: string; details?: string }[];
  /** `safetyProfile.reportedForPolicyViolation`: Azure flagged the version, with or without details. */
  reportedForPolicyViolation?: boolean;
}

export interface TargetRegionFacts {
  name: string;
  excludeFromLatest: boolean;
  /** Disk encryption set ids, and `confidentialVMEncryptionType` when set. */
  encryption: { diskEncryptionSetIds: string[]; confidentialVmEncryptionType?: string };
}

/** Picks the version that consumers get as `latest`: the newest not excluded from latest. */
export function latestVersion(image: ImageDefinitionFacts): ImageVersionFacts | undefined {
  return image.versions.find((version) => !version.excludeFromLatest);
}

/**
 * Builds the part of a snapshot that consumers of the community gallery can read. Approval
 * covers exactly this, so it is what the metadata hash is taken over.
 */
export function publicMetadata(snapshot: GallerySnapshot): unknown {
  const community = snapshot.gallery.community;
  return {
    gallery: snapshot.gallery.id.toLowerCase(),
    permissions: snapshot.gallery.permissions ?? null,
    community: community
      ? {
          publisherUri: community.publisherUri ?? null,
          publisherContact: community.publisherContact ?? null,
          eula: community.eula ?? null,
          publicNamePrefix: community.publicNamePrefix ?? null,
        }
      : null,
    images: snapshot.images
      .map((image) => ({
        name: image.name,
        location: image.location,
        osType: image.osType ?? null,
        osState: image.osState ?? null,
        publisher: image.publisher ?? null,
        offer: image.offer ?? null,
        sku: image.sku ?? null,
        description: image.description ?? null,
        eula: image.eula ?? null,
        privacyStatementUri: image.privacyStatementUri ?? null,
        releaseNoteUri: image.releaseNoteUri ?? null,
        versions: image.versions.map((version) => version.name).sort(),
        latest: latestVersion(image)?.name ?? null,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/** Returns the SHA-256 hex digest of the public metadata, with object keys in a fixed order. */
export function publicMetadataHash(snapshot: GallerySnapshot): string {
  return createHash('sha256')
    .update(canonicalJson(publicMetadata(snapshot)))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Returns a copy of the snapshot whose free-text fields have credential values replaced, for
 * showing on cards. The stored snapshot keeps the original text, which the hash covers.
 */
export function redactSnapshotSecrets(
  snapshot: GallerySnapshot,
  redact: (text: string) => string,
): GallerySnapshot {
  const optional = (text: string | undefined): string | undefined =>
    text === undefined ? undefined : redact(text);
  const community = snapshot.gallery.community;
  return {
    ...snapshot,
    gallery: {
      ...snapshot.gallery,
      description: optional(snapshot.gallery.description),
      community: community && {
        ...community,
        publisherUri: optional(community.publisherUri),
        publisherContact: optional(community.publisherContact),
        eula: optional(community.eula),
      },
    },
    images: snapshot.images.map((image) => ({
      ...image,
      description: optional(image.description),
      eula: optional(image.eula),
      privacyStatementUri: optional(image.privacyStatementUri),
      releaseNoteUri: optional(image.releaseNoteUri),
    })),
  };
}
