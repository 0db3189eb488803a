/**
 * Sealed boxes: encryption to one recipient's public key, so that a payload recorded today stays
 * confidential when a quantum computer arrives ("harvest now, decrypt later").
 *
 * Construction: X-Wing KEM → HKDF-SHA256 → AES-256-GCM.
 *   1. X-Wing (draft-connolly-cfrg-xwing-kem; `ml_kem768_x25519` in @noble/post-quantum, checked
 *      against the draft's test vector in sealed-box.test.ts) encapsulates a 32-byte shared secret to
 *      the recipient: ML-KEM-768 (FIPS 203) and X25519 together.
 *   2. HKDF-SHA256 (RFC 5869) turns it into an AES-256 key, with an info label naming this protocol,
 *      version and cipher, so the same secret could never key anything else.
 *   3. AES-256-GCM with a random 12-byte nonce; the caller's envelope header is the associated data,
 *      so a ciphertext cannot be moved under another header.
 *
 * Why X-Wing rather than our own combiner (say, SHA-256(ss_mlkem ‖ ss_x25519) or HKDF over the
 * concatenation): X-Wing is a published combiner with a security proof (Barbosa et al., "X-Wing: the
 * hybrid KEM you've been looking for", IACR ePrint 2024/039): IND-CCA if either ML-KEM-768 or X25519
 * holds. Its SHA3-256 combiner hashes the X25519 ciphertext and public key along with both shared
 * secrets, which is what makes the X25519 half safe against ciphertext-mixing attacks; a home-made
 * concatenation that forgets them is not IND-CCA on the classical side, and one that remembers them
 * is a new construction without a proof. The ML-KEM ciphertext may be left out of the hash only
 * because of ML-KEM's own structure, which the proof covers. And it is implemented in the library we
 * already depend on, not in code of ours, and checked here against the draft's vector. A caveat to
 * keep in view: @noble/post-quantum is self-audited (0.6.1) but not yet independently audited; the
 * X25519, SHA-3, HKDF and AES-GCM beneath it come from noble's independently audited curves, hashes
 * and ciphers. X-Wing has fixed sizes (public key 1216 bytes, secret key a 32-byte seed, ciphertext
 * 1120 bytes) and one wire format shared with other implementations (BoringSSL, Go, the JDK).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes as platformRandomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { assert } from '../assert';
import { decodeBase64url, encodeBase64url } from './encoding';
import { hasExactlyKeys, isPlainRecord } from './shape';

export const xWingPublicKeyBytes = 1216;
export const xWingSecretKeyBytes = 32;
export const xWingCiphertextBytes = 1120;
export const sealedNonceBytes = 12;
export const sealedTagBytes = 16;
/** The largest plaintext one box carries (64 MiB); far inside AES-GCM's 2^36-byte limit per nonce. */
export const sealedPlaintextBytesMax = 64 * 1024 * 1024;
/** The largest associated data (64 KiB): a header, not a payload. */
export const sealedAadBytesMax = 64 * 1024;

/** HKDF info: names the protocol, its version, the KEM and the cipher the key is for. */
const keyInfo = utf8ToBytes('qenex/v1 sealed-box X-Wing HKDF-SHA256 AES-256-GCM');
/** X-Wing encapsulation randomness: 32 bytes for ML-KEM's m, 32 for the ephemeral X25519 key. */
const encapsulationRandomBytes = 64;

export interface SealedBoxKeyPair {
  /** X-Wing public key: ML-KEM-768 encapsulation key ‖ X25519 public key. */
  readonly publicKey: Uint8Array;
  /** X-Wing secret key: the 32-byte seed both halves expand from. */
  readonly secretKey: Uint8Array;
}

export interface SealedBox {
  readonly kemCiphertext: Uint8Array;
  readonly nonce: Uint8Array;
  /** AES-GCM ciphertext with its 16-byte tag at the end. */
  readonly ciphertext: Uint8Array;
}

export interface SealedBoxJson {
  readonly kemCiphertext: string;
  readonly nonce: string;
  readonly ciphertext: string;
}

export type OpenRefusalCode = 'malformed_sealed_box' | 'decryption_failed';

export type OpenResult =
  | { readonly ok: true; readonly code: 'ok'; readonly plaintext: Uint8Array }
  | { readonly ok: false; readonly code: OpenRefusalCode };

export interface SealOptions {
  /** The randomness source; default the platform CSPRNG. Only simulations and known-answer tests pass one. */
  readonly randomBytes?: (bytesLength: number) => Uint8Array;
}

/** A recipient key pair: from a 32-byte seed (deterministic) or from the platform CSPRNG. */
export function sealedBoxKeyPair(seed?: Uint8Array): SealedBoxKeyPair {
  const material = seed ?? platformRandomBytes(xWingSecretKeyBytes);
  assert(material instanceof Uint8Array && material.length === xWingSecretKeyBytes, 'an X-Wing seed is 32 bytes');
  const { publicKey, secretKey } = ml_kem768_x25519.keygen(material.slice());
  return { publicKey, secretKey };
}

/**
 * Encrypts `plaintext` to the holder of `recipientPublicKey`, binding `aad` (the envelope header).
 * The recipient key comes from our registry: a malformed one is a programmer error and throws.
 */
export function sealTo(recipientPublicKey: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, options: SealOptions = {}): SealedBox {
  assert(recipientPublicKey instanceof Uint8Array && recipientPublicKey.length === xWingPublicKeyBytes, 'an X-Wing public key is 1216 bytes');
  assert(plaintext.length <= sealedPlaintextBytesMax, `a sealed plaintext is at most ${sealedPlaintextBytesMax} bytes`);
  assert(aad.length <= sealedAadBytesMax, `sealed associated data is at most ${sealedAadBytesMax} bytes`);
  const random = options.randomBytes ?? platformRandomBytes;
  const coins = random(encapsulationRandomBytes);
  const nonce = random(sealedNonceBytes);
  assert(coins.length === encapsulationRandomBytes && nonce.length === sealedNonceBytes, 'the randomness source returns the length asked for');
  let encapsulated: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    encapsulated = ml_kem768_x25519.encapsulate(recipientPublicKey, coins);
  } catch (error) {
    // FIPS 203's encapsulation-key check (coefficients reduced mod q) failed: a corrupt registry entry.
    assert(false, `the recipient's X-Wing public key is invalid: ${String(error)}`);
  }
  const key = messageKey(encapsulated.sharedSecret);
  const ciphertext = gcm(key, nonce, aad).encrypt(plaintext);
  key.fill(0);
  encapsulated.sharedSecret.fill(0);
  return { kemCiphertext: encapsulated.cipherText, nonce, ciphertext };
}

/**
 * Decrypts a sealed box with the recipient's secret key and the same `aad` it was sealed with. Never
 * throws on the box: wrong lengths are `malformed_sealed_box`; a flipped bit anywhere, a box for
 * someone else or different associated data is `decryption_failed` (ML-KEM's implicit rejection turns
 * a tampered KEM ciphertext into an unrelated key, and GCM's tag then fails).
 */
export function open(recipientSecretKey: Uint8Array, sealed: SealedBox, aad: Uint8Array): OpenResult {
  assert(recipientSecretKey instanceof Uint8Array && recipientSecretKey.length === xWingSecretKeyBytes, 'an X-Wing secret key is 32 bytes');
  if (!isWellFormed(sealed) || !(aad instanceof Uint8Array) || aad.length > sealedAadBytesMax) return { ok: false, code: 'malformed_sealed_box' };
  let key: Uint8Array;
  try {
    key = messageKey(ml_kem768_x25519.decapsulate(sealed.kemCiphertext, recipientSecretKey));
  } catch {
    // X25519 refuses a low-order ephemeral point (an all-zero shared secret): a forged ciphertext.
    return { ok: false, code: 'decryption_failed' };
  }
  try {
    return { ok: true, code: 'ok', plaintext: gcm(key, sealed.nonce, aad).decrypt(sealed.ciphertext) };
  } catch {
    return { ok: false, code: 'decryption_failed' };
  } finally {
    key.fill(0);
  }
}

export function sealedBoxToJson(sealed: SealedBox): SealedBoxJson {
  return {
    kemCiphertext: encodeBase64url(sealed.kemCiphertext),
    nonce: encodeBase64url(sealed.nonce),
    ciphertext: encodeBase64url(sealed.ciphertext),
  };
}

/** `undefined` unless `value` is exactly {kemCiphertext, nonce, ciphertext} in canonical base64url. */
export function sealedBoxFromJson(value: unknown): SealedBox | undefined {
  if (!isPlainRecord(value) || !hasExactlyKeys(value, ['kemCiphertext', 'nonce', 'ciphertext'])) return undefined;
  const fields = [value.kemCiphertext, value.nonce, value.ciphertext].map((field) => (typeof field === 'string' ? decodeBase64url(field) : undefined));
  const [kemCiphertext, nonce, ciphertext] = fields;
  if (kemCiphertext === undefined || nonce === undefined || ciphertext === undefined) return undefined;
  const sealed = { kemCiphertext, nonce, ciphertext };
  return isWellFormed(sealed) ? sealed : undefined;
}

function messageKey(sharedSecret: Uint8Array): Uint8Array {
  return hkdf(sha256, sharedSecret, undefined, keyInfo, 32);
}

function isWellFormed(sealed: unknown): sealed is SealedBox {
  if (sealed === null || typeof sealed !== 'object') return false;
  const { kemCiphertext, nonce, ciphertext } = sealed as Partial<Record<keyof SealedBox, unknown>>;
  return (
    kemCiphertext instanceof Uint8Array &&
    kemCiphertext.length === xWingCiphertextBytes &&
    nonce instanceof Uint8Array &&
    nonce.length === sealedNonceBytes &&
    ciphertext instanceof Uint8Array &&
    ciphertext.length >= sealedTagBytes &&
    ciphertext.length <= sealedPlaintextBytesMax + sealedTagBytes
  );
}
