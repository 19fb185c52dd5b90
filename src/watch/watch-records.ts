import type { Finding } from '../azure/findings';
import type { GalleryRef } from '../azure/gallery-id';
import type { GallerySnapshot } from '../azure/snapshot';
import type { CollectionDefinition } from '../store/port';
import type { Person } from '../workflow/request';

/**
 * The approved public content of a published gallery, recorded when an approver acknowledged a
 * change. Until the first acknowledgement, the snapshot of the publish request is the baseline.
 */
export interface WatchBaseline {
  /** Lower-cased gallery resource id; also the document key. */
  galleryKey: string;
  gallery: GalleryRef;
  /** The publish request that made the gallery public. */
  requestId: string;
  snapshot: GallerySnapshot;
  metadataHash: string;
  /** The change whose acknowledgement recorded this baseline. */
  changeId: string;
  acknowledgedBy: Person;
  acknowledgedAt: string;
  eligibleRoles: string[];
}

/** A difference between a published gallery and its baseline, posted once as a card. */
export interface WatchChange {
  id: string;
  galleryKey: string;
  gallery: GalleryRef;
  /** The publish request that made the gallery public. */
  requestId: string;
  /** Metadata hash of the baseline the gallery was compared with. */
  baselineHash: string;
  /** Metadata hash and snapshot of the gallery as read when the change was detected. */
  metadataHash: string;
  snapshot: GallerySnapshot;
  /** The differences in plain sentences, from snapshots with credential values redacted. */
  changes: string[];
  /** Findings of the pre-publication checks that the baseline did not have. */
  findings: Finding[];
  /** True when a new finding is a blocker: public content that a review would have stopped. */
  urgent: boolean;
  detectedAt: string;
  acknowledged?: { by: Person; at: string; eligibleRoles: string[] };
  /** Unpublish requests started from the card. */
  unpublishRequestIds: string[];
}

export const WATCH_BASELINES: CollectionDefinition<WatchBaseline> = {
  name: 'watch-baselines',
};

export const WATCH_CHANGES: CollectionDefinition<WatchChange> = {
  name: 'watch-changes',
  indexes: { gallery: (change) => change.galleryKey },
};
