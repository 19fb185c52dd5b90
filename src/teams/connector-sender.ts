import {
  ActivityTypes,
  type Activity,
  type CloudAdapter,
  type ConversationParameters,
  type ConversationReference,
} from 'botbuilder';
import { cardAttachment, type AdaptiveCard } from '../cards/adaptive-card';
import {
  DeliveryFailure,
  type DeliveredMessage,
  type OutboxSender,
  type OutboxTarget,
} from './outbox-entry';

/** The operations of botframework-connector's `ConnectorClient` that the sender calls. */
interface ConnectorConversations {
  createConversation(
    parameters: ConversationParameters,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ id?: string; activityId?: string }>;
  sendToConversation(
    conversationId: string,
    activity: Partial<Activity>,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ id?: string }>;
  updateActivity(
    conversationId: string,
    activityId: string,
    activity: Partial<Activity>,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ id?: string }>;
}

/**
 * Sends outbox entries through the Bot Connector. It calls the `ConnectorClient` that
 * `continueConversationAsync` puts in the turn state, because those calls take an abort signal
 * and the adapter's own helpers do not.
 *
 * NOTE: botframework-connector 4.23 retries 429 (honouring `Retry-After`), 408, 5xx and network
 * errors itself, up to 3 times within one call, and offers no option to turn that off. The
 * outbox's retries start after those.
 */
export class ConnectorSender implements OutboxSender {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  async deliver(
    target: OutboxTarget,
    card: AdaptiveCard,
    signal: AbortSignal,
  ): Promise<DeliveredMessage> {
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      attachments: [cardAttachment(card)],
    };
    const reference = target.reference;
    try {
      signal.throwIfAborted();
      return await this.withClient(reference, async (conversations) => {
        switch (target.kind) {
          case 'channel':
            return this.postToChannel(conversations, reference, target.channelId, activity, signal);
          case 'conversation':
            return this.sendToConversation(conversations, reference, activity, signal);
          case 'update':
            return this.updateMessage(
              conversations,
              reference,
              target.activityId,
              activity,
              signal,
            );
        }
      });
    } catch (error) {
      throw toDeliveryFailure(error, signal);
    }
  }

  /** Starts a new thread in the channel, the way Teams documents proactive channel posts. */
  private async postToChannel(
    conversations: ConnectorConversations,
    reference: Partial<ConversationReference>,
    channelId: string,
    activity: Partial<Activity>,
    signal: AbortSignal,
  ): Promise<DeliveredMessage> {
    const tenantId = reference.conversation?.tenantId;
    const parameters = {
      isGroup: true,
      bot: reference.bot ?? { id: this.botAppId ? `28:${this.botAppId}` : '', name: '' },
      tenantId,
      channelData: {
        channel: { id: channelId },
        ...(tenantId ? { tenant: { id: tenantId } } : {}),
      },
      activity,
    } as ConversationParameters;
    const response = await conversations.createConversation(parameters, { abortSignal: signal });
    return {
      conversationId: response.id ?? channelId,
      activityId: response.activityId ?? '',
      serviceUrl: reference.serviceUrl,
    };
  }

  private async sendToConversation(
    conversations: ConnectorConversations,
    reference: Partial<ConversationReference>,
    activity: Partial<Activity>,
    signal: AbortSignal,
  ): Promise<DeliveredMessage> {
    const conversationId = requireConversationId(reference);
    const response = await conversations.sendToConversation(conversationId, activity, {
      abortSignal: signal,
    });
    return { conversationId, activityId: response.id ?? '', serviceUrl: reference.serviceUrl };
  }

  private async updateMessage(
    conversations: ConnectorConversations,
    reference: Partial<ConversationReference>,
    activityId: string,
    activity: Partial<Activity>,
    signal: AbortSignal,
  ): Promise<DeliveredMessage> {
    const conversationId = requireConversationId(reference);
    await conversations.updateActivity(
      conversationId,
      activityId,
      { ...activity, id: activityId },
      { abortSignal: signal },
    );
    return { conversationId, activityId, serviceUrl: reference.serviceUrl };
  }

  /**
   * Runs `work` with the turn's Bot Connector client. Errors are caught inside the turn and
   * raised here, because botbuilder 4.23 hands an error raised in a turn to the adapter's
   * `onTurnError` and does not raise it from `continueConversationAsync`.
   */
  private async withClient<T>(
    reference: Partial<ConversationReference>,
    work: (conversations: ConnectorConversations) => Promise<T>,
  ): Promise<T> {
    let outcome: { value: T } | { error: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
      try {
        const client = context.turnState.get<{ conversations?: ConnectorConversations }>(
          context.adapter.ConnectorClientKey,
        );
        if (!client?.conversations) {
          throw new Error('The adapter did not provide a Bot Connector client for the turn.');
        }
        outcome = { value: await work(client.conversations) };
      } catch (error) {
        outcome = { error };
      }
    });
    if (!outcome) throw new Error('The proactive turn ended without running.');
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
}

function requireConversationId(reference: Partial<ConversationReference>): string {
  const conversationId = reference.conversation?.id;
  if (!conversationId) {
    throw new DeliveryFailure(
      undefined,
      'NoConversation',
      'The stored reference has no conversation id.',
    );
  }
  return conversationId;
}

/** A Bot Connector error as botbuilder raises it: a RestError of @azure/core-rest-pipeline. */
interface ConnectorError {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
  details?: { error?: { code?: string; message?: string } };
  response?: { headers?: { get(name: string): string | undefined } };
}

function toDeliveryFailure(error: unknown, signal: AbortSignal): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const detail = (typeof error === 'object' && error !== null ? error : {}) as ConnectorError;
  const aborted = signal.aborted || detail.name === 'AbortError';
  const statusCode = detail.statusCode;
  const code =
    detail.details?.error?.code ??
    (aborted ? 'Aborted' : undefined) ??
    (statusCode ? `Http${statusCode}` : (detail.code ?? 'NetworkError'));
  const message = detail.details?.error?.message ?? detail.message ?? String(error);
  const retryAfter = parseRetryAfter(detail.response?.headers?.get('retry-after'));
  return new DeliveryFailure(statusCode, code, message, retryAfter, aborted);
}

/** Parses `Retry-After` as seconds or an HTTP date; returns milliseconds. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
