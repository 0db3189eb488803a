import pg from 'pg';
import { assert } from '../../core/assert';
import type { AccessRecord, Storage, StorageTx } from '../../ports/storage';
import { appendAccessRecords, PostgresAccessStore } from './access-store';
import { PostgresAuditStore } from './audit-store';
import { PostgresBankingStore } from './banking-store';
import { PostgresLedgerStore } from './ledger-store';
import { PostgresUtxoStore } from './utxo-store';
import { migrations } from './schema';
import { Session } from './session';

export interface PostgresOptions extends pg.PoolConfig {
  /**
   * The schema that holds the tables (created by the migrations if missing); the connection's
   * default search path when absent. Separate schemas are separate books: tests give each case its own.
   */
  readonly schema?: string | undefined;
}

const schemaNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;
const int8Oid = 20;

/**
 * int8 as bigint, on this pool's clients only: amounts and timestamps are 64-bit, and a global
 * `pg.types.setTypeParser` would change every other user of `pg` in the process.
 */
const bigintTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8Oid && format !== 'binary'
      ? (text: string) => BigInt(text)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Advisory lock keys, (class, object) pairs of int4: the class says what is locked, the object is
 * the schema's hash, so books in different schemas of one database do not wait for each other (a
 * collision only serialises more than needed).
 */
const writerLockClass = 0x51454e57; // 'QENW'
const migrationLockClass = 0x51454e4d; // 'QENM'

function schemaLockKey(schema: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < schema.length; index += 1) {
    hash ^= schema.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/**
 * The engine's storage on PostgreSQL, through a `pg` pool.
 *
 * Writers are serialised, as SQLite's BEGIN IMMEDIATE serialises them: the ledger's timestamp row
 * and account balances are read, decided on in the pure core, then written, so two batches must
 * never interleave (the server groups many requests into one transaction, a single writer as in
 * TigerBeetle). Each write transaction takes a transaction-scoped advisory lock right after BEGIN;
 * it is released by COMMIT or ROLLBACK, and it also holds across processes sharing the database.
 * Write transactions stay READ COMMITTED on purpose: each statement then sees everything committed
 * before the lock was granted. REPEATABLE READ would take its snapshot at the lock statement,
 * before the wait, and a batch would decide on balances another writer had already changed.
 *
 * Reads run REPEATABLE READ, READ ONLY: one consistent snapshot without the writer lock.
 *
 * Clients run in pipeline mode: the several reads a batch issues at once (Promise.all) go out
 * together and share one round trip, and queuing them is supported rather than deprecated.
 */
export class PostgresStorage implements Storage {
  readonly pool: pg.Pool;
  readonly schema: string | undefined;
  private readonly writerLockSql: string;
  private readonly migrationLockKey: number;
  private closed = false;

  constructor(config: string | PostgresOptions) {
    const { schema, ...poolConfig } = typeof config === 'string' ? { connectionString: config } : config;
    assert(schema === undefined || schemaNamePattern.test(schema), `schema name ${schema} is not a plain lowercase identifier`);
    this.schema = schema;
    // Custom plans always: the statements are prepared once per connection, and PostgreSQL would
    // otherwise settle, after five runs, on a generic plan costed on the tables as they were then.
    // A book that starts empty keeps sequential scans of its accounts and transfers (seen: 2 ms a
    // lookup at 9,000 transfers) until autovacuum's next ANALYZE happens to invalidate the plan.
    const options = [poolConfig.options, '-c plan_cache_mode=force_custom_plan', schema === undefined ? undefined : `-c search_path=${schema}`]
      .filter(Boolean)
      .join(' ');
    this.pool = new pg.Pool({
      ...poolConfig,
      ...(options === '' ? {} : { options }),
      types: bigintTypes,
      pipeline: true,
    });
    // An idle client that loses its connection is dropped by the pool and replaced on the next
    // checkout, where a server that is really gone fails loudly. Without a listener, the event
    // would crash the process.
    this.pool.on('error', () => undefined);
    const lockKey = schemaLockKey(schema ?? '');
    this.writerLockSql = `SELECT pg_advisory_xact_lock(${writerLockClass}, ${lockKey})`;
    this.migrationLockKey = lockKey;
  }

  /** Connects and brings the schema up to date. */
  static async open(config: string | PostgresOptions): Promise<PostgresStorage> {
    const storage = new PostgresStorage(config);
    try {
      await storage.migrate();
    } catch (error) {
      await storage.close();
      throw error;
    }
    return storage;
  }

  transaction<T>(work: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.run(['BEGIN', this.writerLockSql], work);
  }

  read<T>(work: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.run(['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'], work);
  }

  appendAccess(records: readonly AccessRecord[]): Promise<void> {
    assert(!this.closed, 'storage used after close');
    return appendAccessRecords(this.pool, records);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * Applies the migrations this database lacks, each in its own transaction, under a session
   * advisory lock: two processes starting at once take turns, and the second finds nothing to do.
   */
  async migrate(): Promise<void> {
    assert(!this.closed, 'storage used after close');
    const client = await this.pool.connect();
    let failure: Error | undefined;
    try {
      await client.query(`SELECT pg_advisory_lock(${migrationLockClass}, ${this.migrationLockKey})`);
      if (this.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT COALESCE(MAX(version), 0)::int AS version FROM schema_migrations`);
      const applied = rows[0]?.version ?? 0;
      assert(applied <= migrations.length, `database schema ${applied} is newer than this build (${migrations.length})`);
      for (let index = applied; index < migrations.length; index += 1) {
        await client.query('BEGIN');
        await client.query(migrations[index]!);
        await client.query(`INSERT INTO schema_migrations (version) VALUES ($1)`, [index + 1]);
        await client.query('COMMIT');
      }
      await client.query(`SELECT pg_advisory_unlock(${migrationLockClass}, ${this.migrationLockKey})`);
    } catch (error) {
      // Destroying the connection rolls back a half-applied migration and frees the lock.
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(failure);
    }
  }

  private async run<T>(begin: readonly string[], work: (tx: StorageTx) => Promise<T>): Promise<T> {
    assert(!this.closed, 'storage used after close');
    const client = await this.pool.connect();
    const session = new Session(client);
    let broken: Error | undefined;
    try {
      // Pipelined, and gathered into one write each: BEGIN, the lock and the work's first reads
      // (they queue behind the lock on this connection, so they run once it is granted); then the
      // deferred writes and COMMIT.
      const { begun, working } = session.gathered(() => {
        const begun = Promise.all(begin.map((text) => client.query(text)));
        begun.catch(() => undefined); // awaited below; a failure also fails every statement behind it
        const working = work({
          ledger: new PostgresLedgerStore(session),
          banking: new PostgresBankingStore(session),
          audit: new PostgresAuditStore(session),
          access: new PostgresAccessStore(session),
          utxo: new PostgresUtxoStore(session),
        });
        return { begun, working };
      });
      const result = await working;
      const committed = session.control('COMMIT');
      committed.catch(() => undefined);
      await begun;
      await session.settle();
      const { command } = await committed;
      // PostgreSQL answers COMMIT with ROLLBACK when a statement of the transaction failed.
      assert(command === 'COMMIT', `the transaction did not commit (${command})`);
      return result;
    } catch (error) {
      try {
        await session.control('ROLLBACK');
      } catch (rollbackError) {
        // The connection is in no state to go back to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw session.cause(error);
    } finally {
      session.end();
      client.release(broken);
    }
  }
}
