import { forDisplay, noticesFor } from './display';
import template from '../../cards/request.json';
import type { PublishRequest } from '../workflow/request';
import { renderWithinBudget, type AdaptiveCard } from './adaptive-card';
import { CardCache } from './card-cache';
import { findDetailsStartPages } from './image-list-card';
import { buildRequestCardView, type RequestCardOptions } from './request-view';
import { DISPLAY_LIMITS } from './view-parts';

/** Maximum number of request cards kept, each at most `MAX_CARD_BYTES`. */
const MAX_REQUEST_CARDS = 64;

/**
 * Requests with more image definitions are rendered every time, because the key hashes the
 * whole request. For 1,000 images with 10,000-character values, hashing took about half as
 * long as rendering (test/cards/size-budget.test.ts under a CPU profile).
 */
const MAX_CACHED_IMAGES = 200;

/**
 * Request cards by request and options. Building the view redacts and checks the whole
 * snapshot, which costs more than expanding the template.
 */
const recentRequestCards = new CardCache(MAX_REQUEST_CARDS);

/**
 * Renders the card of a request for one audience from the request's state. Updating a card in
 * place is rendering it again. Long values are cut with an ellipsis, and lists are shortened
 * further until the card fits in `MAX_CARD_BYTES`. `imageListCard` shows every value in full.
 */
export function requestCard(
  storedRequest: PublishRequest,
  options: RequestCardOptions,
): AdaptiveCard {
  const render = () => {
    // Notices quote the stored values, so that a value with a secret is left out rather than
    // shown redacted.
    const withNotices = { ...options, notices: options.notices ?? noticesFor(storedRequest) };
    const request = forDisplay(storedRequest);
    const detailsPages = findDetailsStartPages(request);
    return renderWithinBudget('request', template, DISPLAY_LIMITS, (limits) =>
      buildRequestCardView(request, withNotices, detailsPages, limits),
    );
  };
  if (storedRequest.snapshot.images.length > MAX_CACHED_IMAGES) return render().card;
  return recentRequestCards.renderOnce([storedRequest, options], render);
}
