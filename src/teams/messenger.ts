import {
  ActivityTypes,
  TurnContext,
  type CloudAdapter,
  type ConversationParameters,
  type ConversationReference,
} from 'botbuilder';
import type { Logger } from 'pino';
import { cardAttachment, type AdaptiveCard } from '../cards';

/** Teams' Bot Connector error, as botbuilder surfaces it. */
interface ConnectorError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Raised when Teams refuses a proactive message: the app is not installed or was blocked. */
export class DeliveryError extends Error {
  constructor(
    readonly statusCode: number | undefined,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * Proactive sends and in-place updates through the Bot Connector. The only place, with the
 * activity handler and the server, that knows botbuilder.
 */
export class TeamsMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly logger: Logger,
  ) {}

  /** Sends a card to a known conversation and returns the new message's activity id. */
  async sendCard(reference: Partial<ConversationReference>, card: AdaptiveCard): Promise<string> {
    let activityId = '';
    await this.continue(reference, async (context) => {
      const response = await context.sendActivity({
        type: ActivityTypes.Message,
        attachments: [cardAttachment(card)],
      });
      activityId = response?.id ?? '';
    });
    return activityId;
  }

  /** Replaces the card of a message; a deleted message (404) is logged and skipped. */
  async updateCard(
    reference: Partial<ConversationReference>,
    activityId: string,
    card: AdaptiveCard,
  ): Promise<void> {
    try {
      await this.continue(reference, async (context) => {
        await context.updateActivity({
          id: activityId,
          type: ActivityTypes.Message,
          attachments: [cardAttachment(card)],
        });
      });
    } catch (error) {
      if (error instanceof DeliveryError && error.statusCode === 404) {
        this.logger.warn(
          { conversationId: reference.conversation?.id, activityId, code: error.code },
          'card message no longer exists, skipped its update',
        );
        return;
      }
      throw error;
    }
  }

  /**
   * Opens (or finds) the 1:1 chat with a user known only by Azure AD object id. Teams answers
   * 403 when the app is not installed for that user.
   */
  async openPersonalConversation(
    serviceUrl: string,
    tenantId: string | undefined,
    aadObjectId: string,
  ): Promise<Partial<ConversationReference>> {
    const parameters = {
      isGroup: false,
      bot: {
        id: this.botAppId ? `28:${this.botAppId}` : 'gallery-approvals',
        name: 'Gallery Approvals',
      },
      members: [{ id: aadObjectId, name: '' }],
      tenantId,
      channelData: { tenant: { id: tenantId } },
    } as unknown as ConversationParameters;

    let reference: Partial<ConversationReference> | undefined;
    try {
      await this.adapter.createConversationAsync(
        this.botAppId,
        'msteams',
        serviceUrl,
        '',
        parameters,
        async (context) => {
          reference = TurnContext.getConversationReference(context.activity);
        },
      );
    } catch (error) {
      throw asDeliveryError(error);
    }
    if (!reference)
      throw new DeliveryError(undefined, 'NoConversation', 'Teams returned no conversation.');
    return reference;
  }

  private async continue(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    try {
      await this.adapter.continueConversationAsync(this.botAppId, reference, logic);
    } catch (error) {
      throw asDeliveryError(error);
    }
  }
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const detail = error as ConnectorError & {
    response?: { status?: number };
    details?: { error?: { code?: string } };
  };
  const statusCode = detail.statusCode ?? detail.response?.status;
  const code =
    detail.details?.error?.code ??
    detail.code ??
    (statusCode ? `Http${statusCode}` : 'NetworkError');
  return new DeliveryError(statusCode, code, detail.message ?? String(error));
}
