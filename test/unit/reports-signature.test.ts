import { createHmac } from 'node:crypto';
import {
  WebhookAuthenticationError,
  signBody,
  verifySignature,
  verifyTimestamp,
} from '../../src/reports/signature';

const SECRET = 'shared-secret';
const BODY = Buffer.from('{"category":"malware"}');

function codeOf(action: () => void): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof WebhookAuthenticationError) return error.code;
    throw error;
  }
}

describe('webhook signature', () => {
  test('signature matches github format', () => {
    const expected = createHmac('sha256', SECRET).update(BODY).digest('hex');

    expect(signBody(BODY, SECRET)).toBe(`sha256=${expected}`);
  });

  test('valid signature is accepted', () => {
    expect(codeOf(() => verifySignature(BODY, signBody(BODY, SECRET), SECRET))).toBeUndefined();
  });

  test('uppercase hex is accepted', () => {
    const header = signBody(BODY, SECRET).replace(/[0-9a-f]+$/, (hex) => hex.toUpperCase());

    expect(codeOf(() => verifySignature(BODY, header, SECRET))).toBeUndefined();
  });

  test.each([
    [
      'changed body',
      Buffer.from('{"category":"other"}'),
      signBody(BODY, SECRET),
      'InvalidSignature',
    ],
    ['other secret', BODY, signBody(BODY, 'other-secret'), 'InvalidSignature'],
    ['sha1 prefix', BODY, signBody(BODY, SECRET).replace('sha256=', 'sha1='), 'InvalidSignature'],
    ['short digest', BODY, 'sha256=abcd', 'InvalidSignature'],
    ['not hex', BODY, `sha256=${'z'.repeat(64)}`, 'InvalidSignature'],
    ['empty header', BODY, ' ', 'MissingSignature'],
    ['missing header', BODY, undefined, 'MissingSignature'],
  ])('%s is rejected', (_name, body, header, code) => {
    expect(codeOf(() => verifySignature(body, header, SECRET))).toBe(code);
  });
});

describe('webhook timestamp', () => {
  const now = new Date('2026-01-05T10:00:00Z');
  const seconds = now.getTime() / 1000;

  test.each([
    ['now', String(seconds)],
    ['five minutes old', String(seconds - 300)],
    ['five minutes ahead', String(seconds + 300)],
  ])('%s is accepted', (_name, header) => {
    expect(codeOf(() => verifyTimestamp(header, now))).toBeUndefined();
  });

  test.each([
    ['five minutes and one second old', String(seconds - 301), 'StaleTimestamp'],
    ['an hour ahead', String(seconds + 3600), 'StaleTimestamp'],
    ['milliseconds', String(now.getTime()), 'InvalidTimestamp'],
    ['iso date', now.toISOString(), 'InvalidTimestamp'],
    ['negative', '-5', 'InvalidTimestamp'],
    ['missing', undefined, 'InvalidTimestamp'],
  ])('%s is rejected', (_name, header, code) => {
    expect(codeOf(() => verifyTimestamp(header, now))).toBe(code);
  });
});
