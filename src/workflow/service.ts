import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AzureCallError } from '../azure/errors';
import { hasBlocker } from '../azure/findings';
import { galleryResourceId, type GalleryRef } from '../azure/gallery-id';
import { describeChanges } from '../azure/snapshot-diff';
import { publicMetadataHash } from '../azure/snapshot';
import type { AuditRecord, Store } from '../store/port';
import { WorkflowError } from './errors';
import type { GalleryGateway, RequestListener } from './ports';
import type {
  Approver,
  CardMessage,
  Person,
  PublishRequest,
  RequestKind,
  RequestState,
} from './request';
import { RequestRepository } from './requests';

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
}

const MAX_JUSTIFICATION_LENGTH = 1000;
const MAX_REASON_LENGTH = 1000;

/**
 * The publish request from preview to shared. Every transition is a conditional write, so
 * several instances and repeated clicks give exactly one winner; the listener is told of each
 * stored change so the cards can follow.
 */
export class WorkflowService {
  readonly requests: RequestRepository;
  private readonly listeners: RequestListener[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly now: () => Date;

  constructor(private readonly deps: WorkflowDependencies) {
    this.requests = new RequestRepository(deps.store);
    this.now = deps.now ?? (() => new Date());
  }

  onChange(listener: RequestListener): void {
    this.listeners.push(listener);
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
    await this.audit(request, { kind: 'user', ...requester }, 'preview', undefined, 'draft');
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
    if (text === '') {
      throw new WorkflowError(
        'JustificationRequired',
        'Say why this gallery should be public, then submit again.',
      );
    }
    if (text.length > MAX_JUSTIFICATION_LENGTH) {
      throw new WorkflowError(
        'InvalidInput',
        `The justification is ${text.length} characters; keep it under ${MAX_JUSTIFICATION_LENGTH}.`,
      );
    }
    if (hasBlocker(draft.findings)) {
      throw new WorkflowError(
        'HasBlockers',
        'This gallery has blockers. Fix them and ask for a new preview.',
      );
    }
    if (draft.findings.some((finding) => finding.code === 'AlreadyPublic')) {
      throw new WorkflowError(
        'AlreadyPublic',
        'This gallery is already public, so there is nothing to approve.',
      );
    }

    const missing = await this.deps.gateway.missingBotPermissions(draft.gallery);
    if (missing.length > 0) {
      throw new WorkflowError(
        'BotLacksPermission',
        `The bot's Azure identity lacks ${missing.join(' and ')} on gallery ${draft.gallery.galleryName}, ` +
          'so it could not share it even after approval. Ask an Owner to give the bot Reader and ' +
          'Compute Gallery Sharing Admin on the gallery or its resource group, then submit again.',
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
      await this.audit(request, { kind: 'user', ...user }, 'submit', 'draft', 'pending', {
        reason: text,
      });
      await this.notify(request);
    }
    return request;
  }

  /**
   * Records an approval or a denial after checking, at this moment, that the request is
   * pending and not expired, that the user may approve now, is not the requester (unless
   * allowed) and, for an approval, that the public metadata is unchanged.
   */
  async decide(
    requestId: string,
    user: Person,
    outcome: 'approved' | 'denied',
    reason?: string,
  ): Promise<PublishRequest> {
    const request = await this.requests.get(requestId);
    this.assertPending(request);
    const text = reason?.trim() ?? '';
    if (outcome === 'denied' && text === '') {
      throw new WorkflowError(
        'ReasonRequired',
        'Give a reason for the denial; the requester will see it.',
      );
    }
    if (text.length > MAX_REASON_LENGTH) {
      throw new WorkflowError(
        'InvalidInput',
        `The reason is ${text.length} characters; keep it under ${MAX_REASON_LENGTH}.`,
      );
    }

    const eligibleRoles = await this.eligibleRoles(request, user);
    if (outcome === 'approved') await this.assertUnchanged(request);

    const at = this.now().toISOString();
    const { request: decided, changed } = await this.requests.update(requestId, (current) => {
      this.assertPending(current);
      return {
        ...current,
        state: outcome,
        updatedAt: at,
        decision: { outcome, by: user, at, reason: text || undefined, eligibleRoles },
      };
    });
    if (changed) {
      await this.audit(
        decided,
        { kind: 'user', ...user },
        outcome === 'approved' ? 'approve' : 'deny',
        'pending',
        outcome,
        {
          eligibleRoles,
          reason: text || undefined,
        },
      );
      await this.notify(decided);
      if (outcome === 'approved') this.track(this.share(requestId, 'approved'));
    }
    return decided;
  }

  /** Lets an approver send the share call again after a failure, if nothing changed. */
  async retry(requestId: string, user: Person): Promise<PublishRequest> {
    const request = await this.requests.get(requestId);
    if (request.state !== 'failed') {
      throw new WorkflowError(
        'WrongState',
        `This request is ${request.state}, so there is nothing to retry.`,
      );
    }
    await this.eligibleRoles(request, user);
    await this.assertUnchanged(request);
    await this.audit(request, { kind: 'user', ...user }, 'retry', 'failed', 'failed');
    this.track(this.share(requestId, 'failed'));
    return request;
  }

  /** Cancels a pending request; only its requester may. */
  async cancel(requestId: string, user: Person): Promise<PublishRequest> {
    const request = await this.requests.get(requestId);
    if (request.requester.aadObjectId !== user.aadObjectId) {
      throw new WorkflowError('NotRequester', 'Only the requester can cancel this request.');
    }
    const at = this.now().toISOString();
    const { request: cancelled, changed } = await this.requests.update(requestId, (current) => {
      if (current.state === 'cancelled') return undefined;
      if (current.state !== 'pending' && current.state !== 'draft') {
        throw wrongState(current, 'cancelled');
      }
      return { ...current, state: 'cancelled', updatedAt: at, cancelledBy: user };
    });
    if (changed) {
      await this.audit(cancelled, { kind: 'user', ...user }, 'cancel', request.state, 'cancelled');
      await this.notify(cancelled);
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

  /**
   * Finishes what a stopped process left: shares approved requests and follows operations
   * in `sharing` to their end, never sending a share call that may already have been sent.
   */
  async resumeInterrupted(): Promise<void> {
    for (const request of await this.requests.list({ state: 'approved' })) {
      this.track(this.share(request.id, 'approved'));
    }
    for (const request of await this.requests.list({ state: 'sharing' })) {
      this.track(this.follow(request));
    }
  }

  /** Waits for the share operations this process started. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async share(requestId: string, from: 'approved' | 'failed'): Promise<void> {
    const at = this.now().toISOString();
    const { request, changed } = await this.requests.update(requestId, (current) => {
      if (current.state !== from) return undefined;
      return {
        ...current,
        state: 'sharing',
        updatedAt: at,
        share: { attempt: (current.share?.attempt ?? 0) + 1, startedAt: at },
      };
    });
    if (!changed) return;
    const attempt = request.share?.attempt ?? 1;
    await this.audit(request, { kind: 'bot' }, 'share', from, 'sharing');
    await this.notify(request);

    let begun;
    try {
      begun = await this.deps.gateway.beginShare(request.gallery, request.kind);
    } catch (error) {
      await this.finishShare(requestId, attempt, error);
      return;
    }
    await this.requests.update(requestId, (current) =>
      current.state === 'sharing' && current.share?.attempt === attempt
        ? { ...current, share: { ...current.share, pollerState: begun.pollerState } }
        : undefined,
    );

    try {
      await begun.wait();
      const { publicNames } = await this.deps.gateway.confirmShare(request.gallery, request.kind);
      await this.finishShare(requestId, attempt, undefined, publicNames);
    } catch (error) {
      await this.finishShare(requestId, attempt, error);
    }
  }

  /** Follows an operation that an earlier process started. */
  private async follow(request: PublishRequest): Promise<void> {
    const attempt = request.share?.attempt ?? 1;
    const pollerState = request.share?.pollerState;
    try {
      if (pollerState) {
        await this.deps.gateway.resumeShare(request.gallery, pollerState);
      }
      const { publicNames } = await this.deps.gateway.confirmShare(request.gallery, request.kind);
      await this.finishShare(request.id, attempt, undefined, publicNames);
    } catch (error) {
      // Without a stored operation the process stopped between claiming the share and Azure
      // accepting it, so Azure may or may not have the call. Sending it again could share
      // twice; an approver decides instead.
      const failure =
        pollerState || !(error instanceof AzureCallError && error.code === 'NotConfirmed')
          ? error
          : new AzureCallError(
              'Interrupted',
              undefined,
              'The bot stopped while sending the share request, and the gallery is not public.',
              'An approver can retry.',
            );
      await this.finishShare(request.id, attempt, failure);
    }
  }

  private async finishShare(
    requestId: string,
    attempt: number,
    error: unknown,
    publicNames?: string[],
  ): Promise<void> {
    const at = this.now().toISOString();
    const failure = error === undefined ? undefined : describeError(error);
    const state: RequestState = failure ? 'failed' : 'shared';
    const { request, changed } = await this.requests.update(requestId, (current) => {
      if (current.state !== 'sharing' || current.share?.attempt !== attempt) return undefined;
      return {
        ...current,
        state,
        updatedAt: at,
        publicNames: publicNames ?? current.publicNames,
        share: { ...current.share, finishedAt: at, error: failure },
      };
    });
    if (!changed) return;
    if (failure) {
      this.deps.logger.warn(
        { requestId, err: error, code: failure.code },
        'share operation failed',
      );
    } else {
      this.deps.logger.info({ requestId, publicNames }, 'gallery sharing changed');
    }
    await this.audit(
      request,
      { kind: 'bot' },
      failure ? 'share-failed' : 'shared',
      'sharing',
      state,
      {
        reason: failure ? `${failure.code}: ${failure.message}` : undefined,
      },
    );
    await this.notify(request);
  }

  private assertPending(request: PublishRequest): void {
    if (
      request.state === 'pending' &&
      request.expiresAt &&
      Date.parse(request.expiresAt) <= this.now().getTime()
    ) {
      throw new WorkflowError(
        'Expired',
        `This request expired at ${request.expiresAt}. Ask for a new preview.`,
      );
    }
    if (request.state !== 'pending') throw wrongState(request, 'decided');
  }

  /** Returns the roles that let `user` approve now, or raises. */
  private async eligibleRoles(request: PublishRequest, user: Person): Promise<string[]> {
    if (request.requester.aadObjectId === user.aadObjectId && !this.deps.policy.allowSelfApproval) {
      throw new WorkflowError(
        'SelfApproval',
        'You asked for this, so someone else must approve it.',
      );
    }
    const approvers: Approver[] = await this.deps.gateway.findApprovers(request.gallery);
    const match = approvers.find(
      (approver) => approver.principalId === user.aadObjectId && approver.principalType === 'User',
    );
    if (!match) {
      throw new WorkflowError(
        'NotApprover',
        `You do not hold Owner or Compute Gallery Sharing Admin on gallery ${request.gallery.galleryName} now, so you cannot decide this request.`,
      );
    }
    return match.roles;
  }

  private async assertUnchanged(request: PublishRequest): Promise<void> {
    const current = await this.deps.gateway.inspect(request.gallery);
    if (publicMetadataHash(current) === request.metadataHash) return;
    const changes = describeChanges(request.snapshot, current);
    throw new WorkflowError(
      'MetadataChanged',
      'The gallery changed since it was reviewed, so this approval would cover content nobody reviewed. ' +
        'The requester can ask for a new preview and submit again.',
      { changes: changes.length > 0 ? changes : ['The public metadata changed.'] },
    );
  }

  private track(work: Promise<void>): void {
    const guarded = work.catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'background share work failed');
    });
    this.running.add(guarded);
    void guarded.finally(() => this.running.delete(guarded));
  }

  private async notify(request: PublishRequest): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(request);
      } catch (error) {
        this.deps.logger.warn({ err: error, requestId: request.id }, 'updating the cards failed');
      }
    }
  }

  private async audit(
    request: PublishRequest,
    actor: AuditRecord['actor'],
    action: string,
    fromState: RequestState | undefined,
    toState: RequestState,
    extra: Partial<AuditRecord> = {},
  ): Promise<void> {
    await this.deps.store.audit.append({
      at: this.now().toISOString(),
      requestId: request.id,
      galleryId: request.galleryKey,
      actor: { kind: actor.kind, aadObjectId: actor.aadObjectId, name: actor.name },
      action,
      fromState,
      toState,
      metadataHash: request.metadataHash,
      operationId: request.share?.operationId,
      ...extra,
    });
  }
}

function wrongState(request: PublishRequest, wanted: string): WorkflowError {
  const decision = request.decision;
  const by = decision ? ` by ${decision.by.name ?? decision.by.aadObjectId} at ${decision.at}` : '';
  return new WorkflowError(
    'WrongState',
    `This request is already ${request.state}${by}, so it cannot be ${wanted}.`,
  );
}

function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof AzureCallError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'Error', message: String(error) };
}

/** Makes a short request id that people can type: `r-` and ten lowercase letters or digits. */
function newRequestId(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  return `r-${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}
