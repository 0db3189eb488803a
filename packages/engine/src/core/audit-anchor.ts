/**
 * Signed anchors of the audit chain's head. The chain alone shows an edited, inserted or deleted
 * record in the middle, but not its last records cut off (or an older backup restored): what is
 * left is still a consistent chain. An anchor is the server's hybrid signature (ML-DSA-65 + Ed25519)
 * over "the record at `seq` has hash `hash`", kept where the tail's deleter cannot reach it as
 * easily (a file beside the database, an auditor's own copy). Any anchor then proves the chain had
 * at least `seq` records ending in that hash: a shorter chain lost its tail, and a different hash
 * means the records up to `seq` were rewritten (each record's hash covers all before it).
 *
 * Signed bytes: "qenex/audit-anchor/v1" ‖ 0x00 ‖ canonicalJson({atMs, hash, keyVersion, seq}). The
 * label keeps an anchor from being read as any other signature made with the server's key (a sync
 * envelope's bytes start "envelope\0"); the key version is signed so an anchor cannot be moved onto
 * another key.
 */
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { auditGenesisHash } from './audit';
import { canonicalJson } from './canonical-json';
import {
  decodeBase64url,
  ed25519SignatureBytes,
  encodeBase64url,
  hybridSign,
  hybridVerifyCode,
  mlDsa65SignatureBytes,
  type HybridPublicKeys,
  type HybridSecretKeys,
  type HybridSignOptions,
  type HybridVerifyCode,
} from './crypto';
import { hasExactlyKeys, isPlainRecord } from './crypto/shape';

export const auditAnchorDomain = 'qenex/audit-anchor/v1';

const signingLabel = utf8ToBytes(`${auditAnchorDomain}\u0000`);
const hashPattern = /^[0-9a-f]{64}$/;

/** The characters of a base64url signature half: unpadded, 4 per 3 bytes. */
export const auditAnchorMlDsa65Chars = Math.ceil((mlDsa65SignatureBytes * 4) / 3);
export const auditAnchorEd25519Chars = Math.ceil((ed25519SignatureBytes * 4) / 3);

/** The chain's head as the server signed it: `seq` records, the last with hash `hash` (seq 0: the empty log). */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
  readonly atMs: number;
  /** Which of the server's signing keys signed it (the sync protocol's key `server:<version>`). */
  readonly keyVersion: number;
  /** base64url, no padding. */
  readonly signature: { readonly mlDsa65: string; readonly ed25519: string };
}

/** Why an anchor is not the server's; `ok` when it is. */
export type AuditAnchorCode = 'ok' | 'malformed_anchor' | 'unknown_key' | Exclude<HybridVerifyCode, 'ok'>;

/**
 * What an anchor can show beyond the chain's own breaks: it is not the server's (`code` says why);
 * the chain ends before it (records `seq` to `anchorSeq` are gone); or the record it names differs.
 */
export type AuditAnchorBreak =
  | { readonly kind: 'anchor_forged'; readonly seq: number; readonly code: Exclude<AuditAnchorCode, 'ok'> }
  | { readonly kind: 'tail_missing'; readonly seq: number; readonly anchorSeq: number }
  | { readonly kind: 'anchor_mismatch'; readonly seq: number };

export function signAuditAnchor(
  head: { readonly seq: number; readonly hash: string },
  atMs: number,
  signer: { readonly keyVersion: number; readonly secretKeys: HybridSecretKeys },
  options: HybridSignOptions = {},
): AuditAnchor {
  const statement = { seq: head.seq, hash: head.hash, atMs, keyVersion: signer.keyVersion };
  const signature = hybridSign(signer.secretKeys, signedBytes(statement), options);
  return { ...statement, signature: { mlDsa65: encodeBase64url(signature.mlDsa65), ed25519: encodeBase64url(signature.ed25519) } };
}

/**
 * Checks an anchor from anywhere (the database, a file, an auditor's request) against the server's
 * public keys by version. Never throws on the anchor: every defect is a code.
 */
export function verifyAuditAnchor(anchor: unknown, publicKeysOf: (keyVersion: number) => HybridPublicKeys | undefined): AuditAnchorCode {
  if (!isAnchorShaped(anchor)) return 'malformed_anchor';
  const publicKeys = publicKeysOf(anchor.keyVersion);
  if (publicKeys === undefined) return 'unknown_key';
  const mlDsa65 = decodeBase64url(anchor.signature.mlDsa65);
  const ed25519 = decodeBase64url(anchor.signature.ed25519);
  if (mlDsa65 === undefined || ed25519 === undefined) return 'malformed_signature';
  const { seq, hash, atMs, keyVersion } = anchor;
  return hybridVerifyCode(publicKeys, signedBytes({ seq, hash, atMs, keyVersion }), { mlDsa65, ed25519 });
}

/**
 * What one anchor says about the chain, given how its signature checked, how many records the chain
 * has, and the hash of the chain's record at the anchor's seq (`undefined` when there is none).
 * `undefined` when the anchor vouches for the chain.
 */
export function auditAnchorBreak(anchor: unknown, code: AuditAnchorCode, count: number, hashAtSeq: string | undefined): AuditAnchorBreak | undefined {
  const seq = claimedSeq(anchor);
  if (code !== 'ok') return { kind: 'anchor_forged', seq, code };
  if (seq > count) return { kind: 'tail_missing', seq: count + 1, anchorSeq: seq };
  const expected = seq === 0 ? auditGenesisHash : hashAtSeq;
  if (expected !== (anchor as AuditAnchor).hash) return { kind: 'anchor_mismatch', seq };
  return undefined;
}

/** The seq an anchor claims, for naming it in a report; 0 when it claims none that could be true. */
export function claimedSeq(anchor: unknown): number {
  const seq = isPlainRecord(anchor) ? anchor.seq : undefined;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? seq : 0;
}

/** Of two anchors that both vouch for the chain, the one that covers more of it. */
export function newerAuditAnchor(a: AuditAnchor | null, b: AuditAnchor): AuditAnchor {
  return a === null || b.seq > a.seq || (b.seq === a.seq && b.atMs > a.atMs) ? b : a;
}

function signedBytes(statement: { seq: number; hash: string; atMs: number; keyVersion: number }): Uint8Array {
  return concatBytes(signingLabel, utf8ToBytes(canonicalJson(statement)));
}

function isAnchorShaped(anchor: unknown): anchor is AuditAnchor {
  if (!isPlainRecord(anchor) || !hasExactlyKeys(anchor, ['seq', 'hash', 'atMs', 'keyVersion', 'signature'])) return false;
  const { seq, hash, atMs, keyVersion, signature } = anchor;
  if (!isCount(seq) || !isCount(atMs) || !isCount(keyVersion) || typeof hash !== 'string' || !hashPattern.test(hash)) return false;
  if (!isPlainRecord(signature) || !hasExactlyKeys(signature, ['mlDsa65', 'ed25519'])) return false;
  // Longer than a signature of the right length can be is not worth decoding; shorter fails in the check.
  return (
    typeof signature.mlDsa65 === 'string' &&
    signature.mlDsa65.length <= auditAnchorMlDsa65Chars &&
    typeof signature.ed25519 === 'string' &&
    signature.ed25519.length <= auditAnchorEd25519Chars
  );
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
