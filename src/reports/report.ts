import { randomBytes } from 'node:crypto';
import type { GalleryRef } from '../azure/gallery-id';
import type { Person } from '../workflow/request';

/** Categories of abuse reports, as the webhook and the Teams form name them. */
export const REPORT_CATEGORIES = [
  'malware',
  'intellectual-property',
  'vulnerability',
  'other',
] as const;

export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<ReportCategory, string> = {
  malware: 'Malware',
  'intellectual-property': 'Intellectual property',
  vulnerability: 'Vulnerability',
  other: 'Other',
};

/**
 * Microsoft's forms for reporting a community image, as listed in the FAQ of the article "Share
 * images using a community gallery" on learn.microsoft.com: malicious images go to the abuse
 * form, images that may violate intellectual property rights to the infringement form.
 */
export const MICROSOFT_REPORT_FORMS = {
  abuse: 'https://msrc.microsoft.com/report/abuse',
  infringement: 'https://msrc.microsoft.com/report/infringement',
} as const;

/** A validated abuse report as the webhook or the Teams form submitted it. */
export interface ReportInput {
  /** Public name of the community gallery, such as `contoso-1a2b…`; or `galleryResourceId`. */
  publicGalleryName?: string;
  galleryResourceId?: string;
  imageDefinition?: string;
  imageVersion?: string;
  category: ReportCategory;
  description: string;
  /** How to reach the reporter: an e-mail address or free text. */
  reporterContact?: string;
}

/** The sender of a report: the webhook's caller, or a Teams user. */
export interface Reporter {
  source: 'webhook' | 'teams';
  person?: Person;
  contact?: string;
}

/** A later report that matched an existing one and was added to it. */
export interface RepeatedReport {
  at: string;
  reporter: Reporter;
  description: string;
}

/** A channel message that shows a report's card, so later changes can update it. */
export interface ReportMessage {
  channelId: string;
  conversationId: string;
  activityId: string;
  serviceUrl?: string;
  tenantId?: string;
}

export interface AbuseReport {
  id: string;
  /** Gallery, image, version and category, lower-cased: reports with the same key merge. */
  dedupeKey: string;
  publicGalleryName?: string;
  /** The gallery, from the resource id in the report or from its approval records. */
  gallery?: GalleryRef;
  /** Lower-cased gallery resource id, or `public:<name>` when the gallery is unknown. */
  galleryKey: string;
  imageDefinition?: string;
  imageVersion?: string;
  category: ReportCategory;
  description: string;
  reporter: Reporter;
  receivedAt: string;
  updatedAt: string;
  /** Increases with every change that the card shows. */
  revision: number;
  /** Total number of matching reports added after the first. */
  repeatCount: number;
  /** The latest of those reports, at most `MAX_REPEATS_KEPT`. */
  repeats: RepeatedReport[];
  /** Approval records (request ids) of the gallery when the report arrived, newest first. */
  linkedRequestIds: string[];
  acknowledged?: { by: Person; at: string };
  unpublishRequests: { requestId: string; by: Person; at: string }[];
  messages: ReportMessage[];
  /** When the card was queued for the subscribed channels; unset if the process stopped first. */
  postedAt?: string;
  /** SHA-256 of each webhook body merged into this report, so a replayed body adds nothing. */
  bodyHashes: string[];
}

export const MAX_REPEATS_KEPT = 20;
export const MAX_BODY_HASHES_KEPT = 100;

/** Report ids: `rp-` and ten lowercase letters or digits. */
export const REPORT_ID_PATTERN = /^rp-[a-z0-9]{10}$/;

export function newReportId(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  return `rp-${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

/** Returns the name a card shows for the reported gallery. */
export function reportedGalleryName(report: AbuseReport): string {
  return report.publicGalleryName ?? report.gallery?.galleryName ?? report.galleryKey;
}
