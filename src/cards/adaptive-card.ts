import { Template } from 'adaptivecards-templating';

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

const preparedTemplates = new Map<object, Template>();

/**
 * Fills a template from `cards/` with a view model. The view model is bound as data:
 * adaptivecards-templating 2.3 parses `${…}` only in the template and inserts bound values
 * as they are, so `${…}` inside a value arrives literally. Every field that the template
 * reads must be defined, because the library renders a missing field as the text `${field}`.
 */
export function expandTemplate(template: object, view: object): AdaptiveCard {
  let prepared = preparedTemplates.get(template);
  if (!prepared) {
    prepared = new Template(template);
    preparedTemplates.set(template, prepared);
  }

  const card: unknown = prepared.expand({ $root: view });
  return dropNullProperties(card) as AdaptiveCard;
}

/**
 * Removes properties whose value is null. The templating library drops array items whose
 * `$when` is false, but turns such an object property (like an optional `refresh`) into null,
 * which the Adaptive Card schema rejects.
 */
function dropNullProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNullProperties);
  if (value === null || typeof value !== 'object') return value;

  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== null) result[key] = dropNullProperties(item);
  }
  return result;
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
  let bytes = 0;
  for (const limit of limits) {
    const card = expandTemplate(template, buildView(limit));
    bytes = measureCardBytes(card);
    if (bytes <= MAX_CARD_BYTES) return card;
  }
  throw new CardTooLargeError(cardName, bytes);
}
