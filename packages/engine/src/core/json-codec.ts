/**
 * JSON that keeps bigint exact: a bigint is written as {"$bigint":"123"} and read back as 123n.
 * Used to store entities; never on the public wire, where amounts are plain strings.
 *
 * A stored object that would read as a tag itself (its one key "$bigint" or "$literal") is written
 * inside {"$literal": …}, so every value reads back as exactly what was written.
 */
export function encodeJson(value: unknown): string {
  // The object just wrapped: JSON.stringify visits it next, as the wrapper's "$literal", and it is then written as it is.
  let wrapped: object | undefined;
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return { $bigint: item.toString() };
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    if (item === wrapped) {
      wrapped = undefined;
      return item;
    }
    if (!looksTagged(item as Record<string, unknown>)) return item;
    wrapped = item;
    return { $literal: item };
  });
}

const tags = ['"$bigint"', '"$literal"'];

/** An object whose only own key is a tag's: it would not read back as itself unwrapped. */
function looksTagged(record: Record<string, unknown>): boolean {
  let keys = 0;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    // JSON.stringify leaves these out: they are not keys of what is written.
    const type = typeof record[key];
    if (type === 'undefined' || type === 'function' || type === 'symbol') continue;
    keys += 1;
    if (keys > 1 || (key !== '$bigint' && key !== '$literal')) return false;
  }
  return keys === 1 && typeof record.toJSON !== 'function';
}

/**
 * The inverse of encodeJson. JSON.parse with a reviver calls back for every value and is several
 * times slower than a plain parse, and the stores decode every row they read: so the text is parsed
 * plainly, and only text that holds a tag is walked for it.
 */
export function decodeJson<T>(text: string): T {
  const value: unknown = JSON.parse(text);
  return (tags.some((tag) => text.includes(tag)) ? revive(value) : value) as T;
}

/**
 * Replaces each {"$bigint": "…"} (that key alone, a string value) in a freshly parsed value, in place,
 * and unwraps each {"$literal": {…}} to the object inside, whose own keys are then data, not tags.
 */
function revive(item: unknown): unknown {
  if (item === null || typeof item !== 'object') return item;
  if (Array.isArray(item)) {
    for (let index = 0; index < item.length; index += 1) item[index] = revive(item[index]);
    return item;
  }
  const record = item as Record<string, unknown>;
  const alone = Object.keys(record).length === 1;
  const tagged = record.$bigint;
  if (alone && typeof tagged === 'string') return BigInt(tagged);
  const literal = record.$literal;
  if (alone && literal !== null && typeof literal === 'object' && !Array.isArray(literal)) return reviveFields(literal as Record<string, unknown>);
  return reviveFields(record);
}

function reviveFields(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(record)) {
    const revived = revive(record[key]);
    // An own "__proto__" (JSON.parse makes one) is set as data; assignment would change the prototype.
    if (key === '__proto__') Object.defineProperty(record, key, { value: revived, writable: true, enumerable: true, configurable: true });
    else record[key] = revived;
  }
  return record;
}
