/**
 * What a workstation tells the server it runs (a version report, signed with its device key) and
 * what the admin screen reads back: which branch runs which version of everything, and which
 * update a workstation refused and why.
 */

/** One piece of admin-signed content installed and in force on a workstation. */
export interface InstalledContentSummary {
  /** The target path in the update repository (`content/stand-in/<branch>.json`, `content/sanctions/<list>.json`). */
  readonly path: string;
  readonly kind: string;
  /** The role that signed it: `targets`, or a delegated role such as `compliance`. */
  readonly role: string;
  /** The content's own version label (a list's publication date, a policy's version number). */
  readonly version: string;
  readonly sha256: string;
  readonly length: number;
  readonly installedAtMs: number;
}

/** An update the workstation was offered and did not install (it kept what it had). */
export interface UpdateRefusalReport {
  /** An UpdateRefusalCode, or a content or transport code (`content_invalid`, `too_large`, `unreachable`). */
  readonly code: string;
  /** The role or `target` it concerns. */
  readonly role: string;
  readonly path: string | null;
  readonly atMs: number;
}

export interface UpdateReport {
  readonly deviceId: string;
  /** The workstation's clock when it reported. */
  readonly atMs: number;
  /** The versions of the metadata it trusts (null: not loaded yet). */
  readonly metadata: {
    readonly root: number;
    readonly timestamp: number | null;
    readonly snapshot: number | null;
    readonly targets: number | null;
    readonly delegated: Readonly<Record<string, number>>;
  };
  readonly content: readonly InstalledContentSummary[];
  /** The app build it runs, and one verified and staged for the next start. */
  readonly app: { readonly running: string; readonly staged: string | null };
  /** When it last checked, and last installed something. */
  readonly lastCheckedAtMs: number | null;
  readonly lastInstalledAtMs: number | null;
  /** The most recent refusal since the last successful check, if any. */
  readonly refusal: UpdateRefusalReport | null;
}

/** A report as the server keeps it: verified with the device's key, with when it arrived. */
export interface UpdateStatusRow extends UpdateReport {
  readonly branchId: string;
  readonly branchName: string;
  readonly receivedAtMs: number;
}

/** The repository's current versions as the server publishes them. */
export interface RepositorySummary {
  readonly root: number;
  readonly timestamp: number;
  readonly snapshot: number;
  readonly targets: number;
  readonly delegated: Readonly<Record<string, number>>;
  readonly files: readonly { readonly path: string; readonly role: string; readonly length: number; readonly sha256: string }[];
}

/** `update.status`: every workstation's latest report, and what the repository publishes now (null when none is configured). */
export interface UpdateStatus {
  readonly devices: readonly UpdateStatusRow[];
  readonly repository: RepositorySummary | null;
}
