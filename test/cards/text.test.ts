import {
  formatCount,
  formatTime,
  jsonBytes,
  splitIntoSegments,
  truncate,
} from '../../src/cards/text';

describe('text helpers', () => {
  test('truncate keeps short text', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('🚀🚀🚀', 3)).toBe('🚀🚀🚀');
  });

  test('truncate cuts by code point', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('🚀🚀🚀🚀', 3)).toBe('🚀🚀…');
    expect(Array.from(truncate('🚀'.repeat(100), 10))).toHaveLength(10);
  });

  test('segments rebuild the text', () => {
    const text = 'a🚀'.repeat(2500);
    const segments = splitIntoSegments(text, 2000);

    expect(segments.join('')).toBe(text);
    expect(segments.map((segment) => Array.from(segment).length)).toEqual([2000, 2000, 1000]);
    expect(splitIntoSegments('', 10)).toEqual(['']);
  });

  test('json bytes match serialization', () => {
    const samples = ['abc', 'é🚀', '"\\\n\u0001', '\ud800x', 'x\udc00', '公開', ''];

    for (const sample of samples) {
      expect(jsonBytes(sample)).toBe(Buffer.byteLength(JSON.stringify(sample), 'utf8'));
    }
  });

  test('time and count formats', () => {
    expect(formatTime('2026-01-07T06:04:59.89Z')).toBe('2026-01-07 06:04 UTC');
    expect(formatTime('not a time')).toBe('not a time');
    expect(formatTime(undefined)).toBe('unknown time');
    expect(formatCount(1, 'warning')).toBe('1 warning');
    expect(formatCount(1000, 'image definition')).toBe('1,000 image definitions');
  });
});
