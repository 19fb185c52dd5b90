import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/port';
import { LeasedLoop } from './leased-loop';
import type { RequestListener } from './ports';
import type { PublishRequest } from './request';
import type { RequestRepository } from './requests';

/** The messages that housekeeping sends; the Teams surface implements them. */
export interface HousekeepingNotifier {
  /** Tells the requester that their request expired without a decision. */
  requestExpired(request: PublishRequest): Promise<void>;
  /** Reminds the approvers that a request waits for their decision. */
  remindApprovers(request: PublishRequest): Promise<void>;
}

export interface HousekeepingOptions {
  /** Used for requests stored without `expiresAt`; others expire at their `expiresAt`. */
  requestTtlInHours: number;
  /** Time after submission at which the approvers get their one reminder. */
  reminderAfterInHours: number;
  /** Time between runs. */
  intervalInMs: number;
}

export interface HousekeepingDependencies {
  store: Store;
  requests: RequestRepository;
  logger: Logger;
  options: Partial<HousekeepingOptions> & Omit<HousekeepingOptions, 'intervalInMs'>;
  notifier?: HousekeepingNotifier;
  now?: () => Date;
  /** Lease owner name of this instance; random by default. */
  owner?: string;
}

export interface HousekeepingRun {
  /** False when another instance holds the lease, so this one did nothing. */
  ran: boolean;
  expired: string[];
  reminded: string[];
}

export const HOUSEKEEPING_LEASE = 'housekeeping';
const DEFAULT_INTERVAL_IN_MS = 60_000;

/**
 * Expires pending requests after their time to live and sends the approvers one reminder.
 * Each run holds a lease in the store, so only one of several instances runs at a time. Each
 * change is also a conditional write, so even overlapping runs expire and remind once.
 */
export class Housekeeping {
  readonly options: HousekeepingOptions;
  private readonly listeners: RequestListener[] = [];
  private readonly now: () => Date;
  private readonly loop: LeasedLoop;

  constructor(private readonly deps: HousekeepingDependencies) {
    this.options = {
      ...deps.options,
      intervalInMs: deps.options.intervalInMs ?? DEFAULT_INTERVAL_IN_MS,
    };
    this.now = deps.now ?? (() => new Date());
    this.loop = new LeasedLoop({
      leases: deps.store.leases,
      lease: HOUSEKEEPING_LEASE,
      owner: deps.owner ?? `housekeeping-${randomBytes(6).toString('hex')}`,
      intervalInMs: this.options.intervalInMs,
      logger: deps.logger,
      failureMessage: 'housekeeping run failed',
    });
  }

  /** Registers a listener for the requests that housekeeping changes, to update their cards. */
  onChange(listener: RequestListener): void {
    this.listeners.push(listener);
  }

  /** Runs housekeeping every `intervalInMs` until `close`. */
  start(): void {
    this.loop.start(() => this.runOnce());
  }

  close(): Promise<void> {
    return this.loop.close();
  }

  /**
   * Expires and reminds as of `at` (default: now), if this instance holds the lease. The lease
   * is kept until it lapses, so other instances skip their runs while this one is alive.
   */
  async runOnce(at: Date = this.now()): Promise<HousekeepingRun> {
    const result: HousekeepingRun = { ran: false, expired: [], reminded: [] };
    if (!(await this.loop.acquireLease())) return result;
    result.ran = true;

    for (const request of await this.deps.requests.list({ state: 'pending' })) {
      try {
        if (this.expiryOf(request) <= at.getTime()) {
          if (await this.expire(request.id, at)) result.expired.push(request.id);
        } else if (this.reminderDue(request, at)) {
          if (await this.remind(request.id, at)) result.reminded.push(request.id);
        }
      } catch (error) {
        this.deps.logger.warn({ err: error, requestId: request.id }, 'housekeeping step failed');
      }
    }
    return result;
  }

  private async expire(requestId: string, at: Date): Promise<boolean> {
    const { request, changed } = await this.deps.requests.update(requestId, (current) =>
      current.state === 'pending' && this.expiryOf(current) <= at.getTime()
        ? { ...current, state: 'expired', updatedAt: at.toISOString() }
        : undefined,
    );
    if (!changed) return false;

    const hours = Math.round((this.expiryOf(request) - submittedAtOf(request)) / 3600_000);
    await this.deps.store.audit.append({
      at: at.toISOString(),
      requestId: request.id,
      galleryId: request.galleryKey,
      actor: { kind: 'system', name: 'housekeeping' },
      action: 'expire',
      fromState: 'pending',
      toState: 'expired',
      metadataHash: request.metadataHash,
      reason: `No decision within ${hours} hours of submission.`,
    });
    this.deps.logger.info({ requestId, expiresAt: request.expiresAt }, 'request expired');

    await this.notify(request);
    await this.deps.notifier?.requestExpired(request);
    return true;
  }

  private async remind(requestId: string, at: Date): Promise<boolean> {
    const { request, changed } = await this.deps.requests.update(requestId, (current) =>
      current.state === 'pending' && !current.reminderSentAt
        ? { ...current, reminderSentAt: at.toISOString() }
        : undefined,
    );
    if (!changed) return false;

    const approvers = request.cards
      .filter((card) => card.audience === 'approver')
      .map((card) => card.aadObjectId ?? card.conversationId);
    await this.deps.store.audit.append({
      at: at.toISOString(),
      requestId: request.id,
      galleryId: request.galleryKey,
      actor: { kind: 'system', name: 'housekeeping' },
      action: 'remind',
      fromState: 'pending',
      toState: 'pending',
      metadataHash: request.metadataHash,
      reason: `Still pending ${this.options.reminderAfterInHours} hours after submission.`,
      details: { approvers },
    });
    this.deps.logger.info({ requestId, approvers: approvers.length }, 'approvers reminded');

    await this.deps.notifier?.remindApprovers(request);
    return true;
  }

  private reminderDue(request: PublishRequest, at: Date): boolean {
    const dueAt = submittedAtOf(request) + this.options.reminderAfterInHours * 3600_000;
    return !request.reminderSentAt && dueAt <= at.getTime();
  }

  private expiryOf(request: PublishRequest): number {
    if (request.expiresAt) return Date.parse(request.expiresAt);
    return submittedAtOf(request) + this.options.requestTtlInHours * 3600_000;
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
}

function submittedAtOf(request: PublishRequest): number {
  return Date.parse(request.submittedAt ?? request.createdAt);
}
