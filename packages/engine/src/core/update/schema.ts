/**
 * Strict shape checks for metadata read off the wire: exactly the known fields, of the known types
 * and within the limits, or `undefined`. TUF lets clients ignore unknown fields; we refuse them, so
 * nothing unsigned-looking rides along with what an administrator reviewed.
 */
import { hybridPublicKeysFromJson } from '../crypto/hybrid-signature';
import { isPlainRecord } from '../crypto/shape';
import { isPathPattern, isTargetPath } from './paths';
import {
  delegatedRolesPerTargetsMax,
  keyidsPerRoleMax,
  keysPerMetadataMax,
  metaFilesPerSnapshotMax,
  pathPatternsPerRoleMax,
  signaturesPerMetadataMax,
  targetsPerMetadataMax,
  tufKeyScheme,
  tufKeyType,
  type Delegations,
  type MetadataByType,
  type MetadataSignature,
  type MetadataType,
  type MetaFile,
  type RoleKeys,
  type TargetFile,
  type TufKey,
} from './types';

type JsonRecord = { readonly [key: string]: unknown };

const keyidPattern = /^[0-9a-f]{64}$/;
const sha256Pattern = /^[0-9a-f]{64}$/;
const base64urlPattern = /^[A-Za-z0-9_-]+$/;
const expiresPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const roleNamePattern = /^[a-z0-9][a-z0-9-]{0,63}$/;
const topLevelNames: ReadonlySet<string> = new Set(['root', 'timestamp', 'snapshot', 'targets']);

/** The instant `expires` names, in ms since 1970; `undefined` unless it is exactly YYYY-MM-DDTHH:MM:SSZ and a real date. */
export function expiresMs(expires: unknown): number | undefined {
  if (typeof expires !== 'string' || !expiresPattern.test(expires)) return undefined;
  const ms = Date.parse(expires);
  if (!Number.isFinite(ms) || new Date(ms).toISOString() !== `${expires.slice(0, -1)}.000Z`) return undefined;
  return ms;
}

export function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

export function isKeyid(value: unknown): value is string {
  return typeof value === 'string' && keyidPattern.test(value);
}

/** A delegated role's name: lowercase, digits and `-`, never a top-level role's name. */
export function isDelegatedRoleName(value: unknown): value is string {
  return typeof value === 'string' && roleNamePattern.test(value) && !topLevelNames.has(value);
}

/** `{signed, signatures}` with a well-formed signature list; `signed` is checked by `parseSigned`. */
export function parseEnvelope(value: unknown): { signed: unknown; signatures: MetadataSignature[] } | undefined {
  if (!isPlainRecord(value) || !hasKeys(value, ['signed', 'signatures'])) return undefined;
  const { signed, signatures } = value;
  if (!Array.isArray(signatures) || signatures.length > signaturesPerMetadataMax) return undefined;
  const parsed: MetadataSignature[] = [];
  for (const signature of signatures as unknown[]) {
    if (!isPlainRecord(signature) || !hasKeys(signature, ['keyid', 'sig'])) return undefined;
    if (!isKeyid(signature.keyid) || typeof signature.sig !== 'string' || !base64urlPattern.test(signature.sig)) return undefined;
    parsed.push({ keyid: signature.keyid, sig: signature.sig });
  }
  return { signed, signatures: parsed };
}

/** The `_type` of a `signed` part, to tell `wrong_type` from `malformed`. */
export function signedType(signed: unknown): unknown {
  return isPlainRecord(signed) ? signed._type : undefined;
}

/** `signed` as metadata of `type`, or `undefined`: exactly the fields the type has, each valid. */
export function parseSigned<K extends MetadataType>(signed: unknown, type: K): MetadataByType[K] | undefined {
  if (!isPlainRecord(signed) || signed._type !== type) return undefined;
  if (typeof signed.spec_version !== 'string' || !signed.spec_version.startsWith('1.')) return undefined;
  if (!isVersion(signed.version) || expiresMs(signed.expires) === undefined) return undefined;
  const common = ['_type', 'spec_version', 'version', 'expires'];
  const valid = (() => {
    switch (type) {
      case 'root':
        return hasKeys(signed, [...common, 'keys', 'roles']) && isKeys(signed.keys) && isRootRoles(signed.roles);
      case 'timestamp':
        return hasKeys(signed, [...common, 'meta']) && isTimestampMeta(signed.meta);
      case 'snapshot':
        return hasKeys(signed, [...common, 'meta']) && isSnapshotMeta(signed.meta);
      case 'targets':
        return hasKeys(signed, [...common, 'targets'], ['delegations']) && isTargets(signed.targets) && (signed.delegations === undefined || isDelegations(signed.delegations));
      default:
        return false;
    }
  })();
  return valid ? (signed as unknown as MetadataByType[K]) : undefined;
}

/** Exactly the `required` keys, plus any of the `optional` ones: no other own key. */
function hasKeys(value: JsonRecord, required: readonly string[], optional: readonly string[] = []): boolean {
  const own = Object.keys(value);
  if (!required.every((key) => Object.prototype.hasOwnProperty.call(value, key))) return false;
  return own.every((key) => required.includes(key) || optional.includes(key));
}

function isKeys(value: unknown): value is { [keyid: string]: TufKey } {
  if (!isPlainRecord(value)) return false;
  const entries = Object.entries(value);
  return entries.length <= keysPerMetadataMax && entries.every(([keyid, key]) => isKeyid(keyid) && isKey(key));
}

function isKey(value: unknown): value is TufKey {
  if (!isPlainRecord(value) || !hasKeys(value, ['keytype', 'scheme', 'keyval'])) return false;
  return value.keytype === tufKeyType && value.scheme === tufKeyScheme && hybridPublicKeysFromJson(value.keyval) !== undefined;
}

function isRoleKeys(value: unknown, extra: readonly string[] = []): value is RoleKeys {
  if (!isPlainRecord(value) || !hasKeys(value, ['keyids', 'threshold', ...extra])) return false;
  const { keyids, threshold } = value;
  if (!Array.isArray(keyids) || keyids.length === 0 || keyids.length > keyidsPerRoleMax || !keyids.every(isKeyid)) return false;
  return typeof threshold === 'number' && Number.isSafeInteger(threshold) && threshold >= 1;
}

function isRootRoles(value: unknown): boolean {
  if (!isPlainRecord(value) || !hasKeys(value, [...topLevelNames])) return false;
  return [...topLevelNames].every((role) => isRoleKeys(value[role]));
}

function isSha256Hashes(value: unknown): value is { sha256: string } {
  return isPlainRecord(value) && hasKeys(value, ['sha256']) && typeof value.sha256 === 'string' && sha256Pattern.test(value.sha256);
}

function isLength(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isMetaFile(value: unknown, lengthAndHashRequired: boolean): value is MetaFile {
  if (!isPlainRecord(value)) return false;
  const ok = lengthAndHashRequired ? hasKeys(value, ['version', 'length', 'hashes']) : hasKeys(value, ['version'], ['length', 'hashes']);
  if (!ok || !isVersion(value.version)) return false;
  return (value.length === undefined || isLength(value.length)) && (value.hashes === undefined || isSha256Hashes(value.hashes));
}

function isTimestampMeta(value: unknown): boolean {
  return isPlainRecord(value) && hasKeys(value, ['snapshot.json']) && isMetaFile(value['snapshot.json'], true);
}

function isSnapshotMeta(value: unknown): boolean {
  if (!isPlainRecord(value) || !Object.prototype.hasOwnProperty.call(value, 'targets.json')) return false;
  const entries = Object.entries(value);
  if (entries.length > metaFilesPerSnapshotMax) return false;
  return entries.every(([file, meta]) => (file === 'targets.json' || (file.endsWith('.json') && isDelegatedRoleName(file.slice(0, -5)))) && isMetaFile(meta, false));
}

function isTargetFile(value: unknown): value is TargetFile {
  return isPlainRecord(value) && hasKeys(value, ['length', 'hashes']) && isLength(value.length) && isSha256Hashes(value.hashes);
}

function isTargets(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  const entries = Object.entries(value);
  return entries.length <= targetsPerMetadataMax && entries.every(([path, file]) => isTargetPath(path) && isTargetFile(file));
}

function isDelegations(value: unknown): value is Delegations {
  if (!isPlainRecord(value) || !hasKeys(value, ['keys', 'roles']) || !isKeys(value.keys)) return false;
  const { roles } = value;
  if (!Array.isArray(roles) || roles.length > delegatedRolesPerTargetsMax) return false;
  const names = new Set<string>();
  for (const role of roles as unknown[]) {
    if (!isRoleKeys(role, ['name', 'paths']) || !isPlainRecord(role)) return false;
    const { name, paths } = role as JsonRecord;
    if (!isDelegatedRoleName(name) || names.has(name)) return false;
    if (!Array.isArray(paths) || paths.length === 0 || paths.length > pathPatternsPerRoleMax || !paths.every((path) => typeof path === 'string' && isPathPattern(path))) return false;
    names.add(name);
  }
  return true;
}
