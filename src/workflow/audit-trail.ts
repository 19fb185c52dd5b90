import type { AuditRecord, Store } from '../store/port';
import type { Person, PublishRequest, RequestState } from './request';

/** The cause of an audited change: a Teams user, or the bot acting on an earlier decision. */
export type AuditActor = ({ kind: 'user' } & Person) | { kind: 'bot' };

export interface AuditEntry {
  action: string;
  fromState?: RequestState;
  toState: RequestState;
  /** The role assignments that allowed the change, such as `Owner at /subscriptions/…`. */
  eligibleRoles?: string[];
  reason?: string;
  details?: Record<string, unknown>;
}

/** Appends request changes to the store's append-only audit log. */
export class AuditTrail {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  async record(request: PublishRequest, actor: AuditActor, entry: AuditEntry): Promise<void> {
    await this.store.audit.append({
      at: this.now().toISOString(),
      requestId: request.id,
      galleryId: request.galleryKey,
      actor:
        actor.kind === 'user'
          ? { kind: 'user', aadObjectId: actor.aadObjectId, name: actor.name }
          : { kind: 'bot' },
      action: entry.action,
      fromState: entry.fromState,
      toState: entry.toState,
      eligibleRoles: entry.eligibleRoles,
      metadataHash: request.metadataHash,
      operationId: request.share?.operationId,
      reason: entry.reason,
      details: entry.details,
    } satisfies AuditRecord);
  }
}
