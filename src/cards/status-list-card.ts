import template from '../../cards/status-list.json';
import type { PublishRequest } from '../workflow/request';
import { expandWithinBudget, type AdaptiveCard } from './adaptive-card';
import { describeStatus } from './request-view';
import { formatCount, formatTime, truncate } from './text';
import { DISPLAY_LIMITS, makeLine, type DisplayLimits } from './view-parts';

/**
 * Renders a list of requests, each with its status and an action that opens its card. Lists
 * longer than the display limit show the first requests and the number left out.
 */
export function statusListCard(requests: readonly PublishRequest[]): AdaptiveCard {
  return expandWithinBudget('status list', template, DISPLAY_LIMITS, (limits) =>
    buildStatusListView(requests, limits),
  );
}

function buildStatusListView(requests: readonly PublishRequest[], limits: DisplayLimits) {
  const shown = requests.slice(0, limits.listItems);
  const hidden = requests.length - shown.length;

  return {
    summary:
      requests.length === 0
        ? 'You have no open requests.'
        : formatCount(requests.length, 'request'),
    requests: shown.map((request) => ({
      requestId: request.id,
      gallery: truncate(request.gallery.galleryName, limits.valueChars),
      kind: request.kind === 'publish' ? 'make public' : 'stop public sharing',
      status: describeStatus(request),
      lines: [
        makeLine('Request id: ', request.id, { monospace: true, maxChars: limits.valueChars }),
        makeLine('Requested at: ', formatTime(request.submittedAt ?? request.createdAt)),
        makeLine('Updated at: ', formatTime(request.updatedAt)),
      ],
    })),
    more:
      hidden === 0
        ? ''
        : `and ${formatCount(hidden, 'other request')}. Send status with a request id to see one.`,
  };
}
