import { LruMap } from '../lru-map';
import { forDisplay } from './display';
import template from '../../cards/image-list.json';
import type { PublishRequest } from '../workflow/request';
import {
  expandTemplate,
  expandWithinBudget,
  MAX_CARD_BYTES,
  measureCardBytes,
  type AdaptiveCard,
} from './adaptive-card';
import { buildDetailsEntries, type DetailsEntry, type DetailsSection } from './details-entries';
import { findStartPages, paginateDetails, TITLE_CHARS, type DetailsPart } from './details-pages';
import { clampPage, type DetailsStartPages } from './review-view';
import { jsonBytes, truncate } from './text';
import type { Line, TextColor } from './view-parts';

interface EntryView {
  badge: string;
  badgeColor: TextColor;
  title: string;
  /** Fixed text such as ` (continued)`, or empty for a whole entry. */
  note: string;
  lines: Line[];
}

/** The view model of `cards/image-list.json`. */
export interface ImageListCardView {
  requestId: string;
  gallery: { name: string; resourceGroup: string; subscriptionId: string };
  pageLabel: string;
  sections: { heading: string; entries: EntryView[] }[];
  hasPrevious: boolean;
  previousPage: number;
  hasNext: boolean;
  nextPage: number;
}

/** Upper bound of the JSON of one section heading. A page has at most three sections. */
const SECTION_HEADING_BYTES = 250;

const SECTION_NAMES: Record<DetailsSection, [singular: string, plural: string]> = {
  gallery: ['Gallery community information', 'Gallery community information'],
  findings: ['Finding', 'Findings'],
  images: ['Image definition', 'Image definitions'],
};

/**
 * Renders one page of everything the request makes public, with every value in full: the
 * gallery's community information, every finding and every image definition. Pages are
 * counted from 1, and a page number out of range shows the nearest page.
 */
export function imageListCard(storedRequest: PublishRequest, page: number): AdaptiveCard {
  const request = forDisplay(storedRequest);
  const entries = buildDetailsEntries(request);
  const pages = paginateDetails(entries, pageContentBytes(request));
  const pageNumber = clampPage(page, pages.length);
  const totals = countBySection(entries.map((entry) => entry.section));

  const view = buildView(request, {
    pageLabel: `Page ${pageNumber} of ${pages.length}`,
    sections: groupBySection(pages[pageNumber - 1] ?? [], totals),
    hasPrevious: pageNumber > 1,
    previousPage: pageNumber - 1,
    hasNext: pageNumber < pages.length,
    nextPage: pageNumber + 1,
  });
  return expandWithinBudget('image list', template, [view], (pageView) => pageView);
}

/**
 * Returns the pages of `imageListCard` where the findings and the image definitions start.
 * Pages are filled in order, so the entries up to the first image definition decide both, and
 * the other image definitions need not be paginated.
 */
export function findDetailsStartPages(request: PublishRequest): DetailsStartPages {
  const firstImage = request.snapshot.images.slice(0, 1);
  const entries: DetailsEntry[] = buildDetailsEntries({
    ...request,
    snapshot: { ...request.snapshot, images: firstImage },
  });
  return findStartPages(paginateDetails(entries, pageContentBytes(request)));
}

/** Returns the bytes left for entries once a page has its header, headings and actions. */
function pageContentBytes(request: PublishRequest): number {
  const emptyPage = buildView(request, {
    pageLabel: 'Page 99,999 of 99,999',
    sections: [],
    hasPrevious: true,
    previousPage: 99_998,
    hasNext: true,
    nextPage: 99_999,
  });
  // The frame's size depends only on the JSON sizes of the values it shows, so frames of
  // requests with values of the same sizes are measured once.
  const { requestId, gallery } = emptyPage;
  const key = [requestId, gallery.name, gallery.resourceGroup, gallery.subscriptionId]
    .map(jsonBytes)
    .join(',');
  let frameBytes = frameBytesBySizes.get(key);
  if (frameBytes === undefined) {
    frameBytes = measureCardBytes(expandTemplate(template, emptyPage));
    frameBytesBySizes.set(key, frameBytes);
  }
  return MAX_CARD_BYTES - frameBytes - 3 * SECTION_HEADING_BYTES;
}

/** Maximum number of frame sizes kept; request ids have one length, so few are needed. */
const MAX_FRAME_SIZES = 256;

const frameBytesBySizes = new LruMap<string, number>(MAX_FRAME_SIZES);

function buildView(
  request: PublishRequest,
  page: Omit<ImageListCardView, 'requestId' | 'gallery'>,
): ImageListCardView {
  return {
    requestId: request.id,
    gallery: {
      name: truncate(request.gallery.galleryName, TITLE_CHARS),
      resourceGroup: truncate(request.gallery.resourceGroup, TITLE_CHARS),
      subscriptionId: truncate(request.gallery.subscriptionId, TITLE_CHARS),
    },
    ...page,
  };
}

function countBySection(sections: readonly DetailsSection[]): Record<DetailsSection, number> {
  const totals: Record<DetailsSection, number> = { gallery: 0, findings: 0, images: 0 };
  for (const section of sections) totals[section] += 1;
  return totals;
}

function groupBySection(
  parts: readonly DetailsPart[],
  totals: Record<DetailsSection, number>,
): ImageListCardView['sections'] {
  const groups: { section: DetailsSection; parts: DetailsPart[] }[] = [];
  for (const part of parts) {
    const last = groups[groups.length - 1];
    if (last && last.section === part.entry.section) last.parts.push(part);
    else groups.push({ section: part.entry.section, parts: [part] });
  }

  return groups.map((group) => ({
    heading: sectionHeading(group.section, group.parts, totals[group.section]),
    entries: group.parts.map((part) => ({
      badge: part.entry.badge,
      badgeColor: part.entry.badgeColor,
      title: truncate(part.entry.title, TITLE_CHARS),
      note: part.continued ? ' (continued)' : '',
      lines: part.lines,
    })),
  }));
}

function sectionHeading(section: DetailsSection, parts: readonly DetailsPart[], total: number) {
  const [singular, plural] = SECTION_NAMES[section];
  if (section === 'gallery') return singular;

  const first = parts[0]?.entry.position ?? 1;
  const last = parts[parts.length - 1]?.entry.position ?? first;
  const count = total.toLocaleString('en-US');
  if (first === last) return `${singular} ${first.toLocaleString('en-US')} of ${count}`;
  return `${plural} ${first.toLocaleString('en-US')}–${last.toLocaleString('en-US')} of ${count}`;
}
