import type { Finding } from '../azure/findings';
import type { GalleryRef } from '../azure/gallery-id';
import type { GallerySnapshot } from '../azure/snapshot';

/**
 * The request states. `draft` is the preview an engineer has not submitted yet; `shared`,
 * `denied`, `cancelled` and `expired` are final, and `failed` may be retried.
 */
export type RequestState =
  | 'draft'
  | 'pending'
  | 'approved'
  | 'sharing'
  | 'shared'
  | 'failed'
  | 'denied'
  | 'cancelled'
  | 'expired';

/** `publish` shares the gallery to the community (EnableCommunity); `unpublish` resets it. */
export type RequestKind = 'publish' | 'unpublish';

export const SHARE_OPERATION: Record<RequestKind, 'EnableCommunity' | 'Reset'> = {
  publish: 'EnableCommunity',
  unpublish: 'Reset',
};

/** A Teams user as the bot knows them from an authenticated activity. */
export interface Person {
  aadObjectId: string;
  name?: string;
  /** Teams user id (`29:…`), needed for mentions and `refresh.userIds`. */
  teamsUserId?: string;
}

/** A principal that may approve, with the role assignments that make it eligible. */
export interface Approver {
  principalId: string;
  principalType: string;
  displayName?: string;
  /** Role names, such as `Owner at /subscriptions/…`. */
  roles: string[];
  /** Group object id when the user is an approver through a group. */
  viaGroup?: string;
}

/** A message that shows this request's card and is updated in place on every transition. */
export interface CardMessage {
  audience: 'requester' | 'approver' | 'channel';
  conversationId: string;
  activityId: string;
  /** Bot Connector endpoint of the conversation. */
  serviceUrl: string;
  tenantId?: string;
  aadObjectId?: string;
}

export interface Decision {
  outcome: 'approved' | 'denied';
  by: Person;
  at: string;
  reason?: string;
  /** The roles that made `by` eligible when they clicked. */
  eligibleRoles: string[];
}

export interface ShareAttempt {
  attempt: number;
  startedAt: string;
  /** Serialized state of the long-running operation, to resume polling after a restart. */
  pollerState?: string;
  operationId?: string;
  finishedAt?: string;
  error?: { code: string; message: string };
}

export interface PublishRequest {
  id: string;
  kind: RequestKind;
  state: RequestState;
  gallery: GalleryRef;
  /** Canonical gallery resource id, lower-cased for queries. */
  galleryKey: string;
  requester: Person;
  /** Conversation of the request message, so the bot can write back there. */
  requesterConversationId: string;
  justification?: string;
  createdAt: string;
  updatedAt: string;
  submittedAt?: string;
  expiresAt?: string;
  snapshot: GallerySnapshot;
  metadataHash: string;
  findings: Finding[];
  approvers: Approver[];
  decision?: Decision;
  cancelledBy?: Person;
  share?: ShareAttempt;
  /** Public names confirmed after a successful share. */
  publicNames?: string[];
  cards: CardMessage[];
  /** When one process took on sending the approval cards, so that they are sent once. */
  approvalCardsSentAt?: string;
  reminderSentAt?: string;
  /**
   * Set when a click found the gallery's public metadata changed since the review: approval
   * stays blocked and every card shows the changes until the gallery matches the review again.
   */
  metadataChange?: MetadataChange;
}

/** Fields of a request that can be large: the gallery as reviewed and who to show it to. */
export const LARGE_REQUEST_FIELDS = ['snapshot', 'findings', 'approvers', 'cards'] as const;

/** A request without its large fields, enough for a line in a list. */
export type RequestSummary = Omit<PublishRequest, (typeof LARGE_REQUEST_FIELDS)[number]>;

export interface MetadataChange {
  detectedAt: string;
  /** Hash of the public metadata as read at `detectedAt`. */
  metadataHash: string;
  /** The changes in plain sentences, as `describeChanges` lists them. */
  changes: string[];
}

export const FINAL_STATES: readonly RequestState[] = ['shared', 'denied', 'cancelled', 'expired'];

/** Tells whether a request was submitted and is not final: pending, approved, sharing or failed. */
export function isOpen(state: RequestState): boolean {
  return state !== 'draft' && !FINAL_STATES.includes(state);
}
