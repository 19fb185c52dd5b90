import type { AdaptiveCard } from '../cards/adaptive-card';
import { formatCount, formatTime, truncate } from '../cards/text';
import type { AuditRecord } from '../store/port';
import {
  adaptiveCard,
  buildWithinBudget,
  container,
  heading,
  labelled,
  paragraph,
  textRun,
  type CardElement,
} from './card-elements';

interface AuditLimits {
  records: number;
  valueChars: number;
}

const AUDIT_LIMITS: readonly AuditLimits[] = [
  { records: 30, valueChars: 300 },
  { records: 15, valueChars: 120 },
  { records: 8, valueChars: 60 },
  { records: 3, valueChars: 40 },
];

/**
 * Renders an audit trail, latest records last. A trail longer than the card allows shows the
 * latest records and names the command that exports the whole trail.
 */
export function auditCard(subject: string, records: readonly AuditRecord[]): AdaptiveCard {
  return buildWithinBudget('audit trail', AUDIT_LIMITS, (limits) => {
    const shown = records.slice(-limits.records);
    const hidden = records.length - shown.length;
    const summary =
      records.length === 0
        ? 'No audit records.'
        : hidden === 0
          ? `${formatCount(records.length, 'record')}, oldest first.`
          : `The latest ${shown.length} of ${formatCount(records.length, 'record')}, oldest ` +
            'first. Export them all with: npm run audit:export -- --out FILE';
    return adaptiveCard(
      [
        heading('Audit trail'),
        paragraph([textRun(truncate(subject, limits.valueChars), { weight: 'Bolder' })]),
        paragraph([textRun(summary, { isSubtle: true })], 'Small'),
        ...shown.map((record) => recordContainer(record, limits)),
      ],
      'Gallery Approvals: audit trail',
    );
  });
}

function recordContainer(record: AuditRecord, limits: AuditLimits): CardElement {
  const transition =
    record.fromState || record.toState
      ? ` · ${record.fromState ?? '(none)'} → ${record.toState ?? '(none)'}`
      : '';
  const items: CardElement[] = [
    paragraph([
      textRun(formatTime(record.at), { weight: 'Bolder' }),
      textRun(` · ${record.action}${transition}`),
    ]),
    labelled('By', describeActor(record.actor), { maxChars: limits.valueChars }),
    labelled('Request or report', record.requestId, { monospace: true }),
  ];
  if (record.eligibleRoles && record.eligibleRoles.length > 0) {
    items.push(
      labelled('Roles at that moment', record.eligibleRoles.join('; '), {
        maxChars: limits.valueChars,
      }),
    );
  }
  if (record.reason) {
    items.push(labelled('Reason', record.reason, { maxChars: limits.valueChars }));
  }
  if (record.metadataHash) {
    items.push(labelled('Metadata hash', record.metadataHash, { monospace: true }));
  }
  if (record.operationId) {
    items.push(labelled('Azure operation id', record.operationId, { monospace: true }));
  }
  return container(items, { separator: true });
}

function describeActor(actor: AuditRecord['actor']): string {
  if (actor.kind === 'bot') return 'the bot';
  if (actor.kind === 'system') return actor.name ? `system (${actor.name})` : 'system';
  const name = actor.name?.trim() || actor.aadObjectId || 'unknown user';
  return actor.aadObjectId && actor.name ? `${name} (${actor.aadObjectId})` : name;
}
