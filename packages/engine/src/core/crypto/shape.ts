/** Shape checks for JSON read off the wire (internal to crypto/; not exported from the engine). */

/** An object literal from JSON: not an array, a class instance or null. */
export function isPlainRecord(value: unknown): value is { readonly [key: string]: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Exactly these own keys, no more and no fewer: an unsigned extra field must not ride along. */
export function hasExactlyKeys(value: { readonly [key: string]: unknown }, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((key) => Object.prototype.hasOwnProperty.call(value, key));
}

/**
 * A value JSON.parse could have produced: null, booleans, finite numbers, strings, arrays and plain
 * objects, nested at most `depthMax` deep (the bound keeps the walk and canonicalJson off the end of
 * the stack).
 */
export function isJsonValue(value: unknown, depthMax: number): boolean {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depthMax <= 0) return false;
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depthMax - 1));
  if (!isPlainRecord(value)) return false;
  return Object.keys(value).every((key) => isJsonValue(value[key], depthMax - 1));
}
