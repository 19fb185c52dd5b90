import { forDisplay } from './display';
import template from '../../cards/request.json';
import type { PublishRequest } from '../workflow/request';
import { expandWithinBudget, type AdaptiveCard } from './adaptive-card';
import { findDetailsStartPages } from './image-list-card';
import { buildRequestCardView, type RequestCardOptions } from './request-view';
import { DISPLAY_LIMITS } from './view-parts';

/**
 * Renders the card of a request for one audience from the request's state. Updating a card in
 * place is rendering it again. Long values are cut with an ellipsis, and lists are shortened
 * further until the card fits in `MAX_CARD_BYTES`. `imageListCard` shows every value in full.
 */
export function requestCard(
  storedRequest: PublishRequest,
  options: RequestCardOptions,
): AdaptiveCard {
  const request = forDisplay(storedRequest);
  const detailsPages = findDetailsStartPages(request);
  return expandWithinBudget('request', template, DISPLAY_LIMITS, (limits) =>
    buildRequestCardView(request, options, detailsPages, limits),
  );
}
