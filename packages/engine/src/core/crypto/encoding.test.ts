import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeHex, encodeBase64url, encodeHex } from './encoding';

describe('base64url', () => {
  it('matches RFC 4648 §10 test vectors (without padding)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, encoded] of vectors) {
      const bytes = new TextEncoder().encode(text);
      expect(encodeBase64url(bytes)).toBe(encoded);
      expect(decodeBase64url(encoded)).toEqual(bytes);
    }
  });

  it('uses the URL-safe alphabet: - and _ where base64 has + and /', () => {
    expect(encodeBase64url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(decodeBase64url('-_-_')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
  });

  it('agrees with Node’s encoder on any bytes, and decodes what it encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = encodeBase64url(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
        expect(decodeBase64url(encoded)).toEqual(bytes);
      }),
    );
  });

  it('refuses anything but the one canonical spelling, without throwing', () => {
    expect(decodeBase64url('Zg==')).toBeUndefined(); // padding
    expect(decodeBase64url('Zh')).toBeUndefined(); // non-zero unused bits: "Zh" would also read as "f"
    expect(decodeBase64url('Zm9')).toBeUndefined(); // unused bits again (Zm8 is canonical)
    expect(decodeBase64url('Z')).toBeUndefined(); // a length of 1 mod 4 cannot be a whole byte
    expect(decodeBase64url('+/+/')).toBeUndefined(); // standard base64 alphabet
    expect(decodeBase64url('Zm9v Yg')).toBeUndefined(); // whitespace
    expect(decodeBase64url('Zm9vYé')).toBeUndefined(); // non-ASCII
    expect(decodeBase64url(42 as unknown as string)).toBeUndefined();
  });

  it('never throws on arbitrary strings, and whatever it accepts re-encodes to the same string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const decoded = decodeBase64url(text);
        if (decoded !== undefined) expect(encodeBase64url(decoded)).toBe(text);
      }),
    );
  });
});

describe('hex', () => {
  it('encodes lowercase and decodes either case', () => {
    expect(encodeHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect(decodeHex('0001abff')).toEqual(new Uint8Array([0, 1, 0xab, 0xff]));
    expect(decodeHex('0001ABFF')).toEqual(new Uint8Array([0, 1, 0xab, 0xff]));
    expect(decodeHex('')).toEqual(new Uint8Array(0));
  });

  it('refuses odd lengths and non-hex characters, without throwing', () => {
    expect(decodeHex('abc')).toBeUndefined();
    expect(decodeHex('0g')).toBeUndefined();
    expect(decodeHex('0x00')).toBeUndefined();
    expect(decodeHex(' 00')).toBeUndefined();
    expect(decodeHex(null as unknown as string)).toBeUndefined();
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(decodeHex(encodeHex(bytes))).toEqual(bytes);
        expect(encodeHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      }),
    );
  });
});
