import {
  CardTooLargeError,
  MAX_CARD_BYTES,
  measureCardBytes,
  type AdaptiveCard,
} from '../cards/adaptive-card';
import { formatTime, truncate } from '../cards/text';
import { personName, type ContainerStyle, type TextColor } from '../cards/view-parts';
import type { Person } from '../workflow/request';

/**
 * Adaptive Card 1.5 elements for the cards built in code: the abuse report, the report form,
 * the audit trail and the announcements. They follow the rules of the templates in `cards/`:
 * text that users or Azure supplied goes only into a `TextRun` of a `RichTextBlock`, which
 * Teams does not render as Markdown, and `TextBlock` takes only fixed text written here.
 */

export type CardElement = Record<string, unknown>;

export interface TextRunOptions {
  weight?: 'Bolder';
  isSubtle?: boolean;
  italic?: boolean;
  color?: TextColor;
  fontType?: 'Monospace';
  size?: 'Medium' | 'Large';
}

export function textRun(text: string, options: TextRunOptions = {}): CardElement {
  return { type: 'TextRun', text, ...options };
}

/** Builds a paragraph of text runs, which Teams shows as plain text. */
export function paragraph(inlines: CardElement[], spacing?: 'None' | 'Small'): CardElement {
  return { type: 'RichTextBlock', inlines, ...(spacing ? { spacing } : {}) };
}

/** Builds one line: a bold label, then the value as plain text or monospace. */
export function labelled(
  label: string,
  value: string,
  options: { monospace?: boolean; maxChars?: number } = {},
): CardElement {
  const shown = options.maxChars === undefined ? value : truncate(value, options.maxChars);
  return paragraph(
    [
      textRun(`${label}: `, { weight: 'Bolder' }),
      textRun(shown, options.monospace ? { fontType: 'Monospace' } : {}),
    ],
    'Small',
  );
}

/** Builds the bold status of something a channel acknowledges: who did and when, or not yet. */
export function acknowledgementStatus(acknowledged?: { by: Person; at: string }): CardElement {
  if (!acknowledged) return textRun('Not acknowledged', { color: 'attention', weight: 'Bolder' });
  return textRun(
    `Acknowledged by ${personName(acknowledged.by)} at ${formatTime(acknowledged.at)}`,
    { color: 'good', weight: 'Bolder' },
  );
}

/** Builds a heading. Pass only fixed text written in code, never text from users or Azure. */
export function heading(fixedText: string): CardElement {
  return { type: 'TextBlock', text: fixedText, wrap: true, size: 'Large', weight: 'Bolder' };
}

export function container(
  items: CardElement[],
  options: { style?: ContainerStyle; separator?: boolean } = {},
): CardElement {
  return { type: 'Container', items, ...options };
}

/**
 * Builds a button that sends `verb` with `data`. Teams sends an `Action.Execute` click only when
 * it has a verb. Clients without `Action.Execute` use the `Action.Submit` fallback, whose data
 * repeats the verb, so both reach the same handler.
 */
export function executeAction(
  title: string,
  verb: string,
  data: Record<string, unknown>,
  options: { style?: 'positive' | 'destructive'; associatedInputs?: 'auto' | 'none' } = {},
): CardElement {
  const payload = { verb, ...data };
  const common = {
    title,
    associatedInputs: options.associatedInputs ?? 'none',
    ...(options.style ? { style: options.style } : {}),
  };
  return {
    type: 'Action.Execute',
    verb,
    data: payload,
    ...common,
    fallback: { type: 'Action.Submit', data: payload, ...common },
  };
}

export function openUrlAction(title: string, url: string): CardElement {
  return { type: 'Action.OpenUrl', title, url };
}

export function actionSet(actions: CardElement[]): CardElement {
  return { type: 'ActionSet', actions };
}

export function adaptiveCard(body: CardElement[], fallbackText: string): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText,
    body,
  };
}

/**
 * Builds the card with each display limit in turn and returns the first that fits in
 * `MAX_CARD_BYTES`; raises CardTooLargeError when none does.
 */
export function buildWithinBudget<Limits>(
  cardName: string,
  limits: readonly Limits[],
  build: (limit: Limits) => AdaptiveCard,
): AdaptiveCard {
  let bytes = 0;
  for (const limit of limits) {
    const card = build(limit);
    bytes = measureCardBytes(card);
    if (bytes <= MAX_CARD_BYTES) return card;
  }
  throw new CardTooLargeError(cardName, bytes);
}
