/**
 * Signed envelopes: the unit that travels between a workstation and the server (ARCHITECTURE.md,
 * "Sync envelope"). The payload is hashed once, SHA-256 over its canonical JSON (RFC 8785), and the
 * hybrid signature covers that digest and the signer's key id: one ML-DSA signature per batch,
 * never one per operation.
 *
 * Signed bytes: "envelope" ‖ 0x00 ‖ digest (32 bytes) ‖ UTF-8(keyId). The label keeps an envelope
 * signature from being read as any other QENEX signature made with the same key; the digest has a
 * fixed length, so the key id after it is unambiguous. Binding the key id means an envelope cannot be
 * re-attributed to another key that happens to share a half (say, a reissued Ed25519 key).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { assert, unreachable } from '../assert';
import { canonicalJson, type JsonValue } from '../canonical-json';
import { decodeBase64url, decodeHex, encodeBase64url, encodeHex } from './encoding';
import {
  ed25519SignatureBytes,
  hybridSign,
  hybridVerifyCode,
  mlDsa65SignatureBytes,
  type HybridPublicKeys,
  type HybridSecretKeys,
  type HybridSignOptions,
} from './hybrid-signature';
import { hasExactlyKeys, isJsonValue, isPlainRecord } from './shape';

/** A key id: 1 to 128 printable ASCII characters (no spaces), as the key registry names keys. */
export const envelopeKeyIdLengthMax = 128;
/** The largest payload, in characters of canonical JSON (16 MiB); sync batches stay well below. */
export const envelopePayloadCharsMax = 16 * 1024 * 1024;
/** The deepest nesting of a payload (a sync batch is about five levels deep). */
export const envelopePayloadDepthMax = 64;

const keyIdPattern = /^[\x21-\x7e]+$/;
const digestPattern = /^[0-9a-f]{64}$/;
const signingLabel = utf8ToBytes('envelope\u0000');

export interface EnvelopeSignatures {
  /** base64url, no padding */
  readonly mlDsa65: string;
  /** base64url, no padding */
  readonly ed25519: string;
}

export interface SignedEnvelope {
  readonly payload: JsonValue;
  /** SHA-256 of canonicalJson(payload), lowercase hex. */
  readonly digest: string;
  readonly keyId: string;
  readonly signatures: EnvelopeSignatures;
}

export interface EnvelopeSigner {
  readonly keyId: string;
  readonly secretKeys: HybridSecretKeys;
}

export type EnvelopeRefusalCode =
  | 'malformed_envelope'
  | 'unknown_key'
  | 'digest_mismatch'
  | 'malformed_signature'
  | 'ml_dsa_signature_invalid'
  | 'ed25519_signature_invalid';

export type EnvelopeCode = 'ok' | EnvelopeRefusalCode;

export type EnvelopeVerification =
  | { readonly ok: true; readonly code: 'ok'; readonly envelope: SignedEnvelope }
  | { readonly ok: false; readonly code: EnvelopeRefusalCode };

/** SHA-256 of the payload's canonical JSON, lowercase hex. */
export function envelopeDigest(payload: JsonValue): string {
  const canonical = canonicalJson(payload);
  assert(canonical.length <= envelopePayloadCharsMax, `an envelope payload is at most ${envelopePayloadCharsMax} characters of canonical JSON`);
  return encodeHex(sha256(utf8ToBytes(canonical)));
}

export function signEnvelope(payload: JsonValue, signer: EnvelopeSigner, options: HybridSignOptions = {}): SignedEnvelope {
  assert(isKeyId(signer.keyId), 'a key id is 1 to 128 printable ASCII characters');
  const digest = envelopeDigest(payload);
  const signature = hybridSign(signer.secretKeys, signedBytes(digest, signer.keyId), options);
  return {
    payload,
    digest,
    keyId: signer.keyId,
    signatures: { mlDsa65: encodeBase64url(signature.mlDsa65), ed25519: encodeBase64url(signature.ed25519) },
  };
}

/**
 * Checks an envelope read off the wire. Never throws on its content: every defect is a code. The
 * checks run cheapest first (shape, key, digest, encodings, then the two signatures), and an
 * envelope is `ok` only when every one passes. `publicKeysOf` is our own registry: a key of the wrong
 * length there is a programmer error and does throw.
 */
export function verifyEnvelope(envelope: unknown, publicKeysOf: (keyId: string) => HybridPublicKeys | undefined): EnvelopeVerification {
  if (!isPlainRecord(envelope) || !hasExactlyKeys(envelope, ['payload', 'digest', 'keyId', 'signatures'])) return refuse('malformed_envelope');
  const { payload, digest, keyId, signatures } = envelope;
  if (typeof keyId !== 'string' || !isKeyId(keyId) || typeof digest !== 'string') return refuse('malformed_envelope');
  if (!isJsonValue(payload, envelopePayloadDepthMax)) return refuse('malformed_envelope');
  const canonical = canonicalJson(payload as JsonValue);
  if (canonical.length > envelopePayloadCharsMax) return refuse('malformed_envelope');

  const publicKeys = publicKeysOf(keyId);
  if (publicKeys === undefined) return refuse('unknown_key');
  if (!digestPattern.test(digest) || digest !== encodeHex(sha256(utf8ToBytes(canonical)))) return refuse('digest_mismatch');

  if (!isPlainRecord(signatures) || !hasExactlyKeys(signatures, ['mlDsa65', 'ed25519'])) return refuse('malformed_signature');
  const mlDsa65 = typeof signatures.mlDsa65 === 'string' ? decodeBase64url(signatures.mlDsa65) : undefined;
  const ed25519 = typeof signatures.ed25519 === 'string' ? decodeBase64url(signatures.ed25519) : undefined;
  if (mlDsa65?.length !== mlDsa65SignatureBytes || ed25519?.length !== ed25519SignatureBytes) return refuse('malformed_signature');

  const code = hybridVerifyCode(publicKeys, signedBytes(digest, keyId), { mlDsa65, ed25519 });
  if (code !== 'ok') return refuse(code);
  return {
    ok: true,
    code: 'ok',
    envelope: { payload: payload as JsonValue, digest, keyId, signatures: { mlDsa65: signatures.mlDsa65 as string, ed25519: signatures.ed25519 as string } },
  };
}

/** A sentence for logs and problem+json `detail`, one per code. */
export function envelopeCodeMessage(code: EnvelopeCode): string {
  switch (code) {
    case 'ok':
      return 'the envelope is signed by the named key and its payload is intact';
    case 'malformed_envelope':
      return 'the envelope is not {payload, digest, keyId, signatures} with a JSON payload and a valid key id';
    case 'unknown_key':
      return 'no public key is registered under this key id';
    case 'digest_mismatch':
      return 'the digest is not the SHA-256 of the canonical JSON of the payload';
    case 'malformed_signature':
      return 'the signatures are not {mlDsa65, ed25519} in canonical base64url of the right lengths';
    case 'ml_dsa_signature_invalid':
      return 'the ML-DSA-65 signature does not verify';
    case 'ed25519_signature_invalid':
      return 'the Ed25519 signature does not verify';
    default:
      return unreachable(code);
  }
}

function signedBytes(digestHex: string, keyId: string): Uint8Array {
  const digest = decodeHex(digestHex);
  assert(digest !== undefined && digest.length === 32, 'a digest is 32 bytes of hex');
  return concatBytes(signingLabel, digest, utf8ToBytes(keyId));
}

function isKeyId(keyId: string): boolean {
  return typeof keyId === 'string' && keyId.length >= 1 && keyId.length <= envelopeKeyIdLengthMax && keyIdPattern.test(keyId);
}

function refuse(code: EnvelopeRefusalCode): EnvelopeVerification {
  return { ok: false, code };
}
