import { galleryResourceId, parseGalleryId } from '../azure/gallery-id';
import type { AuditRecord, Store } from '../store/port';
import { REQUESTS } from '../workflow/requests';
import { REPORT_ID_PATTERN } from './report';
import { REPORTS } from './report-repository';

/** The subject of an `audit` command: one request, one report, or everything about a gallery. */
export type AuditSubject =
  | { kind: 'request'; requestId: string }
  | { kind: 'report'; reportId: string }
  | { kind: 'gallery'; galleryKey: string; galleryName: string };

const REQUEST_ID_PATTERN = /^r-[a-z0-9]{1,40}$/;

/**
 * Parses the argument of `audit`: a request id (`r-…`), a report id (`rp-…`), or a gallery as
 * `publish` takes it. Raises InvalidGalleryIdError for anything else.
 */
export function parseAuditSubject(text: string, defaultSubscriptionId?: string): AuditSubject {
  const trimmed = text.trim();
  if (REQUEST_ID_PATTERN.test(trimmed)) return { kind: 'request', requestId: trimmed };
  if (REPORT_ID_PATTERN.test(trimmed)) return { kind: 'report', reportId: trimmed };
  const ref = parseGalleryId(trimmed, defaultSubscriptionId);
  return {
    kind: 'gallery',
    galleryKey: galleryResourceId(ref).toLowerCase(),
    galleryName: ref.galleryName,
  };
}

/** Lists the audit records of a subject, oldest first. */
export async function listAuditTrail(store: Store, subject: AuditSubject): Promise<AuditRecord[]> {
  switch (subject.kind) {
    case 'request':
      return store.audit.list({ requestId: subject.requestId });
    case 'report':
      return store.audit.list({ requestId: subject.reportId });
    case 'gallery':
      return store.audit.list({ galleryId: subject.galleryKey });
  }
}

/**
 * Lists every audit record in the store, oldest first. The storage port lists records only by
 * request or gallery, so this merges the trails of every gallery that a request or report names
 * and of every report, whose gallery may have changed once it was linked.
 *
 * NOTE: a record whose gallery no request or report names any more is not found. No code
 * deletes requests or reports today, so none is missed. An `AuditLog` method that reads every
 * record would make the export independent of the other collections.
 */
export async function listAllAuditRecords(store: Store): Promise<AuditRecord[]> {
  const filters = new Map<string, { requestId?: string; galleryId?: string }>();
  for (const request of await store.collection(REQUESTS).query({})) {
    const galleryId = request.value.galleryKey.toLowerCase();
    filters.set(`gallery:${galleryId}`, { galleryId });
  }
  for (const report of await store.collection(REPORTS).query({})) {
    const galleryId = report.value.galleryKey.toLowerCase();
    filters.set(`gallery:${galleryId}`, { galleryId });
    filters.set(`report:${report.key}`, { requestId: report.key });
  }

  const bySequence = new Map<number, AuditRecord>();
  for (const filter of filters.values()) {
    for (const record of await store.audit.list(filter)) {
      if (record.sequence !== undefined) bySequence.set(record.sequence, record);
    }
  }
  return [...bySequence.values()].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
}
