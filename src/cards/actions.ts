/**
 * The verbs of every card action. Teams sends an `Action.Execute` click only when the action
 * has a verb, and the same verb is repeated in the action's data so that the `Action.Submit`
 * fallback reaches the same handler.
 */
export const CARD_VERBS = [
  'submitRequest',
  'cancelRequest',
  'approve',
  'deny',
  'retryShare',
  'refreshRequest',
  'acknowledgeReport',
  'startUnpublish',
  'submitReport',
  'acknowledgeChange',
] as const;

export type CardVerb = (typeof CARD_VERBS)[number];

/** Card that a `refreshRequest` action requests. Absent means the request card. */
export type RefreshView = 'request' | 'imageList' | 'newPreview';

/**
 * Data of the actions on request cards. The client merges the card's inputs into it (see
 * `CARD_INPUT_IDS`). Only `requestId` identifies anything: the server must take the user from
 * the authenticated activity and the state from the store, never from these fields.
 */
export interface RequestActionData {
  verb: CardVerb;
  requestId: string;
  /** For `refreshRequest`: the card to return. */
  view?: RefreshView;
  /** For `refreshRequest`: 1-based page of the image definitions to show. */
  imagePage?: number;
}

/** Ids of the inputs whose values arrive in the action data. */
export const CARD_INPUT_IDS = {
  /** Required by `submitRequest`. */
  justification: 'justification',
  /** Required by `deny`. */
  reason: 'reason',
} as const;

/** Maximum length in characters of a justification or a denial reason. */
export const MAX_INPUT_LENGTH = 1000;

export function isCardVerb(value: unknown): value is CardVerb {
  return typeof value === 'string' && (CARD_VERBS as readonly string[]).includes(value);
}
