export {
  ADAPTIVE_CARD_CONTENT_TYPE,
  CardTooLargeError,
  MAX_CARD_BYTES,
  cardAttachment,
  measureCardBytes,
  type AdaptiveCard,
  type CardAttachment,
} from './adaptive-card';
export {
  CARD_INPUT_IDS,
  CARD_VERBS,
  MAX_INPUT_LENGTH,
  isCardVerb,
  type CardVerb,
  type RefreshView,
  type RequestActionData,
} from './actions';
export { helpCard } from './help-card';
export { imageListCard } from './image-list-card';
export { noticeCard } from './notice-card';
export { defaultNotices } from './notices';
export { requestCard } from './request-card';
export {
  MAX_REFRESH_USER_IDS,
  type CardAudience,
  type NoticeKind,
  type RequestCardOptions,
} from './request-view';
export { statusListCard } from './status-list-card';
