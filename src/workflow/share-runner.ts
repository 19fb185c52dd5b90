import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { AzureCallError } from '../azure/errors';
import type { Leases } from '../store/port';
import type { AuditActor, AuditTrail } from './audit-trail';
import type { BackgroundWork, ChangeNotifier } from './background';
import type { GalleryGateway } from './ports';
import type { PublishRequest, RequestState } from './request';
import type { RequestRepository } from './requests';

export interface ShareRunnerDependencies {
  requests: RequestRepository;
  leases: Leases;
  gateway: GalleryGateway;
  audit: AuditTrail;
  notifier: ChangeNotifier;
  background: BackgroundWork;
  logger: Logger;
  now: () => Date;
  /** Delay between reads of the gallery while a share operation of unknown state runs. */
  settlePollIntervalInMs: number;
  /** How long to wait for such an operation before reporting the request as failed. */
  maxSettleWaitInMs: number;
}

/** A claim of a share, by the bot after an approval or by an approver retrying a failure. */
export interface ShareClaim {
  from: 'approved' | 'failed';
  actor: AuditActor;
  eligibleRoles: string[];
}

/**
 * How long the process that claims a share holds the request's send lease: from the claim
 * until the operation's state is stored. It covers the share POST, and a process that dies
 * in between frees the request for the next start-up after this time.
 */
const SEND_LEASE_IN_MS = 5 * 60_000;

/**
 * Sends the share call and follows its long-running operation. The share POST is sent only
 * after a conditional write moved the request to `sharing`, so it goes out at most once per
 * claim, and the operation's state is stored before waiting so another process can resume it.
 */
export class ShareRunner {
  /** Lease owner name of this process. */
  private readonly owner = `share-${randomBytes(8).toString('hex')}`;

  constructor(private readonly deps: ShareRunnerDependencies) {}

  /**
   * Moves the request from `claim.from` to `sharing` if it is still there, and returns it;
   * returns undefined when another click or process claimed it first. The caller holds the
   * request's send lease from then on and must call `start`.
   */
  async claim(requestId: string, claim: ShareClaim): Promise<PublishRequest | undefined> {
    if (!(await this.deps.leases.acquire(sendLease(requestId), this.owner, SEND_LEASE_IN_MS))) {
      return undefined;
    }
    try {
      const claimed = await this.transition(requestId, claim);
      if (!claimed) await this.deps.leases.release(sendLease(requestId), this.owner);
      return claimed;
    } catch (error) {
      await this.deps.leases.release(sendLease(requestId), this.owner);
      throw error;
    }
  }

  private async transition(
    requestId: string,
    claim: ShareClaim,
  ): Promise<PublishRequest | undefined> {
    const at = this.deps.now().toISOString();
    const { request, changed } = await this.deps.requests.update(requestId, (current) => {
      if (current.state !== claim.from) return undefined;
      return {
        ...current,
        state: 'sharing',
        updatedAt: at,
        share: { attempt: (current.share?.attempt ?? 0) + 1, startedAt: at },
      };
    });
    if (!changed) return undefined;

    await this.deps.audit.record(request, claim.actor, {
      action: claim.from === 'approved' ? 'share' : 'retry',
      fromState: claim.from,
      toState: 'sharing',
      eligibleRoles: claim.eligibleRoles,
      details: { attempt: request.share?.attempt },
    });
    this.deps.notifier.notify(request.id);
    return request;
  }

  /** Sends the share POST for a request this process just claimed, then follows it. */
  start(request: PublishRequest): void {
    this.deps.background.track(
      this.send(request),
      { requestId: request.id },
      'share operation failed unexpectedly',
    );
  }

  /**
   * Follows an operation that an earlier process started, without sending the POST again.
   * A request without stored operation state is skipped while another live process holds its
   * send lease, because that process may be sending the POST right now.
   */
  resume(request: PublishRequest): void {
    const pollerState = request.share?.pollerState;
    const work = async (): Promise<void> => {
      if (!pollerState) {
        const lease = sendLease(request.id);
        if (!(await this.deps.leases.acquire(lease, this.owner, SEND_LEASE_IN_MS))) {
          this.deps.logger.info(
            { requestId: request.id },
            'another process is sending the share request, so this one does not resume it',
          );
          return;
        }
        await this.deps.leases.release(lease, this.owner);
      }
      await this.follow(request, pollerState);
    };
    this.deps.background.track(
      work(),
      { requestId: request.id },
      'resuming a share operation failed unexpectedly',
    );
  }

  private async send(request: PublishRequest): Promise<void> {
    const attempt = request.share?.attempt ?? 1;
    let pollerState: string;
    try {
      pollerState = (await this.deps.gateway.beginShare(request.gallery, request.kind)).pollerState;
    } catch (error) {
      await this.deps.leases.release(sendLease(request.id), this.owner);
      // With a status, Azure received the POST and rejected it. Without one, the connection
      // failed after the POST may have arrived, so the gallery shows whether it started.
      if (error instanceof AzureCallError && error.statusCode !== undefined) {
        await this.finish(request.id, attempt, { error });
      } else {
        await this.follow(request, undefined, error);
      }
      return;
    }

    try {
      await this.deps.requests.update(request.id, (current) =>
        current.state === 'sharing' && current.share?.attempt === attempt
          ? {
              ...current,
              share: { ...current.share, pollerState, operationId: operationIdOf(pollerState) },
            }
          : undefined,
      );
    } finally {
      await this.deps.leases.release(sendLease(request.id), this.owner);
    }
    await this.follow(request, pollerState);
  }

  /**
   * Waits for the operation to end and confirms the result through the gallery. With stored
   * operation state it polls the operation; without it, or when polling fails, it reads the
   * gallery until no operation runs. `sendError` is the failure of a POST that may not have
   * reached Azure.
   */
  private async follow(
    request: PublishRequest,
    pollerState: string | undefined,
    sendError?: unknown,
  ): Promise<void> {
    const attempt = request.share?.attempt ?? 1;
    let operationError: unknown;
    if (pollerState) {
      try {
        await this.deps.gateway.resumeShare(request.gallery, pollerState);
      } catch (error) {
        operationError = error;
      }
    }

    if (!pollerState || operationError) {
      try {
        await this.waitUntilSettled(request);
      } catch (error) {
        await this.finish(request.id, attempt, { error });
        return;
      }
    }

    try {
      const { publicNames } = await this.deps.gateway.confirmShare(request.gallery, request.kind);
      await this.finish(request.id, attempt, { publicNames });
    } catch (confirmError) {
      await this.finish(request.id, attempt, {
        error: operationError ?? sendError ?? (pollerState ? confirmError : interrupted()),
      });
    }
  }

  /** Reads the gallery until its sharing state is no longer InProgress. */
  private async waitUntilSettled(request: PublishRequest): Promise<void> {
    const deadline = Date.now() + this.deps.maxSettleWaitInMs;
    while (await this.deps.gateway.sharingInProgress(request.gallery)) {
      if (Date.now() >= deadline) {
        throw new AzureCallError(
          'Timeout',
          undefined,
          `A sharing operation on gallery ${request.gallery.galleryName} was still in progress ` +
            `after ${Math.round(this.deps.maxSettleWaitInMs / 60_000)} minutes.`,
          'Check the gallery in the Azure portal; an approver can retry once it has finished.',
        );
      }
      await sleep(this.deps.settlePollIntervalInMs);
    }
  }

  private async finish(
    requestId: string,
    attempt: number,
    outcome: { error?: unknown; publicNames?: string[] },
  ): Promise<void> {
    const at = this.deps.now().toISOString();
    const failure = outcome.error === undefined ? undefined : describeError(outcome.error);
    const state: RequestState = failure ? 'failed' : 'shared';
    const { request, changed } = await this.deps.requests.update(requestId, (current) => {
      if (current.state !== 'sharing' || current.share?.attempt !== attempt) return undefined;
      return {
        ...current,
        state,
        updatedAt: at,
        publicNames: outcome.publicNames ?? current.publicNames,
        share: { ...current.share, finishedAt: at, error: failure },
      };
    });
    if (!changed) return;

    if (failure) {
      this.deps.logger.warn(
        { requestId, attempt, err: outcome.error, code: failure.code },
        'share operation failed',
      );
    } else {
      this.deps.logger.info(
        { requestId, attempt, publicNames: outcome.publicNames },
        'gallery sharing changed',
      );
    }
    await this.deps.audit.record(
      request,
      { kind: 'bot' },
      {
        action: failure ? 'share-failed' : 'shared',
        fromState: 'sharing',
        toState: state,
        eligibleRoles: request.decision?.eligibleRoles,
        reason: failure ? `${failure.code}: ${failure.message}` : undefined,
        details: { attempt, publicNames: outcome.publicNames },
      },
    );
    this.deps.notifier.notify(requestId);
  }
}

/** Returns the name of the lease that a process holds while it sends a request's share POST. */
export function sendLease(requestId: string): string {
  return `share-send:${requestId}`;
}

/**
 * Builds the failure of a request whose process stopped between claiming the share and storing
 * the operation. Azure may never have received the POST, and sending it again could share
 * twice, so an approver decides.
 */
function interrupted(): AzureCallError {
  return new AzureCallError(
    'Interrupted',
    undefined,
    'The bot stopped while sending the share request, and the gallery did not change.',
    'An approver can retry.',
  );
}

function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof AzureCallError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'Error', message: String(error) };
}

/** Returns the last path segment of the operation URL in a serialized poller, if any. */
function operationIdOf(pollerState: string): string | undefined {
  const match = /"operationLocation":"([^"]+)"/.exec(pollerState);
  if (!match?.[1]) return undefined;
  try {
    return new URL(match[1]).pathname.split('/').pop() || undefined;
  } catch {
    return undefined;
  }
}
