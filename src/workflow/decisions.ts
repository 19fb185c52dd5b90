import type { Logger } from 'pino';
import type { AuditTrail } from './audit-trail';
import type { ChangeNotifier } from './background';
import { metadataChangedError, type ClickChecks } from './click-checks';
import { WorkflowError } from './errors';
import type { MetadataChange, Person, PublishRequest } from './request';
import { assertReason, isSameDecision, wrongState } from './request-rules';
import type { RequestRepository } from './requests';
import type { ShareRunner } from './share-runner';

export interface DecisionsDependencies {
  requests: RequestRepository;
  audit: AuditTrail;
  notifier: ChangeNotifier;
  checks: ClickChecks;
  shares: ShareRunner;
  logger: Logger;
  now: () => Date;
}

/**
 * Approvals, denials and retries: each checks, when clicked, the request's state, the user's
 * live roles and the gallery's public metadata, then makes one conditional transition.
 */
export class Decisions {
  /** The last queued click of each request in this process. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: DecisionsDependencies) {}

  /**
   * Records an approval or a denial after checking, at this moment, that the request is
   * pending and not expired, and that the user has an approving role now and is not the
   * requester (unless allowed). An approval also needs the public metadata unchanged. The
   * same user deciding the same way again (Teams resending a click) changes nothing.
   */
  decide(
    requestId: string,
    user: Person,
    outcome: 'approved' | 'denied',
    reason?: string,
  ): Promise<PublishRequest> {
    return this.oneAtATime(requestId, () => this.decideNow(requestId, user, outcome, reason));
  }

  /**
   * Lets an approver send the share call again after a failure, if the gallery still matches
   * the review. A retry that finds the request already sharing or shared changes nothing.
   */
  retry(requestId: string, user: Person): Promise<PublishRequest> {
    return this.oneAtATime(requestId, () => this.retryNow(requestId, user));
  }

  /**
   * Runs the clicks on one request one after the other in this process. Correctness does not
   * depend on it, because every transition is a conditional write. But a click that waits for
   * the one before it finds the request decided and is rejected without reading Azure, so a
   * burst of clicks costs one set of Azure reads instead of one per click.
   */
  private async oneAtATime<T>(requestId: string, click: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(requestId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(click);
    this.queues.set(requestId, current);
    try {
      return await current;
    } finally {
      if (this.queues.get(requestId) === current) this.queues.delete(requestId);
    }
  }

  private async decideNow(
    requestId: string,
    user: Person,
    outcome: 'approved' | 'denied',
    reason?: string,
  ): Promise<PublishRequest> {
    const request = await this.deps.requests.get(requestId);
    if (isSameDecision(request, user, outcome)) return request;
    await this.assertPending(request);
    const text = reason?.trim() ?? '';
    assertReason(outcome, text);

    const eligibleRoles = await this.authorize(
      request,
      user,
      outcome === 'approved' ? 'approve' : 'deny',
    );
    if (outcome === 'approved') {
      const change = await this.deps.checks.metadataChange(request);
      if (change) {
        await this.recordMetadataChange(request.id, change, user);
        throw metadataChangedError(change);
      }
    }

    const at = this.deps.now().toISOString();
    const { request: decided, changed } = await this.deps.requests.update(requestId, (current) => {
      if (isSameDecision(current, user, outcome)) return undefined;
      if (current.state !== 'pending') throw wrongState(current, 'decided');
      return {
        ...current,
        state: outcome,
        updatedAt: at,
        decision: { outcome, by: user, at, reason: text || undefined, eligibleRoles },
        metadataChange: undefined,
      };
    });
    if (!changed) return decided;

    this.deps.logger.info({ requestId, outcome, user: user.aadObjectId }, 'request decided');
    await this.deps.audit.record(
      decided,
      { kind: 'user', ...user },
      {
        action: outcome === 'approved' ? 'approve' : 'deny',
        fromState: 'pending',
        toState: outcome,
        eligibleRoles,
        reason: text || undefined,
      },
    );
    this.deps.notifier.notify(requestId);
    if (outcome === 'approved') {
      const claimed = await this.deps.shares.claim(requestId, {
        from: 'approved',
        actor: { kind: 'bot' },
        eligibleRoles,
      });
      if (claimed) this.deps.shares.start(claimed);
    }
    return decided;
  }

  private async retryNow(requestId: string, user: Person): Promise<PublishRequest> {
    const request = await this.deps.requests.get(requestId);
    if (request.state === 'sharing' || request.state === 'shared') return request;
    if (request.state !== 'failed') {
      throw new WorkflowError(
        'WrongState',
        `This request is ${request.state}, so there is nothing to retry.`,
      );
    }
    const eligibleRoles = await this.authorize(request, user, 'retry');
    const change = await this.deps.checks.metadataChange(request);
    if (change) {
      await this.recordMetadataChange(request.id, change, user);
      throw metadataChangedError(change);
    }

    const claimed = await this.deps.shares.claim(requestId, {
      from: 'failed',
      actor: { kind: 'user', ...user },
      eligibleRoles,
    });
    if (!claimed) return this.deps.requests.get(requestId);
    this.deps.shares.start(claimed);
    return claimed;
  }

  /** Returns the roles that let `user` act now, and audits a rejection before raising it. */
  private async authorize(
    request: PublishRequest,
    user: Person,
    action: 'approve' | 'deny' | 'retry',
  ): Promise<string[]> {
    try {
      return await this.deps.checks.approverRoles(request, user);
    } catch (error) {
      if (error instanceof WorkflowError) {
        await this.deps.audit.record(
          request,
          { kind: 'user', ...user },
          {
            action: `${action}-rejected`,
            fromState: request.state,
            toState: request.state,
            reason: `${error.code}: ${error.message}`,
          },
        );
      }
      throw error;
    }
  }

  /** Raises unless the request is pending; an expired one is moved to `expired` first. */
  private async assertPending(request: PublishRequest): Promise<void> {
    if (request.state !== 'pending') throw wrongState(request, 'decided');
    if (!request.expiresAt || Date.parse(request.expiresAt) > this.deps.now().getTime()) return;

    const at = this.deps.now().toISOString();
    const { request: expired, changed } = await this.deps.requests.update(request.id, (current) =>
      current.state === 'pending' ? { ...current, state: 'expired', updatedAt: at } : undefined,
    );
    if (changed) {
      await this.deps.audit.record(
        expired,
        { kind: 'bot' },
        {
          action: 'expire',
          fromState: 'pending',
          toState: 'expired',
        },
      );
      this.deps.notifier.notify(request.id);
    }
    throw new WorkflowError(
      'Expired',
      `This request expired at ${request.expiresAt}. Send ${request.kind} with the gallery ` +
        'again to start a new request.',
    );
  }

  /** Stores a detected change once per new metadata hash, so every card can show it. */
  private async recordMetadataChange(
    requestId: string,
    change: MetadataChange,
    user: Person,
  ): Promise<void> {
    const { request, changed } = await this.deps.requests.update(requestId, (current) => {
      if (current.state !== 'pending' && current.state !== 'failed') return undefined;
      if (current.metadataChange?.metadataHash === change.metadataHash) return undefined;
      return { ...current, metadataChange: change };
    });
    if (!changed) return;
    await this.deps.audit.record(
      request,
      { kind: 'user', ...user },
      {
        action: 'metadata-changed',
        fromState: request.state,
        toState: request.state,
        details: { changes: change.changes, currentMetadataHash: change.metadataHash },
      },
    );
    this.deps.notifier.notify(requestId);
  }
}
