import template from '../../cards/status-list.json';
import type { RequestSummary } from '../workflow/request';
import { renderWithinBudget, type AdaptiveCard } from './adaptive-card';
import { CardCache } from './card-cache';
import { describeStatus } from './request-view';
import { formatCount, formatTime, truncate } from './text';
import { DISPLAY_LIMITS, makeLine, type DisplayLimits } from './view-parts';

/**
 * Renders a list of open requests, each with its status and an action that opens its card.
 * Lists longer than the display limit show the first requests, then name the ids of the next
 * ones and the number left out.
 */
export function statusListCard(requests: readonly RequestSummary[]): AdaptiveCard {
  // The key holds only what the list shows, since callers may pass whole requests.
  const listedFields = requests.map((request) => [
    request.id,
    request.kind,
    request.state,
    request.gallery.galleryName,
    request.submittedAt ?? request.createdAt,
    request.updatedAt,
  ]);
  return recentStatusLists.renderOnce(listedFields, () =>
    renderWithinBudget('status list', template, DISPLAY_LIMITS, (limits) =>
      buildStatusListView(requests, limits),
    ),
  );
}

/** Maximum number of status lists kept, each at most `MAX_CARD_BYTES`. */
const MAX_STATUS_LISTS = 64;

/** Status lists by the requests they show, for users who send `status` again and again. */
const recentStatusLists = new CardCache(MAX_STATUS_LISTS);

/** Maximum number of left-out requests whose ids a list names, so that users can open them. */
const MAX_NAMED_HIDDEN_REQUESTS = 20;

function buildStatusListView(requests: readonly RequestSummary[], limits: DisplayLimits) {
  const shown = requests.slice(0, limits.listItems);
  const hidden = requests.length - shown.length;
  const namedIds = requests
    .slice(shown.length, shown.length + MAX_NAMED_HIDDEN_REQUESTS)
    .map((request) => request.id);
  const moreText = hidden > namedIds.length ? ` and ${hidden - namedIds.length} more` : '';

  return {
    summary:
      requests.length === 0
        ? 'You have no open requests.'
        : formatCount(requests.length, 'open request'),
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
        : `and ${formatCount(hidden, 'other open request')}: ${namedIds.join(', ')}${moreText}. ` +
          'Send status with a request id to see one.',
  };
}
