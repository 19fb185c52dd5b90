import {
  PreconditionFailedError,
  type Collection,
  type CollectionDefinition,
  type Store,
} from '../store/port';
import type { AbuseReport } from './report';

export const REPORTS: CollectionDefinition<AbuseReport> = {
  name: 'reports',
  indexes: { gallery: (report) => report.galleryKey },
};

/** How many times a conditional write is retried after losing to another writer. */
const MAX_WRITE_ATTEMPTS = 20;

/** A report action the service cannot carry out; the message is shown to the user. */
export class ReportError extends Error {
  constructor(
    readonly code: 'ReportNotFound' | 'GalleryUnknown',
    message: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}

/** Abuse report documents with ETag-conditional updates. */
export class ReportRepository {
  private readonly collection: Collection<AbuseReport>;

  constructor(store: Store) {
    this.collection = store.collection(REPORTS);
  }

  /** Returns a report, or raises ReportError `ReportNotFound`. */
  async get(reportId: string): Promise<AbuseReport> {
    const report = await this.find(reportId);
    if (!report) throw new ReportError('ReportNotFound', `Report ${reportId} was not found.`);
    return report;
  }

  async find(reportId: string): Promise<AbuseReport | undefined> {
    return (await this.collection.get(reportId))?.value;
  }

  async create(report: AbuseReport): Promise<void> {
    await this.collection.create(report.id, report);
  }

  /** Lists the reports about a gallery (lower-cased resource id or `public:<name>`). */
  async listForGallery(galleryKey: string): Promise<AbuseReport[]> {
    return (await this.collection.query({ gallery: galleryKey })).map((stored) => stored.value);
  }

  /**
   * Applies `change` to the stored report and writes it unless another writer changed it
   * first, in which case it reads the report again and retries. `change` returns undefined
   * when there is nothing to write.
   */
  async update(
    reportId: string,
    change: (current: AbuseReport) => AbuseReport | undefined,
  ): Promise<{ report: AbuseReport; changed: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.collection.get(reportId);
      if (!stored) throw new ReportError('ReportNotFound', `Report ${reportId} was not found.`);
      const next = change(structuredClone(stored.value));
      if (!next) return { report: stored.value, changed: false };
      try {
        const written = await this.collection.replace(reportId, next, stored.etag);
        return { report: written.value, changed: true };
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) || attempt >= MAX_WRITE_ATTEMPTS) {
          throw error;
        }
      }
    }
  }
}
