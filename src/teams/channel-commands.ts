import { ActivityTypes, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { cardAttachment, noticeCard, type AdaptiveCard } from '../cards';
import { personName } from '../cards/view-parts';
import { auditCard } from '../reports/audit-card';
import { listAuditTrail, parseAuditSubject, type AuditSubject } from '../reports/audit-trail';
import { REPORT_ID_PATTERN } from '../reports/report';
import { InvalidReportError, parseFormReport } from '../reports/report-input';
import { reportFormCard, type ReportFormValues } from '../reports/report-form-card';
import { ReportError } from '../reports/report-repository';
import type { ReportService, SubmitResult } from '../reports/report-service';
import type { Store } from '../store/port';
import type { Person } from '../workflow/request';
import type { WorkflowService } from '../workflow/service';
import type { RequestCards } from './request-cards';
import {
  SUBSCRIPTION_TOPICS,
  type SubscriptionDirectory,
  type SubscriptionTopic,
} from './subscriptions';

export interface ChannelCommandsDependencies {
  subscriptions: SubscriptionDirectory;
  reports: ReportService;
  workflow: WorkflowService;
  requestCards: RequestCards;
  store: Store;
  defaultSubscriptionId?: string;
  logger: Logger;
}

/** The input of a report card action: the verified user and the action data. */
export interface ChannelActionInput {
  context: TurnContext;
  person: Person;
  data: Record<string, unknown>;
  logger: Logger;
}

/** Unpublish requests in these states are still open, so a report starts no second one. */
const OPEN_STATES = new Set(['pending', 'approved', 'sharing']);

/**
 * The commands and card actions for channels and abuse reports: `subscribe`, `unsubscribe`,
 * `report`, `audit`, and the report card's `submitReport`, `acknowledgeReport` and
 * `startUnpublish`. The bot's tables route to these methods.
 */
export class ChannelCommands {
  constructor(private readonly deps: ChannelCommandsDependencies) {}

  async subscribe(
    context: TurnContext,
    person: Person,
    args: string[],
    logger: Logger,
  ): Promise<void> {
    const topic = await this.channelTopic(context, args, 'subscribe');
    if (!topic) return;

    const activity = context.activity;
    const channelId = channelIdOf(activity);
    const reference: Partial<ConversationReference> =
      TurnContext.getConversationReference(activity);
    delete reference.activityId;
    reference.conversation = { ...activity.conversation, id: channelId };
    await this.deps.subscriptions.subscribe({
      topic,
      channelId,
      teamId: teamIdOf(activity),
      reference,
      subscribedBy: { aadObjectId: person.aadObjectId, name: person.name },
      subscribedAt: new Date().toISOString(),
    });
    logger.info({ topic, channelId, user: person.aadObjectId }, 'channel subscribed');
    await reply(
      context,
      noticeCard(
        'Subscribed',
        topic === 'abuse-reports'
          ? 'This channel now gets abuse reports about public galleries, and announcements ' +
              'when a gallery is made public or stops being public.'
          : 'This channel now gets the approval notifications, and announcements when a ' +
              'gallery is made public or stops being public.',
        'success',
      ),
    );
  }

  async unsubscribe(
    context: TurnContext,
    person: Person,
    args: string[],
    logger: Logger,
  ): Promise<void> {
    const topic = await this.channelTopic(context, args, 'unsubscribe');
    if (!topic) return;

    const channelId = channelIdOf(context.activity);
    const removed = await this.deps.subscriptions.unsubscribe(topic, channelId);
    logger.info({ topic, channelId, removed, user: person.aadObjectId }, 'channel unsubscribed');
    await reply(
      context,
      removed
        ? noticeCard('Unsubscribed', `This channel no longer gets ${topic}.`, 'success')
        : noticeCard('Not subscribed', `This channel was not subscribed to ${topic}.`, 'info'),
    );
  }

  /** `report <public-gallery-name> [image] [version]`: replies with the report form. */
  async report(context: TurnContext, _person: Person, args: string[]): Promise<void> {
    const [publicGalleryName, imageDefinition, imageVersion] = args;
    await reply(context, reportFormCard({ publicGalleryName, imageDefinition, imageVersion }));
  }

  /** `audit <gallery or request-id>`: replies with the audit trail. */
  async audit(context: TurnContext, _person: Person, args: string[]): Promise<void> {
    if (args.length === 0) {
      await reply(
        context,
        noticeCard(
          'Which trail?',
          'Give a request id, a report id or a gallery: audit <gallery or request-id>.',
          'info',
        ),
      );
      return;
    }
    const subject = parseAuditSubject(args.join(' '), this.deps.defaultSubscriptionId);
    const records = await listAuditTrail(this.deps.store, subject);
    await reply(context, auditCard(describeSubject(subject), records));
  }

  /** `submitReport`: stores the report from the form, or shows the form again with problems. */
  async submitReport({ person, data, logger }: ChannelActionInput): Promise<AdaptiveCard> {
    let result: SubmitResult;
    try {
      const input = parseFormReport(data);
      result = await this.deps.reports.submit(input, { source: 'teams', person });
    } catch (error) {
      if (!(error instanceof InvalidReportError)) throw error;
      return reportFormCard(formValues(data), error.problems);
    }

    const { report, outcome } = result;
    logger.info({ reportId: report.id, outcome }, 'abuse report submitted in Teams');
    const text =
      outcome === 'created'
        ? `Thank you. Report ${report.id} was sent to the channels that handle abuse reports.`
        : `Thank you. The same gallery, image, version and category were reported in the last ` +
          `24 hours, so your report was added to report ${report.id}.`;
    return this.deps.reports.renderCard(report, 'reporter', { kind: 'good', text });
  }

  /** `acknowledgeReport`: records who acknowledged the report and when. */
  async acknowledgeReport({ person, data, logger }: ChannelActionInput): Promise<AdaptiveCard> {
    const reportId = reportIdOf(data);
    if (!reportId) return invalidReportCard();
    try {
      const report = await this.deps.reports.acknowledge(reportId, person);
      logger.info({ reportId, user: person.aadObjectId }, 'abuse report acknowledged');
      return await this.deps.reports.renderCard(report, 'channel');
    } catch (error) {
      return reportFailureCard(error, reportId, logger);
    }
  }

  /**
   * `startUnpublish`: opens an unpublish preview for the reported gallery with the clicking
   * user as requester, posts its card in the conversation, and links it to the report.
   */
  async startUnpublish({
    context,
    person,
    data,
    logger,
  }: ChannelActionInput): Promise<AdaptiveCard> {
    const reportId = reportIdOf(data);
    if (!reportId) return invalidReportCard();
    try {
      const { report, gallery } = await this.deps.reports.resolveGallery(reportId);
      for (const entry of report.unpublishRequests) {
        const open = await this.deps.workflow.requests.find(entry.requestId);
        if (open && OPEN_STATES.has(open.state)) {
          return await this.deps.reports.renderCard(report, 'channel', {
            kind: 'accent',
            text: `Unpublish request ${open.id} from this report is already ${open.state}.`,
          });
        }
      }

      const activity = context.activity;
      const request = await this.deps.workflow.preview(
        gallery,
        'unpublish',
        person,
        activity.conversation.id,
      );
      const activityId = await reply(context, this.deps.requestCards.render(request, 'requester'));
      await this.deps.workflow.addCards(request.id, [
        {
          audience: 'requester',
          conversationId: activity.conversation.id,
          activityId,
          serviceUrl: activity.serviceUrl,
          tenantId: activity.conversation.tenantId,
          aadObjectId: person.aadObjectId,
        },
      ]);
      const linked = await this.deps.reports.linkUnpublish(reportId, request, person);
      logger.info({ reportId, requestId: request.id }, 'unpublish request started from a report');
      return await this.deps.reports.renderCard(linked, 'channel', {
        kind: 'accent',
        text:
          `${personName(person)} opened unpublish request ${request.id}. Its review is in a ` +
          'reply to this message; submit it from there to ask the approvers.',
      });
    } catch (error) {
      return reportFailureCard(error, reportId, logger);
    }
  }

  /**
   * Returns the topic of a `subscribe` or `unsubscribe` in a team channel. Otherwise replies
   * with what is wrong and returns undefined.
   */
  private async channelTopic(
    context: TurnContext,
    args: string[],
    command: 'subscribe' | 'unsubscribe',
  ): Promise<SubscriptionTopic | undefined> {
    const topic = args[0]?.toLowerCase();
    if (!isTopic(topic)) {
      await reply(
        context,
        noticeCard(
          `What to ${command}?`,
          `Send "${command} approvals" or "${command} abuse-reports".`,
          'info',
        ),
      );
      return undefined;
    }
    if (context.activity.conversation?.conversationType !== 'channel') {
      await reply(
        context,
        noticeCard(
          'Only in a team channel',
          `Subscriptions belong to team channels. Add the bot to a team, then mention it in ` +
            `the channel: "@Gallery Approvals ${command} ${topic}".`,
          'info',
        ),
      );
      return undefined;
    }
    return topic;
  }
}

async function reply(context: TurnContext, card: AdaptiveCard): Promise<string> {
  const response = await context.sendActivity({
    type: ActivityTypes.Message,
    attachments: [cardAttachment(card)],
  });
  return response?.id ?? '';
}

/** Returns the channel's id without the `;messageid=` suffix of a thread. */
function channelIdOf(activity: Activity): string {
  const channelData = activity.channelData as { channel?: { id?: unknown } } | undefined;
  const fromChannelData = channelData?.channel?.id;
  if (typeof fromChannelData === 'string' && fromChannelData !== '') return fromChannelData;
  return activity.conversation.id.split(';')[0] ?? activity.conversation.id;
}

function teamIdOf(activity: Activity): string | undefined {
  const channelData = activity.channelData as { team?: { id?: unknown } } | undefined;
  return typeof channelData?.team?.id === 'string' ? channelData.team.id : undefined;
}

function isTopic(value: string | undefined): value is SubscriptionTopic {
  return (SUBSCRIPTION_TOPICS as readonly string[]).includes(value ?? '');
}

function reportIdOf(data: Record<string, unknown>): string | undefined {
  const value = data.reportId;
  return typeof value === 'string' && REPORT_ID_PATTERN.test(value) ? value : undefined;
}

function formValues(data: Record<string, unknown>): ReportFormValues {
  const text = (name: string) =>
    typeof data[name] === 'string' ? (data[name] as string) : undefined;
  return {
    publicGalleryName: text('publicGalleryName'),
    imageDefinition: text('imageDefinition'),
    imageVersion: text('imageVersion'),
    category: text('category'),
    description: text('description'),
    reporterContact: text('reporterContact'),
  };
}

function describeSubject(subject: AuditSubject): string {
  switch (subject.kind) {
    case 'request':
      return `Request ${subject.requestId}`;
    case 'report':
      return `Abuse report ${subject.reportId}`;
    case 'gallery':
      return `Gallery ${subject.galleryName} (${subject.galleryKey})`;
  }
}

function invalidReportCard(): AdaptiveCard {
  return noticeCard('Invalid card', 'The card does not name a valid abuse report.', 'error');
}

/** Turns an expected report failure into a notice card, and raises anything else. */
function reportFailureCard(error: unknown, reportId: string, logger: Logger): AdaptiveCard {
  if (!(error instanceof ReportError)) throw error;
  logger.warn({ code: error.code, reportId }, 'report card action rejected');
  return noticeCard('Action failed', error.message, 'error');
}
