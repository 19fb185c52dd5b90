import { deepFreeze, isDeeplyFrozen } from '../../src/deep-freeze';

describe('deepFreeze', () => {
  it('freezes every object and array in a value', () => {
    const value = deepFreeze({ a: { b: [{ c: 1 }] } });

    expect(Object.isFrozen(value.a.b[0])).toBe(true);
    expect(isDeeplyFrozen(value)).toBe(true);
    expect(isDeeplyFrozen(value.a.b)).toBe(true);
  });

  it('freezes what an object frozen only at the top holds', () => {
    const inner = { c: 1 };
    const value = Object.freeze({ inner });

    expect(isDeeplyFrozen(value)).toBe(false);
    deepFreeze(value);

    expect(Object.isFrozen(inner)).toBe(true);
    expect(isDeeplyFrozen(value)).toBe(true);
  });

  it('leaves primitives as they are', () => {
    expect(deepFreeze('text')).toBe('text');
    expect(isDeeplyFrozen('text')).toBe(false);
    expect(isDeeplyFrozen(null)).toBe(false);
  });
});
