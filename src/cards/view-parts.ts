import type { Person } from '../workflow/request';
import { truncate } from './text';

/**
 * View-model pieces shared by the templates. Every string in them is bound into a `TextRun`
 * unless the field's comment states otherwise, because values read from Azure or typed by
 * users must not be rendered as Markdown, which Teams does for `TextBlock` and `FactSet`.
 */

export type TextColor = 'default' | 'accent' | 'good' | 'warning' | 'attention';
export type ContainerStyle = 'default' | 'emphasis' | 'accent' | 'good' | 'warning' | 'attention';
export type NoticeKind = 'info' | 'success' | 'warning' | 'error';

/** Container styles of the notices on cards. */
export const NOTICE_STYLES: Record<NoticeKind, ContainerStyle> = {
  info: 'accent',
  success: 'good',
  warning: 'warning',
  error: 'attention',
};

/**
 * A labelled value on one line: label in bold, then the value, then the note in subtle text.
 * `missing` shows the value in subtle italics, as for `not set`.
 */
export interface Line {
  /** Fixed text written by this module, with its trailing `: `, or empty for no label. */
  label: string;
  value: string;
  note: string;
  style: 'plain' | 'monospace' | 'missing';
}

/** A heading (fixed text, shown in a `TextBlock`) over labelled lines. */
export interface Section {
  heading: string;
  lines: Line[];
}

/**
 * How much of each value a card shows. Cards are first rendered with the first entry and use
 * the next ones, each smaller, until the card fits in `MAX_CARD_BYTES`.
 */
export interface DisplayLimits {
  /** Maximum code points of a short value such as a URL or a name. */
  valueChars: number;
  /** Maximum code points of a long text such as a justification or an error message. */
  longTextChars: number;
  /** Maximum code points of each field in an image definition row. */
  rowFieldChars: number;
  /** Maximum number of findings listed. */
  findings: number;
  /** Maximum number of items in the other lists: approvers, changes, notices, requests. */
  listItems: number;
  /** Whether image definitions are listed row by row, or only counted. */
  imageRows: boolean;
}

export const DISPLAY_LIMITS: readonly DisplayLimits[] = [
  {
    valueChars: 300,
    longTextChars: 1000,
    rowFieldChars: 64,
    findings: 10,
    listItems: 10,
    imageRows: true,
  },
  {
    valueChars: 120,
    longTextChars: 300,
    rowFieldChars: 32,
    findings: 5,
    listItems: 5,
    imageRows: true,
  },
  {
    valueChars: 40,
    longTextChars: 100,
    rowFieldChars: 16,
    findings: 3,
    listItems: 3,
    imageRows: true,
  },
  {
    valueChars: 40,
    longTextChars: 60,
    rowFieldChars: 16,
    findings: 0,
    listItems: 3,
    imageRows: false,
  },
];

export interface LineOptions {
  note?: string;
  monospace?: boolean;
  maxChars?: number;
  /** Text shown, subtle, when the value is missing or empty. */
  missing?: string;
}

export function makeLine(
  label: string,
  value: string | undefined,
  options: LineOptions = {},
): Line {
  const missing = value === undefined || value === '';
  const shown = missing ? (options.missing ?? 'not set') : value;
  let style: Line['style'] = options.monospace ? 'monospace' : 'plain';
  if (missing) style = 'missing';
  return {
    label,
    value: options.maxChars === undefined ? shown : truncate(shown, options.maxChars),
    note: options.note ?? '',
    style,
  };
}

/** Returns an unlabelled line of plain text. */
export function textLine(text: string, maxChars?: number): Line {
  return makeLine('', text, { maxChars });
}

/** Returns the name Teams gave the person, or their Azure AD object id when it has none. */
export function personName(person: Person | undefined): string {
  if (!person) return 'unknown user';
  return person.name?.trim() ? person.name : person.aadObjectId;
}
