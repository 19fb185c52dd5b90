import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Stores a JSON document in the properties of one Azure Table Storage entity.
 *
 * Table Storage limits an entity to 1 MiB and a property to 64 KiB. Strings count two bytes
 * per UTF-16 code unit, so one string property takes at most 32,768 code units. The JSON goes into
 * string properties `body_0`, `body_1`, … when it fits, so Storage Explorer can show it. A
 * larger document is compressed with gzip into binary properties of the same names, which
 * count one byte per byte. `bodyChunks` records how many properties there are and
 * `bodyEncoding` is `gzip` for the compressed form.
 */

/** Maximum entity size on Azure, counted as `estimateEntitySize` does. */
export const MAX_ENTITY_SIZE_IN_BYTES = 1024 * 1024;
export const MAX_STRING_PROPERTY_LENGTH = 32 * 1024;
export const MAX_BINARY_PROPERTY_SIZE_IN_BYTES = 64 * 1024;

const CHUNK_PREFIX = 'body_';
const CHUNK_COUNT = 'bodyChunks';
const ENCODING = 'bodyEncoding';
const GZIP = 'gzip';

/** Entity properties as `@azure/data-tables` sends them, with an explicit EDM type on numbers. */
export type EntityProperties = Record<
  string,
  string | Uint8Array | { value: number; type: 'Double' | 'Int32' }
>;

/** Raised when a document does not fit one entity, even compressed. */
export class DocumentTooLargeError extends Error {
  readonly code = 'DocumentTooLarge';

  /** @param reason - completes "does not fit one entity because …". */
  constructor(subject: string, reason: string) {
    super(
      `${subject} does not fit one Azure Table Storage entity because ${reason}. Keep the ` +
        'document smaller, or use STORAGE=sqlite:<path>, which has no such limit.',
    );
    this.name = 'DocumentTooLargeError';
  }
}

/**
 * Estimates an entity's size the way Azure counts it, as the Azure Storage team described the
 * formula. An entity takes 4 bytes plus 2 bytes per key character. Each property adds 8 bytes,
 * 2 bytes per name character and its value: a string 4 bytes plus 2 per code unit, a binary 4
 * bytes plus its length, a Double 8 bytes and an Int32 4 bytes.
 */
export function estimateEntitySize(
  partitionKey: string,
  rowKey: string,
  properties: EntityProperties,
): number {
  let size = 4 + (partitionKey.length + rowKey.length) * 2;
  for (const [name, value] of Object.entries(properties)) {
    size += 8 + name.length * 2;
    if (typeof value === 'string') size += 4 + value.length * 2;
    else if (value instanceof Uint8Array) size += 4 + value.byteLength;
    else size += value.type === 'Double' ? 8 : 4;
  }
  return size;
}

/**
 * Builds the body properties of `json` for an entity that also carries `otherProperties`,
 * as strings when they fit and compressed otherwise.
 *
 * @param subject - names the document in the error message, such as `requests/abc`.
 */
export function encodeBody(
  partitionKey: string,
  rowKey: string,
  otherProperties: EntityProperties,
  json: string,
  subject: string,
): EntityProperties {
  const plain = chunkProperties(splitString(json, MAX_STRING_PROPERTY_LENGTH));
  const plainSize = estimateEntitySize(partitionKey, rowKey, { ...otherProperties, ...plain });
  if (plainSize <= MAX_ENTITY_SIZE_IN_BYTES) return plain;

  const compressed = gzipSync(Buffer.from(json, 'utf8'));
  const packed = {
    ...chunkProperties(splitBytes(compressed, MAX_BINARY_PROPERTY_SIZE_IN_BYTES)),
    [ENCODING]: GZIP,
  };
  const packedSize = estimateEntitySize(partitionKey, rowKey, { ...otherProperties, ...packed });
  if (packedSize > MAX_ENTITY_SIZE_IN_BYTES) {
    throw new DocumentTooLargeError(
      subject,
      `it needs ${packedSize} bytes even compressed, more than the ` +
        `${MAX_ENTITY_SIZE_IN_BYTES} bytes an entity may hold`,
    );
  }
  return packed;
}

/** Reassembles the JSON that `encodeBody` stored in an entity as read back from the table. */
export function decodeBody(entity: Record<string, unknown>, subject: string): string {
  const stored = entity[CHUNK_COUNT];
  // Entities read from the table carry a number, and `encodeBody` output a typed value.
  const count = isTypedNumber(stored) ? stored.value : stored;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new Error(
      `${subject} has no valid ${CHUNK_COUNT} property, so this store did not write it.`,
    );
  }

  const chunks = Array.from({ length: count }, (_, index) => entity[`${CHUNK_PREFIX}${index}`]);
  if (entity[ENCODING] === GZIP) {
    if (!chunks.every((chunk) => chunk instanceof Uint8Array)) {
      throw new Error(`${subject} is missing compressed body properties (expected ${count}).`);
    }
    return gunzipSync(Buffer.concat(chunks as Uint8Array[])).toString('utf8');
  }

  if (!chunks.every((chunk) => typeof chunk === 'string')) {
    throw new Error(`${subject} is missing body properties (expected ${count}).`);
  }
  return chunks.join('');
}

/** Copies the body properties of an entity read from the table, for writing it back. */
export function pickBodyProperties(entity: Record<string, unknown>): EntityProperties {
  const picked: EntityProperties = {};
  for (const [name, value] of Object.entries(entity)) {
    const isBody = name.startsWith(CHUNK_PREFIX) || name === ENCODING;
    if (isBody && (typeof value === 'string' || value instanceof Uint8Array)) picked[name] = value;
  }
  const count = entity[CHUNK_COUNT];
  if (typeof count === 'number') picked[CHUNK_COUNT] = { value: count, type: 'Int32' };
  return picked;
}

function isTypedNumber(value: unknown): value is { value: number } {
  return typeof value === 'object' && value !== null && 'value' in value;
}

function chunkProperties(chunks: (string | Uint8Array)[]): EntityProperties {
  const properties: EntityProperties = { [CHUNK_COUNT]: { value: chunks.length, type: 'Int32' } };
  chunks.forEach((chunk, index) => {
    properties[`${CHUNK_PREFIX}${index}`] = chunk;
  });
  return properties;
}

/** Splits text into pieces of at most `length` code units without splitting a surrogate pair. */
function splitString(text: string, length: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  do {
    let end = Math.min(start + length, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(text.slice(start, end));
    start = end;
  } while (start < text.length);
  return pieces;
}

function splitBytes(bytes: Buffer, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    pieces.push(new Uint8Array(bytes.subarray(start, start + size)));
  }
  return pieces;
}
