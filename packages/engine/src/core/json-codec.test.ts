import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from './json-codec';

/** The codec's first form: a reviver over every value. The walk must agree with it on everything. */
function decodeWithReviver(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const tagged = (item as { $bigint?: unknown }).$bigint;
      if (typeof tagged === 'string' && Object.keys(item).length === 1) return BigInt(tagged);
    }
    return item;
  });
}

/** What a decode gave: its value, or the kind of error it threw (a tag that is no integer throws in both). */
function outcome(decode: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: decode() };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

const stored = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.bigInt(),
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('$bigint', '$literal', '__proto__', 'amount')), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

describe('the stored JSON codec', () => {
  it('reads back exactly what it wrote, bigints included', () => {
    fc.assert(fc.property(stored, (value) => {
      expect(decodeJson(encodeJson(value))).toStrictEqual(value);
    }), { numRuns: 1000 });
  });

  it('reads any JSON text without a literal wrapper as the reviver did, tags that are not bigints left as they are', () => {
    const texts = fc.oneof(fc.json(), stored.map(encodeJson).filter((text) => !text.includes('"$literal"')), fc.constantFrom('{"$bigint":"12"}', '{"$bigint":12}', '{"$bigint":"1","x":1}', '[{"$bigint":{"$bigint":"3"}}]', '{"__proto__":{"$bigint":"7"}}'));
    fc.assert(fc.property(texts, (text) => {
      expect(outcome(() => decodeJson(text))).toStrictEqual(outcome(() => decodeWithReviver(text)));
    }), { numRuns: 1000 });
  });

  it('writes an object that looks like a tag inside a literal wrapper, and reads it back as that object', () => {
    for (const value of [{ $bigint: '' }, { $bigint: '12' }, { $literal: 5 }, { $literal: 'x' }]) {
      expect(encodeJson(value)).toBe(`{"$literal":${JSON.stringify(value)}}`);
      expect(decodeJson(encodeJson(value))).toStrictEqual(value);
    }
    expect(encodeJson({ $literal: { $bigint: '1' } })).toBe('{"$literal":{"$literal":{"$literal":{"$bigint":"1"}}}}');
    for (const value of [{ $literal: {} }, { $literal: { $bigint: '1' } }, { $literal: { $literal: { $bigint: 2n } } }]) {
      expect(decodeJson(encodeJson(value))).toStrictEqual(value);
    }
    // Keys JSON leaves out do not count: what is written has the tag's one key.
    expect(decodeJson(encodeJson({ $bigint: '7', note: undefined }))).toStrictEqual({ $bigint: '7' });
    expect(decodeJson(encodeJson({ $literal: { a: 1 }, run: () => 1 }))).toStrictEqual({ $literal: { a: 1 } });
    const shared = { $bigint: 'x' };
    expect(decodeJson(encodeJson({ a: shared, b: [shared, 3n] }))).toStrictEqual({ a: { $bigint: 'x' }, b: [{ $bigint: 'x' }, 3n] });
    expect(decodeJson('{"$literal":{"$bigint":"1"},"other":1}')).toStrictEqual({ $literal: 1n, other: 1 });
    expect(decodeJson('{"$literal":[{"$bigint":"1"}]}')).toStrictEqual({ $literal: [1n] });
  });

  it('keeps an own "__proto__" as data, never as the prototype', () => {
    const decoded = decodeJson<Record<string, unknown>>('{"__proto__":{"polluted":{"$bigint":"1"}}}');
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
