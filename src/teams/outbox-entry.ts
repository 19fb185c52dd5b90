import type { ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../cards/adaptive-card';
import type { SubscriptionTopic } from './subscriptions';

/** The destination of an outbox entry. */
export type OutboxTarget =
  /** A new thread in a team channel; `topic` names the subscription that asked for it. */
  | {
      kind: 'channel';
      reference: Partial<ConversationReference>;
      channelId: string;
      topic?: SubscriptionTopic;
    }
  /** A new message in an existing conversation, such as a 1:1 chat. */
  | { kind: 'conversation'; reference: Partial<ConversationReference> }
  /** A new card for a message the bot sent earlier. */
  | { kind: 'update'; reference: Partial<ConversationReference>; activityId: string };

/** A card rendered when the entry is delivered, so it shows the latest state. */
export interface OutboxContent {
  /** Name under which the source was registered with `registerContent`. */
  source: string;
  id: string;
}

export interface OutboxEntry {
  id: string;
  target: OutboxTarget;
  /** A fixed card; entries without one carry `content`. */
  card?: AdaptiveCard;
  content?: OutboxContent;
  state: 'pending' | 'delivered' | 'failed';
  /** Attempts made so far, not counting those that a shutdown interrupted. */
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  lastError?: { statusCode?: number; code: string; message: string; at: string };
  delivered?: { at: string } & DeliveredMessage;
}

/** The message that a delivery created or updated. */
export interface DeliveredMessage {
  conversationId: string;
  activityId: string;
  serviceUrl?: string;
}

/** Sends entries to Teams; `ConnectorSender` implements it with the Bot Connector. */
export interface OutboxSender {
  deliver(target: OutboxTarget, card: AdaptiveCard, signal: AbortSignal): Promise<DeliveredMessage>;
}

/** Renders the card of `content` entries and is called when one was delivered. */
export interface OutboxContentSource {
  /** Returns the card and its revision, or undefined to drop the entry. */
  render(id: string): Promise<{ card: AdaptiveCard; revision?: number } | undefined>;
  delivered?(entry: OutboxEntry, message: DeliveredMessage, revision?: number): Promise<void>;
}

/**
 * A failed delivery as the sender reports it. `statusCode` is the Bot Connector's HTTP status,
 * undefined for a network error; `retryAfterInMs` comes from a `Retry-After` header.
 */
export class DeliveryFailure extends Error {
  constructor(
    readonly statusCode: number | undefined,
    readonly code: string,
    message: string,
    readonly retryAfterInMs?: number,
    readonly aborted = false,
  ) {
    super(message);
    this.name = 'DeliveryFailure';
  }
}

export interface OutboxOptions {
  /** How often pending entries are looked for when nothing wakes the outbox. */
  pollIntervalInMs: number;
  /** Delay before the first retry after a 5xx or network error; doubled for each further one. */
  retryBaseDelayInMs: number;
  maxRetryDelayInMs: number;
  /** Attempts after which an entry is given up as failed. */
  maxAttempts: number;
  /** How long one instance holds an entry; an attempt is aborted before the lease ends. */
  leaseDurationInMs: number;
  /** How long `close` lets running attempts finish before aborting them. */
  shutdownGraceInMs: number;
  /** How many entries are delivered at the same time. */
  concurrency: number;
  /** How long delivered and failed entries are kept. */
  retentionInMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  pollIntervalInMs: 5_000,
  retryBaseDelayInMs: 2_000,
  maxRetryDelayInMs: 10 * 60_000,
  maxAttempts: 12,
  leaseDurationInMs: 2 * 60_000,
  shutdownGraceInMs: 5_000,
  concurrency: 4,
  retentionInMs: 7 * 24 * 3600_000,
};

/**
 * Decides whether and when to try again. A 429 waits for `Retry-After` when Teams sent one.
 * 408, 5xx, network errors and timeouts back off exponentially. 403 and 404 mean that the bot
 * can no longer post there, and other 4xx cannot succeed by repeating, so neither is retried.
 */
export function planRetry(
  failure: DeliveryFailure,
  attempts: number,
  options: Pick<OutboxOptions, 'retryBaseDelayInMs' | 'maxRetryDelayInMs' | 'maxAttempts'>,
  random: () => number = Math.random,
): { retryInMs?: number; channelGone?: boolean } {
  const status = failure.statusCode;
  if (status === 403 || status === 404) return { channelGone: true };
  const retriable =
    status === undefined || status === 408 || status === 429 || (status >= 500 && status <= 599);
  if (!retriable || attempts >= options.maxAttempts) return {};

  if (status === 429 && failure.retryAfterInMs !== undefined) {
    return { retryInMs: Math.min(failure.retryAfterInMs, options.maxRetryDelayInMs) };
  }
  // Up to 20% random jitter keeps instances that failed together from retrying together.
  const backoff = options.retryBaseDelayInMs * 2 ** (attempts - 1) * (1 + 0.2 * random());
  return { retryInMs: Math.round(Math.min(backoff, options.maxRetryDelayInMs)) };
}

/** Wraps an error that is no DeliveryFailure as one without a status code. */
export function asDeliveryFailure(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryFailure(undefined, 'Error', message);
}
