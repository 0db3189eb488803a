import Database from 'better-sqlite3';
import { assert } from '../../core/assert';
import { BackgroundCheckpointer } from './checkpointer';
import type { AccessRecord, Storage, StorageTx } from '../../ports/storage';
import { SqliteAccessStore } from './access-store';
import { SqliteAuditStore } from './audit-store';
import { SqliteBankingStore, SqliteMirrorStore } from './banking-store';
import { SqliteLedgerStore } from './ledger-store';
import { SqliteUtxoStore } from './utxo-store';
import { migrations } from './schema';

export interface SqliteOptions {
  /** File path, or ':memory:' for a database that lives as long as the process. */
  readonly path: string;
  /** An in-memory database to start from (`Database.serialize()` of another): simulations' snapshots. */
  readonly image?: Buffer;
  /**
   * Where a file database's WAL is copied back into it: 'background' (the default for a file) on a
   * worker thread's connection, off the commit path; 'inline' in whichever commit crosses SQLite's
   * threshold, SQLite's own way. An in-memory database has no WAL.
   */
  readonly checkpoint?: 'background' | 'inline';
}

/** With the checkpoint in the background, the automatic one is only a far bound: about 40 MiB of WAL at 4 KiB pages. */
const farCheckpointPages = 10_000;
/** How often the background worker copies the WAL back (PASSIVE: it waits for nobody). */
const checkpointIntervalMs = 200;

/**
 * The engine's storage on one SQLite connection (better-sqlite3): WAL with `synchronous=FULL`, so a
 * transaction that returned from COMMIT survives a crash or power cut. better-sqlite3 is synchronous,
 * and the port is asynchronous; a queue keeps one unit of work at a time on the connection so the
 * awaits inside one transaction never interleave with another's statements.
 */
export class SqliteStorage implements Storage {
  readonly db: Database.Database;
  private readonly tx: StorageTx;
  /** The workstation's branch copy; use it inside `transaction`. */
  readonly mirror: SqliteMirrorStore;
  private readonly access: SqliteAccessStore;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly checkpointer: BackgroundCheckpointer | undefined;

  constructor(options: SqliteOptions) {
    this.db = options.image === undefined ? new Database(options.path) : new Database(options.image);
    this.db.defaultSafeIntegers(true);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    const onFile = options.image === undefined && options.path !== ':memory:' && options.path !== '';
    if (onFile && (options.checkpoint ?? 'background') === 'background') {
      this.db.pragma(`wal_autocheckpoint = ${farCheckpointPages}`);
      this.checkpointer = new BackgroundCheckpointer(options.path, checkpointIntervalMs);
    }
    const banking = new SqliteBankingStore(this.db);
    this.access = new SqliteAccessStore(this.db);
    this.tx = {
      ledger: new SqliteLedgerStore(this.db),
      banking,
      audit: new SqliteAuditStore(this.db),
      access: this.access,
      utxo: new SqliteUtxoStore(this.db),
    };
    this.mirror = new SqliteMirrorStore(this.db, banking);
  }

  transaction<T>(work: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.serialise('BEGIN IMMEDIATE', work);
  }

  read<T>(work: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.serialise('BEGIN DEFERRED', work);
  }

  appendAccess(records: readonly AccessRecord[]): Promise<void> {
    return this.serialise('BEGIN IMMEDIATE', async () => this.access.appendNow(records));
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.closed) return;
    this.closed = true;
    await this.checkpointer?.stop();
    this.db.close();
  }

  private serialise<T>(begin: string, work: (tx: StorageTx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      assert(!this.closed, 'storage used after close');
      this.db.exec(begin);
      try {
        const result = await work(this.tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function migrate(db: Database.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  assert(version <= migrations.length, `database schema ${version} is newer than this build (${migrations.length})`);
  for (let index = version; index < migrations.length; index += 1) {
    db.transaction(() => {
      db.exec(migrations[index]!);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
}
