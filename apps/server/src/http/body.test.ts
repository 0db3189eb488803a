import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchCommandsMax, deviceKeyId, hybridKeyPair, sealedBoxKeyPair, sealPush, type OutboxCommand } from '@qenex/engine';
import {
  bodyDepthMax,
  bodyEntriesMax,
  encodedLengthMax,
  firstFault,
  keyLengthMax,
  nestingWithin,
  parameterLengthMax,
  parametersFault,
  queryParametersMax,
  readJsonBody,
  textLengthMax,
} from './body';

/** Nesting depth of a parsed value, recursively (the values in these tests are small). */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((deepest, child) => Math.max(deepest, depthOf(child)), 0);
}

function nested(depth: number, open = '[', close = ']', inner = '0'): string {
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
}

describe('nestingWithin: the scan of the raw text before anything parses it', () => {
  it('counts [ and { and lets exactly the limit through', () => {
    expect(nestingWithin(nested(bodyDepthMax), bodyDepthMax)).toBe(true);
    expect(nestingWithin(nested(bodyDepthMax + 1), bodyDepthMax)).toBe(false);
    const mixed = `${'{"a":['.repeat(bodyDepthMax / 2)}0${']}'.repeat(bodyDepthMax / 2)}`;
    expect(nestingWithin(mixed, bodyDepthMax)).toBe(true);
    expect(nestingWithin(`[${mixed}]`, bodyDepthMax)).toBe(false);
  });

  it('ignores brackets inside string literals, escaped quotes included, and ends a string at an escaped backslash', () => {
    expect(nestingWithin(`{"a":"${'['.repeat(10_000)}"}`, bodyDepthMax)).toBe(true);
    expect(nestingWithin(`{"a":"\\"${'{'.repeat(10_000)}"}`, bodyDepthMax)).toBe(true);
    // "\\" is a complete string: the brackets after it are structure again.
    expect(nestingWithin(`["\\\\",${nested(bodyDepthMax)}]`, bodyDepthMax)).toBe(false);
    expect(nestingWithin(`{"k${'['.repeat(100)}":1}`, 1)).toBe(true);
  });

  it('scans a body ten million brackets deep without recursion, in linear time', () => {
    const deep = nested(10_000_000);
    const startedMs = performance.now();
    expect(nestingWithin(deep, bodyDepthMax)).toBe(false);
    expect(nestingWithin(`"${deep}"`, bodyDepthMax)).toBe(true);
    expect(performance.now() - startedMs).toBeLessThan(2_000);
  });

  it('agrees with the depth of the parsed value for any JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, depthMax) => {
        expect(nestingWithin(JSON.stringify(value), depthMax)).toBe(depthOf(value) <= depthMax);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves malformed text to JSON.parse (an unterminated string, unbalanced closers)', () => {
    expect(nestingWithin('{"a": "[[[[', 1)).toBe(true);
    expect(nestingWithin(']]]]', 1)).toBe(true);
  });
});

describe('readJsonBody: depth, then parse, then the walk', () => {
  it('refuses a body nested 10,000 deep as body_too_deep before parsing it', () => {
    expect(readJsonBody(`{"a":${nested(10_000)}}`)).toMatchObject({ ok: false, code: 'body_too_deep' });
    expect(readJsonBody(nested(10_000, '{"a":', '}'))).toMatchObject({ ok: false, code: 'body_too_deep' });
    expect(readJsonBody(nested(bodyDepthMax))).toMatchObject({ ok: true });
  });

  it('answers malformed JSON with bad_request and the position, never the text', () => {
    const reading = readJsonBody('{"status": disabled-secret}');
    expect(reading).toMatchObject({ ok: false, code: 'bad_request' });
    expect(reading.ok ? '' : reading.detail).toMatch(/not valid JSON/);
    expect(reading.ok ? '' : reading.detail).not.toMatch(/disabled|secret/);
    expect(readJsonBody('')).toMatchObject({ ok: false, code: 'bad_request' });
    expect(readJsonBody('{"a":1} {"b":2}')).toMatchObject({ ok: false, code: 'bad_request' });
  });

  it('refuses 1e400 and integers past 2^53 as number_out_of_range, and keeps ordinary numbers', () => {
    expect(readJsonBody('{"a":1e400}')).toMatchObject({ ok: false, code: 'number_out_of_range' });
    expect(readJsonBody('{"a":-1e400}')).toMatchObject({ ok: false, code: 'number_out_of_range' });
    expect(readJsonBody('{"a":18446744073709551616}')).toMatchObject({ ok: false, code: 'number_out_of_range' });
    expect(readJsonBody(`{"a":${Number.MAX_SAFE_INTEGER + 1}}`)).toMatchObject({ ok: false, code: 'number_out_of_range' });
    expect(readJsonBody(`{"a":[${Number.MAX_SAFE_INTEGER},-${Number.MAX_SAFE_INTEGER},1.5,-1,0]}`)).toEqual({
      ok: true,
      value: { a: [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1.5, -1, 0] },
    });
  });

  it('passes a real signed, sealed sync push of the largest batch a workstation sends', () => {
    const signing = hybridKeyPair(new Uint8Array(64).fill(3));
    const server = sealedBoxKeyPair(new Uint8Array(32).fill(4));
    const commands: OutboxCommand[] = Array.from({ length: batchCommandsMax }, (_, index) => ({
      seq: index + 1,
      name: 'cash.deposit',
      input: {
        transferId: index.toString(16).padStart(32, '0'),
        sessionId: 'a'.repeat(32),
        accountId: 'b'.repeat(32),
        money: { amount: '123456789', currency: 'USD' },
      },
      actor: 'alice',
      roles: ['teller'],
      atMs: 1_767_225_600_000 + index,
    }));
    const message = sealPush({ deviceId: 'ws-1', batchSeq: 1, prevDigest: '', commands }, { keyId: deviceKeyId('ws-1', 1), secretKeys: signing.secretKeys }, server.publicKey);
    const text = JSON.stringify({ message });
    const sealed = (message.payload as { sealed: { ciphertext: string } }).sealed.ciphertext;
    // The point of the encoded bound: this string is far past the bound for text.
    expect(sealed.length).toBeGreaterThan(textLengthMax);
    expect(readJsonBody(text)).toEqual({ ok: true, value: JSON.parse(text) });
  });
});

describe('firstFault: the iterative walk of a parsed body', () => {
  it('refuses a control character in a value or a key, anywhere, and names where it is', () => {
    for (const character of ['\u0000', '\u0001', '\u0009', '\u000a', '\u001f', '\u007f']) {
      expect(firstFault({ a: [{ b: `x${character}y` }] })).toMatchObject({ code: 'control_character', detail: expect.stringMatching(/^The string at body\.a\[0\]\.b /) });
      expect(firstFault({ a: { [`k${character}`]: 1 } })).toMatchObject({ code: 'control_character', detail: expect.stringMatching(/^A key in the object at body\.a /) });
    }
    expect(firstFault(['a\u0000'])).toMatchObject({ code: 'control_character' });
    expect(firstFault('top\u0000')).toMatchObject({ code: 'control_character' });
  });

  it('keeps the characters just outside the control ranges, and well-formed pairs', () => {
    expect(firstFault({ a: ' ~\u0080\u00a0é€\u202e😀', 'naïve 😀': ['\ud83d\ude00'] })).toBeUndefined();
  });

  it('refuses a lone surrogate, high or low, as lone_surrogate', () => {
    expect(firstFault({ a: 'x\ud800' })).toMatchObject({ code: 'lone_surrogate' });
    expect(firstFault({ a: '\udc00x' })).toMatchObject({ code: 'lone_surrogate' });
    expect(firstFault({ ['\ud83d']: 1 })).toMatchObject({ code: 'lone_surrogate' });
    expect(readJsonBody('{"a":"\\ud800"}')).toMatchObject({ ok: false, code: 'lone_surrogate' });
  });

  it('refuses __proto__, constructor and prototype keys at any depth as forbidden_key', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      expect(readJsonBody(`{"${key}":{"isAdmin":true}}`)).toMatchObject({ ok: false, code: 'forbidden_key' });
      expect(readJsonBody(`{"a":[{"b":{"${key}":1}}]}`)).toMatchObject({ ok: false, code: 'forbidden_key', detail: expect.stringMatching(/body\.a\[0\]\.b/) });
    }
    expect(firstFault({ proto: 1, constructors: 2, __proto: 3 })).toBeUndefined();
  });

  it('counts keys and array items over the whole body: exactly the limit passes, one more is body_too_complex', () => {
    const half = Math.floor(bodyEntriesMax / 2);
    const keys = Object.fromEntries(Array.from({ length: bodyEntriesMax - half - 1 }, (_, index) => [`k${index}`, 0]));
    expect(firstFault({ a: new Array(half).fill(0), ...keys })).toBeUndefined();
    expect(firstFault({ a: new Array(half + 1).fill(0), ...keys })).toMatchObject({ code: 'body_too_complex' });
    expect(firstFault([new Array(bodyEntriesMax).fill([])])).toMatchObject({ code: 'body_too_complex' });
  });

  it('bounds text at textLengthMax, base64url at encodedLengthMax, and keys at keyLengthMax', () => {
    expect(firstFault({ a: 'a b'.repeat(textLengthMax / 3).padEnd(textLengthMax, '.') })).toBeUndefined();
    expect(firstFault({ a: ' '.repeat(textLengthMax + 1) })).toMatchObject({ code: 'string_too_long' });
    expect(firstFault({ a: 'A'.repeat(textLengthMax + 1) })).toBeUndefined();
    expect(firstFault({ a: 'A_-0'.repeat(1 << 18) })).toBeUndefined();
    expect(firstFault({ a: `${'A'.repeat(textLengthMax)}=` })).toMatchObject({ code: 'string_too_long' });
    expect(firstFault({ a: 'A'.repeat(encodedLengthMax + 1) })).toMatchObject({ code: 'string_too_long' });
    expect(firstFault({ ['k'.repeat(keyLengthMax)]: 1 })).toBeUndefined();
    expect(firstFault({ ['k'.repeat(keyLengthMax + 1)]: 1 })).toMatchObject({ code: 'string_too_long' });
  });

  it('walks a value nested 100,000 deep (past any stack) without recursion and finds the fault at the bottom', () => {
    let value: unknown = ['\u0000'];
    for (let depth = 0; depth < 100_000; depth += 1) value = [value];
    const fault = firstFault(value);
    expect(fault).toMatchObject({ code: 'control_character' });
    expect(fault!.detail.length).toBeLessThan(300);
  });

  it('never repeats what it refused: the detail holds neither the string nor the key', () => {
    const marker = `secret-${'z'.repeat(70_000)}`;
    const faults = [
      firstFault({ a: `${marker}\u0000` }),
      firstFault({ a: `${marker} ` }),
      firstFault({ [`${marker}\u0001`]: 1 }),
      firstFault({ [marker]: 1 }),
      firstFault({ a: `${marker}\ud800` }),
    ];
    expect(firstFault({ count: { '10000': 'a\u0000' } })!.detail).toMatch(/^The string at body\.count\["10000"\] /);
    expect(firstFault({ 'secret key!': 'a\u0000' })!.detail).toMatch(/^The string at body\[…\] /);
    expect(parametersFault({}, { 'secret key!': 'a\u0000' })!.detail).toMatch(/^A query parameter holds/);
    for (const fault of faults) {
      expect(fault).toBeDefined();
      expect(fault!.detail).not.toMatch(/secret|zzzz/);
      expect(fault!.detail.length).toBeLessThan(300);
    }
  });
});

describe('parametersFault: path parameters and query values', () => {
  it('refuses control characters and lone surrogates in a path parameter, a query value or a query name', () => {
    expect(parametersFault({ accountId: '\u0000' }, {})).toMatchObject({ code: 'control_character', detail: expect.stringMatching(/path parameter accountId/) });
    expect(parametersFault({}, { fullName: 'a\u0000b' })).toMatchObject({ code: 'control_character', detail: expect.stringMatching(/query parameter fullName/) });
    expect(parametersFault({}, { fullName: ['ok', 'a\u007f'] })).toMatchObject({ code: 'control_character' });
    expect(parametersFault({}, { 'a\u0001': '1' })).toMatchObject({ code: 'control_character', detail: expect.stringMatching(/name/) });
    expect(parametersFault({ username: 'x\udfff' }, {})).toMatchObject({ code: 'lone_surrogate' });
  });

  it('bounds each value at parameterLengthMax and the query at queryParametersMax names', () => {
    expect(parametersFault({ id: 'a'.repeat(parameterLengthMax) }, { q: 'b'.repeat(parameterLengthMax) })).toBeUndefined();
    expect(parametersFault({ id: 'a'.repeat(parameterLengthMax + 1) }, {})).toMatchObject({ code: 'string_too_long' });
    expect(parametersFault({}, { q: 'A'.repeat(parameterLengthMax + 1) })).toMatchObject({ code: 'string_too_long' });
    const many = Object.fromEntries(Array.from({ length: queryParametersMax + 1 }, (_, index) => [`q${index}`, '1']));
    expect(parametersFault({}, many)).toMatchObject({ code: 'body_too_complex' });
    expect(parametersFault({ branchId: 'a'.repeat(32) }, { limit: '10', after: '99999999999999999999', name: 'Mei Tanaka 😀' })).toBeUndefined();
  });
});
