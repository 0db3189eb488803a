import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerKeys } from '@qenex/engine';
import { defaultAdminUrl, PostgresStorage, PostgresTestDatabase } from '@qenex/engine/postgres';
import { appendAnchorLine, auditAnchorsFile } from '../../apps/server/src/audit-anchors';
import { readConfig } from '../../apps/server/src/config';
import { startServer } from '../../apps/server/src/server';
import { loadServerKeys } from '../../apps/server/src/server-keys';
import { anchorHead, seedBooks, tellerActivity, type DrillBooks } from './books';

/**
 * The backup commands of `npm run server:admin`, run as an operator runs them (a child process,
 * the environment as configuration) against real PostgreSQL: the books of the demo bank in the
 * public schema of a database of their own, as the server keeps them; anchored, with the anchor in
 * the data directory's file as well. Backup, list, drill, and restores refused with their codes.
 */
const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const admin = join(root, 'apps/server/src/admin.ts');
const adminUrl = process.env.DATABASE_URL ?? defaultAdminUrl;
const database = new PostgresTestDatabase();
const createdDatabases: string[] = [];
const lostWrites = 4;

let scratch: string;
let sourceUrl: string;
let source: PostgresStorage;
let books: DrillBooks;
let env: NodeJS.ProcessEnv;
let backupFile: string;
/** The source's last ledger timestamp when the backup was taken: its point of recovery, in ledger time. */
let backupLedgerTimestamp: bigint;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(tsx, [admin, ...args], { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function emptyDatabase(): Promise<string> {
  const name = `qenex_drcli_${process.pid}_${randomBytes(4).toString('hex')}`;
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

const drillDatabases = () => withAdmin(async (client) => (await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'qenex\\_drill\\_%'`)).rows.map((row) => row.datname));

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'qenex-dr-cli-'));
  const dataDir = join(scratch, 'data');
  const serverKeys: ServerKeys = loadServerKeys(join(dataDir, 'server-keys.json')).keys;
  sourceUrl = await database.url();
  // No schema: the public one, where the server keeps its books (and the backup dumps the whole database).
  source = await PostgresStorage.open({ connectionString: sourceUrl, max: 2 });
  books = await seedBooks(source, serverKeys);
  await tellerActivity(books, 12);
  await appendAnchorLine(auditAnchorsFile(dataDir), await anchorHead(books.engine));
  env = {
    ...process.env,
    DATABASE_URL: sourceUrl,
    QENEX_DATA_DIR: dataDir,
    QENEX_BACKUP_DIR: join(scratch, 'backups'),
    QENEX_BACKUP_KEY_FILE: join(scratch, 'keys', 'backup-key.json'),
    LOG_LEVEL: 'silent',
  };
});

afterAll(async () => {
  await source?.close();
  await withAdmin(async (client) => {
    for (const name of createdDatabases) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('server:admin backup commands', () => {
  it('backup: writes one encrypted backup, makes the key (0600) on first use, shows progress and what the backup offers', async () => {
    const run = await cli(['backup']);
    expect(run.stderr).toMatch(/a new backup key was made in .*backup-key\.json/);
    expect(run.code).toBe(0);
    // Progress: a plain line (stderr is a pipe here, not a terminal) with bytes, records and time.
    expect(run.stderr).toMatch(/^backup: .* dumped and encrypted, 1 record\(s\), \d+\.\d s$/m);
    expect(run.stderr).not.toMatch(/\r/);
    backupFile = /^backup\s+(\S+\.qxbk)$/m.exec(run.stdout)![1]!;
    const bytes = readFileSync(backupFile);
    expect(run.stdout).toContain(`SHA-256            ${createHash('sha256').update(bytes).digest('hex')}`);
    expect(run.stdout).toMatch(new RegExp(`^size\\s+${bytes.length.toLocaleString('en-US')} bytes`, 'm'));
    expect(run.stdout).toMatch(/^point of recovery\s+\d{4}-\d\d-\d\dT[\d:.]+Z/m);
    expect(run.stdout).toMatch(/^WAL archiving\s+(off \(archive_mode=off\): no point-in-time recovery|on \(archive_mode=(on|always)\): point-in-time recovery is possible)/m);
    expect(run.stdout).toMatch(/^retention\s+the newest 30 kept, none older than 35 days; deleted: none$/m);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    const keyFile = env.QENEX_BACKUP_KEY_FILE!;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // The key's seed is in its file and nowhere in what the command said.
    const { seed } = JSON.parse(readFileSync(keyFile, 'utf8')) as { seed: string };
    expect(`${run.stdout}${run.stderr}`).not.toContain(seed);
    backupLedgerTimestamp = await source.read((tx) => tx.ledger.lastTimestamp());
    await tellerActivity(books, lostWrites);
  });

  it('backups: lists the backup, newest first, with its header read and its key', async () => {
    writeFileSync(join(env.QENEX_BACKUP_DIR!, 'stray.qxbk'), 'not a backup');
    const run = await cli(['backups']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^point of recovery\s+size\s+kind\s+state\s+key\s+file$/);
    expect(run.stdout).toMatch(new RegExp(`server\\s+header reads\\s+this key\\s+${backupFile.split('/').at(-1)!.replace('.', '\\.')}$`, 'm'));
    expect(run.stdout).toMatch(/HEADER DOES NOT READ.*stray\.qxbk$/m);
    rmSync(join(env.QENEX_BACKUP_DIR!, 'stray.qxbk'));
  });

  it('restore-drill: restores the newest backup into a temporary database, proves it, reports recovery time and data lost, drops it', async () => {
    const before = await drillDatabases();
    const run = await cli(['restore-drill']);
    expect(run.stderr).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^result\s+PASSED$/m);
    expect(run.stdout).toMatch(/^balances\s+\d+ accounts, every one equal to the source's at the point of recovery$/m);
    expect(run.stdout).toMatch(/^ledgers\s+2, every one balanced \(debits = credits\); totals equal to the source's$/m);
    expect(run.stdout).toMatch(/^audit chain\s+intact: \d+ records, .*vouched for by the signed anchor of record \d+$/m);
    expect(run.stdout).toMatch(/^recovery time\s+\d+ ms/m);
    expect(run.stdout).toMatch(new RegExp(`^data lost\\s+${lostWrites} write\\(s\\) since the point of recovery`, 'm'));
    expect(await drillDatabases()).toEqual(before);
  });

  it('restore: verifies the whole file, then restores into an empty database; refuses a database that is not empty', async () => {
    const target = await emptyDatabase();
    const run = await cli(['restore', '--file', backupFile, '--database-url', target]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^recovery time\s+\d+ ms \(the whole file verified, then pg_restore\)$/m);
    expect(await relationCount(target)).toBeGreaterThan(0);

    const again = await cli(['restore', '--file', backupFile, '--database-url', target]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^restore refused: restore_target_not_empty: /m);
    expect(again.stderr).toMatch(/^what to do: restore only into a new database: CREATE DATABASE/m);
  });

  it('restore: refuses a truncated backup with backup_truncated, exit 1, and leaves the target untouched', async () => {
    const copy = join(scratch, 'truncated.qxbk');
    writeFileSync(copy, readFileSync(backupFile));
    truncateSync(copy, Math.floor(statSync(copy).size * 0.6));
    const target = await emptyDatabase();
    const run = await cli(['restore', '--file', copy, '--database-url', target]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^restore refused: backup_truncated: /m);
    expect(run.stderr).toMatch(/^what to do: the file was cut short/m);
    expect(run.stderr).toContain('nothing was restored');
    expect(run.stdout).toBe('');
    expect(await relationCount(target)).toBe(0);
  });

  it('restore: never makes a key, and refuses a key file that holds the public half only', async () => {
    const missing = await cli(['restore', '--file', backupFile, '--database-url', sourceUrl], { QENEX_BACKUP_KEY_FILE: join(scratch, 'no-such-key.json') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^restore refused: backup_key_missing: /m);
    expect(() => statSync(join(scratch, 'no-such-key.json'))).toThrow();

    const exported = await cli(['backup-key', '--public-only']);
    expect(exported.code).toBe(0);
    const publicOnly = join(scratch, 'public-key.json');
    writeFileSync(publicOnly, exported.stdout);
    expect(JSON.parse(exported.stdout)).not.toHaveProperty('seed');
    const refused = await cli(['restore', '--file', backupFile, '--database-url', sourceUrl], { QENEX_BACKUP_KEY_FILE: publicOnly });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^restore refused: backup_key_public_only: /m);
  });

  it('restore-drill: fails (exit 1) when the restored books differ from the source at the point of recovery', async () => {
    // The source's record of one account's balance at the point of recovery, changed: the drill must see it.
    const row = `(SELECT account_id, max(timestamp) FROM account_balances WHERE timestamp <= $1 GROUP BY account_id ORDER BY account_id LIMIT 1)`;
    const change = (by: number) => source.pool.query(`UPDATE account_balances SET credits_posted = credits_posted + ${by} WHERE (account_id, timestamp) = ${row}`, [backupLedgerTimestamp]);
    expect((await change(1)).rowCount).toBe(1);
    try {
      const run = await cli(['restore-drill', '--file', backupFile]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^balances\s+1 of \d+ accounts DIFFER/m);
      expect(run.stdout).toMatch(/^result\s+FAILED: /m);
    } finally {
      await change(-1);
    }
  });

  it('usage errors exit 2 and name the problem', async () => {
    const run = await cli(['restore', '--file', backupFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/both --file and --database-url are needed/);
  });
});

describe('the server with QENEX_BACKUP_INTERVAL', () => {
  const serverEnv = (keyFile: string) => ({
    DATABASE_URL: sourceUrl,
    QENEX_DATA_DIR: env.QENEX_DATA_DIR,
    QENEX_BACKUP_DIR: join(scratch, 'server-backups'),
    QENEX_BACKUP_KEY_FILE: keyFile,
    QENEX_BACKUP_INTERVAL: '15m',
    QENEX_AUDIT_ANCHOR_MS: '0',
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  const schema = () => `bk_${process.pid}_${randomBytes(3).toString('hex')}`;

  it('starts its backup schedule (making the key on first use) and closes without waiting for a turn', async () => {
    const keyFile = join(scratch, 'server-key', 'backup-key.json');
    const server = await startServer(readConfig(serverEnv(keyFile)), { schema: schema(), passwordCost: 1024 });
    await server.close();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('refuses to start on a damaged backup key, before opening anything', async () => {
    const keyFile = join(scratch, 'damaged-key.json');
    writeFileSync(keyFile, '{"kind":"qenex-backup-key","version":1,"publicKey":"AAAA"}');
    await expect(startServer(readConfig(serverEnv(keyFile)), { schema: schema(), passwordCost: 1024 })).rejects.toThrow(/the backup key file .* needs publicKey/);
  });
});
