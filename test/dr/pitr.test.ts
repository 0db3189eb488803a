import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditAnchor, ServerKeys } from '@qenex/engine';
import { PostgresStorage } from '@qenex/engine/postgres';
import { loadBackupKey, publicKeyFile } from '../../apps/server/src/backup/backup-key';
import { captureBooks, proveRestored, writesAfter, type Books } from '../../apps/server/src/backup/drill';
import { readBackupHeader } from '@qenex/engine/node';
import { baseBackup, isBaseBackup, restoreToPointInTime, stopCluster, walArchiveSettings, walArchiveSuffix, type BaseBackupResult, type OsAccount, type PointInTimeRestoreOptions, type PointInTimeRestored } from '../../apps/server/src/backup/pitr';
import { anchorHead, drillServerKeys, openEngine, seedBooks, tellerActivity, type DrillBooks } from './books';
import { clusterAccount, findPostgresBin, freePort, giveTo, ownedDirectory, startPrivateCluster, type PrivateCluster } from './pg-cluster';

/**
 * Point-in-time recovery against a real PostgreSQL that archives its WAL: a private cluster
 * (initdb, wal_level replica, archive_mode on, archive_command = pitr-archive.ts, a short
 * archive_timeout) holding the demo bank's books; a base backup; teller activity; the moment T
 * noted with the books as they were then; more activity after T; the WAL switched and archived.
 * Restored to T into a new data directory on another port, the books must be those at T (every
 * account, every ledger balanced, the audit chain intact against an anchor, the audit head the
 * source's at T, the writes after T absent). A changed byte in the archived segment T needs must
 * make the restore say that T was not reached; a damaged base backup is refused before extraction.
 */
const pgBin = findPostgresBin();
/** Teller writes after T: the data a restore to T loses; the last ones in a segment of their own. */
const writesAfterT = 8;
const writesInLastSegment = 3;
const archiveWaitMsMax = 30_000;
const schema = 'qenex';

if (pgBin === null) process.stderr.write('pitr.test.ts SKIPPED: PostgreSQL server programs (initdb, pg_ctl, postgres, pg_basebackup, pg_verifybackup) not found; set QENEX_PG_BIN to their directory\n');

describe.skipIf(pgBin === null)('point-in-time recovery (private PostgreSQL cluster with WAL archiving)', () => {
  const bin = pgBin!;
  const startedClusters: string[] = [];
  let scratch: string;
  let account: OsAccount | undefined;
  let source: PrivateCluster | undefined;
  let storage: PostgresStorage | undefined;
  let serverKeys: ServerKeys;
  let books: DrillBooks;
  let keyFile: string;
  let archiveDir: string;
  let base: BaseBackupResult;
  let anchor: AuditAnchor;
  let accountIds: string[];
  let atT: Books;
  let targetTime: string;
  let segmentAtT: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'qenex-pitr-'));
    account = clusterAccount();
    ownedDirectory(scratch, account);
    const keys = ownedDirectory(join(scratch, 'keys'), account);
    const key = loadBackupKey(join(keys, 'backup-key.json'), { create: true });
    if (!key.ok) throw new Error(key.message);
    keyFile = key.key.path;
    const publicFile = join(keys, 'backup-key.public.json');
    writeFileSync(publicFile, publicKeyFile(key.key), { mode: 0o600 });
    giveTo(keyFile, account);
    giveTo(publicFile, account);
    archiveDir = ownedDirectory(join(scratch, 'archive'), account);
    const settings = [...walArchiveSettings({ archiveDir, publicKeyFile: publicFile, archiveTimeoutS: 5 }), 'fsync = off', "max_wal_size = '256MB'"];
    source = await startPrivateCluster({ root: ownedDirectory(join(scratch, 'source'), account), port: await freePort(), account, pgBin: bin, password: 'pitr-test-password', settings });
    startedClusters.push(source.dataDir);

    serverKeys = drillServerKeys();
    storage = await PostgresStorage.open({ connectionString: source.url(), schema });
    books = await seedBooks(storage, serverKeys);
    await tellerActivity(books, 10);
    base = await baseBackup({ databaseUrl: source.url(), directory: ownedDirectory(join(scratch, 'base'), account), recipientPublicKey: key.key.publicKey });
    await tellerActivity(books, 15);
    anchor = await anchorHead(books.engine);
    accountIds = (await storage.pool.query<{ id: string }>('SELECT id FROM accounts')).rows.map((row) => row.id);
    atT = await captureBooks(books.engine, storage, accountIds);
    ({ time: targetTime, segment: segmentAtT } = await sourceMoment(source));
    await tellerActivity(books, writesAfterT - writesInLastSegment);
    await switchAndWaitArchived(source);
    // One more segment, so the archive holds one after the segment T needs (a gap has something beyond it).
    await tellerActivity(books, writesInLastSegment);
    await switchAndWaitArchived(source);
  });

  afterAll(async () => {
    await storage?.close();
    for (const dataDir of startedClusters.reverse()) await stopCluster(dataDir, { ...(account === undefined ? {} : { runAs: account }), pgBin: bin, mode: 'immediate' }).catch(() => undefined);
    // QENEX_PITR_KEEP=1 keeps the clusters' directories (and their logs) to look at.
    if (scratch !== undefined && process.env.QENEX_PITR_KEEP !== '1') rmSync(scratch, { recursive: true, force: true });
    else if (scratch !== undefined) process.stderr.write(`pitr: kept ${scratch}\n`);
  });

  async function restore(name: string, overrides: Partial<PointInTimeRestoreOptions>) {
    const dataDir = join(ownedDirectory(join(scratch, name), account), 'data');
    startedClusters.push(dataDir);
    return restoreToPointInTime({
      baseFile: base.path,
      archiveDir,
      keyFile,
      targetTime,
      dataDir,
      port: await freePort(),
      user: source!.superuser,
      password: source!.password,
      pgBin: bin,
      socketDir: source!.socketDir,
      recoveryTimeoutMs: 40_000,
      ...(account === undefined ? {} : { runAs: account }),
      ...overrides,
    });
  }

  async function openRestored(restored: PointInTimeRestored): Promise<PostgresStorage> {
    return PostgresStorage.open({ connectionString: `postgres://${source!.superuser}:${source!.password}@127.0.0.1:${restored.port}/postgres`, schema });
  }

  it('takes an encrypted base backup that names where its recovery starts', async () => {
    expect(base.walArchiving.pointInTimeRecovery).toBe(true);
    expect(statSync(base.path).mode & 0o777).toBe(0o600);
    expect(isBaseBackup((await readBackupHeader(base.path))!)).toBe(true);
    expect(base.label.startWalFile).toMatch(/^[0-9A-F]{24}$/);
    expect(base.endLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    // Encrypted: no file name of the data directory shows in the file.
    expect(readFileSync(base.path).includes('backup_label')).toBe(false);
    // The archive holds every file PostgreSQL finished, each encrypted under its own name.
    const archived = readdirSync(archiveDir).filter((name) => name.endsWith(walArchiveSuffix));
    expect(archived).toContain(`${segmentAtT}${walArchiveSuffix}`);
    expect(segmentAtT > base.label.startWalFile).toBe(true);
    process.stderr.write(`pitr: base backup of ${base.trailer.plaintextBytes} bytes (${base.fileBytes} encrypted) in ${base.durationMs} ms; start ${base.label.startLsn} (${base.label.startWalFile}), end ${base.endLsn}; ${archived.length} WAL files archived\n`);
  });

  it('restores to time T: every balance as at T, every ledger balanced, the audit chain intact, the writes after T absent', async () => {
    const restored = await restore('restored-at-t', {});
    expect(restored).toMatchObject({ ok: true });
    if (!restored.ok) return;
    const restoredStorage = await openRestored(restored);
    try {
      const proof = await proveRestored(atT, openEngine(restoredStorage, serverKeys).engine, restoredStorage, [anchor], accountIds);
      const lost = await writesAfter(storage!, proof.audit.count);
      process.stderr.write(
        `pitr: restored to ${targetTime} in ${restored.recoveryMs} ms (verify ${restored.phasesMs.verifyMs}, extract ${restored.phasesMs.extractMs}, replay ${restored.phasesMs.replayMs}; ${restored.segmentsRestored} WAL files); ` +
          `point of recovery ${restored.pointOfRecovery}; ${lost.writesLost} write(s) after it lost; ${proof.accountsCompared} accounts equal, ${proof.ledgers} ledgers balanced, ${proof.audit.count} audit records intact\n`,
      );
      expect(proof.failures).toEqual([]);
      expect(proof.accountsCompared).toBe(accountIds.length);
      expect(proof.ledgers).toBe(2);
      expect(proof.anchoredSeq).toBe(anchor.seq);
      expect(lost.writesLost).toBe(writesAfterT);
      // The point of recovery is the last commit before T, after the base backup.
      expect(restored.pointOfRecoveryAtMs).not.toBeNull();
      expect(restored.pointOfRecoveryAtMs!).toBeLessThanOrEqual(Date.parse(targetTime));
      expect(restored.pointOfRecoveryAtMs!).toBeGreaterThan(base.header.createdAtMs);
      // The proof is not vacuous: the source has moved on since T.
      const now = await captureBooks(books.engine, storage!, accountIds);
      expect(JSON.stringify(now.totals, bigints)).not.toBe(JSON.stringify(atT.totals, bigints));
    } finally {
      await restoredStorage.close();
    }
  });

  it('refuses when an archived segment T needs was changed: it reports that T was not reached and stops the server', async () => {
    const tamperedArchive = ownedDirectory(join(scratch, 'archive-tampered'), account);
    cpSync(archiveDir, tamperedArchive, { recursive: true });
    // PostgreSQL's account reads the archive: the copy is its, as the original is.
    for (const name of readdirSync(tamperedArchive)) giveTo(join(tamperedArchive, name), account);
    const segmentFile = join(tamperedArchive, `${segmentAtT}${walArchiveSuffix}`);
    const bytes = readFileSync(segmentFile);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(segmentFile, bytes);
    const result = await restore('restored-tampered', { archiveDir: tamperedArchive });
    process.stderr.write(`pitr: tampered archive: ${result.ok ? 'restored?!' : `${result.code}: ${result.message}`}\n`);
    expect(result).toMatchObject({ ok: false, code: 'wal_segment_unreadable' });
    if (result.ok) return;
    expect(result.message).toContain(segmentAtT);
    expect(result.message).toContain(`The target ${targetTime} was NOT reached`);
    expect(result.segmentsRefused?.map((line) => [line.file, line.code])).toEqual([[segmentAtT, 'backup_corrupted']]);
    // The server that replayed the shorter history is not left serving it.
    expect(existsSync(join(scratch, 'restored-tampered', 'data', 'postmaster.pid'))).toBe(false);
  });

  it('restores to the end of the archive (latest): nothing archived is lost', async () => {
    const restored = await restore('restored-latest', { targetTime: 'latest' });
    expect(restored).toMatchObject({ ok: true });
    if (!restored.ok) return;
    const restoredStorage = await openRestored(restored);
    try {
      const expected = await captureBooks(books.engine, storage!, accountIds);
      const proof = await proveRestored(expected, openEngine(restoredStorage, serverKeys).engine, restoredStorage, [anchor], accountIds);
      expect(proof.failures).toEqual([]);
      expect((await writesAfter(storage!, proof.audit.count)).writesLost).toBe(0);
      process.stderr.write(`pitr: restored to the end of the archive in ${restored.recoveryMs} ms; point of recovery ${restored.pointOfRecovery}\n`);
    } finally {
      await restoredStorage.close();
    }
  });

  it('refuses a restore to the end of the archive when a segment between is missing, instead of promoting a shorter history', async () => {
    const gapped = ownedDirectory(join(scratch, 'archive-gap'), account);
    cpSync(archiveDir, gapped, { recursive: true });
    for (const name of readdirSync(gapped)) giveTo(join(gapped, name), account);
    rmSync(join(gapped, `${segmentAtT}${walArchiveSuffix}`));
    const result = await restore('restored-gap', { archiveDir: gapped, targetTime: 'latest' });
    process.stderr.write(`pitr: archive with a gap: ${result.ok ? 'restored?!' : `${result.code}: ${result.message}`}\n`);
    expect(result).toMatchObject({ ok: false, code: 'wal_archive_gap' });
    if (result.ok) return;
    expect(result.message).toContain('NOT reached');
    expect(existsSync(join(scratch, 'restored-gap', 'data', 'postmaster.pid'))).toBe(false);
  });

  it('stops and says so when it cannot watch recovery (a wrong password), instead of waiting out its timeout', async () => {
    const startedMs = Date.now();
    const result = await restore('restored-unwatched', { password: 'not-the-password' });
    expect(result).toMatchObject({ ok: false, code: 'pitr_watch_failed' });
    expect(Date.now() - startedMs).toBeLessThan(20_000);
    expect(existsSync(join(scratch, 'restored-unwatched', 'data', 'postmaster.pid'))).toBe(false);
  });

  it.each([
    ['a truncated base backup', 'backup_truncated', (file: string) => truncateSync(file, Math.floor(statSync(file).size * 0.6))],
    ['a base backup with one flipped byte', 'backup_corrupted', (file: string) => {
      const bytes = readFileSync(file);
      bytes[bytes.length - 5_000] = bytes[bytes.length - 5_000]! ^ 0x40;
      writeFileSync(file, bytes);
    }],
  ] as const)('refuses %s with %s before anything reaches the data directory', async (_name, code, damage) => {
    const copy = join(scratch, `damaged-${code}.qxbk`);
    cpSync(base.path, copy);
    damage(copy);
    const dataDir = join(ownedDirectory(join(scratch, `refused-${code}`), account), 'data');
    const result = await restoreToPointInTime({ baseFile: copy, archiveDir, keyFile, targetTime, dataDir, port: await freePort(), user: 'nobody', pgBin: bin, ...(account === undefined ? {} : { runAs: account }) });
    expect(result).toMatchObject({ ok: false, code });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a base backup opened with another key', async () => {
    const other = loadBackupKey(join(scratch, 'keys', 'other-key.json'), { create: true });
    if (!other.ok) throw new Error(other.message);
    const dataDir = join(scratch, 'refused-wrong-key');
    const result = await restoreToPointInTime({ baseFile: base.path, archiveDir, keyFile: other.key.path, targetTime, dataDir, port: await freePort(), user: 'nobody', pgBin: bin, ...(account === undefined ? {} : { runAs: account }) });
    expect(result).toMatchObject({ ok: false, code: 'backup_wrong_key' });
    expect(existsSync(dataDir)).toBe(false);
  });
});

/** The source's clock now (µs, UTC) and the WAL segment being written: T, and the segment a restore to T must replay. */
async function sourceMoment(cluster: PrivateCluster): Promise<{ time: string; segment: string }> {
  return withClient(cluster, async (client) => {
    const { rows } = await client.query<{ time: string; segment: string }>(
      `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time, pg_walfile_name(pg_current_wal_lsn()) AS segment`,
    );
    return rows[0]!;
  });
}

/** Ends the current segment and waits until the archiver has archived it (or reports its failure). */
async function switchAndWaitArchived(cluster: PrivateCluster): Promise<void> {
  await withClient(cluster, async (client) => {
    const { rows } = await client.query<{ segment: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS segment');
    const segment = rows[0]!.segment;
    const deadlineMs = Date.now() + archiveWaitMsMax;
    for (;;) {
      const { rows: status } = await client.query<{ archived: string | null; failed: string | null; failures: number }>(
        'SELECT last_archived_wal AS archived, last_failed_wal AS failed, failed_count::int AS failures FROM pg_stat_archiver',
      );
      const { archived, failed, failures } = status[0]!;
      if (archived !== null && archived.slice(0, 24) >= segment) return;
      if (failures > 0) throw new Error(`archive_command failed for ${failed}: see ${cluster.logFile}:\n${readFileSync(cluster.logFile, 'utf8').slice(-2_000)}`);
      if (Date.now() > deadlineMs) throw new Error(`${segment} was not archived within ${archiveWaitMsMax} ms (last archived: ${archived})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
}

async function withClient<T>(cluster: PrivateCluster, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
