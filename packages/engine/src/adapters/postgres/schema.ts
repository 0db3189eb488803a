/**
 * Migrations, applied in order, each in its own transaction; `schema_migrations` records which
 * have run. The tables and columns are the SQLite adapter's (adapters/sqlite/schema.ts), one
 * migration for each of its migrations, so a version number means the same schema on both.
 *
 * - Amounts, balances, timestamps and the u32 fields are BIGINT: SQLite's INTEGER is 64-bit, and
 *   a u32 does not fit PostgreSQL's INTEGER.
 * - Every TEXT column is `COLLATE "C"`: comparisons and ORDER BY go byte by byte, as SQLite's
 *   BINARY collation does, whatever locale the database was created with (a list paged by id must
 *   give the same pages on both), and a byte comparison is also the cheapest for the hex ids.
 * - Entities, roles and audit details are TEXT holding the same JSON the SQLite adapter writes
 *   (encodeJson / JSON.stringify): JSONB would reorder keys and refuse "\u0000", so it would not
 *   give back exactly what was stored.
 */
const ledgerMigrations: readonly string[] = [
  `
  CREATE TABLE ledger_meta (key TEXT COLLATE "C" PRIMARY KEY, value BIGINT NOT NULL);
  INSERT INTO ledger_meta (key, value) VALUES ('last_timestamp', 0);

  CREATE TABLE accounts (
    id TEXT COLLATE "C" PRIMARY KEY,
    ledger BIGINT NOT NULL,
    code BIGINT NOT NULL,
    flags BIGINT NOT NULL,
    debits_pending BIGINT NOT NULL,
    debits_posted BIGINT NOT NULL,
    credits_pending BIGINT NOT NULL,
    credits_posted BIGINT NOT NULL,
    overdraft_limit BIGINT NOT NULL,
    user_data_128 TEXT COLLATE "C",
    user_data_64 BIGINT NOT NULL,
    user_data_32 BIGINT NOT NULL,
    timestamp BIGINT NOT NULL
  ) WITH (fillfactor = 80); -- balances change in place: room on the page keeps those updates HOT

  CREATE TABLE transfers (
    id TEXT COLLATE "C" PRIMARY KEY,
    debit_account_id TEXT COLLATE "C" NOT NULL,
    credit_account_id TEXT COLLATE "C" NOT NULL,
    amount BIGINT NOT NULL,
    pending_id TEXT COLLATE "C",
    user_data_128 TEXT COLLATE "C",
    user_data_64 BIGINT NOT NULL,
    user_data_32 BIGINT NOT NULL,
    timeout BIGINT NOT NULL,
    ledger BIGINT NOT NULL,
    code BIGINT NOT NULL,
    flags BIGINT NOT NULL,
    timestamp BIGINT NOT NULL,
    pending_status SMALLINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX transfers_debit ON transfers (debit_account_id, timestamp);
  CREATE INDEX transfers_credit ON transfers (credit_account_id, timestamp);
  CREATE INDEX transfers_due ON transfers (expires_at, id) WHERE pending_status = 1 AND expires_at > 0;

  CREATE TABLE transfer_failures (id TEXT COLLATE "C" PRIMARY KEY, result TEXT COLLATE "C" NOT NULL);

  CREATE TABLE account_balances (
    account_id TEXT COLLATE "C" NOT NULL,
    timestamp BIGINT NOT NULL,
    transfer_id TEXT COLLATE "C" NOT NULL,
    debits_pending BIGINT NOT NULL,
    debits_posted BIGINT NOT NULL,
    credits_pending BIGINT NOT NULL,
    credits_posted BIGINT NOT NULL,
    PRIMARY KEY (account_id, timestamp)
  );
  `,
];

const bankingMigrations: readonly string[] = [
  `
  CREATE TABLE entities (
    kind TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
  );
  CREATE TABLE entity_keys (
    kind TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, key, value, id)
  );
  CREATE TABLE sequences (name TEXT COLLATE "C" PRIMARY KEY, value BIGINT NOT NULL);

  CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    roles TEXT NOT NULL,
    device_id TEXT NOT NULL,
    command TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  `,
];

/** Re-indexing an entity deletes its old keys by (kind, id): without this index that scans its whole kind. */
const entityIndexMigrations: readonly string[] = [`CREATE INDEX entity_keys_by_entity ON entity_keys (kind, id);`];

/** Who read whose records (see AccessLogStore), and an index of each entry by the customers and accounts it names. */
const accessLogMigrations: readonly string[] = [
  `
  CREATE TABLE access_log (
    seq BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    device_id TEXT NOT NULL,
    command TEXT NOT NULL,
    subjects TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE TABLE access_subjects (subject TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (subject, seq));
  `,
];

/** CBDC tokens (UtxoStore), as the SQLite adapter's: 32-byte bytea keys. */
const cbdcTokenMigrations: readonly string[] = [
  `
  CREATE TABLE cbdc_unspent (hash BYTEA PRIMARY KEY);
  CREATE TABLE cbdc_settled (txid BYTEA PRIMARY KEY);
  CREATE TABLE cbdc_issuers (currency TEXT COLLATE "C" PRIMARY KEY, ml_dsa_65 BYTEA NOT NULL, ed25519 BYTEA NOT NULL);
  `,
];

export const migrations: readonly string[] = [...ledgerMigrations, ...bankingMigrations, ...entityIndexMigrations, ...accessLogMigrations, ...cbdcTokenMigrations];
