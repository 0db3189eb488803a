/**
 * Canonical JSON (RFC 8785, JCS) for the values this engine signs and hashes: objects with keys
 * sorted by UTF-16 code units, no whitespace, ECMAScript number and string serialisation.
 * bigint is refused: amounts travel as strings, so a bigint here is a programmer error.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no form for a non-finite number');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value !== 'object') throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort(compareUtf16);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
}

function compareUtf16(a: string, b: string): number {
  // Array.prototype.sort without a comparator already orders by UTF-16 code units; stated for the reader.
  return a < b ? -1 : a > b ? 1 : 0;
}
