import type { RenderedCard } from './card-cache';
import { CardTemplate } from './template';

/** An Adaptive Card as JSON: the `content` of an attachment. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  body?: unknown[];
  [property: string]: unknown;
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface CardAttachment {
  contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
  content: AdaptiveCard;
}

/**
 * Maximum size in bytes of a serialized card (UTF-8 JSON). Teams limits a whole bot message to
 * 100 KB counted in UTF-16 and recommends staying under 80 KB ("Format your bot messages" on
 * learn.microsoft.com). UTF-16 never takes more than twice the bytes of UTF-8, so a 28 KiB card
 * leaves room for the activity around it. Earlier versions of that page gave 40 KB, and the
 * Teams connector of Power Automate allows about 28 KB.
 */
export const MAX_CARD_BYTES = 28 * 1024;

/** Returns the size of the card as UTF-8 JSON, the figure compared with `MAX_CARD_BYTES`. */
export function measureCardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

export function cardAttachment(card: AdaptiveCard): CardAttachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}

const preparedTemplates = new Map<object, CardTemplate>();

/**
 * Fills a template from `cards/` with a view model. The view model is bound as data:
 * `${…}` is parsed only in the template, and bound values are inserted as they are, so `${…}`
 * inside a value arrives literally. Every field that the template reads must be defined,
 * because a missing field is rendered as the text `${field}`, as adaptivecards-templating 2.3
 * does.
 */
export function expandTemplate(template: object, view: object): AdaptiveCard {
  let prepared = preparedTemplates.get(template);
  if (!prepared) {
    prepared = new CardTemplate(template);
    preparedTemplates.set(template, prepared);
  }
  return prepared.expand(view) as AdaptiveCard;
}

/** Raised when a card does not fit in `MAX_CARD_BYTES` even with the smallest display limits. */
export class CardTooLargeError extends Error {
  readonly code = 'CardTooLarge';

  constructor(
    readonly cardName: string,
    readonly bytes: number,
  ) {
    super(
      `The ${cardName} card needs ${bytes} bytes, more than the ${MAX_CARD_BYTES} allowed, ` +
        'even with the smallest display limits.',
    );
    this.name = 'CardTooLargeError';
  }
}

/**
 * Fills a template with the view model of each display limit in turn and returns the first
 * card that fits in `MAX_CARD_BYTES`.
 */
export function expandWithinBudget<Limits>(
  cardName: string,
  template: object,
  limits: readonly Limits[],
  buildView: (limits: Limits) => object,
): AdaptiveCard {
  return renderWithinBudget(cardName, template, limits, buildView).card;
}

/** Does what `expandWithinBudget` does and also returns the card's JSON. */
export function renderWithinBudget<Limits>(
  cardName: string,
  template: object,
  limits: readonly Limits[],
  buildView: (limits: Limits) => object,
): RenderedCard {
  let bytes = 0;
  for (const limit of limits) {
    const card = expandTemplate(template, buildView(limit));
    const json = JSON.stringify(card);
    bytes = Buffer.byteLength(json, 'utf8');
    if (bytes <= MAX_CARD_BYTES) return { card, json, bytes };
  }
  throw new CardTooLargeError(cardName, bytes);
}
