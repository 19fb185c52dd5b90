import type { Logger } from 'pino';
import type { RequestListener } from './ports';
import type { PublishRequest } from './request';

/**
 * Work that outlives the call that started it: share operations and card updates. `idle`
 * waits for all of it, so a graceful shutdown and the tests can tell when it has finished.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Runs `work` without waiting for it; a rejection is logged with `context`. */
  track(work: Promise<void>, context: Record<string, unknown>, failure: string): void {
    const guarded = work.catch((error: unknown) => {
      this.logger.error({ ...context, err: error }, failure);
    });
    this.running.add(guarded);
    void guarded.finally(() => this.running.delete(guarded));
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/**
 * Tells the listeners of every stored change, one request at a time and in the order of the
 * changes. Each notification reads the request again, so the listeners always see the latest
 * state and every card message added since, even when a later change was stored meanwhile.
 */
export class ChangeNotifier {
  private readonly listeners: RequestListener[] = [];
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly readLatest: (requestId: string) => Promise<PublishRequest | undefined>,
    private readonly background: BackgroundWork,
    private readonly logger: Logger,
  ) {}

  add(listener: RequestListener): void {
    this.listeners.push(listener);
  }

  /** Queues a notification about a request and returns without waiting for the listeners. */
  notify(requestId: string): void {
    const previous = this.queues.get(requestId) ?? Promise.resolve();
    // A failed notification is logged by `track` and must not stop the ones queued after it.
    const next = previous.catch(() => undefined).then(() => this.run(requestId));
    this.queues.set(requestId, next);
    void next.finally(() => {
      if (this.queues.get(requestId) === next) this.queues.delete(requestId);
    });
    this.background.track(next, { requestId }, 'notifying a request change failed');
  }

  private async run(requestId: string): Promise<void> {
    const request = await this.readLatest(requestId);
    if (!request) return;
    for (const listener of this.listeners) {
      try {
        await listener(request);
      } catch (error) {
        this.logger.warn({ err: error, requestId }, 'updating the cards failed');
      }
    }
  }
}
