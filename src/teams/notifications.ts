import type { ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { noticeCard } from '../cards';
import { formatTime } from '../cards/text';
import { announcementCard } from '../reports/announcement-card';
import type { HousekeepingNotifier } from '../workflow/housekeeping';
import type { CardMessage, PublishRequest } from '../workflow/request';
import type { ConversationDirectory } from './conversations';
import type { Outbox } from './outbox';
import {
  SUBSCRIPTION_TOPICS,
  type ChannelSubscription,
  type SubscriptionDirectory,
} from './subscriptions';

export interface TeamsNotificationsDependencies {
  outbox: Outbox;
  subscriptions: SubscriptionDirectory;
  conversations: ConversationDirectory;
  logger: Logger;
}

/**
 * Proactive messages about requests, all sent through the outbox: the announcement to the
 * subscribed channels when a gallery's sharing changed, the expiry notice to the requester and
 * the reminder to the approvers. Outbox entry ids are derived from the request, so a message is
 * queued once even if the same change is reported twice.
 */
export class TeamsNotifications implements HousekeepingNotifier {
  constructor(private readonly deps: TeamsNotificationsDependencies) {}

  /** Workflow listener: announces a finished publish or unpublish to subscribed channels. */
  readonly onRequestChange = async (request: PublishRequest): Promise<void> => {
    if (request.state !== 'shared') return;

    const channels = new Map<string, ChannelSubscription>();
    for (const topic of SUBSCRIPTION_TOPICS) {
      for (const subscription of await this.deps.subscriptions.list(topic)) {
        if (!channels.has(subscription.channelId)) {
          channels.set(subscription.channelId, subscription);
        }
      }
    }
    const card = announcementCard(request);
    let queued = 0;
    for (const subscription of channels.values()) {
      const added = await this.deps.outbox.enqueue(
        `announce:${request.id}:${subscription.channelId}`,
        {
          kind: 'channel',
          reference: subscription.reference,
          channelId: subscription.channelId,
          topic: subscription.topic,
        },
        { card },
      );
      if (added) queued += 1;
    }
    // The workflow may report the same final state more than once, so only new entries are logged.
    if (queued > 0) {
      this.deps.logger.info(
        { requestId: request.id, kind: request.kind, channels: queued },
        'announcement queued',
      );
    }
  };

  async requestExpired(request: PublishRequest): Promise<void> {
    const reference = await this.deps.conversations.forConversation(
      request.requesterConversationId,
    );
    if (!reference) {
      this.deps.logger.warn(
        { requestId: request.id },
        'requester conversation unknown, expiry not sent',
      );
      return;
    }
    const verb = request.kind === 'publish' ? 'publish' : 'unpublish';
    const card = noticeCard(
      'Request expired',
      `Request ${request.id} for gallery ${request.gallery.galleryName} expired at ` +
        `${formatTime(request.expiresAt ?? request.updatedAt)} without a decision, so nothing ` +
        `changed. To ask again, send "${verb} ${request.gallery.resourceGroup}/` +
        `${request.gallery.galleryName}".`,
      'warning',
    );
    await this.deps.outbox.enqueue(
      `expired:${request.id}`,
      { kind: 'conversation', reference },
      { card },
    );
  }

  async remindApprovers(request: PublishRequest): Promise<void> {
    const name = request.gallery.galleryName;
    const action =
      request.kind === 'publish' ? `make gallery ${name} public` : `stop public sharing of ${name}`;
    const card = noticeCard(
      'Reminder: a request waits for your decision',
      `Request ${request.id} to ${action} has waited ` +
        `since ${formatTime(request.submittedAt ?? request.createdAt)}. It expires at ` +
        `${formatTime(request.expiresAt)}. Approve or deny it on its card, or send ` +
        `"status ${request.id}" to see it again.`,
      'warning',
    );
    const approverCards = request.cards.filter(
      (cardMessage) => cardMessage.audience === 'approver',
    );
    for (const cardMessage of approverCards) {
      const reference =
        (await this.deps.conversations.forConversation(cardMessage.conversationId)) ??
        referenceFor(cardMessage);
      await this.deps.outbox.enqueue(
        `remind:${request.id}:${cardMessage.conversationId}`,
        { kind: 'conversation', reference },
        { card },
      );
    }
  }
}

function referenceFor(card: CardMessage): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: card.serviceUrl,
    conversation: {
      id: card.conversationId,
      tenantId: card.tenantId,
    } as ConversationReference['conversation'],
  };
}
