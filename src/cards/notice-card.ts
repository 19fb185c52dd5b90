import template from '../../cards/notice.json';
import { expandWithinBudget, type AdaptiveCard } from './adaptive-card';
import { truncate } from './text';
import { NOTICE_STYLES, type NoticeKind } from './view-parts';

/** Maximum code points of a notice's title and text. */
const TITLE_CHARS = 200;
const TEXT_CHARS = 4000;

/**
 * Renders a short message, such as the outcome of a command or why an action failed. The title
 * and text may contain values typed by users, so both are shown as plain text.
 */
export function noticeCard(title: string, text: string, kind: NoticeKind = 'info'): AdaptiveCard {
  const view = {
    style: NOTICE_STYLES[kind],
    title: truncate(title, TITLE_CHARS),
    text: truncate(text, TEXT_CHARS),
  };
  return expandWithinBudget('notice', template, [view], (noticeView) => noticeView);
}
