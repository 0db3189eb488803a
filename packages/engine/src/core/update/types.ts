/**
 * Metadata of the signed update repository (ARCHITECTURE.md, "Updates"): The Update Framework's
 * four top-level roles and delegated targets, as plain JSON. Every `signed` part is signed over its
 * canonical JSON (RFC 8785) by hybrid keys (ML-DSA-65 + Ed25519).
 *
 * `expires` is an ISO 8601 instant to the second in UTC (`2030-01-31T00:00:00Z`), as TUF writes it:
 * an administrator reviewing metadata reads it, and one spelling per instant is accepted.
 */
import type { HybridPublicKeysJson } from '../crypto/hybrid-signature';

/** The only key type: a hybrid public key; the id is SHA-256 of the key's canonical JSON, lowercase hex. */
export const tufKeyType = 'qenex-hybrid';
export const tufKeyScheme = 'ml-dsa-65+ed25519';
/** The major version of the TUF specification this client implements; metadata of another major is refused. */
export const tufSpecVersion = '1.0.31';

export interface TufKey {
  readonly keytype: typeof tufKeyType;
  readonly scheme: typeof tufKeyScheme;
  readonly keyval: HybridPublicKeysJson;
}

export interface RoleKeys {
  readonly keyids: readonly string[];
  readonly threshold: number;
}

export type TopLevelRole = 'root' | 'timestamp' | 'snapshot' | 'targets';

export interface RootMetadata {
  readonly _type: 'root';
  readonly spec_version: string;
  readonly version: number;
  readonly expires: string;
  readonly keys: { readonly [keyid: string]: TufKey };
  readonly roles: { readonly [role in TopLevelRole]: RoleKeys };
}

/** What one metadata file says about another: its version, and optionally its length and hash. */
export interface MetaFile {
  readonly version: number;
  readonly length?: number;
  readonly hashes?: { readonly sha256: string };
}

export interface TimestampMetadata {
  readonly _type: 'timestamp';
  readonly spec_version: string;
  readonly version: number;
  readonly expires: string;
  /** Exactly `snapshot.json`, with its length and hash always named (so a mixed-in snapshot is caught). */
  readonly meta: { readonly 'snapshot.json': Required<MetaFile> };
}

export interface SnapshotMetadata {
  readonly _type: 'snapshot';
  readonly spec_version: string;
  readonly version: number;
  readonly expires: string;
  /** `targets.json` and one `<role>.json` per delegated role. */
  readonly meta: { readonly [file: string]: MetaFile };
}

export interface TargetFile {
  readonly length: number;
  readonly hashes: { readonly sha256: string };
}

export interface DelegatedRole extends RoleKeys {
  readonly name: string;
  /** Path patterns; `*` matches within one path segment only (`lists/*` covers `lists/ofac.json`, not `lists/a/b`). */
  readonly paths: readonly string[];
}

export interface Delegations {
  readonly keys: { readonly [keyid: string]: TufKey };
  readonly roles: readonly DelegatedRole[];
}

export interface TargetsMetadata {
  readonly _type: 'targets';
  readonly spec_version: string;
  readonly version: number;
  readonly expires: string;
  readonly targets: { readonly [path: string]: TargetFile };
  readonly delegations?: Delegations;
}

export interface MetadataByType {
  readonly root: RootMetadata;
  readonly timestamp: TimestampMetadata;
  readonly snapshot: SnapshotMetadata;
  readonly targets: TargetsMetadata;
}

export type MetadataType = keyof MetadataByType;

export interface MetadataSignature {
  readonly keyid: string;
  /** base64url (no padding) of the ML-DSA-65 signature (3309 bytes) followed by the Ed25519 signature (64). */
  readonly sig: string;
}

export interface Signed<T> {
  readonly signed: T;
  readonly signatures: readonly MetadataSignature[];
}

/** The keys and threshold a piece of metadata must be signed by: a role of the root, or a delegation. */
export interface Authority {
  readonly keys: { readonly [keyid: string]: TufKey };
  readonly keyids: readonly string[];
  readonly threshold: number;
}

/** Why metadata or a target file was refused. */
export type UpdateRefusalCode =
  | 'malformed'
  | 'wrong_type'
  | 'bad_signature'
  | 'threshold_not_met'
  | 'expired'
  | 'rollback'
  | 'role_removed'
  | 'version_mismatch'
  | 'length_mismatch'
  | 'hash_mismatch'
  | 'path_not_delegated'
  | 'not_loaded'
  | 'role_missing'
  | 'target_not_found'
  | 'too_many_roots'
  | 'too_many_delegations';

export interface UpdateRefusal {
  readonly ok: false;
  readonly code: UpdateRefusalCode;
  /** The role (or `target`) the refusal is about, for logs and the admin screen. */
  readonly role: string;
}

export type UpdateResult<T> = { readonly ok: true; readonly value: T } | UpdateRefusal;

/**
 * What the client trusts and persists between sessions, as plain JSON. `null` means not (or no
 * longer) trusted: after a timestamp or snapshot key rotation both are forgotten (fast-forward
 * recovery); a new snapshot forgets targets whose version it no longer names.
 */
export interface TrustedState {
  readonly root: Signed<RootMetadata>;
  readonly timestamp: Signed<TimestampMetadata> | null;
  readonly snapshot: Signed<SnapshotMetadata> | null;
  readonly targets: Signed<TargetsMetadata> | null;
  readonly delegated: { readonly [role: string]: Signed<TargetsMetadata> };
}

/** The largest metadata file, in bytes (a targets file of ~100,000 entries). */
export const metadataBytesMax = 16 * 1024 * 1024;
export const keysPerMetadataMax = 256;
export const keyidsPerRoleMax = 256;
export const signaturesPerMetadataMax = 256;
export const targetsPerMetadataMax = 100_000;
export const metaFilesPerSnapshotMax = 10_000;
export const delegatedRolesPerTargetsMax = 256;
export const pathPatternsPerRoleMax = 64;
/** Roots applied in one update (TUF's max_root_rotations). */
export const rootRotationsMax = 256;
/** Delegated roles visited while resolving one target (TUF's max_number_of_delegations). */
export const delegationsVisitedMax = 32;
export const targetPathCharsMax = 512;
export const targetSegmentsMax = 16;
