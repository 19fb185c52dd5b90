import type { ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { alwaysShownNotices } from '../azure/checks';
import { requestCard, type AdaptiveCard } from '../cards';
import type { CardMessage, PublishRequest } from '../workflow/request';
import type { WorkflowService } from '../workflow/service';
import type { ConversationDirectory } from './conversations';
import { DeliveryError, type TeamsMessenger } from './messenger';

export interface RequestCardsOptions {
  allowSelfApproval: boolean;
}

/**
 * Keeps every card of a request in step with it: delivers the approval card to each approver
 * when a request becomes pending, and re-renders every stored card message on each change.
 */
export class RequestCards {
  constructor(
    private readonly workflow: WorkflowService,
    private readonly conversations: ConversationDirectory,
    private readonly messenger: TeamsMessenger,
    private readonly options: RequestCardsOptions,
    private readonly logger: Logger,
  ) {}

  render(
    request: PublishRequest,
    audience: CardMessage['audience'],
    extra: Partial<Parameters<typeof requestCard>[1]> = {},
  ): AdaptiveCard {
    return requestCard(request, {
      audience,
      allowSelfApproval: this.options.allowSelfApproval,
      notices: request.kind === 'publish' ? alwaysShownNotices(request.snapshot) : undefined,
      ...extra,
    });
  }

  /** Workflow listener: updates every card of the request, then delivers approval cards. */
  readonly onChange = async (request: PublishRequest): Promise<void> => {
    await this.updateAll(request);
    if (
      request.state === 'pending' &&
      !request.cards.some((card) => card.audience === 'approver')
    ) {
      await this.deliverToApprovers(request);
    }
  };

  async updateAll(request: PublishRequest, except?: { activityId?: string }): Promise<void> {
    for (const card of request.cards) {
      if (except?.activityId && card.activityId === except.activityId) continue;
      const reference = await this.conversations.forConversation(card.conversationId);
      const target = reference ?? referenceFor(card);
      try {
        await this.messenger.updateCard(
          target,
          card.activityId,
          this.render(request, card.audience),
        );
      } catch (error) {
        this.logger.warn(
          {
            err: error,
            requestId: request.id,
            conversationId: card.conversationId,
            activityId: card.activityId,
          },
          'updating a card failed',
        );
      }
    }
  }

  /**
   * Sends the approval card to each user approver in their 1:1 chat: the stored reference
   * from an earlier contact, else a conversation created by Azure AD object id. A 403 means
   * the app is not installed for that user; it is reported to the requester, not retried.
   */
  async deliverToApprovers(request: PublishRequest): Promise<void> {
    const requesterReference = await this.conversations.forConversation(
      request.requesterConversationId,
    );
    const serviceUrl = requesterReference?.serviceUrl;
    const tenantId = requesterReference?.conversation?.tenantId;
    const delivered: CardMessage[] = [];
    const unreachable: string[] = [];

    for (const approver of request.approvers) {
      if (approver.principalType !== 'User') continue;
      if (approver.principalId === request.requester.aadObjectId && !this.options.allowSelfApproval)
        continue;
      const name = approver.displayName ?? approver.principalId;
      try {
        let reference = await this.conversations.forUser(approver.principalId);
        if (!reference) {
          if (!serviceUrl)
            throw new DeliveryError(undefined, 'NoServiceUrl', 'no Teams endpoint is known');
          reference = await this.messenger.openPersonalConversation(
            serviceUrl,
            tenantId,
            approver.principalId,
          );
          await this.conversations.remember(reference, approver.principalId);
        }
        const activityId = await this.messenger.sendCard(
          reference,
          this.render(request, 'approver'),
        );
        delivered.push({
          audience: 'approver',
          conversationId: reference.conversation?.id ?? '',
          activityId,
          serviceUrl: reference.serviceUrl ?? serviceUrl ?? '',
          tenantId,
          aadObjectId: approver.principalId,
        });
      } catch (error) {
        const code = error instanceof DeliveryError ? error.code : 'Error';
        this.logger.warn(
          { err: error, requestId: request.id, approver: approver.principalId, code },
          'approval card not delivered',
        );
        unreachable.push(
          error instanceof DeliveryError && error.statusCode === 403
            ? `${name} (the app is not installed for them)`
            : name,
        );
      }
    }

    if (delivered.length > 0) await this.workflow.addCards(request.id, delivered);
    if (delivered.length === 0 && requesterReference) {
      const names = request.approvers.map(
        (approver) => approver.displayName ?? approver.principalId,
      );
      await this.messenger.sendCard(
        requesterReference,
        this.render(request, 'requester', {
          notice: {
            kind: 'warning',
            text:
              names.length === 0
                ? 'Nobody holds Owner or Compute Gallery Sharing Admin on this gallery, so nobody can approve it.'
                : `No approver could be reached in Teams. Ask one of them to approve: ${names.join(', ')}.`,
          },
        }),
      );
    } else if (unreachable.length > 0) {
      this.logger.info(
        { requestId: request.id, unreachable },
        'some approvers could not be reached',
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
