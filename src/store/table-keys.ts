/**
 * Reversible encoding of store keys into Azure Table Storage PartitionKey and RowKey values.
 *
 * Table Storage rejects `/`, `\`, `#`, `?` and the control characters U+0000–U+001F and
 * U+007F–U+009F in key values. `%` and `'` are legal, but requests that carry them in the URL
 * have failed: the Azure Storage team reported failing Table APIs for `%`, and Azure/Azurite#1377
 * reports failing deletes for both. So they are escaped too. Each of these characters, and the
 * escape character `!` itself, becomes `!` followed by two upper-case hex digits of its code
 * unit. Every other character is kept, and all escaped characters are below U+0100, so two
 * digits always suffice.
 */

const ESCAPE = '!';
// eslint-disable-next-line no-control-regex -- these control characters are the ones to escape
const ESCAPED_CHARACTERS = /[\u0000-\u001f\u007f-\u009f/\\#?%'!]/g;
const ESCAPE_SEQUENCE = /!([0-9A-F]{2})/g;

/**
 * The maximum length of an encoded key, in UTF-16 code units. Microsoft's table data model
 * page allows 1 KiB per key, and its scalability targets page allows 1,024 characters. 512 code
 * units satisfy both readings, while Azurite 3.35 accepts up to 1,024.
 */
export const MAX_ENCODED_KEY_LENGTH = 512;

export function encodeKey(key: string): string {
  return key.replace(ESCAPED_CHARACTERS, (character) => {
    const hex = character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
    return `${ESCAPE}${hex}`;
  });
}

export function decodeKey(encoded: string): string {
  return encoded.replace(ESCAPE_SEQUENCE, (_sequence, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/**
 * Encodes a key and checks that the result fits Table Storage.
 *
 * @param subject - names the key in the error message, such as `requests/abc`.
 */
export function encodeKeyChecked(key: string, subject: string): string {
  const encoded = encodeKey(key);
  if (encoded.length > MAX_ENCODED_KEY_LENGTH) {
    throw new RangeError(
      `The key of ${subject} is ${encoded.length} characters long once encoded for Azure Table ` +
        `Storage, more than the ${MAX_ENCODED_KEY_LENGTH} it allows. Use a shorter key.`,
    );
  }
  return encoded;
}

/**
 * Compares keys by Unicode code point, which is the order SQLite's BINARY collation gives
 * UTF-8 text, so both adapters list query results in the same order.
 */
export function compareKeys(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done || r.done) return (l.done ? 0 : 1) - (r.done ? 0 : 1);

    const difference = (l.value.codePointAt(0) ?? 0) - (r.value.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
}
