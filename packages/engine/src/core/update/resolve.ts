/**
 * Finding a target (TUF §5.6.7): in the top-level targets, else in delegated roles whose path
 * patterns cover it, searched depth first in the order listed, at most `delegationsVisitedMax` roles.
 * A delegated role is verified with the keys and threshold its delegating role names, at the version
 * (length, hash) the snapshot names; one that lists any target outside its own patterns, or outside
 * the patterns of any role above it, is refused as a whole (`path_not_delegated`): compliance may
 * sign `lists/*` and `rules/*`, and metadata claiming `app/*` under its keys says its signer is
 * misbehaving.
 */
import { verifyDescribed } from './client';
import { pathCovered } from './paths';
import { authorityOfDelegation, isExpired, refuse } from './verify';
import { delegationsVisitedMax, type Signed, type TargetFile, type TargetsMetadata, type TrustedState, type UpdateResult } from './types';

export interface ResolvedTarget {
  readonly path: string;
  readonly info: TargetFile;
  /** The role that signed the entry: `targets` or a delegated role's name. */
  readonly role: string;
  /** The state with every delegated role verified on the way added (persist it). */
  readonly state: TrustedState;
}

interface Visit {
  readonly metadata: Signed<TargetsMetadata>;
  readonly name: string;
  /** The patterns of every role from the top-level targets down to this one. */
  readonly patternChain: readonly (readonly string[])[];
}

/**
 * `delegatedBytes` holds the files the shell has fetched so far, by role name; when the search needs
 * one it lacks, the refusal `role_missing` names it, and the shell fetches it and calls again.
 */
export function resolveTarget(state: TrustedState, path: string, delegatedBytes: { readonly [role: string]: Uint8Array }, nowMs: number): UpdateResult<ResolvedTarget> {
  const current = currentTargets(state, nowMs);
  if (!current.ok) return current;
  let delegated = state.delegated;
  const stack: Visit[] = [{ metadata: current.value, name: 'targets', patternChain: [] }];
  const visited = new Set<string>();
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const info = Object.prototype.hasOwnProperty.call(visit.metadata.signed.targets, path) ? visit.metadata.signed.targets[path] : undefined;
    if (info !== undefined) return { ok: true, value: { path, info, role: visit.name, state: { ...state, delegated } } };
    const children = (visit.metadata.signed.delegations?.roles ?? []).filter((role) => pathCovered(role.paths, path) && !visited.has(role.name));
    const loaded: Visit[] = [];
    for (const role of children) {
      if (visited.size >= delegationsVisitedMax) return refuse('too_many_delegations', role.name);
      visited.add(role.name);
      const patternChain = [...visit.patternChain, role.paths];
      const metadata = loadDelegated(state, delegated, visit.metadata.signed, role, patternChain, delegatedBytes, nowMs);
      if (!metadata.ok) return metadata;
      delegated = { ...delegated, [role.name]: metadata.value };
      loaded.push({ metadata: metadata.value, name: role.name, patternChain });
    }
    // Reversed onto the stack, so the first role listed is searched first (pre-order).
    stack.push(...loaded.reverse());
  }
  return refuse('target_not_found', 'targets');
}

/** The trusted targets, if every file on the way to it is current and unexpired at `nowMs`. */
function currentTargets(state: TrustedState, nowMs: number): UpdateResult<Signed<TargetsMetadata>> {
  const { root, timestamp, snapshot, targets } = state;
  if (timestamp === null) return refuse('not_loaded', 'timestamp');
  if (snapshot === null) return refuse('not_loaded', 'snapshot');
  if (targets === null) return refuse('not_loaded', 'targets');
  if (snapshot.signed.version !== timestamp.signed.meta['snapshot.json'].version) return refuse('version_mismatch', 'snapshot');
  if (targets.signed.version !== snapshot.signed.meta['targets.json']?.version) return refuse('version_mismatch', 'targets');
  for (const [name, metadata] of [['root', root], ['timestamp', timestamp], ['snapshot', snapshot], ['targets', targets]] as const) {
    if (isExpired(metadata.signed, nowMs)) return refuse('expired', name);
  }
  return { ok: true, value: targets };
}

function loadDelegated(
  state: TrustedState,
  delegated: TrustedState['delegated'],
  delegating: TargetsMetadata,
  role: NonNullable<TargetsMetadata['delegations']>['roles'][number],
  patternChain: readonly (readonly string[])[],
  delegatedBytes: { readonly [role: string]: Uint8Array },
  nowMs: number,
): UpdateResult<Signed<TargetsMetadata>> {
  const named = state.snapshot?.signed.meta[`${role.name}.json`];
  if (named === undefined) return refuse('role_missing', role.name);
  const cached = Object.prototype.hasOwnProperty.call(delegated, role.name) ? delegated[role.name] : undefined;
  if (cached !== undefined && cached.signed.version === named.version) {
    return isExpired(cached.signed, nowMs) ? refuse('expired', role.name) : { ok: true, value: cached };
  }
  const bytes = Object.prototype.hasOwnProperty.call(delegatedBytes, role.name) ? delegatedBytes[role.name] : undefined;
  if (bytes === undefined) return refuse('role_missing', role.name);
  const verified = verifyDescribed(bytes, named, role.name, authorityOfDelegation(delegating, role), nowMs);
  if (!verified.ok) return verified;
  const outside = Object.keys(verified.value.signed.targets).some((target) => !patternChain.every((patterns) => pathCovered(patterns, target)));
  if (outside) return refuse('path_not_delegated', role.name);
  return verified;
}

/**
 * Every delegated role reachable from the trusted targets, each verified with the keys and
 * threshold its delegating role names, at the version the snapshot names, and confined to the
 * paths of every role above it — so the files a repository publishes are listed only from signed
 * metadata (a mirror serving garbage for a role cannot make its files look withdrawn). Pre-order,
 * at most `delegationsVisitedMax` roles; a role the search needs and `delegatedBytes` lacks is
 * `role_missing`.
 */
export function verifiedDelegations(state: TrustedState, delegatedBytes: { readonly [role: string]: Uint8Array }, nowMs: number): UpdateResult<{ readonly [role: string]: Signed<TargetsMetadata> }> {
  const current = currentTargets(state, nowMs);
  if (!current.ok) return current;
  const verified: { [role: string]: Signed<TargetsMetadata> } = {};
  const stack: Visit[] = [{ metadata: current.value, name: 'targets', patternChain: [] }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const loaded: Visit[] = [];
    for (const role of visit.metadata.signed.delegations?.roles ?? []) {
      if (Object.prototype.hasOwnProperty.call(verified, role.name)) continue;
      if (Object.keys(verified).length >= delegationsVisitedMax) return refuse('too_many_delegations', role.name);
      const patternChain = [...visit.patternChain, role.paths];
      const metadata = loadDelegated(state, state.delegated, visit.metadata.signed, role, patternChain, delegatedBytes, nowMs);
      if (!metadata.ok) return metadata;
      verified[role.name] = metadata.value;
      loaded.push({ metadata: metadata.value, name: role.name, patternChain });
    }
    stack.push(...loaded.reverse());
  }
  return { ok: true, value: verified };
}
