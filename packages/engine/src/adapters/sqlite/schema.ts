/**
 * Migrations, applied in order inside one transaction each; `PRAGMA user_version` records how far
 * a database has come. Amounts and balances are INTEGER (64-bit); ids are 32-hex TEXT.
 */
const ledgerMigrations: readonly string[] = [
  `
  CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO ledger_meta (key, value) VALUES ('last_timestamp', 0);

  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    ledger INTEGER NOT NULL,
    code INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    debits_pending INTEGER NOT NULL,
    debits_posted INTEGER NOT NULL,
    credits_pending INTEGER NOT NULL,
    credits_posted INTEGER NOT NULL,
    overdraft_limit INTEGER NOT NULL,
    user_data_128 TEXT,
    user_data_64 INTEGER NOT NULL,
    user_data_32 INTEGER NOT NULL,
    timestamp INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
    debit_account_id TEXT NOT NULL,
    credit_account_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    pending_id TEXT,
    user_data_128 TEXT,
    user_data_64 INTEGER NOT NULL,
    user_data_32 INTEGER NOT NULL,
    timeout INTEGER NOT NULL,
    ledger INTEGER NOT NULL,
    code INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    pending_status INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX transfers_debit ON transfers (debit_account_id, timestamp);
  CREATE INDEX transfers_credit ON transfers (credit_account_id, timestamp);
  CREATE INDEX transfers_due ON transfers (expires_at) WHERE pending_status = 1 AND expires_at > 0;

  CREATE TABLE transfer_failures (id TEXT PRIMARY KEY, result TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE account_balances (
    account_id TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    transfer_id TEXT NOT NULL,
    debits_pending INTEGER NOT NULL,
    debits_posted INTEGER NOT NULL,
    credits_pending INTEGER NOT NULL,
    credits_posted INTEGER NOT NULL,
    PRIMARY KEY (account_id, timestamp)
  ) WITHOUT ROWID;
  `,
];

export const bankingMigrations: readonly string[] = [
  `
  CREATE TABLE entities (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
  CREATE TABLE entity_keys (
    kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL,
    PRIMARY KEY (kind, key, value, id)
  ) WITHOUT ROWID;
  CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;

  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
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
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    device_id TEXT NOT NULL,
    command TEXT NOT NULL,
    subjects TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE TABLE access_subjects (subject TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (subject, seq)) WITHOUT ROWID;
  `,
];

/**
 * CBDC tokens (UtxoStore): the unspent set and the settled txids, 32-byte BLOB keys; each
 * currency's token issuer. Nothing of a spent output is kept.
 */
const cbdcTokenMigrations: readonly string[] = [
  `
  CREATE TABLE cbdc_unspent (hash BLOB PRIMARY KEY) WITHOUT ROWID;
  CREATE TABLE cbdc_settled (txid BLOB PRIMARY KEY) WITHOUT ROWID;
  CREATE TABLE cbdc_issuers (currency TEXT PRIMARY KEY, ml_dsa_65 BLOB NOT NULL, ed25519 BLOB NOT NULL) WITHOUT ROWID;
  `,
];

export const migrations: readonly string[] = [...ledgerMigrations, ...bankingMigrations, ...entityIndexMigrations, ...accessLogMigrations, ...cbdcTokenMigrations];
