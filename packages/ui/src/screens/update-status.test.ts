import { describe, expect, it } from 'vitest';
import type { RepositorySummary, UpdateRefusalReport, UpdateStatusRow } from '@qenex/engine';
import { deviceStanding, explainRefusal, isStale, loadFailureMessage, orderRows, refusalSentence, relativeTime, reportStaleMs, shortSha, standingSentence, versionGaps } from './update-status';

const nowMs = Date.UTC(2026, 5, 1, 12, 0, 0);
const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const at = (ms: number) => `T+${ms - nowMs}`;

const repository: RepositorySummary = {
  root: 2,
  timestamp: 40,
  snapshot: 12,
  targets: 7,
  delegated: { compliance: 3 },
  files: [{ path: 'content/sanctions/un.json', role: 'compliance', length: 1200, sha256: 'ab'.repeat(32) }],
};

function row(overrides: Partial<Omit<UpdateStatusRow, 'metadata'>> & { metadata?: Partial<UpdateStatusRow['metadata']> } = {}): UpdateStatusRow {
  const { metadata, ...rest } = overrides;
  return {
    branchId: 'b1',
    branchName: 'Downtown (DT01)',
    deviceId: 'dev-1',
    atMs: nowMs - minuteMs,
    receivedAtMs: nowMs - minuteMs,
    metadata: { root: 2, timestamp: 40, snapshot: 12, targets: 7, delegated: { compliance: 3 }, ...metadata },
    content: [],
    app: { running: '1.4.0', staged: null },
    lastCheckedAtMs: nowMs - minuteMs,
    lastInstalledAtMs: null,
    refusal: null,
    ...rest,
  };
}

const refusal = (code: string, extra: Partial<UpdateRefusalReport> = {}): UpdateRefusalReport => ({ code, role: 'target', path: 'content/sanctions/un.json', atMs: nowMs - 5 * minuteMs, ...extra });

describe('where a workstation stands against the repository', () => {
  it('is up to date when its snapshot, targets and loaded delegated roles are the repository’s and it refused nothing', () => {
    const standing = deviceStanding(row(), repository);
    expect(standing).toEqual({ kind: 'current' });
    expect(standingSentence(standing)).toBe('Up to date with the repository');
  });

  it('is up to date without a delegated role it never loaded (roles load as their paths are needed)', () => {
    expect(deviceStanding(row({ metadata: { delegated: {} } }), repository).kind).toBe('current');
  });

  it('is behind when its snapshot or targets version is lower, and says by how much', () => {
    const standing = deviceStanding(row({ metadata: { snapshot: 11, targets: 6 } }), repository);
    expect(standing.kind).toBe('behind');
    expect(standingSentence(standing)).toBe('Behind: snapshot v11 of v12, targets v6 of v7.');
  });

  it('is behind on a delegated role it holds an older version of', () => {
    expect(standingSentence(deviceStanding(row({ metadata: { delegated: { compliance: 2 } } }), repository))).toBe('Behind: compliance v2 of v3.');
  });

  it('is behind when it has not loaded the snapshot or targets at all', () => {
    const standing = deviceStanding(row({ metadata: { timestamp: null, snapshot: null, targets: null } }), repository);
    expect(standing.kind).toBe('behind');
    expect(standingSentence(standing)).toBe('Behind: snapshot not loaded yet (repository v12), targets not loaded yet (repository v7).');
  });

  it('is ahead when it trusts newer metadata than the server publishes: the server’s copy is what to check', () => {
    const standing = deviceStanding(row({ metadata: { snapshot: 13 } }), repository);
    expect(standing.kind).toBe('ahead');
    expect(standingSentence(standing)).toMatch(/^Ahead of the repository: snapshot v13, published v12\. .*check it\.$/);
  });

  it('lists only the roles behind when some are behind and others ahead', () => {
    const standing = deviceStanding(row({ metadata: { snapshot: 13, targets: 6 } }), repository);
    expect(standing).toEqual({ kind: 'behind', gaps: [{ role: 'targets', device: 6, repository: 7 }] });
    expect(versionGaps(row({ metadata: { snapshot: 13, targets: 6 } }), repository)).toHaveLength(2);
  });

  it('has nothing to compare with when no repository is configured, unless it refused something', () => {
    expect(standingSentence(deviceStanding(row(), null))).toBe('No update repository to compare with');
    expect(deviceStanding(row({ refusal: refusal('unreachable') }), null).kind).toBe('refused');
  });

  it('is refused whenever it reports a refusal, even with every version equal', () => {
    const standing = deviceStanding(row({ refusal: refusal('hash_mismatch') }), repository);
    expect(standing.kind).toBe('refused');
    expect(standingSentence(standing, at)).toBe(
      'Refused content/sanctions/un.json: the file is not the one the admins signed (its SHA-256 differs) at T+-300000. It kept the version it had; check the mirror and republish.',
    );
  });
});

describe('a refusal in plain English', () => {
  const expected: Record<string, RegExp> = {
    hash_mismatch: /not the one the admins signed/,
    length_mismatch: /not the one the admins signed \(its length differs\)/,
    bad_signature: /signatures do not verify/,
    threshold_not_met: /too few of the required keys signed it/,
    expired: /^freeze: the repository served metadata past its expiry$/,
    rollback: /older version than the one the workstation already trusts/,
    version_mismatch: /not the one the snapshot or timestamp names/,
    path_not_delegated: /outside the paths delegated to it/,
    content_invalid: /content is not valid for its kind/,
    too_large: /more bytes than the workstation accepts/,
    unreachable: /could not reach the update mirror/,
    malformed: /not readable/,
    wrong_type: /one kind of metadata in place of another/,
    role_removed: /no longer names a role/,
    not_loaded: /was not loaded/,
    role_missing: /does not serve a delegated role/,
    target_not_found: /no signed role names the file/,
    too_many_roots: /more root rotations/,
    too_many_delegations: /too many or too deep/,
  };
  for (const [code, reason] of Object.entries(expected)) {
    it(`explains ${code} and says what to do next`, () => {
      const explanation = explainRefusal(code);
      expect(explanation.reason).toMatch(reason);
      expect(explanation.reason).not.toContain(code);
      expect(explanation.next).toMatch(/\.$/);
    });
  }

  it('names a code it does not know rather than hiding it', () => {
    expect(explainRefusal('quantum_flux').reason).toContain('code quantum_flux');
    expect(explainRefusal('toString').reason).toContain('code toString');
  });

  it('says what was refused: the file, else the role’s metadata', () => {
    expect(refusalSentence(refusal('expired', { role: 'timestamp', path: null }), at)).toBe(
      'Refused the timestamp metadata: freeze: the repository served metadata past its expiry at T+-300000. It kept the version it had; sign a fresh timestamp (and any expired role) and republish.',
    );
    expect(refusalSentence(refusal('unreachable', { path: null }), at)).toMatch(/^Refused a file: the workstation could not reach the update mirror at .* It kept the version it had; check its link to the mirror/);
  });
});

describe('the order of the rows', () => {
  it('lists refusals first (newest first), then workstations behind, then the rest by branch and device', () => {
    const rows = [
      row({ deviceId: 'current-b', branchName: 'B' }),
      row({ deviceId: 'behind', branchName: 'A', metadata: { targets: 6 } }),
      row({ deviceId: 'refused-old', branchName: 'Z', refusal: refusal('rollback', { atMs: nowMs - hourMs }) }),
      row({ deviceId: 'current-a', branchName: 'A' }),
      row({ deviceId: 'refused-new', branchName: 'Z', refusal: refusal('bad_signature') }),
    ];
    expect(orderRows(rows, repository).map((r) => r.deviceId)).toEqual(['refused-new', 'refused-old', 'behind', 'current-a', 'current-b']);
  });
});

describe('times on the screen', () => {
  it('says how long ago, in minutes, hours and days', () => {
    expect(relativeTime(nowMs - 20_000, nowMs)).toBe('just now');
    expect(relativeTime(nowMs - 5 * minuteMs, nowMs)).toBe('5 min ago');
    expect(relativeTime(nowMs - 3 * hourMs - 10 * minuteMs, nowMs)).toBe('3 h ago');
    expect(relativeTime(nowMs - 24 * hourMs, nowMs)).toBe('1 day ago');
    expect(relativeTime(nowMs - 50 * hourMs, nowMs)).toBe('2 days ago');
  });

  it('says a time past this clock is ahead of it instead of "ago"', () => {
    expect(relativeTime(nowMs + 10_000, nowMs)).toBe('just now');
    expect(relativeTime(nowMs + 7 * minuteMs, nowMs)).toBe('7 min ahead of this clock');
  });

  it('calls a report stale once it is older than 24 hours', () => {
    expect(isStale(nowMs - reportStaleMs, nowMs)).toBe(false);
    expect(isStale(nowMs - reportStaleMs - 1, nowMs)).toBe(true);
  });

  it('shortens a digest to its first 12 characters', () => {
    expect(shortSha('0123456789abcdef'.repeat(4))).toBe('0123456789ab');
  });
});

describe('a failed read says what to do next', () => {
  it('asks to wait for the link when the server cannot be reached', () => {
    expect(loadFailureMessage({ code: 'needs_server', message: 'This needs the bank’s server, and the link is down.' })).toMatch(/refresh \(Alt R\) when the link is back/);
  });
  it('says only administrators see it when permission is denied', () => {
    expect(loadFailureMessage({ code: 'permission_denied', message: 'Your roles (teller) do not grant update.read.' })).toMatch(/Only administrators/);
  });
  it('says to update the server when it does not know the command', () => {
    expect(loadFailureMessage({ code: 'unknown_command', message: 'No command update.status.' })).toMatch(/update the server/);
  });
  it('offers a retry for anything else', () => {
    expect(loadFailureMessage({ code: 'internal', message: 'Boom.' })).toMatch(/Boom\. Refresh \(Alt R\) to try again/);
  });
});
