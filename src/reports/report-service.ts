import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AdaptiveCard } from '../cards/adaptive-card';
import type { GalleryRef } from '../azure/gallery-id';
import {
  AlreadyExistsError,
  PreconditionFailedError,
  type AuditRecord,
  type Collection,
  type Store,
} from '../store/port';
import type { Outbox } from '../teams/outbox';
import type { SubscriptionDirectory } from '../teams/subscriptions';
import type { Person, PublishRequest } from '../workflow/request';
import type { RequestRepository } from '../workflow/requests';
import {
  MAX_BODY_HASHES_KEPT,
  MAX_REPEATS_KEPT,
  newReportId,
  type AbuseReport,
  type ReportInput,
  type Reporter,
} from './report';
import { ReportMessages } from './report-messages';
import { findReportedGallery, type ReportedGallery } from './report-gallery';
import { ReportError, ReportRepository } from './report-repository';

/** Reports with the same key within this window are merged into the first. */
export const DEDUPE_WINDOW_IN_MS = 24 * 3600_000;
const MAX_WRITE_ATTEMPTS = 20;
/** Age after which a claim whose report was never written is taken over. */
const ABANDONED_CLAIM_IN_MS = 60_000;

export interface SubmitResult {
  report: AbuseReport;
  /** `created`: new report, posted; `repeated`: added to an earlier one; `replayed`: ignored. */
  outcome: 'created' | 'repeated' | 'replayed';
}

export interface ReportServiceDependencies {
  store: Store;
  requests: RequestRepository;
  subscriptions: SubscriptionDirectory;
  outbox: Outbox;
  logger: Logger;
  now?: () => Date;
}

/** The first report of a de-duplication key, so later ones merge into it. */
interface DedupeClaim {
  reportId: string;
  receivedAt: string;
}

/**
 * Abuse reports: stores each one, merges repeats, links the gallery's approval records, and
 * posts the report card to every channel subscribed to abuse reports through the outbox.
 */
export class ReportService {
  /** The channel messages of report cards; the outbox renders them through it. */
  readonly messages: ReportMessages;
  private readonly reports: ReportRepository;
  private readonly claims: Collection<DedupeClaim>;
  private readonly now: () => Date;

  constructor(private readonly deps: ReportServiceDependencies) {
    this.now = deps.now ?? (() => new Date());
    this.reports = new ReportRepository(deps.store);
    this.messages = new ReportMessages({
      reports: this.reports,
      requests: deps.requests,
      subscriptions: deps.subscriptions,
      outbox: deps.outbox,
      now: this.now,
    });
    this.claims = deps.store.collection<DedupeClaim>({ name: 'report-dedupe' });
  }

  async get(reportId: string): Promise<AbuseReport> {
    return this.reports.get(reportId);
  }

  /** Renders the card of a report, with its approval records, for a channel or the reporter. */
  renderCard(
    report: AbuseReport,
    view: 'channel' | 'reporter',
    notice?: { kind: 'good' | 'attention' | 'accent'; text: string },
  ): Promise<AdaptiveCard> {
    return this.messages.renderCard(report, view, notice);
  }

  /**
   * Stores a report, or adds it to a report with the same gallery, image, version and category
   * from the last 24 hours. Only a new report is posted to the channels. `bodyHash` identifies
   * a webhook body, so the same body sent again is ignored.
   */
  async submit(input: ReportInput, reporter: Reporter, bodyHash?: string): Promise<SubmitResult> {
    const at = this.now();
    const gallery = await findReportedGallery(this.deps.requests, input);
    const dedupeKey = [
      gallery.galleryKey,
      input.imageDefinition?.toLowerCase() ?? '',
      input.imageVersion ?? '',
      input.category,
    ].join('|');

    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const claim = await this.claims.get(dedupeKey);
      if (claim && at.getTime() - Date.parse(claim.value.receivedAt) < DEDUPE_WINDOW_IN_MS) {
        const repeated = await this.addRepeat(claim.value.reportId, input, reporter, bodyHash, at);
        if (repeated) return repeated;
        // The claim names no report yet. A concurrent submission may be between its two writes,
        // so wait for it; an older claim was left by a process that stopped there.
        if (at.getTime() - Date.parse(claim.value.receivedAt) < ABANDONED_CLAIM_IN_MS) {
          await delay(25 * attempt);
          continue;
        }
      }

      const report = createReport(input, reporter, { dedupeKey, gallery, at, bodyHash });
      const claimValue = { reportId: report.id, receivedAt: report.receivedAt };
      try {
        if (claim) await this.claims.replace(dedupeKey, claimValue, claim.etag);
        else await this.claims.create(dedupeKey, claimValue);
      } catch (error) {
        if (error instanceof AlreadyExistsError || error instanceof PreconditionFailedError)
          continue;
        throw error;
      }
      return { report: await this.storeAndPost(report, reporter), outcome: 'created' };
    }
    throw new Error(`Could not store the report for ${dedupeKey}: too many concurrent writers.`);
  }

  /** Stores a report that won its de-duplication claim, audits it and posts it. */
  private async storeAndPost(report: AbuseReport, reporter: Reporter): Promise<AbuseReport> {
    await this.reports.create(report);
    await this.audit(report, reporterActor(reporter), 'report-received', {
      reason: `${report.category}: ${report.description.slice(0, 500)}`,
      details: {
        publicGalleryName: report.publicGalleryName,
        imageDefinition: report.imageDefinition,
        imageVersion: report.imageVersion,
        linkedRequestIds: report.linkedRequestIds,
      },
    });
    const { report: posted, channels } = await this.messages.postToChannels(report);
    this.deps.logger.info(
      { reportId: report.id, gallery: report.galleryKey, channels },
      'abuse report received',
    );
    return posted;
  }

  /** Records who acknowledged the report first; acknowledging again changes nothing. */
  async acknowledge(reportId: string, person: Person): Promise<AbuseReport> {
    const at = this.now().toISOString();
    const { report, changed } = await this.reports.update(reportId, (current) =>
      current.acknowledged
        ? undefined
        : { ...current, acknowledged: { by: person, at }, revision: current.revision + 1 },
    );
    if (changed) {
      await this.audit(report, { kind: 'user', ...person }, 'report-acknowledged');
      await this.messages.updateCards(report);
    }
    return report;
  }

  /**
   * Returns the gallery of a report. A report that named only a public name is linked again
   * first, because the gallery may have been published through the bot since it arrived.
   */
  async resolveGallery(reportId: string): Promise<{ report: AbuseReport; gallery: GalleryRef }> {
    const current = await this.get(reportId);
    if (current.gallery) return { report: current, gallery: current.gallery };

    const found = await findReportedGallery(this.deps.requests, {
      publicGalleryName: current.publicGalleryName,
    });
    const ref = found.ref;
    if (!ref) {
      throw new ReportError(
        'GalleryUnknown',
        `The bot has no approval record of a gallery with public name ${current.publicGalleryName}, ` +
          'so it cannot tell which gallery to unpublish. Send "unpublish <gallery>" with the ' +
          "gallery's resource id.",
      );
    }
    const { report } = await this.reports.update(reportId, (value) => ({
      ...value,
      gallery: ref,
      galleryKey: found.galleryKey,
      linkedRequestIds: found.linked.map((request) => request.id),
      revision: value.revision + 1,
    }));
    return { report, gallery: ref };
  }

  /** Links an unpublish request started from the report, and records it in the audit trail. */
  async linkUnpublish(
    reportId: string,
    request: PublishRequest,
    person: Person,
  ): Promise<AbuseReport> {
    const at = this.now().toISOString();
    const { report } = await this.reports.update(reportId, (current) => ({
      ...current,
      unpublishRequests: [...current.unpublishRequests, { requestId: request.id, by: person, at }],
      revision: current.revision + 1,
    }));
    await this.audit(report, { kind: 'user', ...person }, 'report-unpublish-started', {
      details: { unpublishRequestId: request.id },
    });
    await this.messages.updateCards(report);
    return report;
  }

  /** Workflow listener: updates the cards of reports from which an unpublish request started. */
  readonly onRequestChange = async (request: PublishRequest): Promise<void> => {
    if (request.kind !== 'unpublish' || request.state === 'draft') return;
    for (const linked of await this.reports.listForGallery(request.galleryKey)) {
      if (!linked.unpublishRequests.some((entry) => entry.requestId === request.id)) continue;
      const { report } = await this.reports.update(linked.id, (current) => ({
        ...current,
        revision: current.revision + 1,
      }));
      await this.messages.updateCards(report);
    }
  };

  private async addRepeat(
    reportId: string,
    input: ReportInput,
    reporter: Reporter,
    bodyHash: string | undefined,
    at: Date,
  ): Promise<SubmitResult | undefined> {
    const existing = await this.reports.find(reportId);
    if (!existing) return undefined;
    // A process that stopped before posting the earlier report left it unposted; post it now.
    // The outbox ignores an entry it already has, so a concurrent post sends nothing twice.
    if (!existing.postedAt) await this.messages.postToChannels(existing);

    const repeat = {
      at: at.toISOString(),
      reporter: { ...reporter, contact: input.reporterContact ?? reporter.contact },
      description: input.description,
    };
    const { report, changed } = await this.reports.update(reportId, (current) => {
      if (bodyHash && current.bodyHashes.includes(bodyHash)) return undefined;
      return {
        ...current,
        updatedAt: repeat.at,
        revision: current.revision + 1,
        repeatCount: current.repeatCount + 1,
        repeats: [...current.repeats, repeat].slice(-MAX_REPEATS_KEPT),
        bodyHashes: bodyHash
          ? [...current.bodyHashes, bodyHash].slice(-MAX_BODY_HASHES_KEPT)
          : current.bodyHashes,
      };
    });
    if (!changed) {
      this.deps.logger.info({ reportId }, 'abuse report body received again, ignored');
      return { report, outcome: 'replayed' };
    }
    await this.audit(report, reporterActor(reporter), 'report-repeated', {
      reason: `${report.category}: ${input.description.slice(0, 500)}`,
    });
    await this.messages.updateCards(report);
    this.deps.logger.info(
      { reportId, repeatCount: report.repeatCount },
      'abuse report added to an earlier report',
    );
    return { report, outcome: 'repeated' };
  }

  /**
   * Appends a report event to the audit trail. Report events use the report id as `requestId`,
   * so `audit <report id>` finds them, and the gallery key as `galleryId`.
   */
  private async audit(
    report: AbuseReport,
    actor: AuditRecord['actor'],
    action: string,
    extra: Partial<AuditRecord> = {},
  ): Promise<void> {
    await this.deps.store.audit.append({
      at: this.now().toISOString(),
      requestId: report.id,
      galleryId: report.galleryKey,
      actor: { kind: actor.kind, aadObjectId: actor.aadObjectId, name: actor.name },
      action,
      ...extra,
    });
  }
}

/** Builds a new report from a submission that no earlier report matched. */
function createReport(
  input: ReportInput,
  reporter: Reporter,
  context: { dedupeKey: string; gallery: ReportedGallery; at: Date; bodyHash?: string },
): AbuseReport {
  const at = context.at.toISOString();
  return {
    id: newReportId(),
    dedupeKey: context.dedupeKey,
    publicGalleryName: input.publicGalleryName,
    gallery: context.gallery.ref,
    galleryKey: context.gallery.galleryKey,
    imageDefinition: input.imageDefinition,
    imageVersion: input.imageVersion,
    category: input.category,
    description: input.description,
    reporter: { ...reporter, contact: input.reporterContact ?? reporter.contact },
    receivedAt: at,
    updatedAt: at,
    revision: 1,
    repeatCount: 0,
    repeats: [],
    linkedRequestIds: context.gallery.linked.map((request) => request.id),
    unpublishRequests: [],
    messages: [],
    bodyHashes: context.bodyHash ? [context.bodyHash] : [],
  };
}

function reporterActor(reporter: Reporter): AuditRecord['actor'] {
  if (reporter.source === 'teams' && reporter.person) {
    return { kind: 'user', aadObjectId: reporter.person.aadObjectId, name: reporter.person.name };
  }
  return { kind: 'system', name: 'abuse report webhook' };
}
