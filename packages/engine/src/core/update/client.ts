/**
 * The client workflow of The Update Framework (specification §5), as pure functions from the
 * trusted state and downloaded bytes to a new trusted state or a refusal. The shell downloads, calls
 * these in order (root, timestamp, snapshot, targets, then resolveTarget and verifyTargetFile), and
 * persists the state each returns; a refusal changes nothing.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeHex } from '../crypto/encoding';
import { decodeMetadataFile } from './signing';
import { authorityOfRoot, isExpired, refuse, verifyRole } from './verify';
import { parseEnvelope, parseSigned } from './schema';
import {
  rootRotationsMax,
  type MetaFile,
  type RoleKeys,
  type RootMetadata,
  type Signed,
  type TargetFile,
  type TargetsMetadata,
  type TrustedState,
  type UpdateResult,
} from './types';

export interface TimestampUpdate {
  readonly state: TrustedState;
  /** False when the repository served the timestamp we already trust: nothing new to fetch. */
  readonly changed: boolean;
}

/**
 * The first trusted state from the root the workstation ships with (pinned at install). The pinned
 * root is trusted because of how it arrived, so only its shape and its own threshold are checked;
 * expiry is checked by the first `updateRoot`.
 */
export function trustPinnedRoot(bytes: Uint8Array): UpdateResult<TrustedState> {
  const metadata = decodeMetadataFile(bytes);
  const envelope = parseEnvelope(metadata);
  const signed = envelope === undefined ? undefined : parseSigned(envelope.signed, 'root');
  if (signed === undefined) return refuse('malformed', 'root');
  const verified = verifyRole(metadata, 'root', 'root', authorityOfRoot(signed, 'root'), null);
  if (!verified.ok) return verified;
  return { ok: true, value: { root: verified.value, timestamp: null, snapshot: null, targets: null, delegated: {} } };
}

/**
 * Applies root N+1, N+2, … in order (§5.3): each signed by a threshold of the root before it AND of
 * itself, each exactly one version on. Intermediate roots may have expired; the final one may not.
 * When the timestamp or snapshot keys changed, the trusted timestamp and snapshot are forgotten so
 * that versions an attacker pushed up with stolen keys no longer block the real ones (§5.3.11,
 * fast-forward recovery).
 */
export function updateRoot(state: TrustedState, candidates: readonly Uint8Array[], nowMs: number): UpdateResult<TrustedState> {
  if (candidates.length > rootRotationsMax) return refuse('too_many_roots', 'root');
  let trusted = state.root;
  for (const bytes of candidates) {
    const metadata = decodeMetadataFile(bytes);
    const byTrusted = verifyRole(metadata, 'root', 'root', authorityOfRoot(trusted.signed, 'root'), null);
    if (!byTrusted.ok) return byTrusted;
    const bySelf = verifyRole(metadata, 'root', 'root', authorityOfRoot(byTrusted.value.signed, 'root'), null);
    if (!bySelf.ok) return bySelf;
    const version = bySelf.value.signed.version;
    if (version <= trusted.signed.version) return refuse('rollback', 'root');
    if (version !== trusted.signed.version + 1) return refuse('version_mismatch', 'root');
    trusted = bySelf.value;
  }
  if (isExpired(trusted.signed, nowMs)) return refuse('expired', 'root');
  if (trusted === state.root) return { ok: true, value: state };
  const rotated = !sameRoleKeys(state.root.signed, trusted.signed, 'timestamp') || !sameRoleKeys(state.root.signed, trusted.signed, 'snapshot');
  const value: TrustedState = rotated ? { root: trusted, timestamp: null, snapshot: null, targets: null, delegated: {} } : { ...state, root: trusted };
  return { ok: true, value };
}

/**
 * §5.4: signed by the root's timestamp threshold; its version never goes back (equal: nothing new),
 * nor does the snapshot version it names; not expired (an old timestamp replayed is a freeze attack).
 */
export function updateTimestamp(state: TrustedState, bytes: Uint8Array, nowMs: number): UpdateResult<TimestampUpdate> {
  const verified = verifyRole(decodeMetadataFile(bytes), 'timestamp', 'timestamp', authorityOfRoot(state.root.signed, 'timestamp'), null);
  if (!verified.ok) return verified;
  const next = verified.value.signed;
  const trusted = state.timestamp?.signed;
  if (trusted !== undefined) {
    if (next.version < trusted.version) return refuse('rollback', 'timestamp');
    if (next.meta['snapshot.json'].version < trusted.meta['snapshot.json'].version) return refuse('rollback', 'snapshot');
  }
  if (isExpired(next, nowMs)) return refuse('expired', 'timestamp');
  if (trusted !== undefined && next.version === trusted.version) return { ok: true, value: { state, changed: false } };
  return { ok: true, value: { state: { ...state, timestamp: verified.value }, changed: true } };
}

/**
 * §5.5: the bytes are the length and hash the timestamp names; signed by the root's snapshot
 * threshold; its version is the one the timestamp names; no targets file it lists goes back or
 * disappears against the trusted snapshot; not expired. Targets metadata whose version it no longer
 * names is forgotten (it must be fetched again).
 */
export function updateSnapshot(state: TrustedState, bytes: Uint8Array, nowMs: number): UpdateResult<TrustedState> {
  if (state.timestamp === null) return refuse('not_loaded', 'timestamp');
  const named = state.timestamp.signed.meta['snapshot.json'];
  const file = checkFile(bytes, named, 'snapshot');
  if (!file.ok) return file;
  const verified = verifyRole(decodeMetadataFile(bytes), 'snapshot', 'snapshot', authorityOfRoot(state.root.signed, 'snapshot'), null);
  if (!verified.ok) return verified;
  const next = verified.value.signed;
  if (next.version !== named.version) return refuse('version_mismatch', 'snapshot');
  for (const [fileName, trustedMeta] of Object.entries(state.snapshot?.signed.meta ?? {})) {
    const nextMeta = next.meta[fileName];
    if (nextMeta === undefined) return refuse('role_removed', roleOfFile(fileName));
    if (nextMeta.version < trustedMeta.version) return refuse('rollback', roleOfFile(fileName));
  }
  if (isExpired(next, nowMs)) return refuse('expired', 'snapshot');
  const targetsKept = state.targets !== null && next.meta['targets.json']?.version === state.targets.signed.version;
  const delegated = targetsKept ? keepNamed(state.delegated, next.meta) : {};
  return { ok: true, value: { ...state, snapshot: verified.value, targets: targetsKept ? state.targets : null, delegated } };
}

/** §5.6: the length and hash the snapshot names (if it names them), the root's targets threshold, the snapshot's version, not expired. */
export function updateTargets(state: TrustedState, bytes: Uint8Array, nowMs: number): UpdateResult<TrustedState> {
  if (state.snapshot === null) return refuse('not_loaded', 'snapshot');
  const named = state.snapshot.signed.meta['targets.json'];
  if (named === undefined) return refuse('malformed', 'snapshot');
  const verified = verifyDescribed(bytes, named, 'targets', authorityOfRoot(state.root.signed, 'targets'), nowMs);
  if (!verified.ok) return verified;
  return { ok: true, value: { ...state, targets: verified.value, delegated: {} } };
}

/** Length, hash, signatures, version and expiry of targets metadata the snapshot describes as `named`. */
export function verifyDescribed(bytes: Uint8Array, named: MetaFile, roleName: string, authority: Parameters<typeof verifyRole>[3], nowMs: number): UpdateResult<Signed<TargetsMetadata>> {
  const file = checkFile(bytes, named, roleName);
  if (!file.ok) return file;
  const verified = verifyRole(decodeMetadataFile(bytes), 'targets', roleName, authority, null);
  if (!verified.ok) return verified;
  if (verified.value.signed.version !== named.version) return refuse(verified.value.signed.version < named.version ? 'rollback' : 'version_mismatch', roleName);
  if (isExpired(verified.value.signed, nowMs)) return refuse('expired', roleName);
  return verified;
}

/**
 * A downloaded target file against what targets metadata says of it: the exact length first, so a
 * longer file is refused before any hashing (the shell stops reading at `info.length + 1` bytes), then
 * SHA-256.
 */
export function verifyTargetFile(info: TargetFile, bytes: Uint8Array): UpdateResult<Uint8Array> {
  if (bytes.length !== info.length) return refuse('length_mismatch', 'target');
  if (encodeHex(sha256(bytes)) !== info.hashes.sha256) return refuse('hash_mismatch', 'target');
  return { ok: true, value: bytes };
}

function checkFile(bytes: Uint8Array, named: MetaFile, roleName: string): UpdateResult<Uint8Array> {
  if (named.length !== undefined && bytes.length !== named.length) return refuse('length_mismatch', roleName);
  if (named.hashes !== undefined && encodeHex(sha256(bytes)) !== named.hashes.sha256) return refuse('hash_mismatch', roleName);
  return { ok: true, value: bytes };
}

function sameRoleKeys(before: RootMetadata, after: RootMetadata, role: 'timestamp' | 'snapshot'): boolean {
  const a: RoleKeys = before.roles[role];
  const b: RoleKeys = after.roles[role];
  const keysOf = (keys: RoleKeys) => [...new Set(keys.keyids)].sort().join(',');
  return a.threshold === b.threshold && keysOf(a) === keysOf(b);
}

function keepNamed(delegated: TrustedState['delegated'], meta: { readonly [file: string]: MetaFile }): TrustedState['delegated'] {
  return Object.fromEntries(Object.entries(delegated).filter(([role, metadata]) => meta[`${role}.json`]?.version === metadata.signed.version));
}

function roleOfFile(fileName: string): string {
  return fileName.slice(0, -'.json'.length);
}
