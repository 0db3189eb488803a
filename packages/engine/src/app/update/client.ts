/**
 * The update client's shell (TUF §5 around the pure core in core/update): downloads each file with
 * a size cap, verifies it with the pure functions in order, and installs everything new of one check
 * through `update.install`, one transaction. The trusted metadata is kept in the host's own store as
 * the bytes that verified, and verified again from the pinned root every time it is loaded, so an
 * edited store falls back to the pinned root rather than being believed.
 *
 * Both hosts run it: a workstation over HTTP from the server, the server over its own repository
 * directory (so it re-decides offline payouts with the same signed stand-in policy and screens with
 * the same lists).
 */
import { systemRole } from '../../core/rbac';
import { decodeBase64url, encodeBase64url } from '../../core/crypto';
import { bodyIntact, warmScreening } from '../content';
import { appBuildVersion, compareVersions, contentKindOf, type ContentKind } from '../../core/update/content';
import { trustPinnedRoot, updateRoot, updateSnapshot, updateTargets, updateTimestamp, verifyTargetFile } from '../../core/update/client';
import { resolveTarget, verifiedDelegations } from '../../core/update/resolve';
import { decodeMetadataFile } from '../../core/update/signing';
import type { InstalledContentSummary, UpdateRefusalReport, UpdateReport } from '../../core/update/report';
import { metadataBytesMax, rootRotationsMax, type TargetFile, type TrustedState } from '../../core/update/types';
import type { InstalledContent, UpdateTrustRecord } from '../../core/banking/types';
import type { Clock } from '../../ports/clock';
import type { Storage } from '../../ports/storage';
import type { Context } from '../command';
import type { Engine } from '../engine';

/** A timestamp file is small: anything longer is refused unread (TUF's default is 16 KiB; ours carries hybrid signatures). */
export const timestampBytesMax = 64 * 1024;
/** A root file at most. */
export const rootBytesMax = 512 * 1024;
/** Delegated roles fetched in one check at most. */
export const delegatedRolesFetchedMax = 64;

export type FetchResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly code: 'not_found' | 'unreachable' | 'too_large' };

/** Where repository files come from: HTTP on a workstation, the repository directory on the server. */
export interface UpdateFetcher {
  /** The file's bytes; `too_large` as soon as more than `maxBytes` arrive (the rest is not read). */
  fetch(name: string, maxBytes: number): Promise<FetchResult>;
}

/** Repository file names (consistent snapshots: every file but the timestamp is named by version or hash). */
export const repositoryNames = {
  root: (version: number) => `metadata/${version}.root.json`,
  timestamp: 'metadata/timestamp.json',
  role: (role: string, version: number) => `metadata/${version}.${role}.json`,
  target: (path: string, sha256: string) => {
    const slash = path.lastIndexOf('/');
    return `targets/${path.slice(0, slash + 1)}${sha256}.${path.slice(slash + 1)}`;
  },
};

export interface UpdateClientDeps {
  readonly engine: Engine;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly fetcher: UpdateFetcher;
  /** Root 1 as shipped with the install (the workstation) or as the admins initialised it (the server). */
  readonly pinnedRoot: Uint8Array;
  /** Which published files this host installs (a workstation: its own branch's policy, every list, its platform's builds). */
  readonly wants: (path: string, kind: ContentKind) => boolean;
  /** Writes a verified app build where the next start picks it up; returns its version. Absent: builds are not installed here. */
  readonly stageApp?: (path: string, bytes: Uint8Array) => Promise<string>;
  /** Whether the build installed under `path` is still staged intact (a damaged one deleted at start is fetched again). */
  readonly isStaged?: (path: string, sha256: string) => Promise<boolean>;
  readonly appVersion: string;
}

interface InstallItem {
  readonly path: string;
  readonly role: string;
  readonly sha256: string;
  readonly length: number;
  readonly body: string;
}

export type CheckOutcome =
  | { readonly kind: 'up_to_date'; readonly installed: readonly string[]; readonly removed: readonly string[] }
  | { readonly kind: 'refused'; readonly refusal: UpdateRefusalReport };

/** Raw bytes of what verified, by role, beside the parsed state (persisted as they came). */
interface Files {
  roots: Uint8Array[];
  timestamp: Uint8Array | null;
  snapshot: Uint8Array | null;
  targets: Uint8Array | null;
  delegated: Record<string, Uint8Array>;
}

interface Loaded {
  readonly state: TrustedState;
  readonly files: Files;
  readonly record: UpdateTrustRecord | undefined;
}

class Refused extends Error {
  constructor(readonly refusal: Omit<UpdateRefusalReport, 'atMs'>) {
    super(`${refusal.code} (${refusal.role})`);
  }
}

const installer: Context = { actor: 'update-client', roles: [systemRole], deviceId: 'update-client' };

export class UpdateClient {
  private running: Promise<CheckOutcome> | null = null;

  constructor(private readonly deps: UpdateClientDeps) {}

  /** One check; a second call while one runs waits for it rather than starting another. */
  check(): Promise<CheckOutcome> {
    this.running ??= this.checkOnce()
      .then(async (outcome) => {
        // The lists in force are indexed now, not by the next payment inside its transaction.
        // A store that cannot be indexed is reported by the command that needs it, not by the check.
        await warmScreening(this.deps.storage).catch(() => undefined);
        return outcome;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** The trusted state as stored, verified again from the pinned root (at the time it was verified). */
  async load(): Promise<Loaded> {
    const record = await this.deps.storage.read((tx) => tx.banking.get('updateTrust', 'local'));
    const pinned = trustPinnedRoot(this.deps.pinnedRoot);
    if (!pinned.ok) throw new Error(`the pinned update root does not verify (${pinned.code}): the install is broken`);
    const empty: Files = { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {} };
    if (record === undefined) return { state: pinned.value, files: empty, record };
    const files = decodeFiles(record);
    const atMs = record.verifiedAtMs;
    const rooted = updateRoot(pinned.value, files.roots, atMs);
    if (!rooted.ok) return { state: pinned.value, files: empty, record };
    let state = rooted.value;
    if (files.timestamp !== null) {
      const timestamp = updateTimestamp(state, files.timestamp, atMs);
      state = timestamp.ok ? timestamp.value.state : state;
      if (timestamp.ok && files.snapshot !== null) {
        const snapshot = updateSnapshot(state, files.snapshot, atMs);
        state = snapshot.ok ? snapshot.value : state;
        if (snapshot.ok && files.targets !== null) {
          const targets = updateTargets(state, files.targets, atMs);
          state = targets.ok ? targets.value : state;
        }
      }
    }
    return { state, files, record };
  }

  private async checkOnce(): Promise<CheckOutcome> {
    const loaded = await this.load();
    const nowMs = this.deps.clock.nowMs();
    const files: Files = { ...loaded.files, roots: [...loaded.files.roots], delegated: {} };
    let state = loaded.state;
    let stagedApp = this.stillStaged(loaded.record);
    try {
      state = await this.refreshMetadata(state, files, nowMs);
      const { items, removed, appStaged } = await this.downloadTargets(state, files, nowMs);
      stagedApp = appStaged ?? stagedApp;
      const invalid = await this.install(files, nowMs, items, removed, null, stagedApp);
      if (invalid !== null) return { kind: 'refused', refusal: invalid };
      return { kind: 'up_to_date', installed: items.map((item) => item.path), removed };
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      const refusal = { ...error.refusal, atMs: nowMs };
      // What verified before the refusal is kept (a newer root, say); nothing of the content changes.
      const kept = error.refusal.role === 'target' ? files : { ...loaded.files, roots: files.roots };
      await this.install(kept, nowMs, [], [], refusal, stagedApp);
      return { kind: 'refused', refusal };
    }
  }

  /** Root rotations, then timestamp, snapshot and targets, each verified against the one before. */
  private async refreshMetadata(start: TrustedState, files: Files, nowMs: number): Promise<TrustedState> {
    let state = start;
    const roots: Uint8Array[] = [];
    for (let version = state.root.signed.version + 1; roots.length < rootRotationsMax + 1; version += 1) {
      const fetched = await this.deps.fetcher.fetch(repositoryNames.root(version), rootBytesMax);
      if (!fetched.ok && fetched.code === 'not_found') break;
      roots.push(expectBytes(fetched, 'root', repositoryNames.root(version)));
    }
    state = expect(updateRoot(state, roots, nowMs), null);
    files.roots.push(...roots);
    if (roots.length > 0 && state.timestamp === null) Object.assign(files, { timestamp: null, snapshot: null, targets: null });

    const timestampBytes = expectBytes(await this.deps.fetcher.fetch(repositoryNames.timestamp, timestampBytesMax), 'timestamp', null);
    const timestamp = expect(updateTimestamp(state, timestampBytes, nowMs), null);
    state = timestamp.state;
    files.timestamp = timestampBytes;

    if (timestamp.changed || state.snapshot === null) {
      const named = state.timestamp!.signed.meta['snapshot.json'];
      const bytes = expectBytes(await this.deps.fetcher.fetch(repositoryNames.role('snapshot', named.version), named.length), 'snapshot', null);
      state = expect(updateSnapshot(state, bytes, nowMs), null);
      files.snapshot = bytes;
    }
    if (state.targets === null) {
      const named = state.snapshot!.signed.meta['targets.json'];
      if (named === undefined) throw new Refused({ code: 'malformed', role: 'snapshot', path: null });
      const bytes = expectBytes(await this.deps.fetcher.fetch(repositoryNames.role('targets', named.version), named.length ?? metadataBytesMax), 'targets', null);
      state = expect(updateTargets(state, bytes, nowMs), null);
      files.targets = bytes;
    }
    return state;
  }

  /**
   * Every published file this host wants, resolved through the delegations (so a role signing
   * outside its paths is refused), compared with what is installed, and the new ones downloaded
   * to their exact length and hash. A withdrawn file is removed.
   */
  private async downloadTargets(start: TrustedState, files: Files, nowMs: number) {
    const delegatedBytes = await this.fetchDelegated(start);
    // What is published is read from signed metadata only: every delegated role verified first.
    const delegations = expect(verifiedDelegations(start, delegatedBytes, nowMs), null);
    let state: TrustedState = { ...start, delegated: { ...delegations } };
    const candidates = new Set<string>(Object.keys(state.targets!.signed.targets));
    for (const metadata of Object.values(delegations)) for (const path of Object.keys(metadata.signed.targets)) candidates.add(path);
    const wanted = newestBuildOnly(
      [...candidates].filter((path) => {
        const kind = contentKindOf(path);
        return kind !== null && this.deps.wants(path, kind);
      }),
    );
    const installed = await this.deps.storage.read((tx) => installedInForce(tx));
    const items: InstallItem[] = [];
    let appStaged: string | null = null;
    for (const path of wanted) {
      const resolved = resolveTarget(state, path, delegatedBytes, nowMs);
      if (!resolved.ok) {
        if (resolved.code === 'target_not_found') continue;
        throw new Refused({ code: resolved.code, role: resolved.role, path });
      }
      state = resolved.value.state;
      const info: TargetFile = resolved.value.info;
      const isBuild = contentKindOf(path) === 'app_build';
      if (await this.inPlace(installed.get(path), info, isBuild)) continue;
      const bytes = await this.fetchTarget(path, info);
      if (isBuild) {
        if (this.deps.stageApp === undefined) continue;
        appStaged = await this.deps.stageApp(path, bytes);
        items.push({ path, role: resolved.value.role, sha256: info.hashes.sha256, length: info.length, body: '' });
        continue;
      }
      items.push({ path, role: resolved.value.role, sha256: info.hashes.sha256, length: info.length, body: utf8(bytes, path) });
    }
    for (const role of Object.keys(state.delegated)) files.delegated[role] = delegatedBytes[role]!;
    const published = new Set(wanted);
    const removed = [...installed.keys()].filter((path) => !published.has(path));
    return { items, removed, appStaged };
  }

  /**
   * Whether what is installed is this very file, still intact: a document whose stored body no
   * longer hashes to it (edited in the store) is fetched again, and so is a build no longer staged.
   */
  private async inPlace(current: InstalledContent | undefined, info: TargetFile, isBuild: boolean): Promise<boolean> {
    if (current === undefined || current.sha256 !== info.hashes.sha256) return false;
    if (isBuild) return (await this.deps.isStaged?.(current.id, current.sha256)) ?? true;
    return bodyIntact(current);
  }

  /** The delegated roles the snapshot names, at the version and length it names (verified when resolved). */
  private async fetchDelegated(state: TrustedState): Promise<Record<string, Uint8Array>> {
    const out: Record<string, Uint8Array> = {};
    const meta = Object.entries(state.snapshot!.signed.meta).filter(([file]) => file !== 'targets.json');
    if (meta.length > delegatedRolesFetchedMax) throw new Refused({ code: 'too_many_delegations', role: 'snapshot', path: null });
    for (const [file, named] of meta) {
      const role = file.slice(0, -'.json'.length);
      const fetched = await this.deps.fetcher.fetch(repositoryNames.role(role, named.version), named.length ?? metadataBytesMax);
      out[role] = expectBytes(fetched, role, null);
    }
    return out;
  }

  private async fetchTarget(path: string, info: TargetFile): Promise<Uint8Array> {
    const fetched = await this.deps.fetcher.fetch(repositoryNames.target(path, info.hashes.sha256), info.length);
    if (!fetched.ok) throw new Refused({ code: fetched.code === 'too_large' ? 'length_mismatch' : fetched.code, role: 'target', path });
    const verified = verifyTargetFile(info, fetched.bytes);
    if (!verified.ok) throw new Refused({ code: verified.code, role: 'target', path });
    return verified.value;
  }

  /** Installs through `update.install`; a document that is signed and hashed right but not valid installs nothing, and its refusal is recorded and returned. */
  private async install(files: Files, nowMs: number, items: readonly InstallItem[], remove: readonly string[], refusal: UpdateRefusalReport | null, appStaged: string | null): Promise<UpdateRefusalReport | null> {
    const installed = await this.deps.engine.execute(
      'update.install',
      { trust: encodeFiles(files, nowMs), install: [...items], remove: [...remove], checkedAtMs: nowMs, refusal, appStaged },
      installer,
    );
    if (installed.ok) return null;
    if (refusal !== null || installed.code !== 'content_invalid') throw new Error(`update.install refused: ${installed.code}: ${installed.message}`);
    const named = installed.details?.path;
    const invalid: UpdateRefusalReport = { code: 'content_invalid', role: 'target', path: typeof named === 'string' ? named : null, atMs: nowMs };
    await this.install(files, nowMs, [], [], invalid, appStaged);
    return invalid;
  }

  /** The build staged for the next start, unless the app running has reached it. */
  private stillStaged(record: UpdateTrustRecord | undefined): string | null {
    const recorded = record?.appStaged ?? null;
    return recorded !== null && compareVersions(recorded, this.deps.appVersion) > 0 ? recorded : null;
  }

  /** What this host runs now, for the signed version report. */
  async report(deviceId: string): Promise<UpdateReport> {
    const loaded = await this.load();
    const content = await this.deps.storage.read((tx) => installedInForce(tx));
    const summaries: InstalledContentSummary[] = [...content.values()].map((item) => ({ path: item.id, kind: item.kind, role: item.role, version: item.version, sha256: item.sha256, length: item.length, installedAtMs: item.installedAtMs }));
    const record = loaded.record;
    const delegated: Record<string, number> = {};
    for (const [role, file] of Object.entries(record?.delegated ?? {})) {
      const bytes = decodeBase64url(file);
      const version = bytes === undefined ? undefined : (decodeMetadataFile(bytes) as { signed?: { version?: unknown } } | undefined)?.signed?.version;
      if (typeof version === 'number') delegated[role] = version;
    }
    return {
      deviceId,
      atMs: this.deps.clock.nowMs(),
      metadata: {
        root: loaded.state.root.signed.version,
        timestamp: loaded.state.timestamp?.signed.version ?? null,
        snapshot: loaded.state.snapshot?.signed.version ?? null,
        targets: loaded.state.targets?.signed.version ?? null,
        delegated,
      },
      content: summaries,
      app: { running: this.deps.appVersion, staged: this.stillStaged(record) },
      lastCheckedAtMs: record?.lastCheckedAtMs ?? null,
      lastInstalledAtMs: record?.lastInstalledAtMs ?? null,
      refusal: record?.refusal ?? null,
    };
  }
}

async function installedInForce(tx: Parameters<Parameters<Storage['read']>[0]>[0]): Promise<Map<string, InstalledContent>> {
  const out = new Map<string, InstalledContent>();
  for (const kind of ['stand_in_policy', 'sanctions_list', 'app_build'] as const) {
    for (const item of await tx.banking.findBy('installedContent', 'kind', kind, 1000)) out.set(item.id, item);
  }
  return out;
}

function expectBytes(fetched: FetchResult, role: string, path: string | null): Uint8Array {
  if (fetched.ok) return fetched.bytes;
  // A metadata file longer than named is not the one named.
  throw new Refused({ code: fetched.code === 'too_large' ? 'length_mismatch' : fetched.code, role, path });
}

function expect<T>(result: { ok: true; value: T } | { ok: false; code: string; role: string }, path: string | null): T {
  if (!result.ok) throw new Refused({ code: result.code, role: result.role, path });
  return result.value;
}

/** Of several app builds for the platform, only the newest by version (0.10.0 after 0.9.0), so the workstation never stages an older one. */
function newestBuildOnly(paths: readonly string[]): string[] {
  let newest: { path: string; version: string } | null = null;
  const others: string[] = [];
  for (const path of paths) {
    const version = contentKindOf(path) === 'app_build' ? appBuildVersion(path) : null;
    if (version === null) {
      if (contentKindOf(path) !== 'app_build') others.push(path);
      continue;
    }
    if (newest === null || compareVersions(version, newest.version) > 0) newest = { path, version };
  }
  return [...others.sort(), ...(newest === null ? [] : [newest.path])];
}

function utf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Refused({ code: 'content_invalid', role: 'target', path });
  }
}


function encodeFiles(files: Files, nowMs: number): { roots: string[]; timestamp: string | null; snapshot: string | null; targets: string | null; delegated: Record<string, string>; verifiedAtMs: number } {
  const text = (bytes: Uint8Array | null) => (bytes === null ? null : encodeBase64url(bytes));
  return {
    roots: files.roots.map((bytes) => encodeBase64url(bytes)),
    timestamp: text(files.timestamp),
    snapshot: text(files.snapshot),
    targets: text(files.targets),
    delegated: Object.fromEntries(Object.entries(files.delegated).map(([role, bytes]) => [role, encodeBase64url(bytes)])),
    verifiedAtMs: nowMs,
  };
}

function decodeFiles(record: UpdateTrustRecord): Files {
  const bytes = (text: string | null) => (text === null ? null : (decodeBase64url(text) ?? null));
  return {
    roots: record.roots.map((text) => decodeBase64url(text)).filter((root): root is Uint8Array => root !== undefined),
    timestamp: bytes(record.timestamp),
    snapshot: bytes(record.snapshot),
    targets: bytes(record.targets),
    delegated: Object.fromEntries(Object.entries(record.delegated).flatMap(([role, text]) => {
      const decoded = decodeBase64url(text);
      return decoded === undefined ? [] : [[role, decoded] as const];
    })),
  };
}
