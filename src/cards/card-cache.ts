import { createHash } from 'node:crypto';
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
 * a decided request, `status` sent twice. Parsing the kept JSON costs a small part of building
 * the view and expanding the template. Keys are SHA-256 hashes of the inputs' JSON, so a large
 * input takes no more memory than a small one.
 */
export class CardCache {
  private readonly cards: LruMap<string, string>;

  constructor(maxCards: number) {
    this.cards = new LruMap(maxCards);
  }

  /**
   * Returns the card rendered for `inputs`, calling `render` only when none is kept. Every
   * call returns a card of its own, so a caller may change it.
   */
  renderOnce(inputs: unknown, render: () => RenderedCard): AdaptiveCard {
    const key = createHash('sha256').update(JSON.stringify(inputs)).digest('base64');
    const json = this.cards.get(key);
    if (json !== undefined) return JSON.parse(json) as AdaptiveCard;

    const rendered = render();
    this.cards.set(key, rendered.json);
    return rendered.card;
  }
}
