import type { Logger } from 'pino';
import type { Leases } from '../store/port';

export interface LeasedLoopSettings {
  leases: Leases;
  /** Name of the lease in the store, the same in every instance. */
  lease: string;
  /** Lease owner name of this instance. */
  owner: string;
  /** Time from the end of one run to the start of the next. */
  intervalInMs: number;
  logger: Logger;
  /** Log message of a run that raised. */
  failureMessage: string;
}

/**
 * Repeats a run every `intervalInMs` until `close`, for work that one instance at a time does
 * for all of them. Each run first takes a lease in the store. A run starts only after the
 * previous one has ended, and the timer does not keep the process alive.
 */
export class LeasedLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private closed = false;

  constructor(private readonly settings: LeasedLoopSettings) {}

  /**
   * Takes the lease, or renews it when this instance holds it, and returns false when another
   * instance holds it. The lease lasts two intervals, at least a minute, and is kept until it
   * lapses, so other instances skip their runs while this one is alive.
   */
  acquireLease(): Promise<boolean> {
    const { leases, lease, owner, intervalInMs } = this.settings;
    return leases.acquire(lease, owner, Math.max(2 * intervalInMs, 60_000));
  }

  /** Calls `run` every `intervalInMs`, the first time one interval from now. */
  start(run: () => Promise<unknown>): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = run()
        .catch((error: unknown) => {
          this.settings.logger.error({ err: error }, this.settings.failureMessage);
        })
        .finally(() => this.start(run));
    }, this.settings.intervalInMs);
    this.timer.unref();
  }

  /** Stops the loop and waits for a run in progress to end. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
