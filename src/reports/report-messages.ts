import type { ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../cards/adaptive-card';
import type { Outbox } from '../teams/outbox';
import type { DeliveredMessage, OutboxContentSource, OutboxEntry } from '../teams/outbox-entry';
import type { SubscriptionDirectory } from '../teams/subscriptions';
import type { PublishRequest } from '../workflow/request';
import type { RequestRepository } from '../workflow/requests';
import type { AbuseReport, ReportMessage } from './report';
import { reportCard } from './report-card';
import type { ReportRepository } from './report-repository';

/** Outbox content source name of the report card. */
export const REPORT_CARD_CONTENT = 'abuse-report';

export interface ReportMessagesDependencies {
  reports: ReportRepository;
  requests: RequestRepository;
  subscriptions: SubscriptionDirectory;
  outbox: Outbox;
  now: () => Date;
}

/**
 * The channel messages that show report cards: posts them to the subscribed channels and
 * updates them through the outbox. As the outbox's content source it renders each card when
 * it is sent, so a message always shows the report as it is then.
 */
export class ReportMessages implements OutboxContentSource {
  constructor(private readonly deps: ReportMessagesDependencies) {}

  /** Renders the card of a report, with its approval records, for a channel or the reporter. */
  async renderCard(
    report: AbuseReport,
    view: 'channel' | 'reporter',
    notice?: { kind: 'good' | 'attention' | 'accent'; text: string },
  ): Promise<AdaptiveCard> {
    const ids = [...report.linkedRequestIds];
    const linkedRequests = await this.findRequests(ids);
    const unpublishRequests = await this.findRequests(
      report.unpublishRequests.map((entry) => entry.requestId),
    );
    return reportCard(report, { view, linkedRequests, unpublishRequests, notice });
  }

  /** Outbox content source: the report's channel card as it is now. */
  async render(reportId: string): Promise<{ card: AdaptiveCard; revision: number } | undefined> {
    const report = await this.deps.reports.find(reportId);
    if (!report) return undefined;
    return { card: await this.renderCard(report, 'channel'), revision: report.revision };
  }

  /**
   * Outbox callback: remembers the channel message of a new post. When the report changed
   * after the card was rendered, the new message gets an update right away.
   */
  async delivered(entry: OutboxEntry, message: DeliveredMessage, revision?: number): Promise<void> {
    if (entry.target.kind !== 'channel' || !entry.content) return;
    const location: ReportMessage = {
      channelId: entry.target.channelId,
      conversationId: message.conversationId,
      activityId: message.activityId,
      serviceUrl: message.serviceUrl ?? entry.target.reference.serviceUrl,
      tenantId: entry.target.reference.conversation?.tenantId,
    };
    const { report, changed } = await this.deps.reports.update(entry.content.id, (current) =>
      current.messages.some((known) => known.activityId === location.activityId)
        ? undefined
        : { ...current, messages: [...current.messages, location] },
    );
    if (changed && report.revision > (revision ?? 0)) {
      await this.enqueueUpdate(report, location);
    }
  }

  /** Queues the report card for every subscribed channel and records when it did. */
  async postToChannels(report: AbuseReport): Promise<{ report: AbuseReport; channels: number }> {
    const subscriptions = await this.deps.subscriptions.list('abuse-reports');
    for (const subscription of subscriptions) {
      await this.deps.outbox.enqueue(
        `report:${report.id}:${subscription.channelId}`,
        {
          kind: 'channel',
          reference: subscription.reference,
          channelId: subscription.channelId,
          topic: 'abuse-reports',
        },
        { content: { source: REPORT_CARD_CONTENT, id: report.id } },
      );
    }
    const postedAt = this.deps.now().toISOString();
    const { report: posted } = await this.deps.reports.update(report.id, (current) =>
      current.postedAt ? undefined : { ...current, postedAt },
    );
    return { report: posted, channels: subscriptions.length };
  }

  /** Queues an update of every channel message that shows the report. */
  async updateCards(report: AbuseReport): Promise<void> {
    for (const message of report.messages) await this.enqueueUpdate(report, message);
  }

  private async enqueueUpdate(report: AbuseReport, message: ReportMessage): Promise<void> {
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: message.serviceUrl,
      conversation: {
        id: message.conversationId,
        isGroup: true,
        conversationType: 'channel',
        tenantId: message.tenantId,
      } as ConversationReference['conversation'],
    };
    await this.deps.outbox.enqueue(
      `report-update:${report.id}:${message.activityId}:${report.revision}`,
      { kind: 'update', reference, activityId: message.activityId },
      { content: { source: REPORT_CARD_CONTENT, id: report.id } },
    );
  }

  private async findRequests(ids: string[]): Promise<PublishRequest[]> {
    const found = await Promise.all(ids.map((id) => this.deps.requests.find(id)));
    return found.filter((request): request is PublishRequest => request !== undefined);
  }
}
