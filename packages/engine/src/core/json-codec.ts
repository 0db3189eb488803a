/**
 * JSON that keeps bigint exact: a bigint is written as {"$bigint":"123"} and read back as 123n.
 * Used to store entities; never on the public wire, where amounts are plain strings.
 */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? { $bigint: item.toString() } : item));
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const tagged = (item as { $bigint?: unknown }).$bigint;
      if (typeof tagged === 'string' && Object.keys(item).length === 1) return BigInt(tagged);
    }
    return item;
  }) as T;
}
