import { DEMO_SEED_PATH, loadSeed, type ArmResource, type Seed } from '../sandbox/seed';

const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
const GROUP_SCOPE = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/sandbox-rg`;
const READY_GALLERY = `${GROUP_SCOPE}/providers/Microsoft.Compute/galleries/readyGallery`;
const TEMPLATE_IMAGE = `${READY_GALLERY}/images/ubuntu-22-04-web`;
const TEMPLATE_VERSION = `${TEMPLATE_IMAGE}/versions/1.1.0`;

/** Name of the generated gallery with `imageCount` image definitions. */
export function benchGalleryName(imageCount: number): string {
  return `bench${imageCount}Images`;
}

/** Resource id of the generated gallery with `imageCount` image definitions. */
export function benchGalleryId(imageCount: number): string {
  return `${GROUP_SCOPE}/providers/Microsoft.Compute/galleries/${benchGalleryName(imageCount)}`;
}

/** `{resourceGroup}/{gallery}` as a user types it after `publish`. */
export function benchGalleryArgument(imageCount: number): string {
  return `sandbox-rg/${benchGalleryName(imageCount)}`;
}

/**
 * Builds a seed with the demonstration seed's principals, role assignments and galleries, and
 * one more gallery for each entry of `imageCounts`, with that many image definitions of one
 * image version each. Every added resource is a renamed copy of one of readyGallery's, so the
 * galleries pass the checks with no blocker and the preview shows a card that can be submitted.
 */
export function benchSeed(imageCounts: readonly number[]): Seed {
  const demo = loadSeed(DEMO_SEED_PATH);
  const template = (id: string): ArmResource => {
    const found = demo.resources.find((resource) => resource.id === id);
    if (!found) throw new Error(`The demonstration seed has no resource ${id}; rebuild the seed.`);
    return found;
  };

  const resources: ArmResource[] = [];
  for (const imageCount of imageCounts) {
    const galleryName = benchGalleryName(imageCount);
    const galleryId = benchGalleryId(imageCount);
    resources.push({
      ...structuredClone(template(READY_GALLERY)),
      id: galleryId,
      name: galleryName,
    });
    for (let index = 0; index < imageCount; index++) {
      resources.push(...imageWithVersion(galleryId, index, template));
    }
  }
  return { ...demo, resources: [...demo.resources, ...resources] };
}

function imageWithVersion(
  galleryId: string,
  index: number,
  template: (id: string) => ArmResource,
): ArmResource[] {
  const imageName = `image-${String(index).padStart(5, '0')}`;
  const imageId = `${galleryId}/images/${imageName}`;
  const image = structuredClone(template(TEMPLATE_IMAGE));
  const imageProperties = image.properties as Record<string, unknown>;
  imageProperties.identifier = { publisher: 'Contoso', offer: 'bench', sku: imageName };
  imageProperties.releaseNoteUri = `https://www.contoso.com/images/${imageName}/release-notes`;

  const version = structuredClone(template(TEMPLATE_VERSION));
  const versionProperties = version.properties as { storageProfile: { source: { id: string } } };
  versionProperties.storageProfile.source.id = `${GROUP_SCOPE}/providers/Microsoft.Compute/images/${imageName}-1.1.0`;

  return [
    { ...image, id: imageId, name: imageName },
    { ...version, id: `${imageId}/versions/1.1.0`, name: '1.1.0' },
  ];
}
