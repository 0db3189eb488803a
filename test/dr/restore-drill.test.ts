import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedBoxKeyPair, type ServerKeys } from '@qenex/engine';
import { defaultAdminUrl, PostgresStorage, PostgresTestDatabase } from '@qenex/engine/postgres';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { backupWorkstation, restoreWorkstation } from '../../apps/desktop/src/node/backup';
import { captureBooks, proveRestored, writesAfter, type RecoveryReport } from '../../apps/server/src/backup/drill';
import { readBackup, verifyBackup, writeBackup } from '@qenex/engine/node';
import { defaultRetention } from '@qenex/engine/node';
import { backupServerDatabase, restoreServerDatabase } from '../../apps/server/src/backup/server-backup';
import { anchorHead, drillServerKeys, openEngine, seedBooks, tellerActivity } from './books';

/**
 * The restore drill: books with the demo bank and a teller's activity, anchored, backed up; more
 * writes after the backup (the data a restore loses); the backup restored into an empty database
 * and proven: every account equal, every ledger balanced, the audit chain intact against the kept
 * anchor. Then damaged backups, each refused with its code and nothing restored.
 */
const database = new PostgresTestDatabase();
const adminUrl = process.env.DATABASE_URL ?? defaultAdminUrl;
const createdDatabases: string[] = [];
const codec = { writeBackup, readBackup };
const lostWrites = 4;
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'qenex-dr-'));
});

afterAll(async () => {
  await withAdmin(async (client) => {
    for (const name of createdDatabases) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
});

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database: the restore's target. */
async function emptyDatabase(): Promise<string> {
  const name = `qenex_dr_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  createdDatabases.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function relationCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg\\_toast%'`);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

function report(kind: string, recovery: RecoveryReport): void {
  process.stderr.write(
    `restore drill (${kind}): recovered in ${recovery.recoveryMs} ms; point of recovery ${new Date(recovery.snapshotAtMs).toISOString()}, ` +
      `${recovery.writesLost} write(s) after it lost; ${recovery.proof.accountsCompared} accounts equal, ${recovery.proof.ledgers} ledgers balanced, ` +
      `${recovery.proof.audit.count} audit records intact, anchored to ${recovery.proof.anchoredSeq}\n`,
  );
}

describe('server restore drill (PostgreSQL)', () => {
  let serverKeys: ServerKeys;
  let source: PostgresStorage;
  let backupFile: string;
  let restoredUrl: string;

  beforeAll(async () => {
    serverKeys = drillServerKeys();
    source = await database.openStorage();
  });
  afterAll(async () => source.close());

  const accountIds = async (storage: PostgresStorage) => (await storage.pool.query<{ id: string }>('SELECT id FROM accounts')).rows.map((row) => row.id);

  it('restores a backup into an empty database and proves the books, reporting recovery time and data lost', async () => {
    const books = await seedBooks(source, serverKeys);
    await tellerActivity(books, 12);
    const anchor = await anchorHead(books.engine);
    const ids = await accountIds(source);
    const expected = await captureBooks(books.engine, source, ids);
    const progress: number[] = [];
    const backup = await backupServerDatabase({
      databaseUrl: await database.url(),
      schema: source.schema,
      directory: join(scratch, 'server'),
      recipientPublicKey: serverKeys.kem.publicKey,
      retention: defaultRetention,
      onProgress: ({ bytesDone }) => progress.push(bytesDone),
    });
    backupFile = backup.path;
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(backup.trailer.plaintextBytes);
    expect(backup.walArchiving.pointInTimeRecovery).toBe(backup.walArchiving.archiveMode !== 'off');
    // The dump is encrypted: no table name or customer name shows in the file.
    expect(readFileSync(backupFile).includes('audit_log')).toBe(false);
    await tellerActivity(books, lostWrites);

    const startedMs = performance.now();
    restoredUrl = await emptyDatabase();
    const restore = await restoreServerDatabase({ file: backupFile, recipient: serverKeys.kem, targetUrl: restoredUrl });
    expect(restore).toMatchObject({ ok: true });
    const restored = await PostgresStorage.open({ connectionString: restoredUrl, schema: source.schema });
    try {
      const proof = await proveRestored(expected, openEngine(restored, serverKeys).engine, restored, [anchor], ids);
      const recovery: RecoveryReport = { recoveryMs: Math.round(performance.now() - startedMs), snapshotAtMs: backup.header.createdAtMs, ...(await writesAfter(source, proof.audit.count)), proof };
      report('server', recovery);
      expect(proof.failures).toEqual([]);
      expect(proof.ok).toBe(true);
      expect(proof.accountsCompared).toBe(ids.length);
      expect(proof.ledgers).toBe(2);
      expect(proof.anchoredSeq).toBe(anchor.seq);
      expect(recovery.writesLost).toBe(lostWrites);
      expect(recovery.snapshotAtMs).toBeLessThanOrEqual(Date.now());
    } finally {
      await restored.close();
    }
  });

  it('finds a restored ledger that differs from the source (the proof is not vacuous)', async () => {
    const restored = await PostgresStorage.open({ connectionString: restoredUrl, schema: source.schema });
    try {
      const { engine } = openEngine(restored, serverKeys);
      const ids = await accountIds(source);
      const expected = await captureBooks(engine, restored, ids);
      await restored.pool.query('UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = $1', [ids[0]]);
      const proof = await proveRestored(expected, engine, restored, [], ids);
      expect(proof.ok).toBe(false);
      expect(proof.accountMismatchCount).toBe(1);
      expect(proof.ledgersBalanced).toBe(false);
    } finally {
      await restored.close();
    }
  });

  it('refuses to restore into a database that is not empty', async () => {
    const result = await restoreServerDatabase({ file: backupFile, recipient: serverKeys.kem, targetUrl: restoredUrl });
    expect(result).toMatchObject({ ok: false, code: 'restore_target_not_empty' });
  });

  const damaged: Array<[string, string, (file: string) => void]> = [
    ['a truncated backup', 'backup_truncated', (file) => truncateSync(file, Math.floor(statSync(file).size * 0.6))],
    ['a backup with one flipped byte', 'backup_corrupted', (file) => {
      const bytes = readFileSync(file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
      writeFileSync(file, bytes);
    }],
    ['a garbage file', 'backup_unknown_format', (file) => writeFileSync(file, randomBytes(50_000))],
  ];

  it.each(damaged)('refuses %s with %s and restores nothing', async (_name, code, damage) => {
    const copy = join(scratch, `damaged-${randomBytes(4).toString('hex')}.qxbk`);
    writeFileSync(copy, readFileSync(backupFile));
    damage(copy);
    const target = await emptyDatabase();
    const result = await restoreServerDatabase({ file: copy, recipient: serverKeys.kem, targetUrl: target });
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok ? '' : result.message).not.toMatch(/\n\s+at /);
    expect(await relationCount(target)).toBe(0);
  });

  it('refuses a backup opened with the wrong key and restores nothing', async () => {
    const target = await emptyDatabase();
    const result = await restoreServerDatabase({ file: backupFile, recipient: sealedBoxKeyPair(), targetUrl: target });
    expect(result).toMatchObject({ ok: false, code: 'backup_wrong_key' });
    expect(await relationCount(target)).toBe(0);
  });
});

describe('workstation restore drill (SQLite)', () => {
  let serverKeys: ServerKeys;
  let sourcePath: string;
  let source: SqliteStorage;
  let backupFile: string;

  beforeAll(() => {
    serverKeys = drillServerKeys();
    sourcePath = join(scratch, 'workstation.db');
    source = new SqliteStorage({ path: sourcePath });
  });
  afterAll(async () => source.close());

  const accountIds = (storage: SqliteStorage) => (storage.db.prepare('SELECT id FROM accounts').all() as Array<{ id: string }>).map((row) => row.id);

  it('restores an online backup of an open database into a new file and proves the books', async () => {
    const books = await seedBooks(source, serverKeys);
    await tellerActivity(books, 12);
    const anchor = await anchorHead(books.engine);
    const ids = accountIds(source);
    const expected = await captureBooks(books.engine, source, ids);
    const phases = new Set<string>();
    const backup = await backupWorkstation(source.db, {
      codec,
      recipientPublicKey: serverKeys.kem.publicKey,
      path: join(scratch, 'workstation.qxbk'),
      nowMs: () => books.clock.nowMs(),
      onProgress: ({ phase }) => phases.add(phase),
    });
    backupFile = backup.path;
    expect([...phases].sort()).toEqual(['encrypt', 'snapshot']);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    await tellerActivity(books, lostWrites);

    const startedMs = performance.now();
    const target = join(scratch, 'restored.db');
    const restore = await restoreWorkstation(backupFile, target, { codec, recipient: serverKeys.kem });
    expect(restore).toMatchObject({ ok: true });
    const restored = new SqliteStorage({ path: target });
    try {
      const proof = await proveRestored(expected, openEngine(restored, serverKeys).engine, restored, [anchor], ids);
      const recovery: RecoveryReport = { recoveryMs: Math.round(performance.now() - startedMs), snapshotAtMs: backup.snapshotAtMs, ...(await writesAfter(source, proof.audit.count)), proof };
      report('workstation', recovery);
      expect(proof.failures).toEqual([]);
      expect(proof.accountsCompared).toBe(ids.length);
      expect(proof.anchoredSeq).toBe(anchor.seq);
      expect(recovery.writesLost).toBe(lostWrites);
    } finally {
      await restored.close();
    }
    // A second restore onto the books just restored is refused unless asked for.
    expect(await restoreWorkstation(backupFile, target, { codec, recipient: serverKeys.kem })).toMatchObject({ ok: false, code: 'restore_target_not_empty' });
  });

  it.each([
    ['backup_truncated', (file: string) => truncateSync(file, statSync(file).size - 100)],
    ['backup_corrupted', (file: string) => {
      const bytes = readFileSync(file);
      bytes[bytes.length - 2_000] = bytes[bytes.length - 2_000]! ^ 0x80;
      writeFileSync(file, bytes);
    }],
    ['backup_unknown_format', (file: string) => writeFileSync(file, 'SQLite format 3\0 and then nothing')],
  ] as const)('refuses a damaged workstation backup with %s and writes no database', async (code, damage) => {
    const copy = join(scratch, `damaged-${randomBytes(4).toString('hex')}.qxbk`);
    writeFileSync(copy, readFileSync(backupFile));
    damage(copy);
    const target = join(scratch, `never-${randomBytes(4).toString('hex')}.db`);
    const result = await restoreWorkstation(copy, target, { codec, recipient: serverKeys.kem });
    expect(result).toMatchObject({ ok: false, code });
    expect(() => statSync(target)).toThrow();
  });

  it('refuses a workstation backup opened with the wrong key', async () => {
    const verdict = await verifyBackup(backupFile, sealedBoxKeyPair());
    expect(verdict).toMatchObject({ ok: false, code: 'backup_wrong_key' });
  });
});
