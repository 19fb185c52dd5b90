import { describeChanges } from '../azure/snapshot-diff';
import { publicMetadataHash } from '../azure/snapshot';
import { WorkflowError } from './errors';
import type { GalleryGateway } from './ports';
import type { MetadataChange, Person, PublishRequest } from './request';

/**
 * The checks made when someone clicks Approve, Deny or Retry. They read Azure at that moment
 * and take nothing from the card: the request comes from the store, the user from the activity.
 */
export class ClickChecks {
  constructor(
    private readonly gateway: GalleryGateway,
    private readonly allowSelfApproval: boolean,
    private readonly now: () => Date,
  ) {}

  /**
   * Returns the role assignments that let `user` decide now, read live from Azure. Raises
   * `SelfApproval` for the requester (unless allowed) and `NotApprover` for everyone else who
   * has no approving role, including service principals and a user whose role was removed.
   */
  async approverRoles(request: PublishRequest, user: Person): Promise<string[]> {
    if (request.requester.aadObjectId === user.aadObjectId && !this.allowSelfApproval) {
      throw new WorkflowError(
        'SelfApproval',
        'You asked for this, so someone else must approve it.',
      );
    }
    const approvers = await this.gateway.findApprovers(request.gallery);
    const roles = approvers
      .filter(
        (approver) =>
          approver.principalType === 'User' &&
          approver.principalId.toLowerCase() === user.aadObjectId.toLowerCase(),
      )
      .flatMap((approver) => approver.roles);
    if (roles.length === 0) {
      throw new WorkflowError(
        'NotApprover',
        `You do not hold Owner, Compute Gallery Sharing Admin or another role that may share ` +
          `gallery ${request.gallery.galleryName} now, so you cannot decide this request.`,
      );
    }
    return [...new Set(roles)];
  }

  /**
   * Reads the gallery again and returns how its public metadata differs from the reviewed
   * snapshot, or undefined when the hash is unchanged.
   */
  async metadataChange(request: PublishRequest): Promise<MetadataChange | undefined> {
    const current = await this.gateway.inspect(request.gallery);
    const metadataHash = publicMetadataHash(current);
    if (metadataHash === request.metadataHash) return undefined;

    const changes = describeChanges(request.snapshot, current);
    return {
      detectedAt: this.now().toISOString(),
      metadataHash,
      changes: changes.length > 0 ? changes : ['The public metadata changed.'],
    };
  }
}

/** Builds the error that rejects an approval or a retry of a changed gallery. */
export function metadataChangedError(change: MetadataChange): WorkflowError {
  return new WorkflowError(
    'MetadataChanged',
    'The gallery changed since it was reviewed, so approving now would publish content nobody ' +
      'reviewed. The requester can review the gallery again and submit a new request.',
    { changes: change.changes },
  );
}
