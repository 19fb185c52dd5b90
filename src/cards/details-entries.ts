import type { Finding } from '../azure/findings';
import { latestVersion, type ImageDefinitionFacts } from '../azure/snapshot';
import type { PublishRequest } from '../workflow/request';
import { formatCount, formatTime, splitIntoSegments } from './text';
import { makeLine, textLine, type Line, type TextColor } from './view-parts';

/**
 * Maximum code points of one line on the details card. Longer values are split over several
 * lines (`Description (part 2 of 6)`), and those lines over pages when needed, so that every
 * value can be read in full.
 */
export const SEGMENT_CHARS = 2000;

export type DetailsSection = 'gallery' | 'findings' | 'images';

/** One thing on the details card: the gallery, a finding or an image definition. */
export interface DetailsEntry {
  section: DetailsSection;
  /** 1-based position among the entries of the same section. */
  position: number;
  badge: string;
  badgeColor: TextColor;
  title: string;
  lines: Line[];
}

/** Lists the gallery, every finding and every image definition, with values in full. */
export function buildDetailsEntries(request: PublishRequest): DetailsEntry[] {
  const findings = [...request.findings].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity),
  );
  return [
    buildGalleryEntry(request),
    ...findings.map((finding, index) => buildFindingEntry(finding, index + 1)),
    ...request.snapshot.images.map((image, index) => buildImageEntry(image, index + 1)),
  ];
}

function severityRank(severity: Finding['severity']): number {
  return severity === 'blocker' ? 0 : 1;
}

function buildGalleryEntry(request: PublishRequest): DetailsEntry {
  const gallery = request.snapshot.gallery;
  const community = gallery.community;
  const mono = { monospace: true };
  const lines = [
    ...fullLines('Resource id: ', gallery.id, mono),
    ...fullLines('Location: ', gallery.location),
    ...fullLines('Description: ', gallery.description),
    ...fullLines('Sharing permission: ', gallery.permissions, mono),
    makeLine('Community sharing: ', community?.communityGalleryEnabled ? 'enabled' : 'not enabled'),
    ...fullLines('Public name prefix: ', community?.publicNamePrefix, mono),
    ...fullLines('Public names: ', community?.publicNames.join(', '), {
      ...mono,
      missing: 'none yet',
    }),
    ...fullLines('Publisher URL: ', community?.publisherUri, mono),
    ...fullLines('Publisher contact: ', community?.publisherContact, mono),
    ...fullLines('Legal agreement (EULA) URL: ', community?.eula, mono),
  ];
  if (request.snapshot.applications.length > 0) {
    lines.push(
      ...fullLines('VM applications, never shared: ', request.snapshot.applications.join(', ')),
    );
  }
  return {
    section: 'gallery',
    position: 1,
    badge: '',
    badgeColor: 'default',
    title: gallery.name,
    lines,
  };
}

function buildFindingEntry(finding: Finding, position: number): DetailsEntry {
  const blocker = finding.severity === 'blocker';
  return {
    section: 'findings',
    position,
    badge: blocker ? 'Blocker' : 'Warning',
    badgeColor: blocker ? 'attention' : 'warning',
    title: finding.subject,
    lines: [
      ...splitIntoSegments(finding.message, SEGMENT_CHARS).map((segment) => textLine(segment)),
      ...fullLines('Fix: ', finding.fix),
      makeLine('Check: ', finding.code, { monospace: true }),
    ],
  };
}

function buildImageEntry(image: ImageDefinitionFacts, position: number): DetailsEntry {
  const latest = latestVersion(image);
  const platform = [image.osType, image.osState, image.hyperVGeneration, image.architecture];
  const published = latest?.publishedDate ? `, published ${formatTime(latest.publishedDate)}` : '';
  const plan = image.purchasePlan;
  const lines = [
    ...fullLines('Publisher: ', image.publisher),
    ...fullLines('Offer: ', image.offer),
    ...fullLines('SKU: ', image.sku),
    ...fullLines('OS: ', platform.filter(Boolean).join(', ')),
    ...fullLines('Location: ', image.location),
    ...fullLines('Latest version: ', latest?.name, {
      missing: 'none',
      note: ` (${formatCount(image.versions.length, 'version')} in all${published})`,
    }),
    ...fullLines('Description: ', image.description, { omitMissing: true }),
    ...fullLines('EULA: ', image.eula, { omitMissing: true }),
    ...fullLines('Privacy statement URL: ', image.privacyStatementUri, { omitMissing: true }),
    ...fullLines('Release notes URL: ', image.releaseNoteUri, { omitMissing: true }),
  ];
  if (plan) {
    const planText = [plan.publisher, plan.product, plan.name].filter(Boolean).join(' / ');
    lines.push(...fullLines('Purchase plan: ', planText));
  }
  return {
    section: 'images',
    position,
    badge: '',
    badgeColor: 'default',
    title: image.name,
    lines,
  };
}

interface FullLineOptions {
  monospace?: boolean;
  missing?: string;
  note?: string;
  /** Leave the line out instead of showing `not set`. */
  omitMissing?: boolean;
}

/** Returns a value as one line, or as several labelled parts when it is long. */
function fullLines(
  label: string,
  value: string | undefined,
  options: FullLineOptions = {},
): Line[] {
  if (!value) {
    return options.omitMissing ? [] : [makeLine(label, undefined, { missing: options.missing })];
  }

  const segments = splitIntoSegments(value, SEGMENT_CHARS);
  const name = label.replace(/: $/, '');
  return segments.map((segment, index) =>
    makeLine(
      segments.length === 1 ? label : `${name} (part ${index + 1} of ${segments.length}): `,
      segment,
      {
        monospace: options.monospace,
        note: index === segments.length - 1 ? options.note : '',
      },
    ),
  );
}
