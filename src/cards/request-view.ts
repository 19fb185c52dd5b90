import { hasBlocker } from '../azure/findings';
import type { PublishRequest, RequestKind, RequestState } from '../workflow/request';
import { MAX_INPUT_LENGTH } from './actions';
import { noticesFor } from './display';
import {
  buildApproversSection,
  buildOutcomeSections,
  buildRequestSection,
  buildSummarySection,
} from './request-sections';
import { buildReviewView, type DetailsStartPages, type ReviewView } from './review-view';
import { formatCount, truncate } from './text';
import {
  NOTICE_STYLES,
  type ContainerStyle,
  type DisplayLimits,
  type NoticeKind,
  type Section,
  type TextColor,
} from './view-parts';

export type CardAudience = 'requester' | 'approver' | 'channel';
export type { NoticeKind } from './view-parts';

export interface RequestCardOptions {
  audience: CardAudience;
  /** Whether the requester may approve their own request. Pending cards then state it. */
  allowSelfApproval: boolean;
  /** Teams user ids (`29:…`) of the approvers. The channel card refreshes for them. */
  approverTeamsUserIds?: string[];
  /** A message shown at the top of the card, such as the result of the last action. */
  notice?: { kind: NoticeKind; text: string };
  /** 1-based page of the image definitions listed on the card. */
  imagePage?: number;
  /** Descriptions of the changes to the gallery since it was reviewed. */
  changes?: string[];
  /** Notices shown on every review, or the notices for the request kind when absent. */
  notices?: string[];
}

/** `refresh.userIds` takes at most 60 Teams user ids. */
export const MAX_REFRESH_USER_IDS = 60;

/** The view model of `cards/request.json`. */
export interface RequestCardView {
  requestId: string;
  title: string;
  gallery: { name: string; resourceGroup: string; subscriptionId: string };
  status: { label: string; color: TextColor };
  refresh?: { userIds: string[] };
  notice?: { style: ContainerStyle; text: string };
  kindWarning: string;
  selfApproval: boolean;
  changes?: { items: string[]; more: string };
  sections: Section[];
  review?: ReviewView;
  detailsAction: boolean;
  submit?: { label: string };
  blocked?: { text: string };
  nothingToDo?: { text: string };
  approve: boolean;
  deny: boolean;
  cancel: boolean;
  retry: boolean;
  maxInputLength: number;
}

const STATUS: Record<RequestState, { label: Record<RequestKind, string>; color: TextColor }> = {
  draft: { label: both('Preview: not submitted'), color: 'default' },
  pending: { label: both('Waiting for approval'), color: 'warning' },
  approved: {
    label: {
      publish: 'Approved: sharing starts shortly',
      unpublish: 'Approved: public sharing stops shortly',
    },
    color: 'accent',
  },
  sharing: {
    label: { publish: 'Sharing in progress', unpublish: 'Stopping public sharing' },
    color: 'accent',
  },
  shared: { label: { publish: 'Public', unpublish: 'No longer public' }, color: 'good' },
  failed: {
    label: { publish: 'Sharing failed', unpublish: 'Stopping public sharing failed' },
    color: 'attention',
  },
  denied: { label: both('Denied'), color: 'attention' },
  cancelled: { label: both('Cancelled'), color: 'default' },
  expired: { label: both('Expired without a decision'), color: 'default' },
};

function both(label: string): Record<RequestKind, string> {
  return { publish: label, unpublish: label };
}

export function buildRequestCardView(
  request: PublishRequest,
  options: RequestCardOptions,
  detailsPages: DetailsStartPages,
  limits: DisplayLimits,
): RequestCardView {
  const { state, kind } = request;
  const { audience } = options;
  const alreadyPublic = request.findings.some((finding) => finding.code === 'AlreadyPublic');
  const blocked = hasBlocker(request.findings) && !alreadyPublic;
  const showReview = state === 'draft' || (state === 'pending' && audience === 'approver');
  const changed = (options.changes?.length ?? 0) > 0;

  return {
    requestId: request.id,
    title: kind === 'publish' ? 'Make a gallery public' : 'Stop sharing a gallery publicly',
    gallery: {
      name: truncate(request.gallery.galleryName, limits.valueChars),
      resourceGroup: truncate(request.gallery.resourceGroup, limits.valueChars),
      subscriptionId: truncate(request.gallery.subscriptionId, limits.valueChars),
    },
    status: buildStatus(request, alreadyPublic, blocked),
    refresh: buildRefresh(request, options),
    notice: options.notice && {
      style: NOTICE_STYLES[options.notice.kind],
      text: truncate(options.notice.text, limits.longTextChars),
    },
    kindWarning:
      kind === 'unpublish' && (state === 'draft' || state === 'pending')
        ? 'Stopping public sharing stops existing scale sets that use these images from ' +
          'scaling out.'
        : '',
    selfApproval: state === 'pending' && options.allowSelfApproval,
    changes: changed ? buildChanges(options.changes ?? [], limits) : undefined,
    sections: buildSections(request, audience, limits),
    review: showReview
      ? buildReviewView(
          request,
          {
            imagePage: options.imagePage ?? 1,
            notices: options.notices ?? noticesFor(request),
            detailsPages,
          },
          limits,
        )
      : undefined,
    detailsAction: !showReview,
    ...buildDraftActions(request, audience, alreadyPublic, blocked),
    approve: state === 'pending' && audience === 'approver' && !changed,
    deny: state === 'pending' && audience === 'approver',
    cancel: state === 'pending' && audience === 'requester',
    retry: state === 'failed' && audience === 'approver',
    maxInputLength: MAX_INPUT_LENGTH,
  };
}

/**
 * Picks what ends a draft: the justification input and Submit, what blocks submitting, or
 * that the gallery is already public. Only the requester can submit.
 */
function buildDraftActions(
  request: PublishRequest,
  audience: CardAudience,
  alreadyPublic: boolean,
  blocked: boolean,
): Pick<RequestCardView, 'submit' | 'blocked' | 'nothingToDo'> {
  if (request.state !== 'draft') return {};
  if (alreadyPublic) {
    return { nothingToDo: { text: 'This gallery is already public, so there is nothing to do.' } };
  }
  if (blocked) {
    const blockers = formatCount(countBlockers(request), 'blocker');
    return {
      blocked: {
        text:
          `Submitting is blocked by ${blockers}. ` +
          'Apply the fixes above in Azure, then check the gallery again.',
      },
    };
  }
  if (audience !== 'requester') return {};

  const label =
    request.kind === 'publish'
      ? 'Why should this gallery be public?'
      : 'Why should public sharing stop?';
  return { submit: { label } };
}

/** Returns the status line of a request: fixed text and its color. */
export function describeStatus(request: Pick<PublishRequest, 'state' | 'kind'>): {
  label: string;
  color: TextColor;
} {
  const status = STATUS[request.state];
  return { label: status.label[request.kind], color: status.color };
}

function buildStatus(
  request: PublishRequest,
  alreadyPublic: boolean,
  blocked: boolean,
): RequestCardView['status'] {
  if (request.state === 'draft' && alreadyPublic) return { label: 'Already public', color: 'good' };
  if (request.state === 'draft' && blocked) {
    return { label: 'Preview: blocked', color: 'attention' };
  }
  return describeStatus(request);
}

/**
 * Makes the channel card refresh for the approvers, so that Teams shows them the approver view
 * and everyone else the status view. Only pending and failed requests have approver actions.
 */
function buildRefresh(
  request: PublishRequest,
  options: RequestCardOptions,
): RequestCardView['refresh'] {
  if (options.audience !== 'channel') return undefined;
  if (request.state !== 'pending' && request.state !== 'failed') return undefined;

  const userIds = [...new Set(options.approverTeamsUserIds ?? [])]
    .filter((id) => id.startsWith('29:'))
    .slice(0, MAX_REFRESH_USER_IDS);
  return userIds.length > 0 ? { userIds } : undefined;
}

function buildChanges(
  changes: readonly string[],
  limits: DisplayLimits,
): RequestCardView['changes'] {
  const items = changes
    .slice(0, limits.listItems)
    .map((change) => truncate(change, limits.valueChars));
  const hidden = changes.length - items.length;
  return { items, more: hidden > 0 ? `and ${formatCount(hidden, 'other change')}` : '' };
}

function buildSections(
  request: PublishRequest,
  audience: CardAudience,
  limits: DisplayLimits,
): Section[] {
  if (request.state === 'draft') return [];

  const sections = buildOutcomeSections(request, limits);
  sections.push(buildRequestSection(request, limits, { withExpiry: request.state === 'pending' }));
  if (request.state === 'pending' && audience !== 'approver') {
    sections.push(buildApproversSection(request, limits));
  }
  if (request.state !== 'pending' || audience !== 'approver') {
    sections.push(buildSummarySection(request, limits));
  }
  return sections;
}

function countBlockers(request: PublishRequest): number {
  return request.findings.filter((finding) => finding.severity === 'blocker').length;
}
