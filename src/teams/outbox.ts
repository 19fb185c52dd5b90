import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AdaptiveCard } from '../cards/adaptive-card';
import {
  AlreadyExistsError,
  PreconditionFailedError,
  type Collection,
  type Store,
  type Stored,
} from '../store/port';
import {
  DEFAULT_OUTBOX_OPTIONS,
  asDeliveryFailure,
  planRetry,
  type DeliveredMessage,
  type DeliveryFailure,
  type OutboxContent,
  type OutboxContentSource,
  type OutboxEntry,
  type OutboxOptions,
  type OutboxSender,
  type OutboxTarget,
} from './outbox-entry';
import type { SubscriptionDirectory } from './subscriptions';

export interface OutboxDependencies {
  store: Store;
  subscriptions: SubscriptionDirectory;
  logger: Logger;
  options?: Partial<OutboxOptions>;
  now?: () => Date;
  /** Lease owner name of this instance; random by default. */
  owner?: string;
}

export const OUTBOX_COLLECTION = 'outbox';
const PURGE_INTERVAL_IN_MS = 3600_000;

/**
 * A persisted queue of proactive posts. `enqueue` stores an entry before anything is sent, so a
 * restart loses nothing. Delivery takes a lease on each entry in the store, so one instance
 * sends it even when several share the store. Retries back off and honour `Retry-After`.
 *
 * Delivery is at least once: an attempt that Teams accepted but whose answer never arrived
 * (process killed, or shutdown aborting a request in flight) is sent again.
 */
export class Outbox {
  readonly options: OutboxOptions;
  private readonly collection: Collection<OutboxEntry>;
  private readonly sources = new Map<string, OutboxContentSource>();
  private readonly now: () => Date;
  private readonly owner: string;
  private readonly shutdown = new AbortController();
  private sender?: OutboxSender;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private wakeRequested = false;
  private closed = false;
  private lastPurgeInMs = 0;

  constructor(private readonly deps: OutboxDependencies) {
    // Options left undefined keep their defaults.
    const given = Object.entries(deps.options ?? {}).filter(([, value]) => value !== undefined);
    this.options = { ...DEFAULT_OUTBOX_OPTIONS, ...Object.fromEntries(given) };
    this.collection = deps.store.collection<OutboxEntry>({
      name: OUTBOX_COLLECTION,
      indexes: { state: (entry) => entry.state },
    });
    this.now = deps.now ?? (() => new Date());
    this.owner = deps.owner ?? `outbox-${randomBytes(6).toString('hex')}`;
  }

  registerContent(source: string, renderer: OutboxContentSource): void {
    this.sources.set(source, renderer);
  }

  /**
   * Stores an entry for delivery and wakes the delivery loop. An entry whose id is already
   * stored is left as it is, so enqueueing the same notification twice sends it once.
   * Returns whether the entry was new.
   */
  async enqueue(
    id: string,
    target: OutboxTarget,
    body: { card: AdaptiveCard } | { content: OutboxContent },
  ): Promise<boolean> {
    const at = this.now().toISOString();
    const entry: OutboxEntry = {
      id,
      target,
      ...body,
      state: 'pending',
      attempts: 0,
      createdAt: at,
      nextAttemptAt: at,
    };
    try {
      await this.collection.create(id, entry);
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
    this.wake();
    return true;
  }

  async get(id: string): Promise<OutboxEntry | undefined> {
    return (await this.collection.get(id))?.value;
  }

  /** Starts delivering with `sender`; entries enqueued before are delivered too. */
  start(sender: OutboxSender): void {
    this.useSender(sender);
    this.schedule(0);
  }

  /** Sets the sender without starting the delivery loop, so only `deliverDue` delivers. */
  useSender(sender: OutboxSender): void {
    this.sender = sender;
  }

  /** Looks for due entries now instead of at the next poll. */
  wake(): void {
    if (!this.sender || this.closed || !this.timer) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /**
   * Delivers every due entry once and returns the time of the next entry that is not due yet.
   * The loop calls it; tests may call it directly.
   */
  async deliverDue(): Promise<Date | undefined> {
    const sender = this.sender;
    if (!sender)
      throw new Error(
        'The outbox has no sender yet. Call start(sender) or useSender(sender) first.',
      );

    const nowInMs = this.now().getTime();
    const pending = await this.collection.query({ state: 'pending' });
    const due = pending.filter((entry) => Date.parse(entry.value.nextAttemptAt) <= nowInMs);
    const later = pending
      .map((entry) => Date.parse(entry.value.nextAttemptAt))
      .filter((time) => time > nowInMs);

    for (let index = 0; index < due.length && !this.closed; index += this.options.concurrency) {
      const batch = due.slice(index, index + this.options.concurrency);
      await Promise.all(batch.map((entry) => this.deliverEntry(entry.key, sender)));
    }
    await this.purgeOldEntries(nowInMs);
    return later.length > 0 ? new Date(Math.min(...later)) : undefined;
  }

  /** Stops the loop, lets running attempts finish for the grace period, then aborts them. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const running = this.running;
    if (!running) return;
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = setTimeout(resolve, this.options.shutdownGraceInMs);
    });
    await Promise.race([running, grace]);
    clearTimeout(graceTimer);
    this.shutdown.abort();
    await running;
  }

  private schedule(delayInMs: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayInMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let next: Date | undefined;
    this.wakeRequested = false;
    this.running = this.deliverDue().then(
      (time) => {
        next = time;
      },
      (error: unknown) => {
        this.deps.logger.error({ err: error }, 'outbox delivery run failed');
      },
    );
    await this.running;
    this.running = undefined;
    if (this.closed) return;

    const untilNext = next ? next.getTime() - this.now().getTime() : Infinity;
    const delay = this.wakeRequested ? 0 : Math.min(this.options.pollIntervalInMs, untilNext);
    this.schedule(Math.max(0, delay));
  }

  /** Takes the entry's lease, sends it if it is still pending and due, and records the result. */
  private async deliverEntry(key: string, sender: OutboxSender): Promise<void> {
    const leaseName = `outbox:${key}`;
    const leased = await this.deps.store.leases.acquire(
      leaseName,
      this.owner,
      this.options.leaseDurationInMs,
    );
    if (!leased) return;

    try {
      const stored = await this.collection.get(key);
      if (!stored || stored.value.state !== 'pending') return;
      if (Date.parse(stored.value.nextAttemptAt) > this.now().getTime()) return;
      await this.attempt(stored, sender);
    } catch (error) {
      this.deps.logger.error({ err: error, outboxEntryId: key }, 'outbox entry not processed');
    } finally {
      await this.deps.store.leases.release(leaseName, this.owner);
    }
  }

  private async attempt(stored: Stored<OutboxEntry>, sender: OutboxSender): Promise<void> {
    const entry = stored.value;
    const logger = this.deps.logger.child({ outboxEntryId: entry.id, target: entry.target.kind });

    if (!(await this.isStillSubscribed(entry))) {
      logger.info('channel unsubscribed before delivery, dropped the post');
      await this.write(stored, {
        ...entry,
        state: 'failed',
        lastError: this.error(undefined, 'Unsubscribed', 'The channel unsubscribed.'),
      });
      return;
    }
    const rendered = await this.render(entry);
    if (!rendered) {
      logger.warn({ content: entry.content }, 'outbox content no longer exists, dropped the entry');
      await this.write(stored, {
        ...entry,
        state: 'failed',
        lastError: this.error(undefined, 'ContentGone', 'The content to send no longer exists.'),
      });
      return;
    }

    // The attempt ends before the lease does, so no other instance can send the entry while
    // this one still might.
    const signal = AbortSignal.any([
      this.shutdown.signal,
      AbortSignal.timeout(Math.floor(this.options.leaseDurationInMs * 0.8)),
    ]);
    let message: DeliveredMessage;
    try {
      message = await sender.deliver(entry.target, rendered.card, signal);
    } catch (error) {
      const failure = asDeliveryFailure(error);
      if (failure.aborted && this.shutdown.signal.aborted) {
        logger.info('delivery interrupted by shutdown, left pending');
        return;
      }
      await this.recordFailure(stored, failure, logger);
      return;
    }

    const at = this.now().toISOString();
    const delivered: OutboxEntry = {
      ...entry,
      state: 'delivered',
      attempts: entry.attempts + 1,
      delivered: { at, ...message },
    };
    await this.write(stored, delivered);
    (entry.attempts > 0 ? logger.info.bind(logger) : logger.debug.bind(logger))(
      { attempts: delivered.attempts, activityId: message.activityId },
      'outbox entry delivered',
    );
    const source = entry.content && this.sources.get(entry.content.source);
    await source?.delivered?.(delivered, message, rendered.revision);
  }

  private async recordFailure(
    stored: Stored<OutboxEntry>,
    failure: DeliveryFailure,
    logger: Logger,
  ): Promise<void> {
    const entry = stored.value;
    const attempts = entry.attempts + 1;
    const lastError = this.error(failure.statusCode, failure.code, failure.message);
    const plan = planRetry(failure, attempts, this.options);
    const details = { attempts, statusCode: failure.statusCode, code: failure.code };

    if (plan.retryInMs === undefined) {
      await this.write(stored, { ...entry, state: 'failed', attempts, lastError });
      if (plan.channelGone && entry.target.kind === 'channel' && entry.target.topic) {
        await this.deps.subscriptions.markBroken(
          entry.target.topic,
          entry.target.channelId,
          `Teams answered ${failure.statusCode} ${failure.code}: the bot was removed from the channel or cannot post there.`,
        );
        logger.warn(
          { ...details, channelId: entry.target.channelId },
          'channel subscription marked broken',
        );
      }
      logger.error({ ...details, err: failure }, 'outbox entry failed, not retried');
      return;
    }

    const nextAttemptAt = new Date(this.now().getTime() + plan.retryInMs).toISOString();
    await this.write(stored, { ...entry, attempts, nextAttemptAt, lastError });
    logger.warn({ ...details, nextAttemptAt, err: failure }, 'outbox delivery failed, will retry');
  }

  private async render(
    entry: OutboxEntry,
  ): Promise<{ card: AdaptiveCard; revision?: number } | undefined> {
    if (entry.card) return { card: entry.card };
    if (!entry.content) return undefined;
    const source = this.sources.get(entry.content.source);
    if (!source)
      throw new Error(`No outbox content source is registered as ${entry.content.source}.`);
    return source.render(entry.content.id);
  }

  private async isStillSubscribed(entry: OutboxEntry): Promise<boolean> {
    const target = entry.target;
    if (target.kind !== 'channel' || !target.topic) return true;
    const subscriptions = await this.deps.subscriptions.list(target.topic);
    return subscriptions.some((subscription) => subscription.channelId === target.channelId);
  }

  /** Writes the entry unless another writer changed it. Only the lease holder writes pending ones. */
  private async write(stored: Stored<OutboxEntry>, next: OutboxEntry): Promise<void> {
    try {
      await this.collection.replace(stored.key, next, stored.etag);
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      this.deps.logger.warn(
        { outboxEntryId: stored.key },
        'outbox entry changed by another writer',
      );
    }
  }

  private error(statusCode: number | undefined, code: string, message: string) {
    return { statusCode, code, message: message.slice(0, 500), at: this.now().toISOString() };
  }

  /** Deletes delivered and failed entries older than the retention, at most once an hour. */
  private async purgeOldEntries(nowInMs: number): Promise<void> {
    if (nowInMs - this.lastPurgeInMs < PURGE_INTERVAL_IN_MS) return;
    this.lastPurgeInMs = nowInMs;
    const cutoff = nowInMs - this.options.retentionInMs;
    for (const state of ['delivered', 'failed']) {
      for (const entry of await this.collection.query({ state })) {
        const finishedAt =
          entry.value.delivered?.at ?? entry.value.lastError?.at ?? entry.value.createdAt;
        if (Date.parse(finishedAt) < cutoff) await this.collection.delete(entry.key, entry.etag);
      }
    }
  }
}
