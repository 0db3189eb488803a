/**
 * Hybrid signatures: ML-DSA-65 (FIPS 204) and Ed25519 (RFC 8032) over the same bytes. A signature
 * is accepted only when both verify, so a forger must break both the lattice scheme and the curve:
 * Ed25519 keeps us safe if ML-DSA falls to a classical attack, ML-DSA if a quantum computer breaks
 * Ed25519.
 *
 * Domain separation: ML-DSA signs with the FIPS 204 context string `qenex/v1`; Ed25519 signs the
 * very bytes ML-DSA formats internally, M' = 0x00 ‖ len(ctx) ‖ ctx ‖ message (FIPS 204 Alg. 2), so
 * neither half can be lifted onto another protocol's messages.
 *
 * Keys and signatures are trusted or attacker input by role: keys come from our own registry, so a
 * key of the wrong length is a programmer error (assert); messages and signatures come off the wire,
 * so nothing about them makes verification throw.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { assert } from '../assert';
import { decodeBase64url, encodeBase64url } from './encoding';
import { hasExactlyKeys, isPlainRecord } from './shape';

/** The FIPS 204 context string of every QENEX signature (version 1 of the protocol). */
export const signatureContext: Uint8Array = utf8ToBytes('qenex/v1');

export const mlDsa65PublicKeyBytes = 1952;
export const mlDsa65SecretKeyBytes = 4032;
export const mlDsa65SignatureBytes = 3309;
export const ed25519PublicKeyBytes = 32;
export const ed25519SecretKeyBytes = 32;
export const ed25519SignatureBytes = 64;
/** A key-pair seed: 32 bytes of ML-DSA-65 ξ, then the 32-byte Ed25519 secret key. */
export const hybridSeedBytes = 64;

export interface HybridPublicKeys {
  readonly mlDsa65: Uint8Array;
  readonly ed25519: Uint8Array;
}

export interface HybridSecretKeys {
  readonly mlDsa65: Uint8Array;
  readonly ed25519: Uint8Array;
}

export interface HybridKeyPair {
  readonly publicKeys: HybridPublicKeys;
  readonly secretKeys: HybridSecretKeys;
}

export interface HybridSignature {
  readonly mlDsa65: Uint8Array;
  readonly ed25519: Uint8Array;
}

/** Why a hybrid signature did not verify; `ok` when both halves did. */
export type HybridVerifyCode = 'ok' | 'malformed_signature' | 'ml_dsa_signature_invalid' | 'ed25519_signature_invalid';

export interface HybridSignOptions {
  /**
   * Deterministic ML-DSA signing (FIPS 204's rnd = 0): the same key and message give the same
   * signature, for reproducible simulations. Default hedged (fresh randomness), as FIPS 204 advises.
   */
  readonly deterministic?: boolean;
}

/**
 * A key pair: from a 64-byte seed (tests, simulations: the same seed gives the same keys), or from
 * the platform's CSPRNG (globalThis.crypto.getRandomValues, through @noble/hashes' randomBytes).
 */
export function hybridKeyPair(seed?: Uint8Array): HybridKeyPair {
  const material = seed ?? randomBytes(hybridSeedBytes);
  assert(material instanceof Uint8Array && material.length === hybridSeedBytes, `a hybrid key seed is ${hybridSeedBytes} bytes`);
  // Copies, not views: noble keeps the seed buffer it is given, and the caller may wipe theirs. A
  // Node Buffer's slice is a view, so the copy is made as a plain Uint8Array first.
  const copy = Uint8Array.from(material);
  const mlDsa = ml_dsa65.keygen(copy.slice(0, 32));
  const edSecret = copy.slice(32, 64);
  return {
    publicKeys: { mlDsa65: mlDsa.publicKey, ed25519: ed25519.getPublicKey(edSecret) },
    secretKeys: { mlDsa65: mlDsa.secretKey, ed25519: edSecret },
  };
}

export function hybridSign(secretKeys: HybridSecretKeys, message: Uint8Array, options: HybridSignOptions = {}): HybridSignature {
  assert(secretKeys.mlDsa65.length === mlDsa65SecretKeyBytes, 'an ML-DSA-65 secret key is 4032 bytes');
  assert(secretKeys.ed25519.length === ed25519SecretKeyBytes, 'an Ed25519 secret key is 32 bytes');
  const mlDsa65 = ml_dsa65.sign(message, secretKeys.mlDsa65, {
    context: signatureContext,
    ...(options.deterministic === true ? { extraEntropy: false as const } : {}),
  });
  const ed = ed25519.sign(formattedMessage(message), secretKeys.ed25519);
  return { mlDsa65, ed25519: ed };
}

/** True only when both the ML-DSA-65 and the Ed25519 signature verify over `message`. */
export function hybridVerify(publicKeys: HybridPublicKeys, message: Uint8Array, signature: HybridSignature): boolean {
  return hybridVerifyCode(publicKeys, message, signature) === 'ok';
}

/** As `hybridVerify`, saying which half failed; never throws on the message or signature. */
export function hybridVerifyCode(publicKeys: HybridPublicKeys, message: Uint8Array, signature: HybridSignature): HybridVerifyCode {
  assertPublicKeys(publicKeys);
  if (!(message instanceof Uint8Array)) return 'malformed_signature';
  const mlDsa = signature?.mlDsa65;
  const ed = signature?.ed25519;
  if (!(mlDsa instanceof Uint8Array) || mlDsa.length !== mlDsa65SignatureBytes) return 'malformed_signature';
  if (!(ed instanceof Uint8Array) || ed.length !== ed25519SignatureBytes) return 'malformed_signature';
  if (!verifies(() => ml_dsa65.verify(mlDsa, message, publicKeys.mlDsa65, { context: signatureContext }))) return 'ml_dsa_signature_invalid';
  // zip215: false is RFC 8032's strict check (canonical R and A, cofactorless): one valid signature
  // per message, none that some verifiers accept and others refuse.
  if (!verifies(() => ed25519.verify(ed, formattedMessage(message), publicKeys.ed25519, { zip215: false }))) return 'ed25519_signature_invalid';
  return 'ok';
}

/** Public keys for the registry and the wire: base64url of each half. */
export interface HybridPublicKeysJson {
  readonly mlDsa65: string;
  readonly ed25519: string;
}

export function hybridPublicKeysToJson(publicKeys: HybridPublicKeys): HybridPublicKeysJson {
  assertPublicKeys(publicKeys);
  return { mlDsa65: encodeBase64url(publicKeys.mlDsa65), ed25519: encodeBase64url(publicKeys.ed25519) };
}

/** `undefined` unless `value` is exactly {mlDsa65, ed25519} with keys of the right lengths. */
export function hybridPublicKeysFromJson(value: unknown): HybridPublicKeys | undefined {
  if (!isPlainRecord(value) || !hasExactlyKeys(value, ['ed25519', 'mlDsa65'])) return undefined;
  const mlDsa = typeof value.mlDsa65 === 'string' ? decodeBase64url(value.mlDsa65) : undefined;
  const ed = typeof value.ed25519 === 'string' ? decodeBase64url(value.ed25519) : undefined;
  if (mlDsa?.length !== mlDsa65PublicKeyBytes || ed?.length !== ed25519PublicKeyBytes) return undefined;
  return { mlDsa65: mlDsa, ed25519: ed };
}

/** FIPS 204's M' for a pure (not pre-hashed) signature with our context; what Ed25519 signs. */
function formattedMessage(message: Uint8Array): Uint8Array {
  const formatted = new Uint8Array(2 + signatureContext.length + message.length);
  formatted[0] = 0;
  formatted[1] = signatureContext.length;
  formatted.set(signatureContext, 2);
  formatted.set(message, 2 + signatureContext.length);
  return formatted;
}

function assertPublicKeys(publicKeys: HybridPublicKeys): void {
  assert(publicKeys?.mlDsa65 instanceof Uint8Array && publicKeys.mlDsa65.length === mlDsa65PublicKeyBytes, 'an ML-DSA-65 public key is 1952 bytes');
  assert(publicKeys.ed25519 instanceof Uint8Array && publicKeys.ed25519.length === ed25519PublicKeyBytes, 'an Ed25519 public key is 32 bytes');
}

/** A library that throws on input it cannot parse (a non-point R, say) has refused the signature. */
function verifies(check: () => boolean): boolean {
  try {
    return check() === true;
  } catch {
    return false;
  }
}
