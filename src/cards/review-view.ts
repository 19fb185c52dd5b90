import type { Finding } from '../azure/findings';
import { latestVersion, type ImageDefinitionFacts } from '../azure/snapshot';
import type { PublishRequest } from '../workflow/request';
import { formatCount, truncate } from './text';
import { makeLine, type DisplayLimits, type Line, type TextColor } from './view-parts';

/** Number of image definitions listed on one page of the request card. */
export const IMAGE_ROWS_PER_PAGE = 20;

export interface FindingView {
  badge: string;
  color: TextColor;
  subject: string;
  message: string;
  fix: string;
}

export interface ImageRowView {
  name: string;
  /** Publisher, offer, SKU, OS and latest version on one line. */
  details: string;
}

export interface ImagesView {
  heading: string;
  empty: boolean;
  rows: ImageRowView[];
  /** Fixed text such as `Showing 21–40 of 1,000.`, or empty when every row is shown. */
  range: string;
  /** Page of `imageListCard` where the image definitions start. */
  detailsPage: number;
}

/** The reviewed part of a card: public strings, findings, image definitions and notices. */
export interface ReviewView {
  heading: string;
  publicLines: Line[];
  findings: {
    heading: string;
    empty: boolean;
    items: FindingView[];
    /** Fixed text with the number of findings not listed, or empty when all are. */
    more: string;
    /** Page of `imageListCard` where the findings start. */
    detailsPage: number;
  };
  images: ImagesView;
  /** Fixed text about the gallery's VM applications, or empty when it has none. */
  applicationsNote: string;
  notices: string[];
}

/** Pages of `imageListCard` where each of its sections starts. */
export interface DetailsStartPages {
  findings: number;
  images: number;
}

export function buildReviewView(
  request: PublishRequest,
  options: { imagePage: number; notices: readonly string[]; detailsPages: DetailsStartPages },
  limits: DisplayLimits,
): ReviewView {
  const { notices, detailsPages } = options;
  const applicationCount = request.snapshot.applications.length;
  return {
    heading: request.kind === 'publish' ? 'What becomes public' : 'What stops being public',
    publicLines: buildPublicLines(request, limits.valueChars),
    findings: {
      ...buildFindingsView(request.findings, limits),
      detailsPage: detailsPages.findings,
    },
    images: {
      ...buildImagesView(request.snapshot.images, options.imagePage, limits),
      detailsPage: detailsPages.images,
    },
    applicationsNote:
      applicationCount === 0
        ? ''
        : `The gallery has ${formatCount(applicationCount, 'VM application')}, ` +
          'which community sharing never shares.',
    notices: notices
      .slice(0, limits.listItems)
      .map((notice) => truncate(notice, limits.valueChars)),
  };
}

/** Lists the gallery's community information, which any Azure customer can read while shared. */
export function buildPublicLines(request: PublishRequest, maxChars: number): Line[] {
  const gallery = request.snapshot.gallery;
  const community = gallery.community;
  const text = { maxChars, monospace: true };
  const lines: Line[] = [];

  if (community && community.publicNames.length > 0) {
    const label = community.publicNames.length === 1 ? 'Public name: ' : 'Public names: ';
    lines.push(makeLine(label, community.publicNames.join(', '), text));
  } else {
    lines.push(
      makeLine('Public name prefix: ', community?.publicNamePrefix, {
        ...text,
        note: community?.publicNamePrefix ? ' (Azure appends a unique suffix)' : '',
      }),
    );
  }

  lines.push(makeLine('Publisher URL: ', community?.publisherUri, text));
  lines.push(makeLine('Publisher contact: ', community?.publisherContact, text));
  lines.push(makeLine('Legal agreement (EULA) URL: ', community?.eula, text));
  lines.push(makeLine('Location: ', gallery.location, { maxChars }));
  return lines;
}

/** Lists blockers before warnings, up to `limits.findings` of them. */
export function buildFindingsView(
  findings: readonly Finding[],
  limits: DisplayLimits,
): Omit<ReviewView['findings'], 'detailsPage'> {
  const blockers = findings.filter((finding) => finding.severity === 'blocker');
  const warnings = findings.filter((finding) => finding.severity !== 'blocker');
  const shown = [...blockers, ...warnings].slice(0, limits.findings);
  const hidden = findings.length - shown.length;

  const blockerCount = formatCount(blockers.length, 'blocker');
  const counts = `${blockerCount}, ${formatCount(warnings.length, 'warning')}`;

  return {
    heading: findings.length === 0 ? 'Findings' : `Findings: ${counts}`,
    empty: findings.length === 0,
    items: shown.map((finding) => ({
      badge: finding.severity === 'blocker' ? 'Blocker' : 'Warning',
      color: finding.severity === 'blocker' ? 'attention' : 'warning',
      subject: truncate(finding.subject, limits.valueChars),
      message: truncate(finding.message, limits.longTextChars),
      fix: truncate(finding.fix, limits.longTextChars),
    })),
    more:
      hidden === 0 ? '' : `Showing ${shown.length} of ${formatCount(findings.length, 'finding')}.`,
  };
}

/** Lists one page of image definitions, one row each, with page numbers counted from 1. */
export function buildImagesView(
  images: readonly ImageDefinitionFacts[],
  requestedPage: number,
  limits: DisplayLimits,
): Omit<ImagesView, 'detailsPage'> {
  const pageCount = Math.max(1, Math.ceil(images.length / IMAGE_ROWS_PER_PAGE));
  const page = clampPage(requestedPage, pageCount);
  const start = (page - 1) * IMAGE_ROWS_PER_PAGE;
  const pageImages = images.slice(start, start + IMAGE_ROWS_PER_PAGE);
  const listed = limits.imageRows;
  const total = images.length.toLocaleString('en-US');

  let range = '';
  if (!listed && images.length > 0) {
    range = 'This card has no room to list them.';
  } else if (images.length > IMAGE_ROWS_PER_PAGE) {
    const first = (start + 1).toLocaleString('en-US');
    const last = (start + pageImages.length).toLocaleString('en-US');
    range = `Showing ${first}–${last} of ${total}.`;
  }

  return {
    heading: `Image definitions (${total})`,
    empty: images.length === 0,
    rows: listed ? pageImages.map((image) => buildImageRow(image, limits.rowFieldChars)) : [],
    range,
  };
}

function buildImageRow(image: ImageDefinitionFacts, maxChars: number): ImageRowView {
  const field = (value: string | undefined, missing: string): string =>
    value ? truncate(value, maxChars) : missing;
  const identity = [
    field(image.publisher, 'no publisher'),
    field(image.offer, 'no offer'),
    field(image.sku, 'no SKU'),
  ].join(' / ');
  const latest = latestVersion(image);
  let version = image.versions.length === 0 ? 'no version' : 'no latest version';
  if (latest) version = `latest ${truncate(latest.name, maxChars)}`;

  return {
    name: truncate(image.name, maxChars),
    details: ` ${identity} · ${field(image.osType, 'OS not set')} · ${version}`,
  };
}

export function clampPage(page: number, pageCount: number): number {
  if (!Number.isInteger(page) || page < 1) return 1;
  return Math.min(page, pageCount);
}
