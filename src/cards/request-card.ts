import template from '../../cards/request.json';
import type { PublishRequest } from '../workflow/request';
import { expandWithinBudget, type AdaptiveCard } from './adaptive-card';
import { buildDetailsEntries } from './details-entries';
import type { DetailsEntry } from './details-entries';
import { findStartPages, paginateDetails } from './details-pages';
import { buildRequestCardView, type RequestCardOptions } from './request-view';
import { DISPLAY_LIMITS } from './view-parts';

/**
 * Renders the card of a request for one audience from the request's state. Updating a card in
 * place is rendering it again. Long values are cut with an ellipsis, and lists are shortened
 * further until the card fits in `MAX_CARD_BYTES`; `imageListCard` shows every value in full.
 */
export function requestCard(request: PublishRequest, options: RequestCardOptions): AdaptiveCard {
  const detailsPages = findStartPages(paginateDetails(entriesBeforeImages(request)));
  return expandWithinBudget('request', template, DISPLAY_LIMITS, (limits) =>
    buildRequestCardView(request, options, detailsPages, limits),
  );
}

/**
 * Returns the details entries up to the first image definition. Pages are filled in order, so
 * these alone decide the pages where the findings and the image definitions start, and a
 * gallery of 1,000 image definitions need not be paginated to render its request card.
 */
function entriesBeforeImages(request: PublishRequest): DetailsEntry[] {
  const firstImage = request.snapshot.images.slice(0, 1);
  return buildDetailsEntries({ ...request, snapshot: { ...request.snapshot, images: firstImage } });
}
