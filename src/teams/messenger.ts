import {
  ActivityTypes,
  TurnContext,
  type CloudAdapter,
  type ConversationParameters,
  type Entity,
  type ConversationReference,
} from 'botbuilder';
import { cardAttachment, type AdaptiveCard } from '../cards';

/** Teams' Bot Connector error, as botbuilder surfaces it. */
interface ConnectorError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** A user to @mention in a channel post: the Teams user id (`29:…`) and the name shown. */
export interface Mention {
  teamsUserId: string;
  name: string;
}

/** A team channel to post a new thread in, as a channel subscription stores it. */
export interface ChannelTarget {
  serviceUrl: string;
  tenantId?: string;
  /** `19:…@thread.tacv2`, without a `;messageid=` suffix. */
  channelId: string;
  teamId?: string;
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
 * Proactive sends and in-place updates through the Bot Connector. Together with the activity
 * handler and the server, the only code that imports botbuilder.
 */
export class TeamsMessenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
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

  /**
   * Replaces the card of a message, and its mentions when given, since an update replaces the
   * whole message. A deleted message (404) is logged and skipped.
   */
  async updateCard(
    reference: Partial<ConversationReference>,
    activityId: string,
    card: AdaptiveCard,
    mentions: Mention[] = [],
  ): Promise<void> {
    await this.continue(reference, async (context) => {
      await context.updateActivity({
        id: activityId,
        type: ActivityTypes.Message,
        ...mentionFields(mentions),
        attachments: [cardAttachment(card)],
      });
    });
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
      bot: this.botAccount(),
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
    if (!reference?.conversation)
      throw new DeliveryError(undefined, 'NoConversation', 'Teams returned no conversation.');
    // botbuilder leaves the type of a created conversation unset; stored as personal, the
    // reference is found by the user's object id next time.
    reference.conversation.conversationType = 'personal';
    return reference;
  }

  /**
   * Posts a card as a new thread in a team channel, with the given users @mentioned, and
   * returns the thread's conversation reference and the id of its first message.
   */
  async postToChannel(
    target: ChannelTarget,
    card: AdaptiveCard,
    mentions: Mention[],
  ): Promise<{ reference: Partial<ConversationReference>; activityId: string }> {
    const parameters = {
      isGroup: true,
      bot: this.botAccount(),
      tenantId: target.tenantId,
      channelData: {
        channel: { id: target.channelId },
        ...(target.teamId ? { team: { id: target.teamId } } : {}),
        tenant: { id: target.tenantId },
      },
      activity: {
        type: ActivityTypes.Message,
        ...mentionFields(mentions),
        attachments: [cardAttachment(card)],
      },
    } as unknown as ConversationParameters;

    let reference: Partial<ConversationReference> | undefined;
    try {
      await this.adapter.createConversationAsync(
        this.botAppId,
        'msteams',
        target.serviceUrl,
        '',
        parameters,
        async (context) => {
          reference = TurnContext.getConversationReference(context.activity);
        },
      );
    } catch (error) {
      throw asDeliveryError(error);
    }

    // A channel thread's conversation id is `{channel id};messageid={id of its first message}`,
    // and botbuilder passes only the conversation id to the callback.
    const conversationId = reference?.conversation?.id ?? '';
    const activityId = /;messageid=(.+)$/.exec(conversationId)?.[1];
    if (!reference || !activityId) {
      throw new DeliveryError(
        undefined,
        'NoConversation',
        `Teams returned no thread id for channel ${target.channelId}.`,
      );
    }
    return { reference, activityId };
  }

  private botAccount(): { id: string; name: string } {
    return {
      id: this.botAppId ? `28:${this.botAppId}` : 'gallery-approvals',
      name: 'Gallery Approvals',
    };
  }

  /**
   * Runs `logic` in a proactive turn and raises what it raised. The adapter hands an error
   * thrown inside a turn to its `onTurnError` handler instead of to the caller, so the error
   * is caught inside the turn and raised again after it.
   */
  private async continue(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
        try {
          await logic(context);
        } catch (error) {
          failure = { error };
        }
      });
    } catch (error) {
      throw asDeliveryError(error);
    }
    if (failure) throw asDeliveryError(failure.error);
  }
}

/**
 * Builds the text and entities that @mention users: Teams notifies each user whose
 * `<at>name</at>` in the text matches a `mention` entity with their Teams user id.
 */
function mentionFields(mentions: Mention[]): { text?: string; entities?: Entity[] } {
  if (mentions.length === 0) return {};
  const tags = mentions.map((mention) => `<at>${escapeHtml(mention.name)}</at>`);
  return {
    text: `Approval requested from ${tags.join(', ')}.`,
    entities: mentions.map((mention, index) => ({
      type: 'mention',
      text: tags[index],
      mentioned: { id: mention.teamsUserId, name: mention.name },
    })),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
