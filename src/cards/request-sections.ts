import type { Approver, PublishRequest } from '../workflow/request';
import { buildPublicLines } from './review-view';
import { formatCount, formatTime, truncate } from './text';
import {
  makeLine,
  personName,
  textLine,
  type DisplayLimits,
  type Line,
  type Section,
} from './view-parts';

/** Builds the section that names the requester, the time of the request and its justification. */
export function buildRequestSection(
  request: PublishRequest,
  limits: DisplayLimits,
  options: { withExpiry: boolean },
): Section {
  const lines = [
    makeLine('Requested by: ', personName(request.requester), { maxChars: limits.valueChars }),
    makeLine('Requested at: ', formatTime(request.submittedAt ?? request.createdAt)),
    makeLine('Justification: ', request.justification, { maxChars: limits.longTextChars }),
    makeLine('Request id: ', request.id, { monospace: true, maxChars: limits.valueChars }),
  ];
  if (options.withExpiry && request.expiresAt) {
    lines.push(makeLine('Expires at: ', formatTime(request.expiresAt)));
  }
  return { heading: 'Request', lines };
}

/** Builds the list of approvers that a pending request waits for, up to `limits.listItems`. */
export function buildApproversSection(request: PublishRequest, limits: DisplayLimits): Section {
  const approvers = request.approvers;
  if (approvers.length === 0) {
    return {
      heading: 'Approvers',
      lines: [
        textLine(
          'No approver was found. A user who holds Owner or Compute Gallery Sharing Admin ' +
            'on the gallery must approve.',
        ),
      ],
    };
  }

  const lines = approvers
    .slice(0, limits.listItems)
    .map((approver) => buildApproverLine(approver, limits.valueChars));
  const hidden = approvers.length - lines.length;
  if (hidden > 0) lines.push(textLine(`and ${formatCount(hidden, 'other approver')}`));
  return { heading: `Approvers (${approvers.length.toLocaleString('en-US')})`, lines };
}

/** What a principal type means for approving, for principals that are not plain users. */
const PRINCIPAL_NOTES: Record<string, string> = {
  Group: ' · group: its members can approve',
  ForeignGroup: ' · group from another tenant: its members can approve',
  ServicePrincipal: ' · service principal: cannot approve in Teams',
};

function buildApproverLine(approver: Approver, maxChars: number): Line {
  let note = PRINCIPAL_NOTES[approver.principalType] ?? '';
  if (approver.roles.length > 0) note += ` · ${approver.roles.join('; ')}`;
  if (approver.viaGroup) note += ` · through group ${approver.viaGroup}`;
  return makeLine('', approver.displayName || approver.principalId, {
    maxChars,
    note: truncate(note, maxChars),
  });
}

/** Builds a summary of the request for the cards that do not show the whole review. */
export function buildSummarySection(request: PublishRequest, limits: DisplayLimits): Section {
  const blockers = request.findings.filter((finding) => finding.severity === 'blocker').length;
  const warnings = request.findings.length - blockers;
  const publicName = buildPublicLines(request, limits.valueChars)[0];

  // A shared request shows its confirmed public names in their own section.
  const lines: Line[] = [];
  if (publicName && request.state !== 'shared') lines.push(publicName);
  lines.push(
    makeLine('Image definitions: ', request.snapshot.images.length.toLocaleString('en-US')),
    makeLine(
      'Findings: ',
      `${formatCount(blockers, 'blocker')}, ${formatCount(warnings, 'warning')}`,
    ),
  );
  return { heading: 'Summary', lines };
}

/** Builds the sections about the decision, the share operation and its result. */
export function buildOutcomeSections(request: PublishRequest, limits: DisplayLimits): Section[] {
  switch (request.state) {
    case 'draft':
    case 'pending':
      return [];
    case 'approved':
      return [buildDecisionSection(request, limits)];
    case 'sharing':
      return [buildDecisionSection(request, limits), buildShareProgressSection(request)];
    case 'shared':
      return [buildDecisionSection(request, limits), ...buildSharedSections(request, limits)];
    case 'failed':
      return [buildDecisionSection(request, limits), buildFailureSection(request, limits)];
    case 'denied':
      return [buildDecisionSection(request, limits)];
    case 'cancelled':
      return [
        {
          heading: 'Cancelled',
          lines: [
            makeLine('Cancelled by: ', personName(request.cancelledBy ?? request.requester), {
              maxChars: limits.valueChars,
            }),
            makeLine('Cancelled at: ', formatTime(request.updatedAt)),
          ],
        },
      ];
    case 'expired':
      return [
        {
          heading: 'Expired',
          lines: [
            makeLine('Expired at: ', formatTime(request.expiresAt ?? request.updatedAt)),
            textLine(
              `No approver decided in time. Send ${request.kind} with the gallery again ` +
                'to start a new request.',
            ),
          ],
        },
      ];
  }
}

function buildDecisionSection(request: PublishRequest, limits: DisplayLimits): Section {
  const decision = request.decision;
  if (!decision) return { heading: 'Decision', lines: [textLine('No decision is recorded.')] };

  const verb = decision.outcome === 'approved' ? 'Approved' : 'Denied';
  const lines = [
    makeLine(`${verb} by: `, personName(decision.by), { maxChars: limits.valueChars }),
    makeLine(`${verb} at: `, formatTime(decision.at)),
  ];
  if (decision.outcome === 'denied') {
    lines.push(makeLine('Reason: ', decision.reason, { maxChars: limits.longTextChars }));
  }
  return { heading: 'Decision', lines };
}

function operationName(request: PublishRequest): string {
  return request.kind === 'publish' ? 'Sharing' : 'Stopping public sharing';
}

function buildShareProgressSection(request: PublishRequest): Section {
  const share = request.share;
  return {
    heading: `${operationName(request)} in progress`,
    lines: [
      makeLine('Started at: ', share ? formatTime(share.startedAt) : undefined),
      makeLine('Attempt: ', share ? String(share.attempt) : undefined),
      textLine('This card is updated when Azure finishes.'),
    ],
  };
}

function buildFailureSection(request: PublishRequest, limits: DisplayLimits): Section {
  const share = request.share;
  return {
    heading: `${operationName(request)} failed`,
    lines: [
      makeLine('Error code: ', share?.error?.code, {
        monospace: true,
        maxChars: limits.valueChars,
        missing: 'not reported',
      }),
      makeLine('Message: ', share?.error?.message, {
        maxChars: limits.longTextChars,
        missing: 'not reported',
      }),
      makeLine('Attempt: ', share ? String(share.attempt) : undefined),
      makeLine('Failed at: ', formatTime(share?.finishedAt ?? request.updatedAt)),
      textLine('An approver can retry.'),
    ],
  };
}

function buildSharedSections(request: PublishRequest, limits: DisplayLimits): Section[] {
  const finishedAt = makeLine(
    'Finished at: ',
    formatTime(request.share?.finishedAt ?? request.updatedAt),
  );
  if (request.kind === 'unpublish') {
    return [
      {
        heading: 'Public sharing stopped',
        lines: [
          finishedAt,
          textLine(
            'Azure customers can no longer find these images, and existing scale sets that ' +
              'use them can no longer scale out.',
          ),
        ],
      },
    ];
  }

  const names = request.publicNames ?? request.snapshot.gallery.community?.publicNames ?? [];
  const shown = names.slice(0, limits.listItems);
  const nameLines = shown.map((name) =>
    makeLine('Public name: ', name, { monospace: true, maxChars: limits.valueChars }),
  );
  if (nameLines.length === 0) {
    nameLines.push(makeLine('Public name: ', undefined, { missing: 'not reported by Azure yet' }));
  }

  const sections: Section[] = [{ heading: 'Public now', lines: [...nameLines, finishedAt] }];
  const first = shown[0];
  if (first !== undefined) sections.push(buildUsageSection(request, first, limits.valueChars));
  return sections;
}

/** Tells consumers how to find the images of a community gallery by its public name. */
function buildUsageSection(request: PublishRequest, name: string, maxChars: number): Section {
  const publicName = truncate(name, maxChars);
  const location = truncate(request.snapshot.gallery.location, maxChars);
  return {
    heading: 'How Azure customers use it',
    lines: [
      makeLine(
        'Azure portal: ',
        'when creating a virtual machine, choose See all images, then Community images, and ' +
          'search for the public name.',
      ),
      makeLine(
        'Azure CLI: ',
        `az sig image-definition list-community --public-gallery-name ${publicName} ` +
          `--location ${location}`,
        { monospace: true },
      ),
      makeLine(
        'Image id: ',
        `/CommunityGalleries/${publicName}/Images/{image definition}/Versions/latest`,
        { monospace: true },
      ),
    ],
  };
}
