/**
 * One piece of metadata against its authority: well formed, of the expected type, signed by a
 * threshold of DISTINCT authorised keys, and (when asked) not expired.
 *
 * Counting: a signature counts only when its key id is listed by the role, the key is present in the
 * authority's key table under its own id (the id is SHA-256 of the key, checked, so two entries can
 * never hold one key), and the signature verifies; each key counts at most once however often it is
 * listed or signs. At most one verification per listed key is attempted, so a file stuffed with
 * signatures costs no more than an honest one.
 */
import { hybridPublicKeysFromJson, hybridVerify } from '../crypto/hybrid-signature';
import { expiresMs, parseEnvelope, parseSigned, signedType } from './schema';
import { decodeSignature, signedBytes, tufKeyid } from './signing';
import type { Authority, DelegatedRole, MetadataByType, MetadataType, RootMetadata, Signed, TargetsMetadata, TopLevelRole, UpdateRefusal, UpdateRefusalCode, UpdateResult } from './types';

export function refuse(code: UpdateRefusalCode, role: string): UpdateRefusal {
  return { ok: false, code, role };
}

export function authorityOfRoot(root: RootMetadata, role: TopLevelRole): Authority {
  return { keys: root.keys, keyids: root.roles[role].keyids, threshold: root.roles[role].threshold };
}

export function authorityOfDelegation(delegating: TargetsMetadata, role: DelegatedRole): Authority {
  return { keys: delegating.delegations?.keys ?? {}, keyids: role.keyids, threshold: role.threshold };
}

/** True when `expires` is at or before `nowMs` (TUF: metadata must expire strictly after now). */
export function isExpired(signed: { readonly expires: string }, nowMs: number): boolean {
  const ms = expiresMs(signed.expires);
  return ms === undefined || ms <= nowMs;
}

/**
 * Verifies `metadata` (parsed JSON) as `type` metadata of role `roleName`, signed by `authority`.
 * `nowMs` null skips the expiry check (intermediate roots in a rotation chain, per the spec).
 */
export function verifyRole<K extends MetadataType>(
  metadata: unknown,
  type: K,
  roleName: string,
  authority: Authority,
  nowMs: number | null,
): UpdateResult<Signed<MetadataByType[K]>> {
  const envelope = parseEnvelope(metadata);
  if (envelope === undefined) return refuse('malformed', roleName);
  if (signedType(envelope.signed) !== type) return refuse(typeof signedType(envelope.signed) === 'string' ? 'wrong_type' : 'malformed', roleName);
  const signed = parseSigned(envelope.signed, type);
  if (signed === undefined || !keyTableIsHonest(signed)) return refuse('malformed', roleName);
  const count = countValidSignatures(envelope.signatures, roleName, envelope.signed, authority);
  if (count.valid < authority.threshold) return refuse(count.invalid > 0 ? 'bad_signature' : 'threshold_not_met', roleName);
  if (nowMs !== null && isExpired(signed, nowMs)) return refuse('expired', roleName);
  return { ok: true, value: { signed, signatures: envelope.signatures } };
}

function countValidSignatures(signatures: Signed<unknown>['signatures'], roleName: string, signed: unknown, authority: Authority): { valid: number; invalid: number } {
  const listed = new Set(authority.keyids);
  const tried = new Set<string>();
  let valid = 0;
  let invalid = 0;
  const message = signedBytes(roleName, signed);
  for (const { keyid, sig } of signatures) {
    if (!listed.has(keyid) || tried.has(keyid)) continue;
    const key = Object.prototype.hasOwnProperty.call(authority.keys, keyid) ? authority.keys[keyid] : undefined;
    if (key === undefined || tufKeyid(key) !== keyid) continue;
    tried.add(keyid);
    const publicKeys = hybridPublicKeysFromJson(key.keyval);
    const signature = decodeSignature(sig);
    if (publicKeys !== undefined && signature !== undefined && hybridVerify(publicKeys, message, signature)) valid += 1;
    else invalid += 1;
  }
  return { valid, invalid };
}

/** Every key table in the metadata files each key under its own id, so no key appears twice. */
function keyTableIsHonest(signed: MetadataByType[MetadataType]): boolean {
  const table = signed._type === 'root' ? signed.keys : signed._type === 'targets' ? signed.delegations?.keys : undefined;
  if (table === undefined) return true;
  return Object.entries(table).every(([keyid, key]) => tufKeyid(key) === keyid);
}
