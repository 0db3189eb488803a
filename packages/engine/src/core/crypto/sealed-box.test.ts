import { createDecipheriv, hkdfSync } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert';
import { decodeHex, encodeHex } from './encoding';
import {
  open,
  sealTo,
  sealedBoxFromJson,
  sealedBoxKeyPair,
  sealedBoxToJson,
  type SealedBox,
} from './sealed-box';

const hex = (text: string): Uint8Array => decodeHex(text)!;
const recipient = sealedBoxKeyPair(new Uint8Array(32).fill(3));
const stranger = sealedBoxKeyPair(new Uint8Array(32).fill(4));
const header = new TextEncoder().encode('{"batchSeq":17,"deviceId":"ws-042","to":"server-1"}');
const plaintext = new TextEncoder().encode('{"commands":[{"name":"deposit","amount":{"amount":"1234","currency":"USD"}}]}');
const sealed = sealTo(recipient.publicKey, plaintext, header);

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe('the KEM is X-Wing', () => {
  // draft-connolly-cfrg-xwing-kem-08, Appendix C, first test vector (pk and ct pinned by SHA-256).
  it('reproduces the draft’s test vector: keys from the seed, ciphertext and shared secret from eseed', () => {
    const seed = hex('7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26');
    const eseed = hex(
      '3cb1eea988004b93103cfb0aeefd2a686e01fa4a58e8a3639ca8a1e3f9ae57e235b8cc873c23dc62b8d260169afa2f75ab916a58d974918835d25e6a435085b2',
    );
    const keys = sealedBoxKeyPair(seed);
    expect(keys.secretKey).toEqual(seed);
    expect(encodeHex(sha256(keys.publicKey))).toBe('2e816deebcd76c5c80d0cd2d174478871658e8e2ff42bc9d4a6e486372e856bb');
    const { cipherText, sharedSecret } = ml_kem768_x25519.encapsulate(keys.publicKey, eseed);
    expect(encodeHex(sha256(cipherText))).toBe('17cd532d657e44c897ca6583e548a5424fc70bf54f99515a4d2bcf99e3469f33');
    expect(encodeHex(sharedSecret)).toBe('d2df0522128f09dd8e2c92b1e905c793d8f57a54c3da25861f10bf4ca613e384');
    expect(encodeHex(ml_kem768_x25519.decapsulate(cipherText, keys.secretKey))).toBe(encodeHex(sharedSecret));
  });
});

describe('sealTo and open', () => {
  it('opens what was sealed, with the same header', () => {
    expect(sealed.kemCiphertext).toHaveLength(1120);
    expect(sealed.nonce).toHaveLength(12);
    expect(sealed.ciphertext).toHaveLength(plaintext.length + 16);
    expect(open(recipient.secretKey, sealed, header)).toEqual({ ok: true, code: 'ok', plaintext });
  });

  it('is X-Wing → HKDF-SHA256(info label) → AES-256-GCM(nonce, AAD = header), as rebuilt with Node’s OpenSSL', () => {
    const sharedSecret = ml_kem768_x25519.decapsulate(sealed.kemCiphertext, recipient.secretKey);
    const key = Buffer.from(hkdfSync('sha256', sharedSecret, new Uint8Array(0), 'qenex/v1 sealed-box X-Wing HKDF-SHA256 AES-256-GCM', 32));
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce);
    decipher.setAAD(header);
    decipher.setAuthTag(sealed.ciphertext.subarray(-16));
    const opened = Buffer.concat([decipher.update(sealed.ciphertext.subarray(0, -16)), decipher.final()]);
    expect(new Uint8Array(opened)).toEqual(plaintext);
  });

  it('uses fresh randomness each time: a new KEM ciphertext and nonce for the same plaintext', () => {
    const again = sealTo(recipient.publicKey, plaintext, header);
    expect(again.kemCiphertext).not.toEqual(sealed.kemCiphertext);
    expect(again.nonce).not.toEqual(sealed.nonce);
    expect(again.ciphertext).not.toEqual(sealed.ciphertext);
  });

  it('is deterministic given a randomness source (simulations)', () => {
    let counter = 0;
    const source = (length: number) => new Uint8Array(length).map(() => (counter++ * 37) & 0xff);
    const first = sealTo(recipient.publicKey, plaintext, header, { randomBytes: source });
    counter = 0;
    expect(sealTo(recipient.publicKey, plaintext, header, { randomBytes: source })).toEqual(first);
    expect(open(recipient.secretKey, first, header).ok).toBe(true);
  });

  it('seals an empty plaintext and empty associated data', () => {
    const empty = sealTo(recipient.publicKey, new Uint8Array(0), new Uint8Array(0));
    expect(open(recipient.secretKey, empty, new Uint8Array(0))).toEqual({ ok: true, code: 'ok', plaintext: new Uint8Array(0) });
  });

  it('refuses another header (the ciphertext cannot move to another envelope)', () => {
    expect(open(recipient.secretKey, sealed, flipBit(header, 3)).code).toBe('decryption_failed');
    expect(open(recipient.secretKey, sealed, new Uint8Array(0)).code).toBe('decryption_failed');
  });

  it('refuses a box for someone else', () => {
    expect(open(stranger.secretKey, sealed, header).code).toBe('decryption_failed');
  });

  it('refuses a flipped bit in the nonce, the ciphertext, the tag, or either half of the KEM ciphertext', () => {
    const tampered: SealedBox[] = [
      { ...sealed, nonce: flipBit(sealed.nonce, 0) },
      { ...sealed, nonce: flipBit(sealed.nonce, 11) },
      { ...sealed, ciphertext: flipBit(sealed.ciphertext, 0) },
      { ...sealed, ciphertext: flipBit(sealed.ciphertext, sealed.ciphertext.length - 1) }, // the tag
      { ...sealed, kemCiphertext: flipBit(sealed.kemCiphertext, 0) }, // ML-KEM-768 part
      { ...sealed, kemCiphertext: flipBit(sealed.kemCiphertext, 1087) },
      { ...sealed, kemCiphertext: flipBit(sealed.kemCiphertext, 1088) }, // X25519 part
      { ...sealed, kemCiphertext: flipBit(sealed.kemCiphertext, 1119) },
    ];
    for (const box of tampered) expect(open(recipient.secretKey, box, header)).toEqual({ ok: false, code: 'decryption_failed' });
  });

  it('refuses a low-order X25519 point in the KEM ciphertext without throwing', () => {
    const lowOrder = sealed.kemCiphertext.slice();
    lowOrder.fill(0, 1088);
    expect(open(recipient.secretKey, { ...sealed, kemCiphertext: lowOrder }, header)).toEqual({ ok: false, code: 'decryption_failed' });
  });

  it('refuses truncated, oversized or mistyped fields as malformed', () => {
    const malformed: unknown[] = [
      { ...sealed, kemCiphertext: sealed.kemCiphertext.slice(0, 1119) },
      { ...sealed, kemCiphertext: new Uint8Array([...sealed.kemCiphertext, 0]) },
      { ...sealed, nonce: sealed.nonce.slice(0, 11) },
      { ...sealed, nonce: new Uint8Array(13) },
      { ...sealed, ciphertext: sealed.ciphertext.slice(0, 15) },
      { ...sealed, ciphertext: Array.from(sealed.ciphertext) },
      { kemCiphertext: sealed.kemCiphertext, nonce: sealed.nonce },
      null,
      'sealed',
    ];
    for (const box of malformed) expect(open(recipient.secretKey, box as SealedBox, header)).toEqual({ ok: false, code: 'malformed_sealed_box' });
  });

  it('treats a corrupt recipient key from our registry as a programmer error', () => {
    expect(() => sealTo(recipient.publicKey.slice(1), plaintext, header)).toThrow(AssertionError);
    const unreduced = recipient.publicKey.slice();
    unreduced[0] = 0xff; // the first ML-KEM coefficient becomes ≥ q = 3329: FIPS 203's modulus check fails
    unreduced[1] = 0xff;
    expect(() => sealTo(unreduced, plaintext, header)).toThrow(AssertionError);
    expect(() => open(new Uint8Array(31), sealed, header)).toThrow(AssertionError);
  });
});

describe('sealed boxes as JSON', () => {
  it('round-trip through base64url and still open', () => {
    const json = JSON.parse(JSON.stringify(sealedBoxToJson(sealed))) as unknown;
    const back = sealedBoxFromJson(json);
    expect(back).toEqual(sealed);
    expect(open(recipient.secretKey, back!, header).ok).toBe(true);
  });

  it('refuse extra fields, wrong lengths and garbage', () => {
    const json = sealedBoxToJson(sealed);
    expect(sealedBoxFromJson({ ...json, extra: '' })).toBeUndefined();
    expect(sealedBoxFromJson({ ...json, nonce: json.nonce.slice(2) })).toBeUndefined();
    expect(sealedBoxFromJson({ ...json, kemCiphertext: '***' })).toBeUndefined();
    expect(sealedBoxFromJson({ ...json, ciphertext: 5 })).toBeUndefined();
    expect(sealedBoxFromJson({ nonce: json.nonce })).toBeUndefined();
    expect(sealedBoxFromJson(null)).toBeUndefined();
  });
});

describe('sealedBoxKeyPair', () => {
  it('is deterministic from a 32-byte seed and random without one', () => {
    expect(sealedBoxKeyPair(new Uint8Array(32).fill(3))).toEqual(recipient);
    expect(sealedBoxKeyPair().publicKey).not.toEqual(sealedBoxKeyPair().publicKey);
    expect(recipient.publicKey).toHaveLength(1216);
    expect(() => sealedBoxKeyPair(new Uint8Array(64))).toThrow(AssertionError);
  });
});
