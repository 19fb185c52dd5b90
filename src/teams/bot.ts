import { ActivityHandler, ActivityTypes, TurnContext, type InvokeResponse } from 'botbuilder';
import type { Logger } from 'pino';
import {
  cardAttachment,
  helpCard,
  imageListCard,
  noticeCard,
  statusListCard,
  type AdaptiveCard,
} from '../cards';
import { AzureCallError } from '../azure/errors';
import { InvalidGalleryIdError, parseGalleryId } from '../azure/gallery-id';
import { WorkflowError } from '../workflow/errors';
import type { Person, PublishRequest, RequestKind } from '../workflow/request';
import type { WorkflowService } from '../workflow/service';
import { REPORT_VERBS } from '../reports/report-card';
import type { WatchActions } from '../watch/watch-teams';
import type { ChannelCommands } from './channel-commands';
import { parseCommand } from './commands';
import type { ConversationDirectory } from './conversations';
import { personFromActivity } from './identity';
import type { RequestCards } from './request-cards';

export interface BotDependencies {
  workflow: WorkflowService;
  conversations: ConversationDirectory;
  requestCards: RequestCards;
  /** Channel subscriptions, abuse reports and the audit trail. */
  channelCommands: ChannelCommands;
  /** Actions of the card about a published gallery that changed after its approval. */
  watchActions?: WatchActions;
  defaultSubscriptionId?: string;
  /** Time after which a card action is answered with the current card; default 4.5 s. */
  invokeDeadlineInMs?: number;
  logger: Logger;
}

/** What a card action handler receives: the verified user and the action's data. */
interface ActionInput {
  context: TurnContext;
  person: Person;
  requestId: string;
  data: Record<string, unknown>;
  trigger: 'manual' | 'automatic';
  logger: Logger;
}

type ActionHandler = (input: ActionInput) => Promise<AdaptiveCard>;
type CommandHandler = (
  context: TurnContext,
  person: Person,
  args: string[],
  logger: Logger,
) => Promise<void>;

const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';

/**
 * Default time after which a card action is answered with the current card while it goes on.
 * NOTE: the sources checked state no limit for `adaptiveCard/action`; Teams gives message
 * extension invokes 5 seconds, so the bot answers before that.
 */
const DEFAULT_INVOKE_DEADLINE_IN_MS = 4500;
const MAX_REQUEST_ID_LENGTH = 64;

/**
 * The Teams surface: one table maps commands to handlers and one maps card verbs to handlers.
 * Card data is trusted for nothing but the request id; the user comes from the activity.
 */
export class GalleryApprovalsBot extends ActivityHandler {
  private readonly commands: Record<string, CommandHandler> = {
    publish: (context, person, args, logger) =>
      this.preview(context, person, args, 'publish', logger),
    unpublish: (context, person, args, logger) =>
      this.preview(context, person, args, 'unpublish', logger),
    status: (context, person, args) => this.status(context, person, args),
    subscribe: (context, person, args, logger) =>
      this.deps.channelCommands.subscribe(context, person, args, logger),
    unsubscribe: (context, person, args, logger) =>
      this.deps.channelCommands.unsubscribe(context, person, args, logger),
    report: (context, person, args) => this.deps.channelCommands.report(context, person, args),
    audit: (context, person, args) => this.deps.channelCommands.audit(context, person, args),
    help: async (context) => {
      await this.replyCard(context, helpCard());
    },
  };

  private readonly actions: Record<string, ActionHandler> = {
    [REPORT_VERBS.submit]: (input) => this.deps.channelCommands.submitReport(input),
    [REPORT_VERBS.acknowledge]: (input) => this.deps.channelCommands.acknowledgeReport(input),
    // The report card and the gallery change card share this verb; a change card names a change.
    [REPORT_VERBS.startUnpublish]: (input) =>
      this.deps.watchActions && typeof input.data.changeId === 'string'
        ? this.deps.watchActions.startUnpublish(input)
        : this.deps.channelCommands.startUnpublish(input),
    acknowledgeChange: (input) =>
      this.deps.watchActions?.acknowledge(input) ??
      Promise.resolve(noticeCard('Unknown action', 'Gallery changes are not watched.', 'error')),
    submitRequest: async ({ person, requestId, data }) => {
      const request = await this.deps.workflow.submit(
        requestId,
        person,
        stringField(data, 'justification'),
      );
      return this.deps.requestCards.render(request, 'requester');
    },
    approve: async ({ person, requestId }) => {
      const request = await this.deps.workflow.decide(requestId, person, 'approved');
      return this.deps.requestCards.render(request, 'approver');
    },
    deny: async ({ person, requestId, data }) => {
      const request = await this.deps.workflow.decide(
        requestId,
        person,
        'denied',
        stringField(data, 'reason'),
      );
      return this.deps.requestCards.render(request, 'approver');
    },
    cancelRequest: async ({ person, requestId }) => {
      const request = await this.deps.workflow.cancel(requestId, person);
      return this.deps.requestCards.render(request, 'requester');
    },
    retryShare: async ({ person, requestId }) => {
      const request = await this.deps.workflow.retry(requestId, person);
      const notice =
        request.state === 'sharing'
          ? { kind: 'info' as const, text: 'Sent the share request to Azure again.' }
          : undefined;
      return this.deps.requestCards.render(request, 'approver', { notice });
    },
    refreshRequest: async ({ context, person, requestId, data, trigger, logger }) => {
      const request = await this.deps.workflow.requests.get(requestId);
      if (data.view === 'newPreview' && trigger === 'manual') {
        return this.previewAgain(context, person, request, logger);
      }
      const page = Number(data.imagePage);
      if (Number.isInteger(page) && page >= 1) return imageListCard(request, page);
      return this.deps.requestCards.render(
        request,
        this.deps.requestCards.audienceFor(request, person),
      );
    },
  };

  constructor(private readonly deps: BotDependencies) {
    super();

    this.onMessage(async (context, next) => {
      const logger = this.turnLogger(context);
      await this.rememberConversation(context);
      if (context.activity.value && typeof context.activity.value === 'object') {
        await this.handleSubmitFallback(context, logger);
      } else {
        await this.handleCommand(context, logger);
      }
      await next();
    });
  }

  /**
   * Answers an `Action.Execute` click with a card, always with status 200: Teams sends an
   * invoke again when the answer is late or invalid, so even a failure is answered with a card.
   */
  protected async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== ADAPTIVE_CARD_ACTION) return super.onInvokeActivity(context);
    const logger = this.turnLogger(context);

    let card: AdaptiveCard;
    try {
      await this.rememberConversation(context);
      const value = (isRecord(context.activity.value) ? context.activity.value : {}) as {
        action?: { verb?: unknown; data?: unknown };
        trigger?: unknown;
      };
      const data = isRecord(value.action?.data) ? value.action.data : {};
      const verb =
        typeof value.action?.verb === 'string' ? value.action.verb : stringField(data, 'verb');
      const trigger = value.trigger === 'automatic' ? 'automatic' : 'manual';
      card = await this.runAction(context, verb, data, trigger, logger);
    } catch (error) {
      logger.error({ err: error }, 'card action failed before its handler ran');
      card = noticeCard(
        'Action failed',
        'Something went wrong on the bot. Try again; if it keeps failing, tell the bot owner.',
        'error',
      );
    }
    return {
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
    };
  }

  private async handleSubmitFallback(context: TurnContext, logger: Logger): Promise<void> {
    const data = context.activity.value as Record<string, unknown>;
    const card = await this.runAction(context, stringField(data, 'verb'), data, 'manual', logger);
    const replyToId = context.activity.replyToId;
    if (replyToId) {
      try {
        await context.updateActivity({
          id: replyToId,
          type: ActivityTypes.Message,
          attachments: [cardAttachment(card)],
        });
        return;
      } catch (error) {
        logger.warn(
          { err: error, activityId: replyToId },
          'updating the clicked card failed, replying instead',
        );
      }
    }
    await this.replyCard(context, card);
  }

  /** Runs a card action and returns the card to show; failures become a card, never a throw. */
  private async runAction(
    context: TurnContext,
    verb: string,
    data: Record<string, unknown>,
    trigger: 'manual' | 'automatic',
    logger: Logger,
  ): Promise<AdaptiveCard> {
    // An automatic refresh asks only for the user's view of the card, whatever verb it names.
    const action = trigger === 'automatic' ? 'refreshRequest' : verb;
    const handler = Object.prototype.hasOwnProperty.call(this.actions, action)
      ? this.actions[action]
      : undefined;
    if (!handler) {
      logger.warn({ verb: verb.slice(0, 100) }, 'card action with an unknown verb');
      return noticeCard(
        'Unknown action',
        'This card action is not one the bot knows. Send "help" for the commands.',
        'error',
      );
    }
    const person = personFromActivity(context.activity);
    if (!person) {
      return noticeCard(
        'Who are you?',
        'Teams did not say who clicked, so the bot cannot act on it.',
        'error',
      );
    }
    const requestId = stringField(data, 'requestId');
    // Report and gallery change actions name a report, a change or nothing, and their handlers
    // check that id themselves.
    const isReportAction =
      (Object.values(REPORT_VERBS) as string[]).includes(action) || action === 'acknowledgeChange';
    if (
      !isReportAction &&
      (!/^r-[a-z0-9]{1,40}$/.test(requestId) || requestId.length > MAX_REQUEST_ID_LENGTH)
    ) {
      return noticeCard(
        'Invalid card',
        'The card does not name a valid request. Ask for a new preview.',
        'error',
      );
    }

    const requestLogger = logger.child({ requestId, verb: action });
    const work = handler({ context, person, requestId, data, trigger, logger: requestLogger }).then(
      (card) => {
        requestLogger.info({ user: person.aadObjectId }, 'card action handled');
        return card;
      },
      (error: unknown) => this.failureCard(error, requestId, person, requestLogger),
    );
    return this.answerInTime(work, requestId, person, requestLogger);
  }

  /**
   * Returns the action's card, or the request's current card with a note once the invoke
   * deadline has passed; the action goes on, and the workflow updates the card
   * messages of the request when it changes them.
   */
  private async answerInTime(
    work: Promise<AdaptiveCard>,
    requestId: string,
    person: Person,
    logger: Logger,
  ): Promise<AdaptiveCard> {
    const deadlineInMs = this.deps.invokeDeadlineInMs ?? DEFAULT_INVOKE_DEADLINE_IN_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineInMs);
    });
    try {
      const first = await Promise.race([work, late]);
      if (first !== 'late') return first;
    } finally {
      clearTimeout(timer);
    }
    this.deps.workflow.track(work, { requestId });

    logger.warn({ deadlineInMs }, 'card action still running at the deadline');
    const request = await this.deps.workflow.requests.find(requestId).catch(() => undefined);
    const text = 'The bot is still working on this. The card changes when it is done.';
    if (!request) return noticeCard('Still working', text, 'info');
    return this.deps.requestCards.render(
      request,
      this.deps.requestCards.audienceFor(request, person),
      {
        notice: { kind: 'info', text },
      },
    );
  }

  private async failureCard(
    error: unknown,
    requestId: string,
    person: Person,
    logger: Logger,
  ): Promise<AdaptiveCard> {
    const text = userMessage(error);
    if (!text) {
      logger.error({ err: error }, 'card action failed');
    } else {
      logger.warn(
        { code: (error as { code?: string }).code, user: person.aadObjectId },
        'card action rejected',
      );
    }
    const request = await this.deps.workflow.requests.find(requestId).catch(() => undefined);
    const message =
      text ??
      'Something went wrong on the bot. Try again; if it keeps failing, tell the bot owner.';
    if (!request) return noticeCard('Action failed', message, 'error');
    const changes = error instanceof WorkflowError ? error.details.changes : undefined;
    return this.deps.requestCards.render(
      request,
      this.deps.requestCards.audienceFor(request, person),
      {
        notice: { kind: 'error', text: message },
        changes,
      },
    );
  }

  private async handleCommand(context: TurnContext, logger: Logger): Promise<void> {
    const { name, args } = parseCommand(context.activity.text);
    const handler = Object.prototype.hasOwnProperty.call(this.commands, name)
      ? this.commands[name]
      : undefined;
    if (!handler) {
      const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
      await this.replyCard(
        context,
        name === ''
          ? helpCard()
          : noticeCard(
              'Unknown command',
              `"${shown}" is not a command. Send "help" to see what the bot can do.`,
              'info',
            ),
      );
      return;
    }
    const person = personFromActivity(context.activity);
    if (!person) {
      await this.replyCard(
        context,
        noticeCard(
          'Who are you?',
          'Teams did not send your Azure AD identity, so the bot cannot act for you.',
          'error',
        ),
      );
      return;
    }
    try {
      await handler(context, person, args, logger.child({ command: name }));
    } catch (error) {
      const text = userMessage(error);
      if (!text) logger.error({ err: error, command: name }, 'command failed');
      await this.replyCard(
        context,
        noticeCard(
          'Command failed',
          text ?? 'Something went wrong on the bot. Try again later.',
          'error',
        ),
      );
    }
  }

  private async preview(
    context: TurnContext,
    person: Person,
    args: string[],
    kind: RequestKind,
    logger: Logger,
  ): Promise<void> {
    if (args.length === 0) {
      await this.replyCard(
        context,
        noticeCard(
          `Which gallery?`,
          `Give the gallery: ${kind} <resource id, resourceGroup/gallery or portal URL>.`,
          'info',
        ),
      );
      return;
    }
    const ref = parseGalleryId(args.join(' '), this.deps.defaultSubscriptionId);
    const request = await this.deps.workflow.preview(
      ref,
      kind,
      person,
      context.activity.conversation.id,
    );
    logger.info(
      { requestId: request.id, gallery: request.galleryKey, findings: request.findings.length },
      'preview shown',
    );
    const activityId = await this.replyCard(
      context,
      this.deps.requestCards.render(request, 'requester'),
    );
    await this.deps.workflow.addCards(request.id, [
      {
        audience: 'requester',
        conversationId: context.activity.conversation.id,
        activityId,
        serviceUrl: context.activity.serviceUrl,
        tenantId: context.activity.conversation.tenantId,
        aadObjectId: person.aadObjectId,
      },
    ]);
  }

  /**
   * Reads the gallery of an earlier request again into a new preview, shown in place of the
   * clicked card. Only the requester of the earlier request may.
   */
  private async previewAgain(
    context: TurnContext,
    person: Person,
    earlier: PublishRequest,
    logger: Logger,
  ): Promise<AdaptiveCard> {
    if (earlier.requester.aadObjectId !== person.aadObjectId) {
      return this.deps.requestCards.render(
        earlier,
        this.deps.requestCards.audienceFor(earlier, person),
        {
          notice: {
            kind: 'info',
            text: 'Only the requester can ask for a new preview of this gallery.',
          },
        },
      );
    }
    const request = await this.deps.workflow.preview(
      earlier.gallery,
      earlier.kind,
      person,
      context.activity.conversation.id,
    );
    logger.info({ previousRequestId: earlier.id, newRequestId: request.id }, 'preview shown again');

    // The clicked message now shows the new preview, so the earlier request must stop updating
    // it. A pending earlier request is cancelled: its approvers would otherwise review content
    // that is no longer what the requester wants published.
    if (context.activity.replyToId) {
      const card = {
        audience: 'requester' as const,
        conversationId: context.activity.conversation.id,
        activityId: context.activity.replyToId,
        serviceUrl: context.activity.serviceUrl,
        tenantId: context.activity.conversation.tenantId,
        aadObjectId: person.aadObjectId,
      };
      await this.deps.workflow.removeCards(earlier.id, [card]);
      await this.deps.workflow.addCards(request.id, [card]);
    }
    if (earlier.state === 'pending') {
      await this.deps.workflow.cancel(earlier.id, person);
      logger.info({ requestId: earlier.id }, 'earlier request cancelled for the new preview');
    }
    return this.deps.requestCards.render(request, 'requester');
  }

  private async status(context: TurnContext, person: Person, args: string[]): Promise<void> {
    const requestId = args[0];
    if (requestId) {
      const request = await this.deps.workflow.requests.get(requestId);
      await this.replyCard(
        context,
        this.deps.requestCards.render(request, this.deps.requestCards.audienceFor(request, person)),
      );
      return;
    }
    const open = await this.deps.workflow.requests.listOpen(person.aadObjectId);
    await this.replyCard(context, statusListCard(open));
  }

  private async replyCard(context: TurnContext, card: AdaptiveCard): Promise<string> {
    const response = await context.sendActivity({
      type: ActivityTypes.Message,
      attachments: [cardAttachment(card)],
    });
    return response?.id ?? '';
  }

  private async rememberConversation(context: TurnContext): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity);
    await this.deps.conversations.remember(reference, context.activity.from?.aadObjectId);
  }

  private turnLogger(context: TurnContext): Logger {
    return this.deps.logger.child({
      activityId: context.activity.id,
      conversationId: context.activity.conversation?.id,
    });
  }
}

/** Returns the message to show for an expected failure, or undefined for a bug. */
function userMessage(error: unknown): string | undefined {
  if (error instanceof WorkflowError) return error.message;
  if (error instanceof InvalidGalleryIdError) {
    return `${error.message}. Use a resource id, resourceGroup/gallery or the gallery's Azure portal URL.`;
  }
  if (error instanceof AzureCallError) return [error.message, error.fix].filter(Boolean).join(' ');
  return undefined;
}

function stringField(data: Record<string, unknown>, name: string): string {
  const value = data[name];
  return typeof value === 'string' ? value : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
