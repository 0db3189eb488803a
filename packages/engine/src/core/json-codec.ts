/**
 * JSON that keeps bigint exact: a bigint is written as {"$bigint":"123"} and read back as 123n.
 * Used to store entities; never on the public wire, where amounts are plain strings.
 */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? { $bigint: item.toString() } : item));
}

const bigintTag = '"$bigint"';

/**
 * The inverse of encodeJson. JSON.parse with a reviver calls back for every value and is several
 * times slower than a plain parse, and the stores decode every row they read: so the text is parsed
 * plainly, and only text that holds a tag is walked for it.
 */
export function decodeJson<T>(text: string): T {
  const value: unknown = JSON.parse(text);
  return (text.includes(bigintTag) ? revive(value) : value) as T;
}

/** Replaces each {"$bigint": "…"} (that key alone, a string value) in a freshly parsed value, in place. */
function revive(item: unknown): unknown {
  if (item === null || typeof item !== 'object') return item;
  if (Array.isArray(item)) {
    for (let index = 0; index < item.length; index += 1) item[index] = revive(item[index]);
    return item;
  }
  const record = item as Record<string, unknown>;
  const tagged = record.$bigint;
  if (typeof tagged === 'string' && Object.keys(record).length === 1) return BigInt(tagged);
  for (const key of Object.keys(record)) {
    const revived = revive(record[key]);
    // An own "__proto__" (JSON.parse makes one) is set as data; assignment would change the prototype.
    if (key === '__proto__') Object.defineProperty(record, key, { value: revived, writable: true, enumerable: true, configurable: true });
    else record[key] = revived;
  }
  return record;
}
