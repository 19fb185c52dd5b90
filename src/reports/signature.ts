import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far `X-Timestamp` may lie from the bot's clock, in either direction. */
export const TIMESTAMP_TOLERANCE_IN_MS = 5 * 60 * 1000;

const SIGNATURE_HEADER = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP_HEADER = /^\d{1,12}$/;

/** A webhook request that failed authentication; `code` is returned in the JSON error. */
export class WebhookAuthenticationError extends Error {
  constructor(
    readonly code: 'MissingSignature' | 'InvalidSignature' | 'InvalidTimestamp' | 'StaleTimestamp',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookAuthenticationError';
  }
}

/** Formats the `X-Signature-256` value for a body: `sha256=` and the hex HMAC-SHA256. */
export function signBody(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks `X-Signature-256` against the HMAC-SHA256 of the raw body. The digests are compared
 * with `crypto.timingSafeEqual`, so the time taken does not reveal how many bytes matched.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, secret: string): void {
  if (header === undefined || header.trim() === '') {
    throw new WebhookAuthenticationError(
      'MissingSignature',
      'The X-Signature-256 header is missing. Send sha256=<hex HMAC-SHA256 of the body>.',
    );
  }
  const match = SIGNATURE_HEADER.exec(header.trim());
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  // A malformed header is compared against a zero digest of the same length, so that it takes
  // the same path as a wrong signature.
  const received = match?.[1] ? Buffer.from(match[1], 'hex') : Buffer.alloc(expected.length);
  if (!timingSafeEqual(received, expected) || !match) {
    throw new WebhookAuthenticationError(
      'InvalidSignature',
      'The X-Signature-256 header does not match the body. Sign the exact bytes sent with ' +
        'HMAC-SHA256 and the shared secret, as sha256=<hex>.',
    );
  }
}

/** Checks that `X-Timestamp` (Unix time in seconds) is within 5 minutes of `now`. */
export function verifyTimestamp(header: string | undefined, now: Date): void {
  const text = header?.trim() ?? '';
  if (!TIMESTAMP_HEADER.test(text)) {
    throw new WebhookAuthenticationError(
      'InvalidTimestamp',
      'The X-Timestamp header is missing or not Unix time in seconds.',
    );
  }
  const skewInMs = Math.abs(now.getTime() - Number(text) * 1000);
  if (skewInMs > TIMESTAMP_TOLERANCE_IN_MS) {
    throw new WebhookAuthenticationError(
      'StaleTimestamp',
      `X-Timestamp ${text} is more than 5 minutes from the bot's time ` +
        `(${Math.floor(now.getTime() / 1000)}). Send the current time and check the sender's clock.`,
    );
  }
}
