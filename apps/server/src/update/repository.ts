/**
 * The update repository on the server's disk, on TUF's design with consistent snapshots:
 *
 *   metadata/<N>.root.json      every root ever published (clients walk them in order)
 *   metadata/<N>.targets.json   targets, and `<N>.<role>.json` for each delegated role
 *   metadata/<N>.snapshot.json  the snapshot (versions, lengths and hashes of every targets file)
 *   metadata/timestamp.json     the only file replaced in place: written last, by rename
 *   targets/<dir>/<sha256>.<name>  every target file, named by its hash
 *   staged/                     drafts waiting for signatures, and the files they add
 *   online-key.json             the server's timestamp and snapshot key (never served)
 *
 * Admins change roots, targets and delegated roles by drafts: a draft is the next version's
 * `signed` part and the signatures gathered so far. Each admin signs with their own key, anywhere
 * (offline too), and the signatures are merged back; `publish` checks every draft against its
 * threshold — a root against both the old and the new — before anything is written. Timestamp and
 * snapshot are the server's to sign (online keys), after each publish and before they expire.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  authorityOfDelegation,
  authorityOfRoot,
  decodeBase64url,
  decodeMetadataFile,
  encodeBase64url,
  encodeMetadataFile,
  hybridKeyPair,
  isTargetPath,
  pathMatches,
  signMetadata,
  trustPinnedRoot,
  tufKey,
  tufKeyid,
  tufSpecVersion,
  updateRoot,
  verifyRole,
  type DelegatedRole,
  type HybridKeyPair,
  type MetaFile,
  type RootMetadata,
  type Signed,
  type SnapshotMetadata,
  type TargetsMetadata,
  type TimestampMetadata,
  type TufKey,
} from '@qenex/engine';

const dayMs = 24 * 60 * 60 * 1000;
/** How long each role's metadata stays valid after signing. */
export const expiryDays = { root: 365, targets: 90, delegated: 90, snapshot: 7, timestamp: 1 } as const;
/** A lock older than this was left by a writer that died; one writer never holds it this long. */
export const repositoryLockStaleMs = 5 * 60_000;
/** How long a writer waits for the other before saying the repository is busy. */
const repositoryLockWaitMs = 30_000;
/** A target file the repository accepts at most (an app build). */
export const targetBytesMax = 512 * 1024 * 1024;

export class RepositoryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type DraftRole = 'root' | 'targets' | string;

export interface RoleKeysSpec {
  readonly keys: readonly TufKey[];
  readonly threshold: number;
}

function expiresIn(nowMs: number, days: number): string {
  return new Date(Math.floor((nowMs + days * dayMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Where a target file is published: `targets/<dir>/<sha256>.<name>` (the client asks for exactly this). */
function targetFileName(path: string, sha256: string): string {
  const slash = path.lastIndexOf('/');
  return `targets/${path.slice(0, slash + 1)}${sha256}.${path.slice(slash + 1)}`;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describe(bytes: Uint8Array, version: number): Required<MetaFile> {
  return { version, length: bytes.length, hashes: { sha256: sha256Hex(bytes) } };
}

function keyTable(keys: readonly TufKey[]): Record<string, TufKey> {
  return Object.fromEntries(keys.map((key) => [tufKeyid(key), key]));
}

function roleKeys(spec: RoleKeysSpec) {
  const keyids = [...new Set(spec.keys.map((key) => tufKeyid(key)))];
  if (spec.threshold < 1 || spec.threshold > keyids.length) throw new RepositoryError('threshold_impossible', `A threshold of ${spec.threshold} needs at least that many different keys (${keyids.length} given).`);
  return { keyids, threshold: spec.threshold };
}

async function writeAtomic(file: string, bytes: Uint8Array | string, mode?: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, bytes, mode === undefined ? {} : { mode });
  await rename(temporary, file);
}

export class UpdateRepository {
  constructor(readonly directory: string) {}

  private path(...parts: string[]): string {
    return join(this.directory, ...parts);
  }

  /** The server's online key for timestamp and snapshot, made on first use, readable by the server's user only. */
  async onlineKey(): Promise<HybridKeyPair> {
    const file = this.path('online-key.json');
    if (!existsSync(file)) {
      await mkdir(this.directory, { recursive: true });
      await writeFile(file, `${JSON.stringify({ seed: encodeBase64url(randomBytes(64)) })}\n`, { mode: 0o600, flag: 'wx' });
    }
    await chmod(file, 0o600);
    const seed = decodeBase64url((JSON.parse(await readFile(file, 'utf8')) as { seed: string }).seed);
    if (seed?.length !== 64) throw new RepositoryError('online_key_damaged', `${file} is damaged.`);
    return hybridKeyPair(seed);
  }

  async readFile(name: string): Promise<Uint8Array | null> {
    const file = this.path(name);
    return existsSync(file) ? new Uint8Array(await readFile(file)) : null;
  }

  private async readSigned<T>(name: string): Promise<Signed<T> | null> {
    const bytes = await this.readFile(name);
    return bytes === null ? null : (decodeMetadataFile(bytes) as Signed<T>);
  }

  async currentTimestamp(): Promise<Signed<TimestampMetadata> | null> {
    return this.readSigned<TimestampMetadata>('metadata/timestamp.json');
  }

  /** The newest published root (the highest N with metadata/N.root.json). */
  async currentRoot(): Promise<{ bytes: Uint8Array; metadata: Signed<RootMetadata> } | null> {
    let version = 0;
    while (existsSync(this.path('metadata', `${version + 1}.root.json`))) version += 1;
    if (version === 0) return null;
    const bytes = (await this.readFile(`metadata/${version}.root.json`))!;
    return { bytes, metadata: decodeMetadataFile(bytes) as Signed<RootMetadata> };
  }

  async currentSnapshot(): Promise<Signed<SnapshotMetadata> | null> {
    const timestamp = await this.currentTimestamp();
    if (timestamp === null) return null;
    return this.readSigned<SnapshotMetadata>(`metadata/${timestamp.signed.meta['snapshot.json'].version}.snapshot.json`);
  }

  /** A published targets role (`targets` or delegated) at the version the snapshot names. */
  async currentTargets(role: string): Promise<Signed<TargetsMetadata> | null> {
    const snapshot = await this.currentSnapshot();
    const named = snapshot?.signed.meta[`${role}.json`];
    return named === undefined ? null : this.readSigned<TargetsMetadata>(`metadata/${named.version}.${role}.json`);
  }

  // ---- drafts ----

  draftFile(role: DraftRole): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(role)) throw new RepositoryError('role_malformed', `${role} is not a role name.`);
    return this.path('staged', `${role}.json`);
  }

  async readDraft<T>(role: DraftRole): Promise<Signed<T> | null> {
    const file = this.draftFile(role);
    return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Signed<T>) : null;
  }

  private async writeDraft(role: DraftRole, signed: unknown): Promise<string> {
    const file = this.draftFile(role);
    await writeAtomic(file, `${JSON.stringify({ signed, signatures: [] }, null, 2)}\n`);
    return file;
  }

  /** A new repository: root 1, targets 1 delegating `compliancePaths` to the compliance role, compliance 1, as drafts to be signed. */
  async init(spec: { root: RoleKeysSpec; targets: RoleKeysSpec; compliance: RoleKeysSpec | null; compliancePaths: readonly string[] }, nowMs: number): Promise<string[]> {
    if ((await this.currentRoot()) !== null) throw new RepositoryError('already_initialised', `${this.directory} already holds a repository; rotate its root instead.`);
    const online = tufKey((await this.onlineKey()).publicKeys);
    const onlineRole = { keyids: [tufKeyid(online)], threshold: 1 };
    const root: RootMetadata = {
      _type: 'root',
      spec_version: tufSpecVersion,
      version: 1,
      expires: expiresIn(nowMs, expiryDays.root),
      keys: keyTable([...spec.root.keys, ...spec.targets.keys, online]),
      roles: { root: roleKeys(spec.root), targets: roleKeys(spec.targets), timestamp: onlineRole, snapshot: onlineRole },
    };
    const written = [await this.writeDraft('root', root)];
    const targets: TargetsMetadata = { _type: 'targets', spec_version: tufSpecVersion, version: 1, expires: expiresIn(nowMs, expiryDays.targets), targets: {} };
    if (spec.compliance === null) return [...written, await this.writeDraft('targets', targets)];
    const delegation: DelegatedRole = { name: 'compliance', ...roleKeys(spec.compliance), paths: [...spec.compliancePaths] };
    written.push(await this.writeDraft('targets', { ...targets, delegations: { keys: keyTable(spec.compliance.keys), roles: [delegation] } }));
    written.push(await this.writeDraft('compliance', { _type: 'targets', spec_version: tufSpecVersion, version: 1, expires: expiresIn(nowMs, expiryDays.delegated), targets: {} }));
    return written;
  }

  /** Root N+1 with new root keys and threshold (other roles kept); it needs the old threshold and the new. */
  async draftRootRotation(root: RoleKeysSpec, nowMs: number): Promise<string> {
    const current = await this.currentRoot();
    if (current === null) throw new RepositoryError('not_initialised', 'Publish root 1 first.');
    const old = current.metadata.signed;
    const keptKeys = Object.entries(old.keys).filter(([keyid]) => ['targets', 'timestamp', 'snapshot'].some((role) => old.roles[role as 'targets'].keyids.includes(keyid)));
    const next: RootMetadata = {
      ...old,
      version: old.version + 1,
      expires: expiresIn(nowMs, expiryDays.root),
      keys: { ...Object.fromEntries(keptKeys), ...keyTable(root.keys) },
      roles: { ...old.roles, root: roleKeys(root) },
    };
    return this.writeDraft('root', next);
  }

  /** The draft of a targets role to change: the staged one, or the published one at its next version with no signatures. */
  private async targetsDraft(role: string, nowMs: number): Promise<TargetsMetadata> {
    const staged = await this.readDraft<TargetsMetadata>(role);
    if (staged !== null) return staged.signed;
    const published = await this.currentTargets(role);
    if (published === null) throw new RepositoryError('role_unknown', `The repository publishes no role ${role}.`);
    return { ...published.signed, version: published.signed.version + 1, expires: expiresIn(nowMs, role === 'targets' ? expiryDays.targets : expiryDays.delegated) };
  }

  /** Adds (or replaces) a file under `path` in `role`'s next version; the draft's signatures are dropped (it changed). */
  async addTarget(role: string, path: string, bytes: Uint8Array, nowMs: number): Promise<string> {
    if (!isTargetPath(path)) throw new RepositoryError('path_malformed', `${path} is not a target path.`);
    if (bytes.length > targetBytesMax) throw new RepositoryError('target_too_large', `${path} is over ${targetBytesMax} bytes.`);
    await this.checkRoleCovers(role, path);
    const draft = await this.targetsDraft(role, nowMs);
    await writeAtomic(this.path('staged', 'targets', path), bytes);
    const info = { length: bytes.length, hashes: { sha256: sha256Hex(bytes) } };
    return this.writeDraft(role, { ...draft, targets: { ...draft.targets, [path]: info } });
  }

  async removeTarget(role: string, path: string, nowMs: number): Promise<string> {
    const draft = await this.targetsDraft(role, nowMs);
    if (!Object.prototype.hasOwnProperty.call(draft.targets, path)) throw new RepositoryError('target_not_found', `${role} does not list ${path}.`);
    const { [path]: _removed, ...rest } = draft.targets;
    return this.writeDraft(role, { ...draft, targets: rest });
  }

  /** A delegated role may only list paths its delegation covers: refused here already, not first at the branches. */
  private async checkRoleCovers(role: string, path: string): Promise<void> {
    if (role === 'targets') return;
    const targets = (await this.readDraft<TargetsMetadata>('targets'))?.signed ?? (await this.currentTargets('targets'))?.signed;
    const delegation = targets?.delegations?.roles.find((candidate) => candidate.name === role);
    if (delegation === undefined) throw new RepositoryError('role_unknown', `No delegation names the role ${role}.`);
    if (!delegation.paths.some((pattern) => pathMatches(pattern, path))) {
      throw new RepositoryError('path_not_delegated', `The role ${role} may sign only ${delegation.paths.join(', ')}; ${path} is outside them.`);
    }
  }

  /** Adds signatures from a copy of a draft signed elsewhere (offline); the `signed` part must be the same. */
  async mergeSignatures(role: DraftRole, signedCopy: Signed<unknown>): Promise<number> {
    const draft = await this.readDraft<unknown>(role);
    if (draft === null) throw new RepositoryError('draft_missing', `No draft of ${role} is waiting.`);
    if (JSON.stringify(draft.signed) !== JSON.stringify(signedCopy.signed)) {
      throw new RepositoryError('draft_changed', `The signed copy of ${role} is of a different draft (it changed after the copy was made); sign the current one.`);
    }
    const byKey = new Map(draft.signatures.map((signature) => [signature.keyid, signature]));
    for (const signature of signedCopy.signatures) byKey.set(signature.keyid, signature);
    await writeAtomic(this.draftFile(role), `${JSON.stringify({ signed: draft.signed, signatures: [...byKey.values()] }, null, 2)}\n`);
    return byKey.size;
  }

  /** Drafts waiting, with how many valid signatures each has against what it needs. */
  async pending(): Promise<{ role: string; version: number; signatures: number; needs: string }[]> {
    const staged = this.path('staged');
    if (!existsSync(staged)) return [];
    const out = [];
    for (const name of (await readdir(staged)).filter((file) => file.endsWith('.json')).sort()) {
      const role = name.slice(0, -'.json'.length);
      const draft = (await this.readDraft<{ version: number }>(role))!;
      out.push({ role, version: draft.signed.version, signatures: draft.signatures.length, needs: await this.describeNeeds(role) });
    }
    return out;
  }

  private async describeNeeds(role: string): Promise<string> {
    if (role === 'root') {
      const current = await this.currentRoot();
      const draft = (await this.readDraft<RootMetadata>('root'))!.signed;
      const next = `${draft.roles.root.threshold} of the new root keys`;
      return current === null ? next : `${current.metadata.signed.roles.root.threshold} of the current root keys and ${next}`;
    }
    return `${(await this.authorityFor(role)).threshold} of the ${role} keys`;
  }

  private async authorityFor(role: string) {
    const root = (await this.readDraft<RootMetadata>('root'))?.signed ?? (await this.currentRoot())?.metadata.signed;
    if (root === undefined) throw new RepositoryError('not_initialised', 'The repository has no root yet.');
    if (role === 'targets') return authorityOfRoot(root, 'targets');
    const targets = (await this.readDraft<TargetsMetadata>('targets'))?.signed ?? (await this.currentTargets('targets'))?.signed;
    const delegation = targets?.delegations?.roles.find((candidate) => candidate.name === role);
    if (targets === undefined || delegation === undefined) throw new RepositoryError('role_unknown', `No delegation names the role ${role}.`);
    return authorityOfDelegation(targets, delegation);
  }

  /**
   * Checks every draft against its threshold and the versions it must follow, then writes the new
   * files, a new snapshot and a new timestamp; the timestamp goes last, by rename, so a client
   * never sees a snapshot naming files not yet written. Nothing is written if any draft fails.
   */
  async publish(nowMs: number): Promise<{ published: string[] }> {
    return this.locked(() => this.publishLocked(nowMs));
  }

  /**
   * One writer at a time: the admin tool publishing and the server re-signing run in different
   * processes, and a snapshot one writes between the other's snapshot and timestamp would leave a
   * timestamp naming a file that was replaced. A lock file (made exclusively) serialises them; one
   * left by a crashed writer is taken over after `repositoryLockStaleMs`.
   */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(this.directory, { recursive: true });
    const lock = this.path('.lock');
    const startedMs = Date.now();
    for (;;) {
      try {
        await writeFile(lock, `${process.pid} ${Date.now()}\n`, { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const heldSinceMs = Number((await readFile(lock, 'utf8').catch(() => '0 0')).split(' ')[1]);
        if (Date.now() - heldSinceMs > repositoryLockStaleMs) {
          await rm(lock, { force: true });
          continue;
        }
        if (Date.now() - startedMs > repositoryLockWaitMs) throw new RepositoryError('repository_busy', 'Another publish or re-signing is running on this repository; try again in a moment.');
        await new Promise((done) => setTimeout(done, 50));
      }
    }
    try {
      return await work();
    } finally {
      await rm(lock, { force: true });
    }
  }

  private async publishLocked(nowMs: number): Promise<{ published: string[] }> {
    const pendingRoles = (await this.pending()).map((entry) => entry.role);
    if (pendingRoles.length === 0) throw new RepositoryError('nothing_to_publish', 'No draft is waiting.');
    const checked = new Map<string, Uint8Array>();
    if (pendingRoles.includes('root')) checked.set('root', await this.checkRootDraft(nowMs));
    for (const role of pendingRoles.filter((name) => name !== 'root')) checked.set(role, await this.checkTargetsDraft(role, nowMs));
    const stagedTargets = await this.stagedTargetFiles([...checked.keys()].filter((role) => role !== 'root'));
    for (const [path, bytes] of stagedTargets) await writeAtomic(this.path(targetFileName(path, sha256Hex(bytes))), bytes);
    for (const [role, bytes] of checked) {
      const version = (decodeMetadataFile(bytes) as Signed<{ version: number }>).signed.version;
      await writeAtomic(this.path('metadata', `${version}.${role}.json`), bytes);
    }
    await this.signSnapshotAndTimestampLocked(nowMs, [...checked.keys()].filter((role) => role !== 'root'));
    await rm(this.path('staged'), { recursive: true, force: true });
    return { published: [...checked.keys()] };
  }

  private async checkRootDraft(nowMs: number): Promise<Uint8Array> {
    const draft = (await this.readDraft<RootMetadata>('root'))!;
    const bytes = encodeMetadataFile(draft);
    const current = await this.currentRoot();
    if (current === null) {
      if (draft.signed.version !== 1) throw new RepositoryError('version_mismatch', 'The first root is version 1.');
      const pinned = trustPinnedRoot(bytes);
      if (!pinned.ok) throw new RepositoryError(pinned.code, `Root 1 is not signed by its threshold of root keys (${pinned.code}).`);
      return bytes;
    }
    const trusted = trustPinnedRoot(current.bytes);
    if (!trusted.ok) throw new RepositoryError(trusted.code, 'The published root does not verify: the repository is damaged.');
    const rotated = updateRoot(trusted.value, [bytes], nowMs);
    if (!rotated.ok) throw new RepositoryError(rotated.code, `Root ${draft.signed.version} needs the threshold of the current root keys and of its own (${rotated.code}).`);
    return bytes;
  }

  private async checkTargetsDraft(role: string, nowMs: number): Promise<Uint8Array> {
    const draft = (await this.readDraft<TargetsMetadata>(role))!;
    const bytes = encodeMetadataFile(draft);
    const verified = verifyRole(draft, 'targets', role, await this.authorityFor(role), nowMs);
    if (!verified.ok) throw new RepositoryError(verified.code, `${role} version ${draft.signed.version} does not meet its threshold (${verified.code}): ${await this.describeNeeds(role)}.`);
    const published = await this.currentTargets(role);
    const expected = (published?.signed.version ?? 0) + 1;
    if (draft.signed.version !== expected) throw new RepositoryError('version_mismatch', `${role} must be version ${expected} next, not ${draft.signed.version}.`);
    if (role !== 'targets') {
      const targets = (await this.readDraft<TargetsMetadata>('targets'))?.signed ?? (await this.currentTargets('targets'))!.signed;
      const delegation = targets.delegations!.roles.find((candidate) => candidate.name === role)!;
      const outside = Object.keys(draft.signed.targets).find((path) => !delegation.paths.some((pattern) => pathMatches(pattern, path)));
      if (outside !== undefined) throw new RepositoryError('path_not_delegated', `${role} lists ${outside}, outside the paths delegated to it.`);
    }
    return bytes;
  }

  /** The new files the checked drafts list, each the length and hash its draft says. */
  private async stagedTargetFiles(roles: readonly string[]): Promise<Map<string, Uint8Array>> {
    const files = new Map<string, Uint8Array>();
    for (const role of roles) {
      const draft = (await this.readDraft<TargetsMetadata>(role))!;
      for (const [path, info] of Object.entries(draft.signed.targets)) {
        const stagedFile = this.path('staged', 'targets', path);
        if (!existsSync(stagedFile)) {
          // Listed before and published then: its file is there already, under its hash.
          if (existsSync(this.path(targetFileName(path, info.hashes.sha256)))) continue;
          throw new RepositoryError('target_file_missing', `${role} lists ${path}, whose file is neither staged nor published; add it again.`);
        }
        const bytes = new Uint8Array(await readFile(stagedFile));
        if (bytes.length !== info.length || sha256Hex(bytes) !== info.hashes.sha256) throw new RepositoryError('staged_file_changed', `The staged file of ${path} is not the one the draft describes; add it again.`);
        files.set(path, bytes);
      }
    }
    return files;
  }

  /** Snapshot N+1 naming every targets role at its newest version, then timestamp N+1 naming it. */
  async signSnapshotAndTimestamp(nowMs: number, changedRoles: readonly string[] = []): Promise<void> {
    return this.locked(() => this.signSnapshotAndTimestampLocked(nowMs, changedRoles));
  }

  private async signSnapshotAndTimestampLocked(nowMs: number, changedRoles: readonly string[]): Promise<void> {
    const online = await this.onlineKey();
    const previous = await this.currentSnapshot();
    const meta: Record<string, Required<MetaFile>> = {};
    for (const [file, named] of Object.entries(previous?.signed.meta ?? {})) meta[file] = named as Required<MetaFile>;
    for (const role of changedRoles) {
      const version = (await this.readDraft<TargetsMetadata>(role))!.signed.version;
      meta[`${role}.json`] = describe((await this.readFile(`metadata/${version}.${role}.json`))!, version);
    }
    const snapshotVersion = (previous?.signed.version ?? 0) + 1;
    const snapshotSigned: SnapshotMetadata = { _type: 'snapshot', spec_version: tufSpecVersion, version: snapshotVersion, expires: expiresIn(nowMs, expiryDays.snapshot), meta };
    const snapshot = encodeMetadataFile({ signed: snapshotSigned, signatures: [signMetadata('snapshot', snapshotSigned, online)] });
    await writeAtomic(this.path('metadata', `${snapshotVersion}.snapshot.json`), snapshot);
    await this.signTimestamp(nowMs, describe(snapshot, snapshotVersion), online);
  }

  private async signTimestamp(nowMs: number, snapshot: Required<MetaFile>, online: HybridKeyPair): Promise<void> {
    const previous = await this.currentTimestamp();
    const signed: TimestampMetadata = { _type: 'timestamp', spec_version: tufSpecVersion, version: (previous?.signed.version ?? 0) + 1, expires: expiresIn(nowMs, expiryDays.timestamp), meta: { 'snapshot.json': snapshot } };
    await writeAtomic(this.path('metadata', 'timestamp.json'), encodeMetadataFile({ signed, signatures: [signMetadata('timestamp', signed, online)] }));
  }

  /**
   * Re-signs what the server signs before it expires: the timestamp when less than half its life is
   * left, the snapshot (and a timestamp naming it) likewise. Returns what it re-signed.
   */
  async refresh(nowMs: number): Promise<'timestamp' | 'snapshot' | null> {
    return this.locked(() => this.refreshLocked(nowMs));
  }

  private async refreshLocked(nowMs: number): Promise<'timestamp' | 'snapshot' | null> {
    const timestamp = await this.currentTimestamp();
    const snapshot = await this.currentSnapshot();
    if (timestamp === null || snapshot === null) return null;
    const halfLeft = (expires: string, days: number) => Date.parse(expires) - nowMs < (days * dayMs) / 2;
    if (halfLeft(snapshot.signed.expires, expiryDays.snapshot)) {
      await this.signSnapshotAndTimestampLocked(nowMs, []);
      return 'snapshot';
    }
    if (halfLeft(timestamp.signed.expires, expiryDays.timestamp)) {
      const bytes = (await this.readFile(`metadata/${snapshot.signed.version}.snapshot.json`))!;
      await this.signTimestamp(nowMs, describe(bytes, snapshot.signed.version), await this.onlineKey());
      return 'timestamp';
    }
    return null;
  }

  /** Copies a file into the staged targets (used by tests and tools that stage from disk). */
  async stageFromDisk(role: string, path: string, source: string, nowMs: number): Promise<string> {
    return this.addTarget(role, path, new Uint8Array(await readFile(source)), nowMs);
  }

  /** Writes root 1 as published files for a client to pin (the install ships it). */
  async exportPinnedRoot(destination: string): Promise<void> {
    const first = this.path('metadata', '1.root.json');
    if (!existsSync(first)) throw new RepositoryError('not_initialised', 'Root 1 is not published yet.');
    await mkdir(dirname(destination), { recursive: true });
    await copyFile(first, destination);
  }
}

/** Signs a draft file in place with one admin's key (the file may be a copy taken to an offline machine). */
export async function signDraftFile(file: string, role: DraftRole, keyPair: HybridKeyPair): Promise<{ keyid: string; signatures: number }> {
  const draft = JSON.parse(await readFile(file, 'utf8')) as Signed<unknown>;
  const signature = signMetadata(role, draft.signed, keyPair);
  const signatures = [...draft.signatures.filter((existing) => existing.keyid !== signature.keyid), signature];
  await writeAtomic(file, `${JSON.stringify({ signed: draft.signed, signatures }, null, 2)}\n`);
  return { keyid: signature.keyid, signatures: signatures.length };
}
