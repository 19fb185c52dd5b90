import { MAX_CARD_BYTES } from './adaptive-card';
import type { DetailsEntry, DetailsSection } from './details-entries';
import type { DetailsStartPages } from './review-view';
import { jsonBytes, truncate } from './text';
import type { Line } from './view-parts';

/** Maximum number of entries (gallery, findings, image definitions) on one details page. */
export const MAX_ENTRIES_PER_PAGE = 25;

/** Maximum code points of an entry's title. Azure limits gallery and image names to 80. */
export const TITLE_CHARS = 200;

// Upper bounds of the JSON that the template adds around the values, measured on rendered
// cards: an entry's container, badge and title take at most 320 bytes besides the title, a line
// at most 200 besides its label, value and note. The page header (with names of up to
// TITLE_CHARS), section headings and paging actions take under 6 KiB.
const ENTRY_OVERHEAD_BYTES = 320;
const LINE_OVERHEAD_BYTES = 200;
const PAGE_CONTENT_BYTES = MAX_CARD_BYTES - 6 * 1024;

/** The lines of one entry that fit on a page; an entry too large for one page spans several. */
export interface DetailsPart {
  entry: DetailsEntry;
  lines: Line[];
  /** True when earlier lines of the entry are on the previous page. */
  continued: boolean;
}

/**
 * Splits the entries into pages of at most `MAX_ENTRIES_PER_PAGE` entries whose estimated
 * size leaves room for the page header in `MAX_CARD_BYTES`. An entry that fits on one page is
 * never split; a larger one continues on the next pages. The result depends only on the
 * entries, so a page number always means the same page for the same request.
 */
export function paginateDetails(entries: readonly DetailsEntry[]): DetailsPart[][] {
  const pages: DetailsPart[][] = [];
  let page: DetailsPart[] = [];
  let pageBytes = 0;
  const startPage = (): void => {
    if (page.length > 0) pages.push(page);
    page = [];
    pageBytes = 0;
  };

  for (const entry of entries) {
    const headBytes = ENTRY_OVERHEAD_BYTES + jsonBytes(truncate(entry.title, TITLE_CHARS));
    const entryBytes = entry.lines.reduce((sum, line) => sum + lineBytes(line), headBytes);
    const fitsOnEmptyPage = entryBytes <= PAGE_CONTENT_BYTES;
    if (page.length >= MAX_ENTRIES_PER_PAGE) startPage();
    if (fitsOnEmptyPage && pageBytes + entryBytes > PAGE_CONTENT_BYTES) startPage();

    let next = 0;
    let continued = false;
    do {
      const first = entry.lines[next];
      const firstBytes = first ? lineBytes(first) : 0;
      if (page.length > 0 && pageBytes + headBytes + firstBytes > PAGE_CONTENT_BYTES) startPage();

      const part: DetailsPart = { entry, lines: [], continued };
      pageBytes += headBytes;
      for (let line = entry.lines[next]; line; line = entry.lines[next]) {
        const bytes = lineBytes(line);
        if (part.lines.length > 0 && pageBytes + bytes > PAGE_CONTENT_BYTES) break;
        part.lines.push(line);
        pageBytes += bytes;
        next += 1;
      }
      page.push(part);

      continued = true;
      if (next < entry.lines.length) startPage();
    } while (next < entry.lines.length);
  }

  startPage();
  return pages;
}

function lineBytes(line: Line): number {
  return LINE_OVERHEAD_BYTES + jsonBytes(line.label) + jsonBytes(line.value) + jsonBytes(line.note);
}

/** Returns the 1-based page where each section starts, or page 1 for an empty section. */
export function findStartPages(pages: readonly DetailsPart[][]): DetailsStartPages {
  const startOf = (section: DetailsSection): number => {
    const index = pages.findIndex((page) => page.some((part) => part.entry.section === section));
    return index < 0 ? 1 : index + 1;
  };
  return { findings: startOf('findings'), images: startOf('images') };
}
