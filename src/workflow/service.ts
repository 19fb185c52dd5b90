import type { Logger } from 'pino';
import { galleryResourceId, type GalleryRef } from '../azure/gallery-id';
import { publicMetadataHash } from '../azure/snapshot';
import type { Store } from '../store/port';
import { AuditTrail } from './audit-trail';
import { BackgroundWork, ChangeNotifier } from './background';
import { ClickChecks } from './click-checks';
import { Decisions } from './decisions';
import { WorkflowError } from './errors';
import type { GalleryGateway, RequestListener } from './ports';
import type { CardMessage, Person, PublishRequest, RequestKind, RequestState } from './request';
import { assertSubmittable, newRequestId, wrongState } from './request-rules';
import { RequestRepository } from './requests';
import { ShareRunner } from './share-runner';

export interface WorkflowPolicy {
  requestTtlInHours: number;
  allowSelfApproval: boolean;
}

export interface WorkflowDependencies {
  store: Store;
  gateway: GalleryGateway;
  policy: WorkflowPolicy;
  logger: Logger;
  now?: () => Date;
  /** Delay between reads of a gallery whose share operation has no stored state; default 5 s. */
  settlePollIntervalInMs?: number;
  /** How long to wait for such an operation before failing the request; default 30 minutes. */
  maxSettleWaitInMs?: number;
}

/**
 * The publish request from preview to shared. Every transition is a conditional write, so
 * several instances and repeated clicks give exactly one winner. Listeners hear of each stored
 * change in the background, so a click gets its response without waiting for the card updates.
 */
export class WorkflowService {
  readonly requests: RequestRepository;
  private readonly now: () => Date;
  private readonly audit: AuditTrail;
  private readonly background: BackgroundWork;
  private readonly notifier: ChangeNotifier;
  private readonly shares: ShareRunner;
  private readonly decisions: Decisions;

  constructor(private readonly deps: WorkflowDependencies) {
    this.requests = new RequestRepository(deps.store);
    this.now = deps.now ?? (() => new Date());
    this.audit = new AuditTrail(deps.store, this.now);
    this.background = new BackgroundWork(deps.logger);
    this.notifier = new ChangeNotifier(
      (id) => this.requests.find(id),
      this.background,
      deps.logger,
    );
    this.shares = new ShareRunner({
      requests: this.requests,
      leases: deps.store.leases,
      gateway: deps.gateway,
      audit: this.audit,
      notifier: this.notifier,
      background: this.background,
      logger: deps.logger,
      now: this.now,
      settlePollIntervalInMs: deps.settlePollIntervalInMs ?? 5000,
      maxSettleWaitInMs: deps.maxSettleWaitInMs ?? 30 * 60_000,
    });
    this.decisions = new Decisions({
      requests: this.requests,
      audit: this.audit,
      notifier: this.notifier,
      checks: new ClickChecks(deps.gateway, deps.policy.allowSelfApproval, this.now),
      shares: this.shares,
      logger: deps.logger,
      now: this.now,
    });
  }

  onChange(listener: RequestListener): void {
    this.notifier.add(listener);
  }

  /** Reads the gallery, runs the checks and stores a draft request for the preview card. */
  async preview(
    ref: GalleryRef,
    kind: RequestKind,
    requester: Person,
    requesterConversationId: string,
  ): Promise<PublishRequest> {
    const snapshot = await this.deps.gateway.inspect(ref);
    const findings = this.deps.gateway.review(snapshot, kind);
    const at = this.now().toISOString();
    const request: PublishRequest = {
      id: newRequestId(),
      kind,
      state: 'draft',
      gallery: ref,
      galleryKey: galleryResourceId(ref).toLowerCase(),
      requester,
      requesterConversationId,
      createdAt: at,
      updatedAt: at,
      snapshot,
      metadataHash: publicMetadataHash(snapshot),
      findings,
      approvers: [],
      cards: [],
    };
    await this.requests.create(request);
    await this.audit.record(
      request,
      { kind: 'user', ...requester },
      {
        action: 'preview',
        toState: 'draft',
      },
    );
    return request;
  }

  /**
   * Submits a draft: checks the requester, the findings and the bot's own permissions, finds
   * the approvers and moves the request to pending. Submitting again is harmless.
   */
  async submit(requestId: string, user: Person, justification: string): Promise<PublishRequest> {
    const draft = await this.requests.get(requestId);
    if (draft.requester.aadObjectId !== user.aadObjectId) {
      throw new WorkflowError(
        'NotRequester',
        'Only the person who asked for this preview can submit it.',
      );
    }
    if (draft.state !== 'draft') return draft;

    const text = justification.trim();
    assertSubmittable(draft, text);
    const missing = await this.deps.gateway.missingBotPermissions(draft.gallery);
    if (missing.length > 0) {
      throw new WorkflowError(
        'BotLacksPermission',
        `The bot's Azure identity lacks ${missing.join(' and ')} on gallery ` +
          `${draft.gallery.galleryName}, so it could not share it even after approval, and no ` +
          'approver was asked. Ask an Owner to give the bot Reader and Compute Gallery Sharing ' +
          'Admin on the gallery or its resource group, then submit again.',
      );
    }
    const approvers = await this.deps.gateway.findApprovers(draft.gallery);

    const at = this.now();
    const expiresAt = new Date(at.getTime() + this.deps.policy.requestTtlInHours * 3600_000);
    const { request, changed } = await this.requests.update(requestId, (current) => {
      if (current.state !== 'draft') return undefined;
      return {
        ...current,
        state: 'pending',
        justification: text,
        approvers,
        submittedAt: at.toISOString(),
        updatedAt: at.toISOString(),
        expiresAt: expiresAt.toISOString(),
      };
    });
    if (changed) {
      await this.audit.record(
        request,
        { kind: 'user', ...user },
        {
          action: 'submit',
          fromState: 'draft',
          toState: 'pending',
          reason: text,
          details: { approvers },
        },
      );
      this.notifier.notify(request.id);
    }
    return request;
  }

  /**
   * Records an approval or a denial after the checks made at click time (see `Decisions`).
   * The same user deciding the same way again (Teams resending a click) changes nothing.
   */
  decide(
    requestId: string,
    user: Person,
    outcome: 'approved' | 'denied',
    reason?: string,
  ): Promise<PublishRequest> {
    return this.decisions.decide(requestId, user, outcome, reason);
  }

  /**
   * Lets an approver send the share call again after a failure, if the gallery still matches
   * the review. A retry that finds the request already sharing or shared changes nothing.
   */
  retry(requestId: string, user: Person): Promise<PublishRequest> {
    return this.decisions.retry(requestId, user);
  }

  /** Cancels a draft or pending request; only its requester may. */
  async cancel(requestId: string, user: Person): Promise<PublishRequest> {
    const request = await this.requests.get(requestId);
    if (request.requester.aadObjectId !== user.aadObjectId) {
      throw new WorkflowError('NotRequester', 'Only the requester can cancel this request.');
    }
    const at = this.now().toISOString();
    let fromState: RequestState = request.state;
    const { request: cancelled, changed } = await this.requests.update(requestId, (current) => {
      if (current.state === 'cancelled') return undefined;
      if (current.state !== 'pending' && current.state !== 'draft') {
        throw wrongState(current, 'cancelled');
      }
      fromState = current.state;
      return { ...current, state: 'cancelled', updatedAt: at, cancelledBy: user };
    });
    if (changed) {
      await this.audit.record(
        cancelled,
        { kind: 'user', ...user },
        {
          action: 'cancel',
          fromState,
          toState: 'cancelled',
        },
      );
      this.notifier.notify(requestId);
    }
    return cancelled;
  }

  /** Adds the messages that show a request's card, so later transitions update them. */
  async addCards(requestId: string, cards: CardMessage[]): Promise<PublishRequest> {
    const { request } = await this.requests.update(requestId, (current) => {
      const known = new Set(
        current.cards.map((card) => `${card.conversationId}|${card.activityId}`),
      );
      const added = cards.filter((card) => !known.has(`${card.conversationId}|${card.activityId}`));
      return added.length === 0 ? undefined : { ...current, cards: [...current.cards, ...added] };
    });
    return request;
  }

  /** Forgets card messages that Teams will not update again: deleted, or in a blocked chat. */
  async removeCards(requestId: string, cards: CardMessage[]): Promise<void> {
    const gone = new Set(cards.map((card) => `${card.conversationId}|${card.activityId}`));
    await this.requests.update(requestId, (current) => {
      const kept = current.cards.filter(
        (card) => !gone.has(`${card.conversationId}|${card.activityId}`),
      );
      return kept.length === current.cards.length ? undefined : { ...current, cards: kept };
    });
  }

  /**
   * Claims the sending of a pending request's approval cards with a conditional write, and
   * returns whether this caller got the claim. Later calls, from any process, get false.
   */
  async claimApprovalDelivery(requestId: string): Promise<boolean> {
    const at = this.now().toISOString();
    const { changed } = await this.requests.update(requestId, (current) =>
      current.state === 'pending' && !current.approvalCardsSentAt
        ? { ...current, approvalCardsSentAt: at }
        : undefined,
    );
    return changed;
  }

  /**
   * Finishes what a stopped process left: shares approved requests and follows the operations
   * of requests in `sharing` to their end, never sending a share call that may have been sent.
   */
  async resumeInterrupted(): Promise<void> {
    // Both lists are read first, so a request claimed below is not taken for an interrupted one.
    const approved = await this.requests.list({ state: 'approved' });
    const sharing = await this.requests.list({ state: 'sharing' });
    for (const request of approved) {
      const claimed = await this.shares.claim(request.id, {
        from: 'approved',
        actor: { kind: 'bot' },
        eligibleRoles: request.decision?.eligibleRoles ?? [],
      });
      if (claimed) this.shares.start(claimed);
    }
    for (const request of sharing) {
      this.deps.logger.info(
        { requestId: request.id, attempt: request.share?.attempt },
        'resuming a share operation',
      );
      this.shares.resume(request);
    }
  }

  /**
   * Lets `idle` wait for work that a caller stopped waiting for, such as a card action whose
   * response was sent before it finished. A rejection is logged.
   */
  track(work: Promise<unknown>, context: Record<string, unknown>): void {
    this.background.track(
      work.then(() => undefined),
      context,
      'background work failed',
    );
  }

  /** Waits for the share operations, card updates and tracked work this process started. */
  async idle(): Promise<void> {
    await this.background.idle();
  }
}
