import type { RepositorySummary, UpdateRefusalCode, UpdateRefusalReport, UpdateStatusRow } from '@qenex/engine';

/**
 * What the updates screen says about each workstation, as pure functions over the `update.status`
 * answer: where it stands against the repository, why it refused an update in plain English and
 * what to do next, and how old its last report is.
 */

/** A workstation that has not reported for this long may be switched off or cut off from the server. */
export const reportStaleMs = 24 * 60 * 60 * 1000;

/** Characters of a SHA-256 shown on screen: enough to tell a tampered file from the signed one at a glance. */
export const shortShaLength = 12;

/** Codes a workstation reports beyond the verification core's: the content check and the transport. */
type ReportedOnlyCode = 'content_invalid' | 'too_large' | 'unreachable';

interface Explanation {
  /** Why, in plain English: what the workstation found. */
  readonly reason: string;
  /** What an administrator does about it. */
  readonly next: string;
}

const republish = 'check the mirror and republish.';

/** Every code the verification core can answer is named here (the `satisfies` fails when one is added without its sentence). */
const explanations = {
  hash_mismatch: { reason: 'the file is not the one the admins signed (its SHA-256 differs)', next: republish },
  length_mismatch: { reason: 'the file is not the one the admins signed (its length differs)', next: republish },
  bad_signature: { reason: 'its signatures do not verify with the keys the workstation trusts', next: 'check the mirror; if the admins re-signed it, republish it signed with the current keys.' },
  threshold_not_met: { reason: 'too few of the required keys signed it', next: 'collect the missing signatures and republish.' },
  expired: { reason: 'freeze: the repository served metadata past its expiry', next: 'sign a fresh timestamp (and any expired role) and republish.' },
  rollback: { reason: 'the repository offered an older version than the one the workstation already trusts', next: 'check the mirror is not serving an old copy, and republish.' },
  version_mismatch: { reason: 'the version served is not the one the snapshot or timestamp names', next: 'republish the snapshot and timestamp together with the roles they name.' },
  path_not_delegated: { reason: 'the role signed a file outside the paths delegated to it', next: 'publish the file under the role delegated for its path, or extend the delegation, and republish.' },
  content_invalid: { reason: 'the file is signed but its content is not valid for its kind', next: 'correct the content, sign it again and republish.' },
  too_large: { reason: 'the mirror served more bytes than the workstation accepts for it', next: republish },
  unreachable: { reason: 'the workstation could not reach the update mirror', next: 'check its link to the mirror; it tries again at its next check.' },
  malformed: { reason: 'the metadata served is not readable', next: republish },
  wrong_type: { reason: 'the mirror served one kind of metadata in place of another', next: republish },
  role_removed: { reason: 'the new snapshot no longer names a role the workstation trusts', next: 'check the snapshot names every delegated role, and republish.' },
  not_loaded: { reason: 'metadata it needs first (timestamp, snapshot or targets) was not loaded', next: 'check the mirror serves every metadata file; it tries again at its next check.' },
  role_missing: { reason: 'the mirror does not serve a delegated role the snapshot names', next: republish },
  target_not_found: { reason: 'no signed role names the file it looked for', next: 'publish the file under the targets or a delegated role, and republish.' },
  too_many_roots: { reason: 'the mirror offered more root rotations at once than it accepts', next: 'check the mirror, and rotate the root in fewer steps.' },
  too_many_delegations: { reason: 'the delegations were too many or too deep to follow', next: 'simplify the delegations and republish.' },
} as const satisfies Record<UpdateRefusalCode | ReportedOnlyCode, Explanation>;

/** The plain-English reason and next step for a refusal code; a code this screen does not know yet still shows, by name. */
export function explainRefusal(code: string): Explanation {
  return Object.hasOwn(explanations, code)
    ? explanations[code as keyof typeof explanations]
    : { reason: `it refused it for a reason this screen does not know yet (code ${code})`, next: 'check the workstation’s log and the mirror, and republish.' };
}

/** What the refusal was about: the file when there is one, else the role. */
export function refusalSubject(refusal: UpdateRefusalReport): string {
  if (refusal.path !== null) return refusal.path;
  return refusal.role === 'target' ? 'a file' : `the ${refusal.role} metadata`;
}

/** "Refused <path or role>: <reason> at <time>. It kept the version it had; <what to do next>" */
export function refusalSentence(refusal: UpdateRefusalReport, formatTime: (ms: number) => string = dateTime): string {
  const { reason, next } = explainRefusal(refusal.code);
  return `Refused ${refusalSubject(refusal)}: ${reason} at ${formatTime(refusal.atMs)}. It kept the version it had; ${next}`;
}

/** One metadata role whose version on the workstation differs from the repository's (null: never loaded). */
export interface VersionGap {
  readonly role: string;
  readonly device: number | null;
  readonly repository: number;
}

export type DeviceStanding =
  | { readonly kind: 'refused'; readonly refusal: UpdateRefusalReport }
  | { readonly kind: 'behind'; readonly gaps: readonly VersionGap[] }
  /** It trusts newer metadata than the server publishes: the server's copy of the repository is the one out of date. */
  | { readonly kind: 'ahead'; readonly gaps: readonly VersionGap[] }
  | { readonly kind: 'current' }
  | { readonly kind: 'no_repository' };

/**
 * The versions compared: snapshot and targets, and each delegated role the workstation has loaded
 * (roles load as their paths are needed, so one it never loaded is not a gap).
 */
export function versionGaps(row: UpdateStatusRow, repository: RepositorySummary): VersionGap[] {
  const gaps: VersionGap[] = [];
  const compare = (role: string, device: number | null, published: number) => {
    if (device !== published) gaps.push({ role, device, repository: published });
  };
  compare('snapshot', row.metadata.snapshot, repository.snapshot);
  compare('targets', row.metadata.targets, repository.targets);
  for (const [role, version] of Object.entries(row.metadata.delegated).sort(([a], [b]) => a.localeCompare(b))) {
    const published = repository.delegated[role];
    if (published !== undefined) compare(role, version, published);
  }
  return gaps;
}

const isBehind = (gap: VersionGap) => gap.device === null || gap.device < gap.repository;

/** Where a workstation stands: a refusal first (it is what an administrator must act on), then its versions against the repository's. */
export function deviceStanding(row: UpdateStatusRow, repository: RepositorySummary | null): DeviceStanding {
  if (row.refusal !== null) return { kind: 'refused', refusal: row.refusal };
  if (repository === null) return { kind: 'no_repository' };
  const gaps = versionGaps(row, repository);
  const behind = gaps.filter(isBehind);
  if (behind.length > 0) return { kind: 'behind', gaps: behind };
  if (gaps.length > 0) return { kind: 'ahead', gaps };
  return { kind: 'current' };
}

function gapText(gap: VersionGap): string {
  return gap.device === null ? `${gap.role} not loaded yet (repository v${gap.repository})` : `${gap.role} v${gap.device} of v${gap.repository}`;
}

/** The status cell's sentence. */
export function standingSentence(standing: DeviceStanding, formatTime: (ms: number) => string = dateTime): string {
  switch (standing.kind) {
    case 'refused':
      return refusalSentence(standing.refusal, formatTime);
    case 'behind':
      return `Behind: ${standing.gaps.map(gapText).join(', ')}.`;
    case 'ahead':
      return `Ahead of the repository: ${standing.gaps.map((gap) => `${gap.role} v${gap.device ?? '?'}, published v${gap.repository}`).join(', ')}. The server’s copy of the repository may be out of date; check it.`;
    case 'current':
      return 'Up to date with the repository';
    case 'no_repository':
      return 'No update repository to compare with';
    default: {
      const never: never = standing;
      return never;
    }
  }
}

const standingOrder: Record<DeviceStanding['kind'], number> = { refused: 0, behind: 1, ahead: 2, no_repository: 3, current: 4 };

/** Rows in the order an administrator works them: refusals first (newest first), then behind, then the rest; by branch and device within. */
export function orderRows<T extends UpdateStatusRow>(rows: readonly T[], repository: RepositorySummary | null): T[] {
  const ranked = rows.map((row) => ({ row, rank: standingOrder[deviceStanding(row, repository).kind] }));
  ranked.sort((a, b) => a.rank - b.rank || (b.row.refusal?.atMs ?? 0) - (a.row.refusal?.atMs ?? 0) || a.row.branchName.localeCompare(b.row.branchName) || a.row.deviceId.localeCompare(b.row.deviceId));
  return ranked.map(({ row }) => row);
}

/** A report the server received longer ago than `reportStaleMs`. */
export function isStale(receivedAtMs: number, nowMs: number): boolean {
  return nowMs - receivedAtMs > reportStaleMs;
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** "just now", "5 min ago", "3 h ago", "2 days ago"; a time past this clock says so rather than "ago". */
export function relativeTime(atMs: number, nowMs: number): string {
  const elapsedMs = nowMs - atMs;
  if (elapsedMs < 0) return elapsedMs > -minuteMs ? 'just now' : `${spell(-elapsedMs)} ahead of this clock`;
  if (elapsedMs < minuteMs) return 'just now';
  return `${spell(elapsedMs)} ago`;
}

function spell(durationMs: number): string {
  if (durationMs < hourMs) return `${Math.floor(durationMs / minuteMs)} min`;
  if (durationMs < dayMs) return `${Math.floor(durationMs / hourMs)} h`;
  const days = Math.floor(durationMs / dayMs);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** The first characters of a SHA-256 hex digest. */
export function shortSha(sha256: string): string {
  return sha256.slice(0, shortShaLength);
}

/** Date and time, for reports that may be days old. */
export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** What a failed `update.status` says, and what to do next. */
export function loadFailureMessage(error: { readonly code: string; readonly message: string }): string {
  switch (error.code) {
    case 'needs_server':
    case 'link_lost':
      return `${error.message} The version reports are kept at the bank’s server: refresh (Alt R) when the link is back.`;
    case 'permission_denied':
      return `${error.message} Only administrators see which version each branch runs: sign in as one.`;
    case 'unknown_command':
      return 'This server does not offer update status yet: update the server, then refresh (Alt R).';
    default:
      return `The version reports could not be read: ${error.message} Refresh (Alt R) to try again; if it keeps failing, check the server’s log.`;
  }
}
