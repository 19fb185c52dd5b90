import { galleryResourceId, parseGalleryId, type GalleryRef } from '../azure/gallery-id';
import type { PublishRequest } from '../workflow/request';
import type { RequestRepository } from '../workflow/requests';
import type { ReportInput } from './report';

/** The gallery a report is about, if the bot can identify it, and its approval records. */
export interface ReportedGallery {
  ref?: GalleryRef;
  /** Lower-cased gallery resource id, or `public:<name>` when the gallery is unknown. */
  galleryKey: string;
  /** The gallery's requests other than drafts, newest first. */
  linked: PublishRequest[];
}

const MAX_LINKED_REQUESTS = 20;

/**
 * Finds the gallery a report is about and its approval records: by resource id, or by a public
 * name that a shared publish request recorded. A public name that no request recorded gives
 * no gallery, because Azure offers no lookup from a public name to the gallery behind it.
 */
export async function findReportedGallery(
  requests: RequestRepository,
  input: Pick<ReportInput, 'publicGalleryName' | 'galleryResourceId'>,
): Promise<ReportedGallery> {
  let ref: GalleryRef | undefined;
  if (input.galleryResourceId) {
    ref = parseGalleryId(input.galleryResourceId);
  } else if (input.publicGalleryName) {
    const name = input.publicGalleryName.toLowerCase();
    const shared = await requests.list({ state: 'shared' });
    ref = shared.find((request) =>
      request.publicNames?.some((publicName) => publicName.toLowerCase() === name),
    )?.gallery;
  }
  if (!ref) {
    return { galleryKey: `public:${input.publicGalleryName?.toLowerCase() ?? ''}`, linked: [] };
  }

  const galleryKey = galleryResourceId(ref).toLowerCase();
  const linked = (await requests.list({ gallery: galleryKey }))
    .filter((request) => request.state !== 'draft')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, MAX_LINKED_REQUESTS);
  return { ref, galleryKey, linked };
}
