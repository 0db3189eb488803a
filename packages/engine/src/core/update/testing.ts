/**
 * A signed repository for tests (not exported from the engine): builds and signs root, timestamp,
 * snapshot, targets and delegated targets with the keys given, the way the admin CLI will, and
 * lets a test tamper with any part before or after signing.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeHex } from '../crypto/encoding';
import { hybridKeyPair, type HybridKeyPair } from '../crypto/hybrid-signature';
import { encodeMetadataFile, signMetadata, tufKey, tufKeyid } from './signing';
import {
  tufSpecVersion,
  type DelegatedRole,
  type MetaFile,
  type RootMetadata,
  type Signed,
  type SnapshotMetadata,
  type TargetFile,
  type TargetsMetadata,
  type TimestampMetadata,
  type TopLevelRole,
  type TufKey,
} from './types';

export interface RoleSpec {
  readonly keys: readonly HybridKeyPair[];
  readonly threshold: number;
}

/** A key pair from a one-byte seed: the same fill gives the same keys (derive once per test file). */
export function testKeyPair(fill: number): HybridKeyPair {
  return hybridKeyPair(new Uint8Array(64).fill(fill));
}

export function keyidOf(keyPair: HybridKeyPair): string {
  return tufKeyid(tufKey(keyPair.publicKeys));
}

export function keyTable(keyPairs: readonly HybridKeyPair[]): { [keyid: string]: TufKey } {
  return Object.fromEntries(keyPairs.map((keyPair) => [keyidOf(keyPair), tufKey(keyPair.publicKeys)]));
}

export function signAs<T>(role: string, signed: T, signers: readonly HybridKeyPair[]): Signed<T> {
  return { signed, signatures: signers.map((keyPair) => signMetadata(role, signed, keyPair)) };
}

export function fileOf(metadata: Signed<unknown>): Uint8Array {
  return encodeMetadataFile(metadata);
}

export function describeFile(bytes: Uint8Array, version: number): Required<MetaFile> {
  return { version, length: bytes.length, hashes: { sha256: encodeHex(sha256(bytes)) } };
}

export function describeTarget(bytes: Uint8Array): TargetFile {
  return { length: bytes.length, hashes: { sha256: encodeHex(sha256(bytes)) } };
}

export interface DelegationSpec extends RoleSpec {
  readonly name: string;
  readonly paths: readonly string[];
  readonly targets: { readonly [path: string]: TargetFile };
  readonly version: number;
  readonly expires: string;
}

/** The repository's current contents; a test edits these fields and calls `publish`. */
export class TestRepository {
  roles: { [role in TopLevelRole]: RoleSpec };
  rootVersion = 1;
  rootExpires = '2031-01-01T00:00:00Z';
  timestampVersion = 1;
  timestampExpires = '2030-01-02T00:00:00Z';
  snapshotVersion = 1;
  snapshotExpires = '2030-01-08T00:00:00Z';
  targetsVersion = 1;
  targetsExpires = '2030-03-01T00:00:00Z';
  targets: { [path: string]: TargetFile } = {};
  delegations: DelegationSpec[] = [];
  /** Every root published, by version (root 1 is the pinned one). */
  readonly roots = new Map<number, Uint8Array>();

  constructor(roles: { [role in TopLevelRole]: RoleSpec }) {
    this.roles = roles;
    this.roots.set(1, fileOf(this.signRoot(roles.root.keys)));
  }

  rootSigned(): RootMetadata {
    const all = Object.values(this.roles).flatMap((role) => role.keys);
    const roleKeys = (spec: RoleSpec) => ({ keyids: spec.keys.map(keyidOf), threshold: spec.threshold });
    return {
      _type: 'root',
      spec_version: tufSpecVersion,
      version: this.rootVersion,
      expires: this.rootExpires,
      keys: keyTable(all),
      roles: { root: roleKeys(this.roles.root), timestamp: roleKeys(this.roles.timestamp), snapshot: roleKeys(this.roles.snapshot), targets: roleKeys(this.roles.targets) },
    };
  }

  signRoot(signers: readonly HybridKeyPair[]): Signed<RootMetadata> {
    return signAs('root', this.rootSigned(), signers);
  }

  /** Root version+1 with new role keys, signed by the old root keys and the new ones. */
  rotateRoot(roles: Partial<{ [role in TopLevelRole]: RoleSpec }>, signers?: readonly HybridKeyPair[]): Uint8Array {
    const oldRootKeys = this.roles.root.keys;
    this.roles = { ...this.roles, ...roles };
    this.rootVersion += 1;
    const bytes = fileOf(this.signRoot(signers ?? [...new Set([...oldRootKeys, ...this.roles.root.keys])]));
    this.roots.set(this.rootVersion, bytes);
    return bytes;
  }

  delegatedSigned(spec: DelegationSpec): TargetsMetadata {
    return { _type: 'targets', spec_version: tufSpecVersion, version: spec.version, expires: spec.expires, targets: spec.targets };
  }

  delegatedFiles(): { [role: string]: Uint8Array } {
    return Object.fromEntries(this.delegations.map((spec) => [spec.name, fileOf(signAs(spec.name, this.delegatedSigned(spec), spec.keys))]));
  }

  targetsSigned(): TargetsMetadata {
    const base = { _type: 'targets' as const, spec_version: tufSpecVersion, version: this.targetsVersion, expires: this.targetsExpires, targets: this.targets };
    if (this.delegations.length === 0) return base;
    const roles: DelegatedRole[] = this.delegations.map((spec) => ({ name: spec.name, keyids: spec.keys.map(keyidOf), threshold: spec.threshold, paths: spec.paths }));
    return { ...base, delegations: { keys: keyTable(this.delegations.flatMap((spec) => spec.keys)), roles } };
  }

  /** Signs targets, delegated targets, snapshot and timestamp from the current fields. */
  publish(): { timestamp: Uint8Array; snapshot: Uint8Array; targets: Uint8Array; delegated: { [role: string]: Uint8Array } } {
    const targets = fileOf(signAs('targets', this.targetsSigned(), this.roles.targets.keys));
    const delegated = this.delegatedFiles();
    const meta: { [file: string]: MetaFile } = { 'targets.json': { version: this.targetsVersion } };
    for (const spec of this.delegations) meta[`${spec.name}.json`] = { version: spec.version };
    const snapshotSigned: SnapshotMetadata = { _type: 'snapshot', spec_version: tufSpecVersion, version: this.snapshotVersion, expires: this.snapshotExpires, meta };
    const snapshot = fileOf(signAs('snapshot', snapshotSigned, this.roles.snapshot.keys));
    const timestamp = fileOf(signAs('timestamp', this.timestampSigned(describeFile(snapshot, this.snapshotVersion)), this.roles.timestamp.keys));
    return { timestamp, snapshot, targets, delegated };
  }

  timestampSigned(snapshot: Required<MetaFile>): TimestampMetadata {
    return { _type: 'timestamp', spec_version: tufSpecVersion, version: this.timestampVersion, expires: this.timestampExpires, meta: { 'snapshot.json': snapshot } };
  }
}
