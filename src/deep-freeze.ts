/**
 * Freezes a JSON value and every object and array in it, and returns it. A value kept in a
 * cache and handed to several callers is frozen, so that a caller that changes it by mistake
 * gets a TypeError instead of changing what the others see.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
