/**
 * Key ids, the bytes a role signs, and the metadata file encoding.
 *
 * Signed bytes: UTF-8 `qenex-tuf-v1:<role>\n` ‖ canonicalJson(signed). The hybrid signature already
 * carries the FIPS 204 context `qenex/v1` shared by every QENEX signature; the tag separates update
 * metadata from sync envelopes made with the same library, and names the role, so a timestamp key
 * that also serves a delegation cannot have one role's metadata passed off as the other's.
 *
 * A metadata file is exactly the canonical JSON of `{signed, signatures}`, printable ASCII: one byte
 * sequence per metadata, so hashes in timestamp and snapshot name the content, not a spelling of it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson, type JsonValue } from '../canonical-json';
import { decodeBase64url, encodeBase64url, encodeHex } from '../crypto/encoding';
import {
  ed25519SignatureBytes,
  hybridPublicKeysToJson,
  hybridSign,
  mlDsa65SignatureBytes,
  type HybridKeyPair,
  type HybridPublicKeys,
  type HybridSignature,
} from '../crypto/hybrid-signature';
import { isJsonValue } from '../crypto/shape';
import { metadataBytesMax, tufKeyScheme, tufKeyType, type MetadataSignature, type Signed, type TufKey } from './types';

/** Deep enough for every metadata shape (about six levels); bounds the walk over attacker input. */
const metadataDepthMax = 12;

export function tufKey(publicKeys: HybridPublicKeys): TufKey {
  return { keytype: tufKeyType, scheme: tufKeyScheme, keyval: hybridPublicKeysToJson(publicKeys) };
}

/** SHA-256 of the key's canonical JSON, lowercase hex. */
export function tufKeyid(key: TufKey): string {
  return encodeHex(sha256(utf8ToBytes(canonicalJson(key as unknown as JsonValue))));
}

export function signedBytes(role: string, signed: unknown): Uint8Array {
  return concatBytes(utf8ToBytes(`qenex-tuf-v1:${role}\n`), utf8ToBytes(canonicalJson(signed as JsonValue)));
}

/** A role's signature over `signed` (what the admin CLI does, one key at a time). */
export function signMetadata(role: string, signed: unknown, keyPair: HybridKeyPair): MetadataSignature {
  const signature = hybridSign(keyPair.secretKeys, signedBytes(role, signed));
  return { keyid: tufKeyid(tufKey(keyPair.publicKeys)), sig: encodeBase64url(concatBytes(signature.mlDsa65, signature.ed25519)) };
}

/** The two halves of a `sig`, or `undefined` when it is not canonical base64url of the right length. */
export function decodeSignature(sig: string): HybridSignature | undefined {
  const bytes = decodeBase64url(sig);
  if (bytes?.length !== mlDsa65SignatureBytes + ed25519SignatureBytes) return undefined;
  return { mlDsa65: bytes.slice(0, mlDsa65SignatureBytes), ed25519: bytes.slice(mlDsa65SignatureBytes) };
}

export function encodeMetadataFile(metadata: Signed<unknown>): Uint8Array {
  return utf8ToBytes(canonicalJson(metadata as unknown as JsonValue));
}

/**
 * The JSON value a metadata file holds, or `undefined` when it is too long, not printable ASCII, not
 * JSON, too deep, or not in canonical form. Never throws.
 */
export function decodeMetadataFile(bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > metadataBytesMax) return undefined;
  const text = asciiText(bytes);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonValue(value, metadataDepthMax) || canonicalJson(value as JsonValue) !== text) return undefined;
  return value;
}

function asciiText(bytes: Uint8Array): string | undefined {
  const chunkBytes = 8192;
  let text = '';
  for (let start = 0; start < bytes.length; start += chunkBytes) {
    const chunk = bytes.subarray(start, start + chunkBytes);
    if (chunk.some((byte) => byte < 0x20 || byte > 0x7e)) return undefined;
    text += String.fromCharCode(...chunk);
  }
  return text;
}
