import type { AdaptiveCard } from '../cards/adaptive-card';
import { describeStatus } from '../cards/request-view';
import { formatCount, formatTime, truncate } from '../cards/text';
import { personName } from '../cards/view-parts';
import type { PublishRequest } from '../workflow/request';
import {
  acknowledgementStatus,
  actionSet,
  adaptiveCard,
  buildWithinBudget,
  container,
  executeAction,
  heading,
  labelled,
  openUrlAction,
  paragraph,
  textRun,
  type CardElement,
} from './card-elements';
import {
  CATEGORY_LABELS,
  MICROSOFT_REPORT_FORMS,
  reportedGalleryName,
  type AbuseReport,
  type Reporter,
} from './report';

/** Card verbs of the abuse report cards. */
export const REPORT_VERBS = {
  acknowledge: 'acknowledgeReport',
  startUnpublish: 'startUnpublish',
  submit: 'submitReport',
} as const;

export interface ReportCardOptions {
  /** `channel` shows the actions; `reporter` is the confirmation card sent to the reporter. */
  view: 'channel' | 'reporter';
  /** The gallery's approval records, newest first. */
  linkedRequests: readonly PublishRequest[];
  /** The unpublish requests started from this report. */
  unpublishRequests: readonly PublishRequest[];
  notice?: { kind: 'good' | 'attention' | 'accent'; text: string };
}

interface ReportLimits {
  valueChars: number;
  descriptionChars: number;
  repeats: number;
  listItems: number;
}

const REPORT_LIMITS: readonly ReportLimits[] = [
  { valueChars: 300, descriptionChars: 4000, repeats: 3, listItems: 10 },
  { valueChars: 120, descriptionChars: 1000, repeats: 2, listItems: 5 },
  { valueChars: 40, descriptionChars: 200, repeats: 1, listItems: 3 },
];

/** Renders an abuse report: what was reported, its approval records and what was done. */
export function reportCard(report: AbuseReport, options: ReportCardOptions): AdaptiveCard {
  return buildWithinBudget('abuse report', REPORT_LIMITS, (limits) =>
    adaptiveCard(
      [
        ...headerElements(report, options, limits),
        ...detailElements(report, limits),
        ...repeatElements(report, limits),
        ...recordElements(report, options, limits),
        ...actionElements(report, options),
      ],
      `Abuse report ${report.id}`,
    ),
  );
}

function headerElements(
  report: AbuseReport,
  options: ReportCardOptions,
  limits: ReportLimits,
): CardElement[] {
  const status = acknowledgementStatus(report.acknowledged);
  const elements: CardElement[] = [
    container(
      [
        heading('Abuse report'),
        paragraph([
          textRun(CATEGORY_LABELS[report.category], { weight: 'Bolder' }),
          textRun(' · ', { isSubtle: true }),
          status,
        ]),
      ],
      { style: 'attention' },
    ),
  ];
  if (options.notice) {
    elements.push(
      container([paragraph([textRun(truncate(options.notice.text, limits.descriptionChars))])], {
        style: options.notice.kind,
      }),
    );
  }
  return elements;
}

function detailElements(report: AbuseReport, limits: ReportLimits): CardElement[] {
  const short = { maxChars: limits.valueChars };
  const elements = [labelled('Gallery', reportedGalleryName(report), short)];
  if (report.gallery) {
    elements.push(
      labelled('Resource group', report.gallery.resourceGroup, short),
      labelled('Subscription', report.gallery.subscriptionId, { monospace: true }),
    );
  }
  if (report.imageDefinition) {
    const version = report.imageVersion ? ` version ${report.imageVersion}` : ', every version';
    elements.push(labelled('Image', `${report.imageDefinition}${version}`, short));
  }
  elements.push(
    labelled('Description', report.description, { maxChars: limits.descriptionChars }),
    labelled('Reported by', describeReporter(report.reporter), short),
    labelled('Received', formatTime(report.receivedAt)),
    labelled('Report id', report.id, { monospace: true }),
  );
  return elements;
}

function repeatElements(report: AbuseReport, limits: ReportLimits): CardElement[] {
  if (report.repeatCount === 0) return [];
  const shown = report.repeats.slice(-limits.repeats).reverse();
  return [
    container(
      [
        paragraph([
          textRun(`Reported ${formatCount(report.repeatCount, 'more time')} within 24 hours`, {
            weight: 'Bolder',
          }),
          textRun(shown.length < report.repeatCount ? '; the latest:' : ':', { isSubtle: true }),
        ]),
        ...shown.map((repeat) =>
          paragraph(
            [
              textRun(`${formatTime(repeat.at)}, ${describeReporter(repeat.reporter)}: `, {
                isSubtle: true,
              }),
              textRun(truncate(repeat.description, limits.valueChars)),
            ],
            'Small',
          ),
        ),
      ],
      { separator: true },
    ),
  ];
}

function recordElements(
  report: AbuseReport,
  options: ReportCardOptions,
  limits: ReportLimits,
): CardElement[] {
  const elements: CardElement[] = [];
  const linked = options.linkedRequests.slice(0, limits.listItems);
  elements.push(
    paragraph([textRun('Approval records of the gallery', { weight: 'Bolder' })]),
    ...(linked.length === 0
      ? [paragraph([textRun('None found.', { isSubtle: true, italic: true })], 'Small')]
      : linked.map((request) => requestLine(request))),
  );
  if (options.linkedRequests.length > linked.length) {
    const more = options.linkedRequests.length - linked.length;
    elements.push(paragraph([textRun(`and ${formatCount(more, 'other')}`, { isSubtle: true })]));
  }
  if (options.unpublishRequests.length > 0) {
    elements.push(
      paragraph([textRun('Unpublish requests started from this report', { weight: 'Bolder' })]),
      ...options.unpublishRequests
        .slice(0, limits.listItems)
        .map((request) => requestLine(request, report)),
    );
  }
  return [container(elements, { separator: true })];
}

/** Renders one request on one line: id, kind, status and requester. */
function requestLine(request: PublishRequest, report?: AbuseReport): CardElement {
  const status = describeStatus(request);
  const startedBy = report?.unpublishRequests.find((entry) => entry.requestId === request.id)?.by;
  return paragraph(
    [
      textRun(request.id, { fontType: 'Monospace' }),
      textRun(` · ${request.kind === 'publish' ? 'make public' : 'stop public sharing'} · `, {
        isSubtle: true,
      }),
      textRun(status.label, { color: status.color, weight: 'Bolder' }),
      textRun(` · requested by ${personName(startedBy ?? request.requester)}`, { isSubtle: true }),
    ],
    'Small',
  );
}

function actionElements(report: AbuseReport, options: ReportCardOptions): CardElement[] {
  const elements: CardElement[] = [];
  if (options.view === 'channel') {
    const actions: CardElement[] = [];
    if (!report.acknowledged) {
      actions.push(
        executeAction(
          'Acknowledge',
          REPORT_VERBS.acknowledge,
          { reportId: report.id },
          {
            style: 'positive',
          },
        ),
      );
    }
    if (report.gallery) {
      actions.push(
        executeAction(
          'Start unpublish',
          REPORT_VERBS.startUnpublish,
          { reportId: report.id },
          {
            style: 'destructive',
          },
        ),
      );
    } else {
      elements.push(
        paragraph([
          textRun(
            'The bot found no approval record with this public name, so it cannot start an ' +
              'unpublish request from here. Send "unpublish <gallery>" to the bot with the ' +
              "gallery's resource id.",
            { isSubtle: true },
          ),
        ]),
      );
    }
    if (actions.length > 0) elements.push(actionSet(actions));
  }
  elements.push(
    actionSet([
      openUrlAction('Report abuse to Microsoft', MICROSOFT_REPORT_FORMS.abuse),
      openUrlAction('Report infringement to Microsoft', MICROSOFT_REPORT_FORMS.infringement),
    ]),
  );
  return elements;
}

function describeReporter(reporter: Reporter): string {
  const who =
    reporter.source === 'teams' ? personName(reporter.person) : 'the abuse report webhook';
  return reporter.contact ? `${who} (${reporter.contact})` : who;
}
