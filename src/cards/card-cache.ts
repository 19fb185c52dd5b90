import { createHash } from 'node:crypto';
import { deepFreeze, isDeeplyFrozen } from '../deep-freeze';
import { LruMap } from '../lru-map';
import type { AdaptiveCard } from './adaptive-card';

/** A card with its UTF-8 JSON and the size of that JSON in bytes. */
export interface RenderedCard {
  card: AdaptiveCard;
  json: string;
  bytes: number;
}

/**
 * Inputs whose JSON is at most this long are their own key, because in a CPU profile of
 * `status` turns creating a SHA-256 hash cost more than comparing such a string. Longer ones
 * are hashed.
 */
const MAX_PLAIN_KEY_LENGTH = 1024;

/**
 * Recently rendered cards by their inputs, least recently used first. The same card is often
 * rendered again: refresh invokes of one request card from every viewer, a burst of clicks on
 * a decided request, `status` sent twice. Keys of large inputs are SHA-256 hashes of their
 * JSON, so a large input takes no more memory than a small one. An input that `deepFreeze`
 * froze cannot change, so its JSON is hashed once and the hash is kept with the object.
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
    const json = JSON.stringify(Array.isArray(inputs) ? inputs.map(keyPart) : inputs);
    const key = json.length <= MAX_PLAIN_KEY_LENGTH ? `json:${json}` : `sha256:${sha256(json)}`;
    const cached = this.cards.get(key);
    if (cached !== undefined) return cached;

    // Parsed from its JSON, the kept card shares no object with the view model or the request,
    // which freezing it would otherwise freeze as well.
    const card = deepFreeze(JSON.parse(render().json) as AdaptiveCard);
    this.cards.set(key, card);
    return card;
  }
}

/** SHA-256 of the JSON of deeply frozen values, by the value. */
const frozenDigests = new WeakMap<object, string>();

/**
 * Returns the key part of one input: the hash of its JSON for a deeply frozen value, and the
 * value itself otherwise. The two kinds are tagged, so neither can pass for the other.
 */
function keyPart(input: unknown): [string, unknown] {
  if (!isDeeplyFrozen(input)) return ['value', input];
  let digest = frozenDigests.get(input);
  if (digest === undefined) {
    digest = sha256(JSON.stringify(input));
    frozenDigests.set(input, digest);
  }
  return ['frozen', digest];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
