import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { resolveTarget } from './resolve';
import { trustPinnedRoot, updateRoot, updateSnapshot, updateTargets, updateTimestamp, verifyTargetFile } from './client';
import { decodeMetadataFile } from './signing';
import { authorityOfRoot, verifyRole } from './verify';
import { describeFile, describeTarget, fileOf, keyidOf, signAs, testKeyPair, TestRepository } from './testing';
import type { RoleSpec } from './testing';
import type { HybridKeyPair } from '../crypto/hybrid-signature';
import type { RootMetadata, Signed, TrustedState, UpdateResult } from './types';

// Keys once per file: ML-DSA-65 keygen is ~29 ms.
const keyPairs = Array.from({ length: 12 }, (_, index) => testKeyPair(index + 1));
const [root1, root2, root3, root4, root5, timestamp1, timestamp2, snapshot1, snapshot2, targets1, compliance, stranger] = keyPairs as [HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair, HybridKeyPair];

const nowMs = Date.parse('2030-01-01T00:00:00Z');
const one = (keyPair: HybridKeyPair): RoleSpec => ({ keys: [keyPair], threshold: 1 });
const appBytes = utf8ToBytes('app build 4.2.0');
const sanctionsBytes = utf8ToBytes('{"entries":["ACME SHELL CO"]}');

function repository(): TestRepository {
  const repo = new TestRepository({ root: { keys: [root1, root2], threshold: 2 }, timestamp: one(timestamp1), snapshot: one(snapshot1), targets: one(targets1) });
  repo.targets = { 'app/qenex-4.2.0.tar': describeTarget(appBytes) };
  return repo;
}

function ok<T>(result: UpdateResult<T>): T {
  if (!result.ok) throw new Error(`refused: ${result.code} (${result.role})`);
  return result.value;
}

function refusal<T>(result: UpdateResult<T>): { code: string; role: string } {
  if (result.ok) throw new Error('accepted, expected a refusal');
  return { code: result.code, role: result.role };
}

/** A full session: pinned root, new roots, timestamp, snapshot, targets. */
function session(repo: TestRepository, from?: TrustedState): TrustedState {
  let state = from ?? ok(trustPinnedRoot(repo.roots.get(1)!));
  const newer = [...repo.roots.entries()].filter(([version]) => version > state.root.signed.version).sort(([a], [b]) => a - b).map(([, bytes]) => bytes);
  state = ok(updateRoot(state, newer, nowMs));
  const files = repo.publish();
  state = ok(updateTimestamp(state, files.timestamp, nowMs)).state;
  state = ok(updateSnapshot(state, files.snapshot, nowMs));
  return ok(updateTargets(state, files.targets, nowMs));
}

describe('a complete update', () => {
  it('verifies every role, resolves a target and accepts the exact file; the state survives JSON', () => {
    const repo = repository();
    const state = session(repo);
    const resolved = ok(resolveTarget(state, 'app/qenex-4.2.0.tar', {}, nowMs));
    expect(resolved.role).toBe('targets');
    expect(ok(verifyTargetFile(resolved.info, appBytes))).toBe(appBytes);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(refusal(resolveTarget(state, 'app/other.tar', {}, nowMs)).code).toBe('target_not_found');
  });

  it('an equal timestamp changes nothing', () => {
    const repo = repository();
    const state = session(repo);
    const again = ok(updateTimestamp(state, repo.publish().timestamp, nowMs));
    expect(again.changed).toBe(false);
    expect(again.state).toBe(state);
  });
});

describe('rollback', () => {
  it('refuses a timestamp older than the trusted one', () => {
    const repo = repository();
    const old = repo.publish().timestamp;
    repo.timestampVersion = 2;
    const state = session(repo);
    expect(refusal(updateTimestamp(state, old, nowMs))).toEqual({ code: 'rollback', role: 'timestamp' });
  });

  it('refuses a newer timestamp that names an older snapshot', () => {
    const repo = repository();
    repo.snapshotVersion = 5;
    const state = session(repo);
    repo.timestampVersion = 2;
    repo.snapshotVersion = 4;
    expect(refusal(updateTimestamp(state, repo.publish().timestamp, nowMs))).toEqual({ code: 'rollback', role: 'snapshot' });
  });

  it('refuses a snapshot in which the targets version goes back, or a delegated role disappears', () => {
    const repo = repository();
    repo.targetsVersion = 3;
    repo.delegations = [{ name: 'compliance', keys: [compliance], threshold: 1, paths: ['lists/*'], targets: {}, version: 1, expires: '2030-02-01T00:00:00Z' }];
    const state = session(repo);
    repo.timestampVersion = 2;
    repo.snapshotVersion = 2;
    repo.targetsVersion = 2;
    let files = repo.publish();
    let next = ok(updateTimestamp(state, files.timestamp, nowMs)).state;
    expect(refusal(updateSnapshot(next, files.snapshot, nowMs))).toEqual({ code: 'rollback', role: 'targets' });
    repo.targetsVersion = 3;
    repo.delegations = [];
    files = repo.publish();
    next = ok(updateTimestamp(state, files.timestamp, nowMs)).state;
    expect(refusal(updateSnapshot(next, files.snapshot, nowMs))).toEqual({ code: 'role_removed', role: 'compliance' });
  });

  it('refuses targets older than the version the snapshot names', () => {
    const repo = repository();
    const oldTargets = repo.publish().targets;
    repo.targetsVersion = 2;
    repo.snapshotVersion = 2;
    repo.timestampVersion = 2;
    const files = repo.publish();
    let state = ok(trustPinnedRoot(repo.roots.get(1)!));
    state = ok(updateTimestamp(state, files.timestamp, nowMs)).state;
    state = ok(updateSnapshot(state, files.snapshot, nowMs));
    expect(refusal(updateTargets(state, oldTargets, nowMs))).toEqual({ code: 'rollback', role: 'targets' });
  });

  it('refuses a root older than, or the same as, the trusted one', () => {
    const repo = repository();
    const state = ok(updateRoot(ok(trustPinnedRoot(repo.roots.get(1)!)), [repo.rotateRoot({})], nowMs));
    expect(refusal(updateRoot(state, [repo.roots.get(1)!], nowMs)).code).toBe('rollback');
    expect(refusal(updateRoot(state, [repo.roots.get(2)!], nowMs)).code).toBe('rollback');
  });
});

describe('freeze', () => {
  it('refuses an expired timestamp though its signatures are good', () => {
    const repo = repository();
    repo.timestampExpires = '2029-12-31T23:59:59Z';
    const state = ok(trustPinnedRoot(repo.roots.get(1)!));
    expect(refusal(updateTimestamp(state, repo.publish().timestamp, nowMs))).toEqual({ code: 'expired', role: 'timestamp' });
    repo.timestampExpires = '2030-01-01T00:00:00Z';
    expect(refusal(updateTimestamp(state, repo.publish().timestamp, nowMs)).code).toBe('expired');
  });

  it('refuses an expired snapshot and expired targets', () => {
    const repo = repository();
    repo.snapshotExpires = '2029-06-01T00:00:00Z';
    let files = repo.publish();
    let state = ok(updateTimestamp(ok(trustPinnedRoot(repo.roots.get(1)!)), files.timestamp, nowMs)).state;
    expect(refusal(updateSnapshot(state, files.snapshot, nowMs))).toEqual({ code: 'expired', role: 'snapshot' });
    repo.snapshotExpires = '2030-01-08T00:00:00Z';
    repo.targetsExpires = '2029-06-01T00:00:00Z';
    files = repo.publish();
    state = ok(updateTimestamp(ok(trustPinnedRoot(repo.roots.get(1)!)), files.timestamp, nowMs)).state;
    state = ok(updateSnapshot(state, files.snapshot, nowMs));
    expect(refusal(updateTargets(state, files.targets, nowMs))).toEqual({ code: 'expired', role: 'targets' });
  });

  it('refuses an expired final root, and a target resolved with state that has since expired', () => {
    const repo = repository();
    repo.rootExpires = '2029-01-01T00:00:00Z';
    const expired = repo.rotateRoot({});
    expect(refusal(updateRoot(ok(trustPinnedRoot(repo.roots.get(1)!)), [expired], nowMs))).toEqual({ code: 'expired', role: 'root' });
    const fresh = session(repository());
    expect(refusal(resolveTarget(fresh, 'app/qenex-4.2.0.tar', {}, Date.parse('2030-01-05T00:00:00Z')))).toEqual({ code: 'expired', role: 'timestamp' });
  });
});

describe('mix and match', () => {
  it('refuses a snapshot whose hash is not the one the timestamp names', () => {
    const repo = repository();
    const timestamp = repo.publish().timestamp;
    repo.snapshotExpires = '2030-01-07T00:00:00Z'; // same version, different content
    const other = repo.publish().snapshot;
    const state = ok(updateTimestamp(ok(trustPinnedRoot(repo.roots.get(1)!)), timestamp, nowMs)).state;
    expect(refusal(updateSnapshot(state, other, nowMs)).code).toMatch(/^(hash|length)_mismatch$/);
    repo.snapshotExpires = '2030-01-09T00:00:00Z'; // same length, different hash
    expect(refusal(updateSnapshot(state, repo.publish().snapshot, nowMs))).toEqual({ code: 'hash_mismatch', role: 'snapshot' });
  });

  it('refuses a snapshot of another version even when the timestamp names its bytes', () => {
    const repo = repository();
    repo.snapshotVersion = 2;
    const files = repo.publish();
    const forged = fileOf(signAs('timestamp', repo.timestampSigned({ ...describeFile(files.snapshot, 2), version: 3 }), [timestamp1]));
    const state = ok(updateTimestamp(ok(trustPinnedRoot(repo.roots.get(1)!)), forged, nowMs)).state;
    expect(refusal(updateSnapshot(state, files.snapshot, nowMs))).toEqual({ code: 'version_mismatch', role: 'snapshot' });
  });

  it('refuses targets from another snapshot version', () => {
    const repo = repository();
    const targetsV1 = repo.publish().targets;
    repo.targetsVersion = 2;
    repo.targets = { ...repo.targets, 'app/qenex-4.3.0.tar': describeTarget(appBytes) };
    const state = session(repo);
    repo.timestampVersion = 2;
    repo.snapshotVersion = 2;
    repo.targetsVersion = 3;
    const files = repo.publish();
    let next = ok(updateTimestamp(state, files.timestamp, nowMs)).state;
    next = ok(updateSnapshot(next, files.snapshot, nowMs));
    expect(next.targets).toBeNull();
    expect(refusal(updateTargets(next, targetsV1, nowMs))).toEqual({ code: 'rollback', role: 'targets' });
    expect(refusal(resolveTarget(next, 'app/qenex-4.2.0.tar', {}, nowMs))).toEqual({ code: 'not_loaded', role: 'targets' });
  });
});

describe('fast-forward recovery', () => {
  it('after an attacker pushes the timestamp version to the maximum, a timestamp key rotation lets the client recover', () => {
    const repo = repository();
    const state = session(repo);
    repo.timestampVersion = Number.MAX_SAFE_INTEGER;
    const attacked = ok(updateTimestamp(state, repo.publish().timestamp, nowMs)).state;
    repo.timestampVersion = 2;
    expect(refusal(updateTimestamp(attacked, repo.publish().timestamp, nowMs)).code).toBe('rollback');
    const rotated = repo.rotateRoot({ timestamp: one(timestamp2) });
    const recovered = ok(updateRoot(attacked, [rotated], nowMs));
    expect(recovered.timestamp).toBeNull();
    expect(recovered.snapshot).toBeNull();
    const next = ok(updateTimestamp(recovered, repo.publish().timestamp, nowMs));
    expect(next.state.timestamp?.signed.version).toBe(2);
  });

  it('a snapshot key rotation forgets a fast-forwarded snapshot', () => {
    const repo = repository();
    repo.snapshotVersion = 1000;
    repo.targetsVersion = 1000;
    const attacked = session(repo);
    repo.rotateRoot({ snapshot: one(snapshot2) });
    repo.snapshotVersion = 2;
    repo.targetsVersion = 2;
    repo.timestampVersion = 2;
    const recovered = session(repo, attacked);
    expect(recovered.snapshot?.signed.version).toBe(2);
  });

  it('a root rotation that keeps the timestamp and snapshot keys keeps what is trusted', () => {
    const repo = repository();
    const state = session(repo);
    const next = ok(updateRoot(state, [repo.rotateRoot({ targets: one(stranger) })], nowMs));
    expect(next.timestamp).toBe(state.timestamp);
    expect(next.snapshot).toBe(state.snapshot);
  });
});

describe('root rotation', () => {
  it('applies one rotation, and three at once, each signed by the old and the new root keys', () => {
    const repo = repository();
    const pinned = ok(trustPinnedRoot(repo.roots.get(1)!));
    const v2 = repo.rotateRoot({ root: { keys: [root2, root3], threshold: 2 } });
    expect(ok(updateRoot(pinned, [v2], nowMs)).root.signed.version).toBe(2);
    const v3 = repo.rotateRoot({ root: { keys: [root3, root4], threshold: 2 } });
    const v4 = repo.rotateRoot({ root: { keys: [root4, root5], threshold: 1 } });
    const state = ok(updateRoot(pinned, [v2, v3, v4], nowMs));
    expect(state.root.signed.version).toBe(4);
    expect(state.root.signed.roles.root.keyids).toEqual([keyidOf(root4), keyidOf(root5)]);
    expect(session(repo, state).targets).not.toBeNull();
  });

  it('ignores the expiry of intermediate roots', () => {
    const repo = repository();
    repo.rootExpires = '2029-01-01T00:00:00Z';
    const v2 = repo.rotateRoot({});
    repo.rootExpires = '2031-01-01T00:00:00Z';
    const v3 = repo.rotateRoot({});
    expect(ok(updateRoot(ok(trustPinnedRoot(repo.roots.get(1)!)), [v2, v3], nowMs)).root.signed.version).toBe(3);
  });

  it('refuses a rotation signed only by the new keys, or only by the old', () => {
    const repo = repository();
    const pinned = ok(trustPinnedRoot(repo.roots.get(1)!));
    const onlyNew = repo.rotateRoot({ root: { keys: [root3, root4], threshold: 2 } }, [root3, root4]);
    expect(refusal(updateRoot(pinned, [onlyNew], nowMs))).toEqual({ code: 'threshold_not_met', role: 'root' });
    repo.rootVersion = 1;
    repo.roles = { ...repo.roles, root: { keys: [root1, root2], threshold: 2 } };
    const onlyOld = repo.rotateRoot({ root: { keys: [root3, root4], threshold: 2 } }, [root1, root2]);
    expect(refusal(updateRoot(pinned, [onlyOld], nowMs))).toEqual({ code: 'threshold_not_met', role: 'root' });
  });

  it('refuses a chain that skips a version', () => {
    const repo = repository();
    repo.rotateRoot({});
    const v3 = repo.rotateRoot({});
    expect(refusal(updateRoot(ok(trustPinnedRoot(repo.roots.get(1)!)), [v3], nowMs)).code).toBe('version_mismatch');
  });
});

describe('thresholds count distinct keys', () => {
  const repo = repository();
  const root = ok(trustPinnedRoot(repo.roots.get(1)!)).root.signed;
  const authority = authorityOfRoot(root, 'root');

  it('one of two root keys does not meet a threshold of two; a stranger signing does not help', () => {
    expect(refusal(verifyRole(decodeMetadataFile(fileOf(repo.signRoot([root1]))), 'root', 'root', authority, nowMs)).code).toBe('threshold_not_met');
    expect(refusal(verifyRole(decodeMetadataFile(fileOf(repo.signRoot([root1, stranger]))), 'root', 'root', authority, nowMs)).code).toBe('threshold_not_met');
  });

  it('the same key signing twice, or listed twice in the role, counts once', () => {
    const signedTwice = repo.signRoot([root1]);
    const doubled: Signed<RootMetadata> = { ...signedTwice, signatures: [signedTwice.signatures[0]!, signedTwice.signatures[0]!] };
    expect(refusal(verifyRole(decodeMetadataFile(fileOf(doubled)), 'root', 'root', authority, nowMs)).code).toBe('threshold_not_met');
    const listedTwice = { ...authority, keyids: [keyidOf(root1), keyidOf(root1)] };
    expect(refusal(verifyRole(decodeMetadataFile(fileOf(doubled)), 'root', 'root', listedTwice, nowMs)).code).toBe('threshold_not_met');
  });

  it('a second key entry holding the same public key under another id is refused', () => {
    const signed = repo.rootSigned();
    const alias = 'ab'.repeat(32);
    const aliased: RootMetadata = {
      ...signed,
      keys: { ...signed.keys, [alias]: signed.keys[keyidOf(root1)]! },
      roles: { ...signed.roles, root: { keyids: [keyidOf(root1), alias], threshold: 2 } },
    };
    const metadata = signAs('root', aliased, [root1]);
    const twoIds = { ...metadata, signatures: [metadata.signatures[0]!, { keyid: alias, sig: metadata.signatures[0]!.sig }] };
    const result = verifyRole(decodeMetadataFile(fileOf(twoIds)), 'root', 'root', authorityOfRoot(aliased, 'root'), nowMs);
    expect(refusal(result).code).toBe('malformed');
  });

  it('a signature over other content is a bad signature', () => {
    const good = repo.signRoot([root1, root2]);
    const tampered = { ...good, signed: { ...good.signed, expires: '2032-01-01T00:00:00Z' } };
    expect(refusal(verifyRole(decodeMetadataFile(fileOf(tampered)), 'root', 'root', authority, nowMs)).code).toBe('bad_signature');
  });

  it('a timestamp signature does not pass as a snapshot: the role is part of what is signed', () => {
    const ts = repository();
    const snapshotAsTimestampKey = { ...authorityOfRoot(root, 'snapshot'), keyids: [keyidOf(timestamp1)] };
    const signed = signAs('timestamp', { _type: 'snapshot', spec_version: '1.0.31', version: 1, expires: ts.snapshotExpires, meta: { 'targets.json': { version: 1 } } }, [timestamp1]);
    expect(refusal(verifyRole(decodeMetadataFile(fileOf(signed)), 'snapshot', 'snapshot', snapshotAsTimestampKey, nowMs)).code).toBe('bad_signature');
  });
});

describe('target files', () => {
  const info = describeTarget(appBytes);

  it('refuses a longer file before hashing it, and a shorter one', () => {
    const longer = new Uint8Array(appBytes.length + 1);
    longer.set(appBytes);
    expect(refusal(verifyTargetFile(info, longer)).code).toBe('length_mismatch');
    expect(refusal(verifyTargetFile(info, appBytes.subarray(1))).code).toBe('length_mismatch');
    // A hash that would match the longer file does not make it pass: length is checked first.
    expect(refusal(verifyTargetFile({ ...describeTarget(longer), length: appBytes.length }, longer)).code).toBe('length_mismatch');
  });

  it('refuses a file of the right length with another hash', () => {
    const other = appBytes.slice();
    other[0] = other[0]! ^ 1;
    expect(refusal(verifyTargetFile(info, other)).code).toBe('hash_mismatch');
  });
});

describe('delegations', () => {
  function delegatedRepository(targets: { [path: string]: ReturnType<typeof describeTarget> }) {
    const repo = repository();
    repo.delegations = [{ name: 'compliance', keys: [compliance], threshold: 1, paths: ['lists/*', 'rules/*'], targets, version: 1, expires: '2030-02-01T00:00:00Z' }];
    return repo;
  }

  it('finds a list signed by compliance, asking for its metadata first', () => {
    const repo = delegatedRepository({ 'lists/ofac.json': describeTarget(sanctionsBytes) });
    const state = session(repo);
    expect(refusal(resolveTarget(state, 'lists/ofac.json', {}, nowMs))).toEqual({ code: 'role_missing', role: 'compliance' });
    const resolved = ok(resolveTarget(state, 'lists/ofac.json', repo.publish().delegated, nowMs));
    expect(resolved.role).toBe('compliance');
    expect(ok(verifyTargetFile(resolved.info, sanctionsBytes))).toBe(sanctionsBytes);
    expect(ok(resolveTarget(resolved.state, 'lists/ofac.json', {}, nowMs)).role).toBe('compliance');
  });

  it('refuses compliance metadata that lists app/*, and never asks compliance about app/*', () => {
    const repo = delegatedRepository({ 'lists/ofac.json': describeTarget(sanctionsBytes), 'app/qenex-9.9.9.tar': describeTarget(appBytes) });
    const state = session(repo);
    expect(refusal(resolveTarget(state, 'lists/ofac.json', repo.publish().delegated, nowMs))).toEqual({ code: 'path_not_delegated', role: 'compliance' });
    expect(refusal(resolveTarget(state, 'app/qenex-9.9.9.tar', repo.publish().delegated, nowMs)).code).toBe('target_not_found');
  });

  it('* stays within one segment', () => {
    const repo = delegatedRepository({ 'lists/eu/consolidated.json': describeTarget(sanctionsBytes) });
    const state = session(repo);
    expect(refusal(resolveTarget(state, 'lists/eu/consolidated.json', repo.publish().delegated, nowMs)).code).toBe('target_not_found');
  });

  it('refuses delegated metadata signed by a key the delegation does not name', () => {
    const repo = delegatedRepository({ 'lists/ofac.json': describeTarget(sanctionsBytes) });
    const state = session(repo);
    const forged = { compliance: fileOf(signAs('compliance', repo.delegatedSigned(repo.delegations[0]!), [targets1])) };
    expect(refusal(resolveTarget(state, 'lists/ofac.json', forged, nowMs)).code).toBe('threshold_not_met');
  });
});

describe('garbled and unsigned files', () => {
  it('refuses garbage, non-canonical JSON, an unknown type and unsigned metadata', () => {
    const repo = repository();
    const state = ok(trustPinnedRoot(repo.roots.get(1)!));
    const timestamp = JSON.parse(new TextDecoder().decode(repo.publish().timestamp)) as Signed<unknown>;
    const cases: [Uint8Array, string][] = [
      [utf8ToBytes('not json'), 'malformed'],
      [new Uint8Array(0), 'malformed'],
      [utf8ToBytes(JSON.stringify(timestamp, null, 2)), 'malformed'],
      [fileOf({ ...timestamp, signatures: [] }), 'threshold_not_met'],
      [fileOf({ ...timestamp, signed: { ...(timestamp.signed as object), _type: 'mirrors' } }), 'wrong_type'],
      [fileOf({ ...timestamp, signed: { ...(timestamp.signed as object), extra: 1 } }), 'malformed'],
      [fileOf({ ...timestamp, signed: { ...(timestamp.signed as object), version: 0 } }), 'malformed'],
      [fileOf({ ...timestamp, signed: { ...(timestamp.signed as object), expires: '2030-02-30T00:00:00Z' } }), 'malformed'],
    ];
    for (const [bytes, code] of cases) expect(refusal(updateTimestamp(state, bytes, nowMs)).code).toBe(code);
  });

  it('any single-byte change to signed metadata makes it fail (property)', () => {
    const repo = repository();
    const state = ok(trustPinnedRoot(repo.roots.get(1)!));
    const bytes = repo.publish().timestamp;
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        const changed = bytes.slice();
        changed[index] = (changed[index]! + delta) % 256;
        expect(updateTimestamp(state, changed, nowMs).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
