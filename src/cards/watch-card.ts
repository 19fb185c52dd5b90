import {
  acknowledgementStatus,
  actionSet,
  adaptiveCard,
  buildWithinBudget,
  container,
  executeAction,
  heading,
  labelled,
  paragraph,
  textRun,
  type CardElement,
} from '../reports/card-elements';
import type { WatchChange } from '../watch/watch-records';
import type { AdaptiveCard } from './adaptive-card';
import { formatCount, formatTime, truncate } from './text';

/** Card verbs of the gallery change card. `startUnpublish` is shared with the report card. */
export const WATCH_VERBS = {
  acknowledge: 'acknowledgeChange',
  startUnpublish: 'startUnpublish',
} as const;

export interface WatchCardOptions {
  notice?: { kind: 'good' | 'attention' | 'accent'; text: string };
}

interface WatchLimits {
  valueChars: number;
  listItems: number;
}

const WATCH_LIMITS: readonly WatchLimits[] = [
  { valueChars: 400, listItems: 40 },
  { valueChars: 160, listItems: 15 },
  { valueChars: 60, listItems: 5 },
];

/**
 * Renders a change of a published gallery: what differs from the approved content, the new
 * findings of the pre-publication checks, and the actions. Gallery text and the change
 * sentences are untrusted, so they go only into `TextRun`s. The change sentences come from
 * snapshots whose credential values were redacted.
 */
export function watchCard(change: WatchChange, options: WatchCardOptions = {}): AdaptiveCard {
  return buildWithinBudget('gallery change', WATCH_LIMITS, (limits) =>
    adaptiveCard(
      [
        ...headerElements(change, options, limits),
        ...changeElements(change, limits),
        ...findingElements(change, limits),
        ...actionElements(change),
      ],
      'A published gallery changed after its approval',
    ),
  );
}

function headerElements(
  change: WatchChange,
  options: WatchCardOptions,
  limits: WatchLimits,
): CardElement[] {
  const status = acknowledgementStatus(change.acknowledged);
  const header: CardElement[] = [heading('Published gallery changed after its approval')];
  if (change.urgent) {
    header.push(
      paragraph([
        textRun('Urgent: ', { color: 'attention', weight: 'Bolder' }),
        textRun(
          'content that the pre-publication checks block is public now. Consider an unpublish ' +
            'request.',
          { color: 'attention' },
        ),
      ]),
    );
  }
  header.push(paragraph([status]));

  const elements: CardElement[] = [
    container(header, { style: change.urgent ? 'attention' : 'warning' }),
  ];
  if (options.notice) {
    elements.push(
      container([paragraph([textRun(truncate(options.notice.text, 1000))])], {
        style: options.notice.kind,
      }),
    );
  }
  const short = { maxChars: limits.valueChars };
  elements.push(
    labelled('Gallery', change.gallery.galleryName, short),
    labelled('Resource group', change.gallery.resourceGroup, short),
    labelled('Subscription', change.gallery.subscriptionId, { monospace: true }),
    labelled('Approved by request', change.requestId, { monospace: true }),
    labelled('Detected', formatTime(change.detectedAt)),
  );
  for (const requestId of change.unpublishRequestIds) {
    elements.push(labelled('Unpublish request', requestId, { monospace: true }));
  }
  return elements;
}

function changeElements(change: WatchChange, limits: WatchLimits): CardElement[] {
  const shown = change.changes.slice(0, limits.listItems);
  const items = [
    paragraph([textRun('What is public now and was not approved', { weight: 'Bolder' })]),
    ...shown.map((text) => paragraph([textRun(`• ${truncate(text, limits.valueChars)}`)], 'Small')),
  ];
  if (change.changes.length > shown.length) {
    const more = formatCount(change.changes.length - shown.length, 'other change');
    items.push(paragraph([textRun(`and ${more}`, { isSubtle: true })], 'Small'));
  }
  return [container(items, { separator: true })];
}

function findingElements(change: WatchChange, limits: WatchLimits): CardElement[] {
  const items: CardElement[] = [
    paragraph([textRun('New findings of the pre-publication checks', { weight: 'Bolder' })]),
  ];
  if (change.findings.length === 0) {
    items.push(paragraph([textRun('None.', { isSubtle: true, italic: true })], 'Small'));
  }
  const shown = change.findings.slice(0, limits.listItems);
  for (const finding of shown) {
    const blocker = finding.severity === 'blocker';
    items.push(
      paragraph(
        [
          textRun(blocker ? 'Blocker' : 'Warning', {
            color: blocker ? 'attention' : 'warning',
            weight: 'Bolder',
          }),
          textRun(` · ${truncate(finding.subject, limits.valueChars)}: `, { isSubtle: true }),
          textRun(truncate(finding.message, limits.valueChars)),
          textRun(` ${truncate(finding.fix, limits.valueChars)}`, { isSubtle: true }),
        ],
        'Small',
      ),
    );
  }
  if (change.findings.length > shown.length) {
    const more = formatCount(change.findings.length - shown.length, 'other finding');
    items.push(paragraph([textRun(`and ${more}`, { isSubtle: true })], 'Small'));
  }
  return [container(items, { separator: true })];
}

function actionElements(change: WatchChange): CardElement[] {
  const data = { changeId: change.id };
  const actions: CardElement[] = [];
  if (!change.acknowledged) {
    actions.push(
      executeAction('Acknowledge as approved', WATCH_VERBS.acknowledge, data, {
        style: 'positive',
      }),
    );
  }
  actions.push(
    executeAction('Start an unpublish request', WATCH_VERBS.startUnpublish, data, {
      style: 'destructive',
    }),
  );
  return [actionSet(actions)];
}
