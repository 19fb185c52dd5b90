const ELLIPSIS = '…';

/**
 * Shortens text to at most `maxChars` code points, ending with an ellipsis when anything was
 * cut. Cutting by code point never splits a surrogate pair.
 */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (codePointOffset(text, maxChars) >= text.length) return text;
  return text.slice(0, codePointOffset(text, Math.max(0, maxChars - 1))) + ELLIPSIS;
}

/** Splits text into pieces of at most `maxChars` code points. Empty text gives one piece. */
export function splitIntoSegments(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];

  const segments: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = codePointOffset(text, maxChars, start);
    segments.push(text.slice(start, end));
    start = end;
  }
  return segments;
}

/** Returns the UTF-16 index that lies `count` code points after `from`, or the text's length. */
function codePointOffset(text: string, count: number, from = 0): number {
  let index = from;
  for (let seen = 0; seen < count && index < text.length; seen += 1) {
    const pair =
      isHighSurrogate(text.charCodeAt(index)) && isLowSurrogate(text.charCodeAt(index + 1));
    index += pair ? 2 : 1;
  }
  return index;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Formats an ISO 8601 time as `2026-01-07 06:04 UTC`, and returns other text unchanged. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return 'unknown time';

  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Formats a count with its noun, such as `1 warning` or `1,000 image definitions`. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

// Characters that JSON.stringify escapes besides lone surrogates: quotes, backslashes and
// control characters. Every other character is written as is.
// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds.
const JSON_ESCAPED = /["\\\u0000-\u001f]/;

/** Returns the UTF-8 size of a string serialized as JSON, quotes and escapes included. */
export function jsonBytes(text: string): number {
  if (JSON_ESCAPED.test(text) || !isWellFormed(text)) {
    return Buffer.byteLength(JSON.stringify(text), 'utf8');
  }
  return Buffer.byteLength(text, 'utf8') + 2;
}

/** Tells whether the text has no lone surrogate, which JSON.stringify would escape. */
function isWellFormed(text: string): boolean {
  // String.prototype.isWellFormed exists since Node 20, but the ES2022 lib does not declare it.
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
