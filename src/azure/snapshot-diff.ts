import { latestVersion, type GallerySnapshot, type ImageDefinitionFacts } from './snapshot';

const COMMUNITY_FIELDS = ['publisherUri', 'publisherContact', 'eula', 'publicNamePrefix'] as const;
const IMAGE_FIELDS = [
  'publisher',
  'offer',
  'sku',
  'osType',
  'osState',
  'description',
  'eula',
  'privacyStatementUri',
  'releaseNoteUri',
  'location',
] as const;

/**
 * Lists, in plain sentences, how the public part of a gallery differs between two reads:
 * community information, image definitions added, removed or changed, and new versions.
 */
export function describeChanges(before: GallerySnapshot, after: GallerySnapshot): string[] {
  const changes: string[] = [];

  if (before.gallery.permissions !== after.gallery.permissions) {
    changes.push(
      `Gallery sharing permission changed from ${show(before.gallery.permissions)} to ${show(after.gallery.permissions)}.`,
    );
  }
  for (const field of COMMUNITY_FIELDS) {
    const old = before.gallery.community?.[field];
    const now = after.gallery.community?.[field];
    if (old !== now) changes.push(`Gallery ${field} changed from ${show(old)} to ${show(now)}.`);
  }

  const oldImages = new Map(before.images.map((image) => [image.name, image]));
  const newImages = new Map(after.images.map((image) => [image.name, image]));
  for (const [name, image] of newImages) {
    const old = oldImages.get(name);
    if (!old) {
      changes.push(describeAddedImage(image));
      continue;
    }
    changes.push(...describeImageChanges(old, image));
  }
  for (const name of oldImages.keys()) {
    if (!newImages.has(name)) changes.push(`Image definition ${show(name)} was removed.`);
  }
  return changes;
}

function describeImageChanges(old: ImageDefinitionFacts, now: ImageDefinitionFacts): string[] {
  const changes: string[] = [];
  for (const field of IMAGE_FIELDS) {
    if (old[field] !== now[field]) {
      changes.push(
        `Image definition ${show(now.name)}: ${field} changed from ${show(old[field])} to ${show(now[field])}.`,
      );
    }
  }
  const oldVersions = new Set(old.versions.map((version) => version.name));
  for (const version of now.versions) {
    if (!oldVersions.has(version.name)) {
      changes.push(`Image definition ${show(now.name)}: version ${show(version.name)} was added.`);
    }
  }
  const newVersions = new Set(now.versions.map((version) => version.name));
  for (const name of oldVersions) {
    if (!newVersions.has(name)) {
      changes.push(`Image definition ${show(now.name)}: version ${show(name)} was removed.`);
    }
  }
  const oldLatest = latestVersion(old)?.name;
  const newLatest = latestVersion(now)?.name;
  if (oldLatest !== newLatest) {
    changes.push(
      `Image definition ${show(now.name)}: the latest version changed from ${show(oldLatest)} to ${show(newLatest)}.`,
    );
  }
  return changes;
}

/** Names the versions of an added image definition, because all of them became public with it. */
function describeAddedImage(image: ImageDefinitionFacts): string {
  if (image.versions.length === 0) {
    return `Image definition ${show(image.name)} was added, with no version.`;
  }
  // At most ten names, so that an image with hundreds of versions cannot flood a card.
  const named = image.versions.slice(0, 10).map((version) => show(version.name));
  const more = image.versions.length - named.length;
  const versions = more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
  const latest = latestVersion(image)?.name;
  return (
    `Image definition ${show(image.name)} was added, with version ${versions}; ` +
    `its latest version is ${show(latest)}.`
  );
}

/** Quotes a value for a sentence, shortened so one long field cannot flood a card. */
function show(value: string | undefined): string {
  if (value === undefined) return '(none)';
  const shortened = value.length > 120 ? `${value.slice(0, 120)}…` : value;
  return JSON.stringify(shortened);
}
