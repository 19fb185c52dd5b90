import type { DetailsEntry, DetailsSection } from './details-entries';
import type { DetailsStartPages } from './review-view';
import { jsonBytes, truncate } from './text';
import type { Line } from './view-parts';

/** Maximum number of entries (gallery, findings, image definitions) on one details page. */
export const MAX_ENTRIES_PER_PAGE = 25;

/** Maximum code points of an entry's title, such as a gallery or image definition name. */
export const TITLE_CHARS = 200;

// JSON that cards/image-list.json adds around the values, in bytes. An entry's container,
// badge, title run and continuation note take at most 320 bytes besides the title. A line is a
// RichTextBlock of 56 bytes with up to three runs: the label (45), the value (26 plain, 49
// monospace, 56 missing) and the note (43), commas included. A test compares these numbers
// with rendered cards.
const ENTRY_OVERHEAD_BYTES = 320;
const LINE_OVERHEAD_BYTES = 56;
const LABEL_RUN_BYTES = 45;
const NOTE_RUN_BYTES = 43;
const VALUE_RUN_BYTES: Record<Line['style'], number> = { plain: 26, monospace: 49, missing: 56 };

/** The lines of one entry on one page. An entry too large for one page spans several. */
export interface DetailsPart {
  entry: DetailsEntry;
  lines: Line[];
  /** True when earlier lines of the entry are on the previous page. */
  continued: boolean;
}

/**
 * Splits the entries into pages of at most `MAX_ENTRIES_PER_PAGE` entries whose JSON takes at
 * most `pageContentBytes`, estimated from the sizes of their values. An entry that fits on one
 * page is never split, and a larger one continues on the next pages. The result depends only
 * on the entries, so a page number always means the same page for the same request.
 */
export function paginateDetails(
  entries: readonly DetailsEntry[],
  pageContentBytes: number,
): DetailsPart[][] {
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
    const fitsOnEmptyPage = entryBytes <= pageContentBytes;
    if (page.length >= MAX_ENTRIES_PER_PAGE) startPage();
    if (fitsOnEmptyPage && pageBytes + entryBytes > pageContentBytes) startPage();

    let next = 0;
    let continued = false;
    do {
      const first = entry.lines[next];
      const firstBytes = first ? lineBytes(first) : 0;
      if (page.length > 0 && pageBytes + headBytes + firstBytes > pageContentBytes) startPage();

      const part: DetailsPart = { entry, lines: [], continued };
      pageBytes += headBytes;
      for (let line = entry.lines[next]; line; line = entry.lines[next]) {
        const bytes = lineBytes(line);
        if (part.lines.length > 0 && pageBytes + bytes > pageContentBytes) break;
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

/** Returns the size of a rendered line, or slightly more. */
export function lineBytes(line: Line): number {
  let bytes = LINE_OVERHEAD_BYTES + VALUE_RUN_BYTES[line.style] + jsonBytes(line.value);
  if (line.label !== '') bytes += LABEL_RUN_BYTES + jsonBytes(line.label);
  if (line.note !== '') bytes += NOTE_RUN_BYTES + jsonBytes(line.note);
  return bytes;
}

/** Returns the 1-based page where each section starts, or page 1 for an empty section. */
export function findStartPages(pages: readonly DetailsPart[][]): DetailsStartPages {
  const startOf = (section: DetailsSection): number => {
    const index = pages.findIndex((page) => page.some((part) => part.entry.section === section));
    return index < 0 ? 1 : index + 1;
  };
  return { findings: startOf('findings'), images: startOf('images') };
}
