import type { ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import {
  MAX_REFRESH_USER_IDS,
  noticeCard,
  requestCard,
  type AdaptiveCard,
  type CardAudience,
  type RequestCardOptions,
} from '../cards';
import type { Approver, CardMessage, Person, PublishRequest } from '../workflow/request';
import type { WorkflowService } from '../workflow/service';
import type { ConversationDirectory } from './conversations';
import { DeliveryError, type Mention, type TeamsMessenger } from './messenger';
import type { ChannelSubscription, SubscriptionDirectory } from './subscriptions';

export interface RequestCardsOptions {
  allowSelfApproval: boolean;
  /** Channels subscribed to approvals; without it approval cards go to 1:1 chats only. */
  subscriptions?: SubscriptionDirectory;
}

/** An approver the approval card did not reach, with the reason shown to the requester. */
interface Unreached {
  name: string;
  reason?: string;
}

/**
 * Keeps every card of a request in step with it: sends the approval card to each approver's
 * 1:1 chat and to the subscribed approvals channels when a request becomes pending, and
 * renders every stored card message again on each change.
 */
export class RequestCards {
  constructor(
    private readonly workflow: WorkflowService,
    private readonly conversations: ConversationDirectory,
    private readonly messenger: TeamsMessenger,
    private readonly options: RequestCardsOptions,
    private readonly logger: Logger,
  ) {}

  /** Renders a request for an audience; a stored metadata change is shown on every card. */
  render(
    request: PublishRequest,
    audience: CardAudience,
    extra: Partial<RequestCardOptions> = {},
  ): AdaptiveCard {
    const changes =
      request.state === 'pending' || request.state === 'failed'
        ? request.metadataChange?.changes
        : undefined;
    return requestCard(request, {
      audience,
      allowSelfApproval: this.options.allowSelfApproval,
      changes,
      ...extra,
    });
  }

  /**
   * Picks the view of a request for a user: users who may decide get Approve and Deny, the
   * requester gets the status and Cancel, and everyone else gets the status.
   */
  audienceFor(request: PublishRequest, person: Person): CardAudience {
    const isRequester = request.requester.aadObjectId === person.aadObjectId;
    if (isRequester && !this.options.allowSelfApproval) return 'requester';
    if (this.canDecide(request, person.aadObjectId)) return 'approver';
    return isRequester ? 'requester' : 'channel';
  }

  /** Workflow listener: updates every card of the request, then sends the approval cards. */
  readonly onChange = async (request: PublishRequest): Promise<void> => {
    await this.updateAll(request);
    if (request.state === 'pending' && !request.approvalCardsSentAt) {
      await this.deliver(request);
    }
  };

  /** Renders every card message of the request again; failures are logged and skipped. */
  async updateAll(request: PublishRequest): Promise<void> {
    const hasChannelCard = request.cards.some((card) => card.audience === 'channel');
    const mentions = hasChannelCard ? await this.approverMentions(request) : [];
    const gone: CardMessage[] = [];

    for (const card of request.cards) {
      const reference = await this.conversations.forConversation(card.conversationId);
      const content = this.render(request, card.audience, {
        approverTeamsUserIds: mentions.map((mention) => mention.teamsUserId),
      });
      const cardMentions =
        card.audience === 'channel' && request.state === 'pending' ? mentions : [];
      const ids = {
        requestId: request.id,
        conversationId: card.conversationId,
        activityId: card.activityId,
      };
      try {
        await this.messenger.updateCard(
          reference ?? referenceFor(card),
          card.activityId,
          content,
          cardMentions,
        );
      } catch (error) {
        // 404: the message was deleted. 403: the user blocked the bot or removed it from the
        // conversation. Teams will refuse every later update too, so the card is forgotten.
        if (
          error instanceof DeliveryError &&
          (error.statusCode === 404 || error.statusCode === 403)
        ) {
          this.logger.warn(
            { ...ids, statusCode: error.statusCode, code: error.code },
            'card message can no longer be updated, so it is no longer tracked',
          );
          gone.push(card);
          continue;
        }
        this.logger.warn({ err: error, ...ids }, 'updating a card failed');
      }
    }
    if (gone.length > 0) await this.workflow.removeCards(request.id, gone);
  }

  /**
   * Sends the approval card once per request: to each approver's 1:1 chat and to every
   * subscribed approvals channel, then sends the requester a notice about approvers it missed.
   */
  async deliver(request: PublishRequest): Promise<void> {
    if (!(await this.workflow.claimApprovalDelivery(request.id))) return;

    const requesterReference = await this.conversations.forConversation(
      request.requesterConversationId,
    );
    const personal = await this.sendToApprovers(request, requesterReference);
    const channels = await this.postToChannels(request);
    const cards = [...personal.delivered, ...channels];
    if (cards.length > 0) await this.workflow.addCards(request.id, cards);

    this.logger.info(
      {
        requestId: request.id,
        personal: personal.delivered.length,
        channels: channels.length,
        unreached: personal.unreached.length,
      },
      'approval cards sent',
    );
    await this.reportDelivery(request, requesterReference, personal, channels.length);
  }

  /**
   * Sends the approval card to each user who may approve, in their 1:1 chat: the stored
   * reference from an earlier contact, else a conversation created by Azure AD object id.
   * Teams returns 403 when the app is not installed for the user, which is reported, not
   * retried.
   */
  private async sendToApprovers(
    request: PublishRequest,
    requesterReference: Partial<ConversationReference> | undefined,
  ): Promise<{ delivered: CardMessage[]; unreached: Unreached[] }> {
    const delivered: CardMessage[] = [];
    const unreached: Unreached[] = [];
    const card = this.render(request, 'approver');

    for (const approver of this.clickingApprovers(request)) {
      const name = approver.displayName ?? approver.principalId;
      try {
        const reference = await this.sendPersonal(approver, card, requesterReference);
        delivered.push({
          audience: 'approver',
          conversationId: reference.conversation.id,
          activityId: reference.activityId,
          serviceUrl: reference.serviceUrl,
          tenantId: reference.conversation.tenantId,
          aadObjectId: approver.principalId,
        });
      } catch (error) {
        const code = error instanceof DeliveryError ? error.code : 'Error';
        this.logger.warn(
          { err: error, requestId: request.id, approver: approver.principalId, code },
          'approval card not delivered',
        );
        const notInstalled = error instanceof DeliveryError && error.statusCode === 403;
        unreached.push({
          name,
          reason: notInstalled ? 'the app is not installed for them' : undefined,
        });
      }
    }
    return { delivered, unreached };
  }

  private async sendPersonal(
    approver: Approver,
    card: AdaptiveCard,
    requesterReference: Partial<ConversationReference> | undefined,
  ): Promise<{
    conversation: { id: string; tenantId?: string };
    serviceUrl: string;
    activityId: string;
  }> {
    const stored = await this.conversations.forUser(approver.principalId);
    if (stored?.conversation?.id && stored.serviceUrl) {
      try {
        const activityId = await this.messenger.sendCard(stored, card);
        return { conversation: stored.conversation, serviceUrl: stored.serviceUrl, activityId };
      } catch (error) {
        // The stored chat may be gone (the app was removed and installed again), so the chat
        // is created again below; any other failure is final.
        if (!(error instanceof DeliveryError && [403, 404].includes(error.statusCode ?? 0))) {
          throw error;
        }
        this.logger.info(
          { err: error, approver: approver.principalId, conversationId: stored.conversation.id },
          'stored 1:1 chat rejected the approval card, creating the chat again',
        );
      }
    }

    const serviceUrl = stored?.serviceUrl ?? requesterReference?.serviceUrl;
    if (!serviceUrl) {
      throw new DeliveryError(undefined, 'NoServiceUrl', 'no Teams endpoint is known');
    }
    const tenantId = requesterReference?.conversation?.tenantId;
    const created = await this.messenger.openPersonalConversation(
      serviceUrl,
      tenantId,
      approver.principalId,
    );
    await this.conversations.remember(created, approver.principalId);
    const activityId = await this.messenger.sendCard(created, card);
    return {
      conversation: { id: created.conversation?.id ?? '', tenantId },
      serviceUrl,
      activityId,
    };
  }

  /** Posts the approval card as a new thread in each channel subscribed to approvals. */
  private async postToChannels(request: PublishRequest): Promise<CardMessage[]> {
    const subscriptions = (await this.options.subscriptions?.list('approvals')) ?? [];
    if (subscriptions.length === 0) return [];

    const mentions = await this.approverMentions(request);
    const card = this.render(request, 'channel', {
      approverTeamsUserIds: mentions.map((mention) => mention.teamsUserId),
    });
    const posted: CardMessage[] = [];
    for (const subscription of subscriptions) {
      const message = await this.postToChannel(request, subscription, card, mentions);
      if (message) posted.push(message);
    }
    return posted;
  }

  private async postToChannel(
    request: PublishRequest,
    subscription: ChannelSubscription,
    card: AdaptiveCard,
    mentions: Mention[],
  ): Promise<CardMessage | undefined> {
    const serviceUrl = subscription.reference.serviceUrl;
    const tenantId = subscription.reference.conversation?.tenantId;
    if (!serviceUrl) {
      this.logger.warn(
        { requestId: request.id, channelId: subscription.channelId },
        'approvals channel has no Teams endpoint, skipped',
      );
      return undefined;
    }
    try {
      const { reference, activityId } = await this.messenger.postToChannel(
        { serviceUrl, tenantId, channelId: subscription.channelId, teamId: subscription.teamId },
        card,
        mentions,
      );
      await this.conversations.remember(reference);
      return {
        audience: 'channel',
        conversationId: reference.conversation?.id ?? '',
        activityId,
        serviceUrl,
        tenantId,
      };
    } catch (error) {
      const statusCode = error instanceof DeliveryError ? error.statusCode : undefined;
      this.logger.warn(
        { err: error, requestId: request.id, channelId: subscription.channelId, statusCode },
        'posting the approval card to a channel failed',
      );
      if (statusCode === 403 || statusCode === 404) {
        await this.options.subscriptions?.markBroken(
          'approvals',
          subscription.channelId,
          `Teams returned ${statusCode} (${(error as DeliveryError).code}) for a post`,
        );
      }
      return undefined;
    }
  }

  /** Sends the requester a notice naming the approvers the card missed, or all when it missed all. */
  private async reportDelivery(
    request: PublishRequest,
    requesterReference: Partial<ConversationReference> | undefined,
    personal: { delivered: CardMessage[]; unreached: Unreached[] },
    channelCount: number,
  ): Promise<void> {
    let notice: AdaptiveCard | undefined;
    if (personal.delivered.length === 0) {
      const approvers = request.approvers.filter(
        (approver) =>
          this.options.allowSelfApproval || approver.principalId !== request.requester.aadObjectId,
      );
      notice = noticeCard(
        'No approver was reached',
        nobodyReachedText(approvers, channelCount),
        'warning',
      );
    } else if (personal.unreached.length > 0) {
      notice = noticeCard(
        'Some approvers were not reached',
        `The approval card reached ${personal.delivered.length} approver(s) in Teams. ` +
          `Not reached: ${personal.unreached.map(describeUnreached).join(', ')}.`,
        'info',
      );
    }
    if (!notice) return;
    if (!requesterReference) {
      this.logger.warn({ requestId: request.id }, 'no conversation to tell the requester in');
      return;
    }
    try {
      await this.messenger.sendCard(requesterReference, notice);
    } catch (error) {
      this.logger.warn({ err: error, requestId: request.id }, 'telling the requester failed');
    }
  }

  /** Lists the approvers who may click: users, without the requester unless self-approval. */
  private clickingApprovers(request: PublishRequest): Approver[] {
    return request.approvers.filter(
      (approver) =>
        approver.principalType === 'User' &&
        (this.options.allowSelfApproval || approver.principalId !== request.requester.aadObjectId),
    );
  }

  private canDecide(request: PublishRequest, aadObjectId: string): boolean {
    return this.clickingApprovers(request).some(
      (approver) => approver.principalId.toLowerCase() === aadObjectId.toLowerCase(),
    );
  }

  /**
   * Returns the approvers whose Teams user id is in a stored 1:1 chat reference, at most
   * `MAX_REFRESH_USER_IDS`, because `refresh.userIds` takes no more. Others are not mentioned.
   */
  private async approverMentions(request: PublishRequest): Promise<Mention[]> {
    const mentions: Mention[] = [];
    for (const approver of this.clickingApprovers(request)) {
      if (mentions.length >= MAX_REFRESH_USER_IDS) break;
      const user = (await this.conversations.forUser(approver.principalId))?.user;
      if (!user?.id?.startsWith('29:')) continue;
      mentions.push({
        teamsUserId: user.id,
        name: approver.displayName ?? user.name ?? approver.principalId,
      });
    }
    return mentions;
  }
}

function nobodyReachedText(approvers: Approver[], channelCount: number): string {
  if (approvers.length === 0) {
    return (
      'Nobody can approve this request: that needs Owner, Compute Gallery Sharing Admin or ' +
      'another role that may share the gallery, held by someone other than the requester. ' +
      'Ask an Owner of the subscription to assign one.'
    );
  }
  const names = approvers.map(describeApprover).join(', ');
  const channel =
    channelCount > 0 ? ` The request was posted to ${channelCount} approvals channel(s).` : '';
  return `No approver could be reached in a 1:1 chat.${channel} Ask one of them to approve: ${names}.`;
}

function describeApprover(approver: Approver): string {
  const name = approver.displayName ?? approver.principalId;
  if (approver.principalType === 'Group') return `${name} (group)`;
  if (approver.principalType === 'ServicePrincipal') return `${name} (service principal)`;
  return name;
}

function describeUnreached(unreached: Unreached): string {
  return unreached.reason ? `${unreached.name} (${unreached.reason})` : unreached.name;
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
