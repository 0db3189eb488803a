/**
 * The workstation's updates: its update client (pinned root from the install) checks the server's
 * repository at start, on an interval and when asked; installs this branch's stand-in policy and
 * every sanctions list as one step; stages a newer app build for the next start; and after every
 * check sends the server a version report signed with the device key, so the admin screen shows
 * what this branch runs — and what it refused.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  appBuildVersion,
  compareVersions,
  deviceKeyId,
  deviceSigningKeys,
  encodeBase64url,
  signRequest,
  standInPath,
  UpdateClient,
  type CheckOutcome,
  type Clock,
  type Engine,
  type UpdateReport,
} from '@qenex/engine';
import { HttpUpdateFetcher } from '@qenex/engine/http';
import type { SqliteStorage } from '@qenex/engine/sqlite';

/** How often a workstation looks for updates when nothing else prompts it. */
export const updateCheckIntervalMsDefault = 5 * 60_000;

export interface UpdateAgentDeps {
  readonly engine: Engine;
  readonly storage: SqliteStorage;
  readonly clock: Clock;
  readonly serverUrl: string;
  readonly fetcher?: typeof fetch;
  readonly deviceId: string;
  readonly branchId: string;
  readonly keyVersion: number;
  readonly signingSeed: string;
  /** Root 1 of the bank's update repository, as shipped with the install. */
  readonly pinnedRoot: Uint8Array;
  readonly appVersion: string;
  /** `linux-x64`, `win32-x64`…: the builds this workstation takes. */
  readonly platform: string;
  /** Where a verified build waits for the next start. */
  readonly stagingDir: string;
  readonly intervalMs?: number;
  readonly onChecked?: (outcome: CheckOutcome) => void;
}

/** What `staged.json` says of the build waiting for the next start. */
export interface StagedBuild {
  readonly version: string;
  readonly file: string;
  readonly sha256: string;
  readonly length: number;
}

export class UpdateAgent {
  private readonly client: UpdateClient;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly secretKeys;

  constructor(private readonly deps: UpdateAgentDeps) {
    this.secretKeys = deviceSigningKeys(deps.signingSeed).secretKeys;
    this.client = new UpdateClient({
      engine: deps.engine,
      storage: deps.storage,
      clock: deps.clock,
      fetcher: new HttpUpdateFetcher(deps.serverUrl, deps.fetcher),
      pinnedRoot: deps.pinnedRoot,
      wants: (path, kind) => (kind === 'stand_in_policy' ? path === standInPath(deps.branchId) : kind === 'sanctions_list' ? true : path.startsWith(`app/${deps.platform}/`) && this.newer(path)),
      stageApp: (path, bytes) => this.stage(path, bytes),
      isStaged: (path, sha256) => this.isStaged(path, sha256),
      appVersion: deps.appVersion,
    });
  }

  start(): void {
    void this.checkNow().catch(() => undefined);
    this.timer = setInterval(() => void this.checkNow().catch(() => undefined), this.deps.intervalMs ?? updateCheckIntervalMsDefault);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One check, then the signed report (a server that cannot be reached gets it at the next check). */
  async checkNow(): Promise<CheckOutcome> {
    const outcome = await this.client.check();
    this.deps.onChecked?.(outcome);
    await this.sendReport();
    return outcome;
  }

  report(): Promise<UpdateReport> {
    return this.client.report(this.deps.deviceId);
  }

  /** The report, signed with the device key: fresh, with a new nonce, so it cannot be replayed. */
  async sendReport(): Promise<boolean> {
    const report = await this.report();
    const nonce = encodeBase64url(globalThis.crypto.getRandomValues(new Uint8Array(24)));
    const message = signRequest('update_report', { deviceId: this.deps.deviceId, atMs: this.deps.clock.nowMs(), nonce, report: report as never }, { keyId: deviceKeyId(this.deps.deviceId, this.deps.keyVersion), secretKeys: this.secretKeys });
    try {
      const response = await (this.deps.fetcher ?? globalThis.fetch)(`${this.deps.serverUrl}/api/v1/updates/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message }),
        signal: AbortSignal.timeout(15_000),
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Only a build newer than the one running is fetched at all (the client takes the newest of those). */
  private newer(path: string): boolean {
    const version = appBuildVersion(path);
    return version !== null && compareVersions(version, this.deps.appVersion) > 0;
  }

  /** Whether `staged.json` still describes this build and its file is there (takeStagedBuild deletes a damaged one). */
  private async isStaged(path: string, sha256: string): Promise<boolean> {
    try {
      const staged = JSON.parse(await readFile(join(this.deps.stagingDir, 'staged.json'), 'utf8')) as StagedBuild;
      return staged.version === appBuildVersion(path) && staged.sha256 === sha256 && existsSync(staged.file);
    } catch {
      return false;
    }
  }

  /** A verified build, written beside its description; `staged.json` is replaced last, by rename, so a crash leaves the old one or the new. */
  private async stage(path: string, bytes: Uint8Array): Promise<string> {
    const version = appBuildVersion(path)!;
    const directory = join(this.deps.stagingDir, version);
    await mkdir(directory, { recursive: true });
    const file = join(directory, path.slice(path.lastIndexOf('/') + 1));
    await writeFile(`${file}.tmp`, bytes);
    await rename(`${file}.tmp`, file);
    const staged: StagedBuild = { version, file, sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length };
    await writeFile(join(this.deps.stagingDir, 'staged.json.tmp'), `${JSON.stringify(staged)}\n`);
    await rename(join(this.deps.stagingDir, 'staged.json.tmp'), join(this.deps.stagingDir, 'staged.json'));
    return version;
  }
}

/**
 * At start: the build staged by an earlier run, checked again against what was verified (its length
 * and hash), or null. A staged build that no longer matches (a torn write, an edit on disk) is
 * deleted rather than run.
 */
export async function takeStagedBuild(stagingDir: string, runningVersion: string): Promise<StagedBuild | null> {
  const description = join(stagingDir, 'staged.json');
  if (!existsSync(description)) return null;
  let staged: StagedBuild;
  try {
    staged = JSON.parse(await readFile(description, 'utf8')) as StagedBuild;
  } catch {
    await rm(description, { force: true });
    return null;
  }
  if (compareVersions(staged.version, runningVersion) <= 0) return null;
  const bytes = existsSync(staged.file) ? await readFile(staged.file) : null;
  if (bytes === null || bytes.length !== staged.length || createHash('sha256').update(bytes).digest('hex') !== staged.sha256) {
    await rm(join(stagingDir, staged.version), { recursive: true, force: true });
    await rm(description, { force: true });
    return null;
  }
  return staged;
}
