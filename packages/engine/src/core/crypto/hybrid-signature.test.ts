import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert';
import {
  hybridKeyPair,
  hybridPublicKeysFromJson,
  hybridPublicKeysToJson,
  hybridSign,
  hybridVerify,
  hybridVerifyCode,
  signatureContext,
  type HybridSignature,
} from './hybrid-signature';

const seed = (fill: number) => new Uint8Array(64).fill(fill);
const alice = hybridKeyPair(seed(1));
const bob = hybridKeyPair(seed(2));
const message = new TextEncoder().encode('batch 17 of device ws-042');

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe('hybridKeyPair', () => {
  it('derives the same keys from the same 64-byte seed, and different keys from another', () => {
    const again = hybridKeyPair(seed(1));
    expect(again.publicKeys).toEqual(alice.publicKeys);
    expect(again.secretKeys).toEqual(alice.secretKeys);
    expect(bob.publicKeys.mlDsa65).not.toEqual(alice.publicKeys.mlDsa65);
    expect(bob.publicKeys.ed25519).not.toEqual(alice.publicKeys.ed25519);
  });

  it('takes the ML-DSA-65 seed from the first 32 bytes and the Ed25519 secret key from the last 32', () => {
    const material = new Uint8Array(64).map((_, index) => index);
    const pair = hybridKeyPair(material);
    expect(pair.publicKeys.mlDsa65).toEqual(ml_dsa65.keygen(material.slice(0, 32)).publicKey);
    expect(pair.publicKeys.ed25519).toEqual(ed25519.getPublicKey(material.slice(32)));
    expect(pair.publicKeys.mlDsa65).toHaveLength(1952);
    expect(pair.secretKeys.mlDsa65).toHaveLength(4032);
  });

  it('draws fresh keys from the platform CSPRNG when given no seed', () => {
    const first = hybridKeyPair();
    const second = hybridKeyPair();
    expect(first.publicKeys.ed25519).not.toEqual(second.publicKeys.ed25519);
    expect(first.publicKeys.mlDsa65).not.toEqual(second.publicKeys.mlDsa65);
  });

  it('refuses a seed of any other length as a programmer error', () => {
    expect(() => hybridKeyPair(new Uint8Array(32))).toThrow(AssertionError);
    expect(() => hybridKeyPair(new Uint8Array(65))).toThrow(AssertionError);
  });
});

describe('hybridSign and hybridVerify', () => {
  const signature = hybridSign(alice.secretKeys, message);

  it('verifies a signature made by the matching key over the same bytes', () => {
    expect(signature.mlDsa65).toHaveLength(3309);
    expect(signature.ed25519).toHaveLength(64);
    expect(hybridVerify(alice.publicKeys, message, signature)).toBe(true);
    expect(hybridVerifyCode(alice.publicKeys, message, signature)).toBe('ok');
  });

  it('refuses another message, or another key', () => {
    expect(hybridVerifyCode(alice.publicKeys, flipBit(message, 0), signature)).toBe('ml_dsa_signature_invalid');
    expect(hybridVerifyCode(bob.publicKeys, message, signature)).toBe('ml_dsa_signature_invalid');
    expect(hybridVerify(bob.publicKeys, message, signature)).toBe(false);
  });

  it('refuses a flipped bit in either signature, naming the half that failed', () => {
    for (const index of [0, 1000, 3308]) {
      const tampered = { ...signature, mlDsa65: flipBit(signature.mlDsa65, index) };
      expect(hybridVerifyCode(alice.publicKeys, message, tampered)).toBe('ml_dsa_signature_invalid');
    }
    for (const index of [0, 31, 32, 63]) {
      const tampered = { ...signature, ed25519: flipBit(signature.ed25519, index) };
      expect(hybridVerifyCode(alice.publicKeys, message, tampered)).toBe('ed25519_signature_invalid');
    }
  });

  it('refuses a signature whose halves are valid for different keys (ML-DSA from A, Ed25519 from B)', () => {
    const fromBob = hybridSign(bob.secretKeys, message);
    const mixed: HybridSignature = { mlDsa65: signature.mlDsa65, ed25519: fromBob.ed25519 };
    expect(hybridVerifyCode(alice.publicKeys, message, mixed)).toBe('ed25519_signature_invalid');
    expect(hybridVerifyCode(bob.publicKeys, message, mixed)).toBe('ml_dsa_signature_invalid');
    // Nor can two signatures of A over different messages be spliced.
    const other = hybridSign(alice.secretKeys, new TextEncoder().encode('batch 18'));
    expect(hybridVerifyCode(alice.publicKeys, message, { mlDsa65: signature.mlDsa65, ed25519: other.ed25519 })).toBe('ed25519_signature_invalid');
  });

  it('separates domains: the halves verify under context qenex/v1 only, and Ed25519 signs FIPS 204’s M′', () => {
    expect(new TextDecoder().decode(signatureContext)).toBe('qenex/v1');
    expect(ml_dsa65.verify(signature.mlDsa65, message, alice.publicKeys.mlDsa65, { context: signatureContext })).toBe(true);
    expect(ml_dsa65.verify(signature.mlDsa65, message, alice.publicKeys.mlDsa65)).toBe(false);
    const formatted = new Uint8Array([0, signatureContext.length, ...signatureContext, ...message]);
    expect(ed25519.verify(signature.ed25519, formatted, alice.publicKeys.ed25519)).toBe(true);
    expect(ed25519.verify(signature.ed25519, message, alice.publicKeys.ed25519)).toBe(false);
    // A signature the same keys made for another protocol (no context, raw message) is refused here.
    const foreign: HybridSignature = {
      mlDsa65: ml_dsa65.sign(message, alice.secretKeys.mlDsa65),
      ed25519: ed25519.sign(message, alice.secretKeys.ed25519),
    };
    expect(hybridVerifyCode(alice.publicKeys, message, foreign)).toBe('ml_dsa_signature_invalid');
    expect(hybridVerifyCode(alice.publicKeys, message, { mlDsa65: signature.mlDsa65, ed25519: foreign.ed25519 })).toBe('ed25519_signature_invalid');
  });

  it('refuses truncated, oversized or missing signature halves as malformed, without throwing', () => {
    const cases: unknown[] = [
      { mlDsa65: signature.mlDsa65.slice(0, 3308), ed25519: signature.ed25519 },
      { mlDsa65: new Uint8Array([...signature.mlDsa65, 0]), ed25519: signature.ed25519 },
      { mlDsa65: signature.mlDsa65, ed25519: signature.ed25519.slice(0, 63) },
      { mlDsa65: signature.mlDsa65, ed25519: new Uint8Array([...signature.ed25519, 0]) },
      { mlDsa65: signature.mlDsa65 },
      { mlDsa65: Array.from(signature.mlDsa65), ed25519: signature.ed25519 },
      {},
      null,
      undefined,
    ];
    for (const candidate of cases) {
      expect(hybridVerifyCode(alice.publicKeys, message, candidate as HybridSignature)).toBe('malformed_signature');
    }
  });

  it('refuses an Ed25519 signature with a non-canonical scalar S (S + L), which lenient verifiers accept', () => {
    const order = 2n ** 252n + 27742317777372353535851937790883648493n;
    const s = signature.ed25519.slice(32);
    let scalar = 0n;
    for (let index = 31; index >= 0; index -= 1) scalar = (scalar << 8n) | BigInt(s[index]!);
    let malleated = scalar + order;
    const bytes = new Uint8Array(32);
    for (let index = 0; index < 32; index += 1) {
      bytes[index] = Number(malleated & 0xffn);
      malleated >>= 8n;
    }
    const tampered = { ...signature, ed25519: new Uint8Array([...signature.ed25519.slice(0, 32), ...bytes]) };
    expect(hybridVerifyCode(alice.publicKeys, message, tampered)).toBe('ed25519_signature_invalid');
  });

  it('signs deterministically on request (same key and message, same bytes) and hedged by default', () => {
    const first = hybridSign(alice.secretKeys, message, { deterministic: true });
    const second = hybridSign(alice.secretKeys, message, { deterministic: true });
    expect(first.mlDsa65).toEqual(second.mlDsa65);
    expect(hybridVerify(alice.publicKeys, message, first)).toBe(true);
    const hedged = hybridSign(alice.secretKeys, message);
    expect(hedged.mlDsa65).not.toEqual(signature.mlDsa65);
    expect(hedged.ed25519).toEqual(signature.ed25519); // Ed25519 is deterministic by design (RFC 8032)
  });

  it('treats a registry key of the wrong length as a programmer error', () => {
    const shortKey = { mlDsa65: alice.publicKeys.mlDsa65.slice(1), ed25519: alice.publicKeys.ed25519 };
    expect(() => hybridVerify(shortKey, message, signature)).toThrow(AssertionError);
    expect(() => hybridSign({ mlDsa65: alice.secretKeys.mlDsa65, ed25519: new Uint8Array(31) }, message)).toThrow(AssertionError);
  });
});

describe('hybrid public keys as JSON', () => {
  it('round-trips through base64url', () => {
    const json = hybridPublicKeysToJson(alice.publicKeys);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(hybridPublicKeysFromJson(JSON.parse(JSON.stringify(json)))).toEqual(alice.publicKeys);
  });

  it('refuses wrong lengths, extra fields, garbage and non-objects', () => {
    const json = hybridPublicKeysToJson(alice.publicKeys);
    expect(hybridPublicKeysFromJson({ ...json, mlDsa65: json.mlDsa65.slice(4) })).toBeUndefined();
    expect(hybridPublicKeysFromJson({ ...json, ed25519: `${json.ed25519}AAAA` })).toBeUndefined();
    expect(hybridPublicKeysFromJson({ ...json, extra: 'x' })).toBeUndefined();
    expect(hybridPublicKeysFromJson({ ed25519: json.ed25519 })).toBeUndefined();
    expect(hybridPublicKeysFromJson({ ...json, ed25519: '!!' })).toBeUndefined();
    expect(hybridPublicKeysFromJson([json.mlDsa65, json.ed25519])).toBeUndefined();
    expect(hybridPublicKeysFromJson('key')).toBeUndefined();
    expect(hybridPublicKeysFromJson(null)).toBeUndefined();
  });
});
