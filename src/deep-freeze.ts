/** Values that `deepFreeze` froze with everything in them. */
const deeplyFrozen = new WeakSet<object>();

/**
 * Freezes a JSON value and every object and array in it, and returns it. A value kept in a
 * cache and handed to several callers is frozen, so that a caller that changes it by mistake
 * gets a TypeError instead of changing what the others see.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || deeplyFrozen.has(value)) return value;
  // An object frozen elsewhere may still hold objects that are not, so its children are
  // frozen too.
  for (const child of Object.values(value)) deepFreeze(child);
  Object.freeze(value);
  deeplyFrozen.add(value);
  return value;
}

/**
 * Returns whether `deepFreeze` froze this object, so that nothing in it can change. A value
 * that `Object.freeze` froze only at the top is not.
 */
export function isDeeplyFrozen(value: unknown): value is object {
  return typeof value === 'object' && value !== null && deeplyFrozen.has(value);
}
