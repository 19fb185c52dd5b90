import type { Finding } from '../azure/findings';
import type { GalleryRef } from '../azure/gallery-id';
import type { GallerySnapshot } from '../azure/snapshot';
import type { Approver, PublishRequest, RequestKind } from './request';

/**
 * What the workflow needs from Azure. `src/azure/gateway.ts` implements it with the SDK
 * clients; unit tests may pass a fake.
 */
export interface GalleryGateway {
  inspect(ref: GalleryRef): Promise<GallerySnapshot>;
  review(snapshot: GallerySnapshot, kind: RequestKind): Finding[];
  /** The principals that may approve now, with the roles that make them eligible. */
  findApprovers(ref: GalleryRef): Promise<Approver[]>;
  /** The actions (read, share) the bot's own identity lacks on the gallery. */
  missingBotPermissions(ref: GalleryRef): Promise<string[]>;
  /** Sends the share POST; resolves with the operation's state once Azure accepted it. */
  beginShare(
    ref: GalleryRef,
    kind: RequestKind,
  ): Promise<{ pollerState: string; wait: () => Promise<void> }>;
  resumeShare(ref: GalleryRef, pollerState: string): Promise<void>;
  /** Confirms the outcome through the gallery and the community gallery resource. */
  confirmShare(ref: GalleryRef, kind: RequestKind): Promise<{ publicNames: string[] }>;
  /** Reads whether a share operation is still running on the gallery. */
  sharingInProgress(ref: GalleryRef): Promise<boolean>;
}

/** Receives every stored change of a request, to update its cards. */
export type RequestListener = (request: PublishRequest) => Promise<void>;
