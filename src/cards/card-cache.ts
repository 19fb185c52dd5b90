import { createHash } from 'node:crypto';
import { deepFreeze } from '../deep-freeze';
import { LruMap } from '../lru-map';
import type { AdaptiveCard } from './adaptive-card';

/** A card with its UTF-8 JSON and the size of that JSON in bytes. */
export interface RenderedCard {
  card: AdaptiveCard;
  json: string;
  bytes: number;
}

/**
 * Recently rendered cards by their inputs, least recently used first. The same card is often
 * rendered again: refresh invokes of one request card from every viewer, a burst of clicks on
 * a decided request, `status` sent twice. Keys are SHA-256 hashes of the inputs' JSON, so a
 * large input takes no more memory than a small one.
 */
export class CardCache {
  private readonly cards: LruMap<string, AdaptiveCard>;

  constructor(maxCards: number) {
    this.cards = new LruMap(maxCards);
  }

  /**
   * Returns the card rendered for `inputs`, calling `render` only when none is kept. The card is
   * deeply frozen and shared by every call with equal inputs, so a caller that needs a changed
   * card must change a copy.
   */
  renderOnce(inputs: unknown, render: () => RenderedCard): AdaptiveCard {
    const key = createHash('sha256').update(JSON.stringify(inputs)).digest('base64');
    const cached = this.cards.get(key);
    if (cached !== undefined) return cached;

    // Parsed from its JSON, the kept card shares no object with the view model or the request,
    // which freezing it would otherwise freeze as well.
    const card = deepFreeze(JSON.parse(render().json) as AdaptiveCard);
    this.cards.set(key, card);
    return card;
  }
}
