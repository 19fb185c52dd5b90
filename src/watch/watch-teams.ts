import { ActivityTypes, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { cardAttachment, noticeCard } from '../cards';
import type { AdaptiveCard } from '../cards/adaptive-card';
import { watchCard } from '../cards/watch-card';
import type { ChannelActionInput } from '../teams/channel-commands';
import type { ConversationDirectory } from '../teams/conversations';
import type { Outbox } from '../teams/outbox';
import type { RequestCards } from '../teams/request-cards';
import type { SubscriptionDirectory } from '../teams/subscriptions';
import { WorkflowError } from '../workflow/errors';
import type { PublishRequest } from '../workflow/request';
import type { WorkflowService } from '../workflow/service';
import type { GalleryWatch, WatchNotifier } from './gallery-watch';
import type { WatchChange } from './watch-records';

const CHANGE_ID_PATTERN = /^w-[0-9a-f]{24}$/;

/** Unpublish requests in these states are still open, so the card starts no second one. */
const OPEN_STATES = new Set(['draft', 'pending', 'approved', 'sharing']);

export interface WatchTeamsDependencies {
  outbox: Outbox;
  subscriptions: SubscriptionDirectory;
  conversations: ConversationDirectory;
  logger: Logger;
}

/**
 * Posts a detected change to every channel subscribed to approvals and to the 1:1 chats where
 * the original approvers got the approval card. Outbox entry ids derive from the change id, so
 * each destination gets the card once.
 */
export class WatchNotifications implements WatchNotifier {
  constructor(private readonly deps: WatchTeamsDependencies) {}

  async changeDetected(change: WatchChange, request: PublishRequest): Promise<void> {
    // NOTE: the posted copies are not updated later. After an acknowledgement only the clicked
    // card changes, and a click on another copy returns the acknowledged card without a write.
    const card = watchCard(change);
    let queued = 0;
    for (const subscription of await this.deps.subscriptions.list('approvals')) {
      const added = await this.deps.outbox.enqueue(
        `watch:${change.id}:${subscription.channelId}`,
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
    const approverCards = request.cards.filter((message) => message.audience === 'approver');
    for (const message of approverCards) {
      const reference: Partial<ConversationReference> =
        (await this.deps.conversations.forConversation(message.conversationId)) ?? {
          channelId: 'msteams',
          serviceUrl: message.serviceUrl,
          conversation: {
            id: message.conversationId,
            tenantId: message.tenantId,
          } as ConversationReference['conversation'],
        };
      const added = await this.deps.outbox.enqueue(
        `watch:${change.id}:${message.conversationId}`,
        { kind: 'conversation', reference },
        { card },
      );
      if (added) queued += 1;
    }
    this.deps.logger.info({ changeId: change.id, destinations: queued }, 'gallery change queued');
  }
}

export interface WatchActionsDependencies {
  watch: GalleryWatch;
  workflow: WorkflowService;
  requestCards: RequestCards;
}

/** The card actions of the gallery change card; the bot's verb table routes to them. */
export class WatchActions {
  constructor(private readonly deps: WatchActionsDependencies) {}

  /** Returns whether a card action names a gallery change rather than an abuse report. */
  static isChangeAction(data: Record<string, unknown>): boolean {
    return typeof data.changeId === 'string';
  }

  /** `acknowledgeChange`: records the change's content as approved, after the approval checks. */
  async acknowledge({ person, data, logger }: ChannelActionInput): Promise<AdaptiveCard> {
    const changeId = changeIdOf(data);
    if (!changeId) return invalidChangeCard();
    try {
      const change = await this.deps.watch.acknowledge(changeId, person);
      return watchCard(change, {
        notice: { kind: 'good', text: 'Recorded as the approved content of the gallery.' },
      });
    } catch (error) {
      return this.failureCard(error, changeId, logger);
    }
  }

  /**
   * `startUnpublish` from a change card: opens an unpublish preview of the gallery with the
   * clicking user as requester, posts its card in the conversation and links it to the change.
   */
  async startUnpublish({
    context,
    person,
    data,
    logger,
  }: ChannelActionInput): Promise<AdaptiveCard> {
    const changeId = changeIdOf(data);
    if (!changeId) return invalidChangeCard();
    try {
      const change = await this.deps.watch.getChange(changeId);
      if (!change) return invalidChangeCard();
      for (const requestId of change.unpublishRequestIds) {
        const open = await this.deps.workflow.requests.find(requestId);
        if (open && OPEN_STATES.has(open.state)) {
          return watchCard(change, {
            notice: {
              kind: 'accent',
              text: `Unpublish request ${open.id} is already ${open.state}.`,
            },
          });
        }
      }

      const activity = context.activity;
      const request = await this.deps.workflow.preview(
        change.gallery,
        'unpublish',
        person,
        activity.conversation.id,
      );
      const response = await context.sendActivity({
        type: ActivityTypes.Message,
        attachments: [cardAttachment(this.deps.requestCards.render(request, 'requester'))],
      });
      await this.deps.workflow.addCards(request.id, [
        {
          audience: 'requester',
          conversationId: activity.conversation.id,
          activityId: response?.id ?? '',
          serviceUrl: activity.serviceUrl,
          tenantId: activity.conversation.tenantId,
          aadObjectId: person.aadObjectId,
        },
      ]);
      const linked = await this.deps.watch.linkUnpublish(changeId, request.id);
      logger.info({ changeId, requestId: request.id }, 'unpublish request started from a change');
      return watchCard(linked, {
        notice: {
          kind: 'accent',
          text: `Unpublish request ${request.id} started. Submit it from its card.`,
        },
      });
    } catch (error) {
      return this.failureCard(error, changeId, logger);
    }
  }

  private async failureCard(
    error: unknown,
    changeId: string,
    logger: Logger,
  ): Promise<AdaptiveCard> {
    if (!(error instanceof WorkflowError)) {
      logger.error({ err: error, changeId }, 'gallery change action failed');
      return noticeCard(
        'Action failed',
        'Something went wrong on the bot. Try again; if it keeps failing, tell the bot owner.',
        'error',
      );
    }
    logger.warn({ code: error.code, changeId }, 'gallery change action rejected');
    const change = await this.deps.watch.getChange(changeId).catch(() => undefined);
    if (!change) return noticeCard('Action failed', error.message, 'error');
    return watchCard(change, { notice: { kind: 'attention', text: error.message } });
  }
}

function changeIdOf(data: Record<string, unknown>): string | undefined {
  const value = data.changeId;
  return typeof value === 'string' && CHANGE_ID_PATTERN.test(value) ? value : undefined;
}

function invalidChangeCard(): AdaptiveCard {
  return noticeCard('Invalid card', 'The card does not name a known gallery change.', 'error');
}
