import { assert } from '../../core/assert';
import type { Id128 } from '../../core/ids';
import type { Account, BalanceRow, CreateTransferResult, LedgerChanges, Transfer } from '../../core/ledger';
import type { LedgerStore, LedgerTotals } from '../../ports/storage';
import { integerArray, textArray, type Session } from './session';
import { accountColumns, accountFromValues, pendingStatusCode, transferColumns, transferFromValues } from '../ledger-rows';

const balanceColumns = 'account_id, timestamp, transfer_id, debits_pending, debits_posted, credits_pending, credits_posted';

/** Rows arrive as arrays in column order; int8 columns are bigint (the pool's type parser), smallint a number. */
type Row = unknown[];

function balanceFromRow(row: Row): BalanceRow {
  return {
    accountId: row[0] as Id128,
    timestamp: row[1] as bigint,
    transferId: row[2] as Id128,
    debitsPending: row[3] as bigint,
    debitsPosted: row[4] as bigint,
    creditsPending: row[5] as bigint,
    creditsPosted: row[6] as bigint,
  };
}

const sql = {
  lastTimestamp: `SELECT value FROM ledger_meta WHERE key = 'last_timestamp'`,
  accounts: `SELECT ${accountColumns} FROM accounts WHERE id = ANY($1::text[])`,
  transfers: `SELECT ${transferColumns} FROM transfers WHERE id = ANY($1::text[])`,
  failures: `SELECT id, result FROM transfer_failures WHERE id = ANY($1::text[])`,
  // Ties on expires_at go by id: the order SQLite's index (expires_at, then the primary key) gives.
  due: `SELECT ${transferColumns} FROM transfers WHERE pending_status = 1 AND expires_at > 0 AND expires_at <= $1
        ORDER BY expires_at, id LIMIT $2`,
  balanceAt: `SELECT ${balanceColumns} FROM account_balances WHERE account_id = $1 AND timestamp <= $2 ORDER BY timestamp DESC LIMIT 1`,
  balanceRows: `SELECT ${balanceColumns} FROM account_balances WHERE account_id = $1 AND timestamp > $2 ORDER BY timestamp LIMIT $3`,
  // Each side walks its own (account, timestamp) index for at most `limit` rows; the merge keeps the first `limit`.
  accountTransfers: `SELECT ${transferColumns} FROM transfers WHERE id IN (
      (SELECT id FROM transfers WHERE debit_account_id = $1 AND timestamp > $2 ORDER BY timestamp LIMIT $3)
      UNION ALL
      (SELECT id FROM transfers WHERE credit_account_id = $1 AND timestamp > $2 ORDER BY timestamp LIMIT $3)
    ) ORDER BY timestamp, id LIMIT $3`,
  // numeric sums, sent as text: a ledger's total over many accounts may pass 64 bits.
  totals: `SELECT ledger, SUM(debits_posted)::text, SUM(credits_posted)::text, SUM(debits_pending)::text, SUM(credits_pending)::text
           FROM accounts GROUP BY ledger ORDER BY ledger`,
  /**
   * A whole batch in one statement and one round trip: every kind of change is one set-based
   * sub-statement over `unnest` of column arrays, however many rows it has. The sub-statements
   * share one snapshot and cannot see each other's rows; they need not, as the core never lists
   * an account or transfer both as created and as updated. The statement raises unless every
   * update found its row, so it can be deferred to the commit's round trip (see Session).
   */
  apply: `WITH
    accounts_created AS (
      INSERT INTO accounts (${accountColumns})
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
                           $8::bigint[], $9::bigint[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[])
    ),
    accounts_updated AS (
      UPDATE accounts AS a
      SET debits_pending = u.debits_pending, debits_posted = u.debits_posted,
          credits_pending = u.credits_pending, credits_posted = u.credits_posted, flags = u.flags
      FROM unnest($14::text[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[])
        AS u (id, debits_pending, debits_posted, credits_pending, credits_posted, flags)
      WHERE a.id = u.id
      RETURNING 1
    ),
    transfers_created AS (
      INSERT INTO transfers (${transferColumns})
      SELECT * FROM unnest($20::text[], $21::text[], $22::text[], $23::bigint[], $24::text[], $25::text[], $26::bigint[],
                           $27::bigint[], $28::bigint[], $29::bigint[], $30::bigint[], $31::bigint[], $32::bigint[],
                           $33::smallint[], $34::bigint[])
    ),
    transfers_updated AS (
      UPDATE transfers AS t SET pending_status = u.pending_status
      FROM unnest($35::text[], $36::smallint[]) AS u (id, pending_status)
      WHERE t.id = u.id
      RETURNING 1
    ),
    failures_created AS (
      INSERT INTO transfer_failures (id, result) SELECT * FROM unnest($37::text[], $38::text[])
    ),
    balances_created AS (
      INSERT INTO account_balances (${balanceColumns})
      SELECT * FROM unnest($39::text[], $40::bigint[], $41::text[], $42::bigint[], $43::bigint[], $44::bigint[], $45::bigint[])
    ),
    meta_updated AS (
      UPDATE ledger_meta SET value = $46 WHERE key = 'last_timestamp' RETURNING 1
    )
    SELECT CASE WHEN c.accounts = $47 AND c.transfers = $48 AND c.meta = 1 THEN 0
           -- A failed cast raises at run time with this text, so the transaction cannot commit.
           ELSE ('ledger apply updated ' || c.accounts || ' of ' || $47 || ' accounts, ' || c.transfers || ' of ' || $48
                 || ' transfers, ' || c.meta || ' last_timestamp rows')::int END
    FROM (SELECT (SELECT count(*) FROM accounts_updated) AS accounts, (SELECT count(*) FROM transfers_updated) AS transfers,
                 (SELECT count(*) FROM meta_updated) AS meta) AS c`,
} as const;

/** The ledger's tables through one transaction's connection. */
export class PostgresLedgerStore implements LedgerStore {
  constructor(private readonly session: Session) {}

  async lastTimestamp(): Promise<bigint> {
    const [row] = await this.session.rows<[bigint]>('last_timestamp', sql.lastTimestamp, []);
    assert(row !== undefined, 'ledger_meta has no last_timestamp row');
    return row[0];
  }

  async accounts(ids: readonly string[]): Promise<Account[]> {
    if (ids.length === 0) return [];
    return (await this.session.rows('accounts', sql.accounts, [textArray(ids)])).map(accountFromValues);
  }

  async transfers(ids: readonly string[]): Promise<Transfer[]> {
    if (ids.length === 0) return [];
    return (await this.session.rows('transfers', sql.transfers, [textArray(ids)])).map(transferFromValues);
  }

  async failures(ids: readonly string[]): Promise<Array<{ id: Id128; result: CreateTransferResult }>> {
    if (ids.length === 0) return [];
    const rows = await this.session.rows<[Id128, CreateTransferResult]>('failures', sql.failures, [textArray(ids)]);
    return rows.map(([id, result]) => ({ id, result }));
  }

  async duePendings(nowNs: bigint, limit: number): Promise<Transfer[]> {
    return (await this.session.rows('due', sql.due, [nowNs, limit])).map(transferFromValues);
  }

  async apply(changes: LedgerChanges): Promise<void> {
    this.session.defer('apply', sql.apply, [...applyParams(changes), changes.accountsUpdated.length, changes.transfersUpdated.length]);
  }

  async balanceAt(accountId: Id128, timestampNs: bigint): Promise<BalanceRow | undefined> {
    const [row] = await this.session.rows('balance_at', sql.balanceAt, [accountId, timestampNs]);
    return row === undefined ? undefined : balanceFromRow(row);
  }

  async balanceRows(accountId: Id128, afterTimestampNs: bigint, limit: number): Promise<BalanceRow[]> {
    return (await this.session.rows('balance_rows', sql.balanceRows, [accountId, afterTimestampNs, limit])).map(balanceFromRow);
  }

  async accountTransfers(accountId: Id128, afterTimestampNs: bigint, limit: number): Promise<Transfer[]> {
    const rows = await this.session.rows('account_transfers', sql.accountTransfers, [accountId, afterTimestampNs, limit]);
    return rows.map(transferFromValues);
  }

  async ledgerTotals(): Promise<LedgerTotals[]> {
    const rows = await this.session.rows<[bigint, string, string, string, string]>('totals', sql.totals, []);
    return rows.map(([ledger, debitsPosted, creditsPosted, debitsPending, creditsPending]) => ({
      ledger: Number(ledger),
      debitsPosted: BigInt(debitsPosted),
      creditsPosted: BigInt(creditsPosted),
      debitsPending: BigInt(debitsPending),
      creditsPending: BigInt(creditsPending),
    }));
  }
}

/** The batch as column arrays, in the order of `sql.apply`'s parameters. */
function applyParams(changes: LedgerChanges): unknown[] {
  const accountsCreated = columns(changes.accountsCreated, [
    text((a) => a.id), integer((a) => a.ledger), integer((a) => a.code), integer((a) => a.flags),
    integer((a) => a.debitsPending), integer((a) => a.debitsPosted), integer((a) => a.creditsPending),
    integer((a) => a.creditsPosted), integer((a) => a.overdraftLimit), text((a) => a.userData128),
    integer((a) => a.userData64), integer((a) => a.userData32), integer((a) => a.timestamp),
  ]);
  const accountsUpdated = columns(changes.accountsUpdated, [
    text((a) => a.id), integer((a) => a.debitsPending), integer((a) => a.debitsPosted),
    integer((a) => a.creditsPending), integer((a) => a.creditsPosted), integer((a) => a.flags),
  ]);
  const transfersCreated = columns(changes.transfersCreated, [
    text((t) => t.id), text((t) => t.debitAccountId), text((t) => t.creditAccountId), integer((t) => t.amount),
    text((t) => t.pendingId), text((t) => t.userData128), integer((t) => t.userData64), integer((t) => t.userData32),
    integer((t) => t.timeout), integer((t) => t.ledger), integer((t) => t.code), integer((t) => t.flags),
    integer((t) => t.timestamp), integer((t) => pendingStatusCode[t.pendingStatus]), integer((t) => t.expiresAt),
  ]);
  const transfersUpdated = columns(changes.transfersUpdated, [text((t) => t.id), integer((t) => pendingStatusCode[t.pendingStatus])]);
  const failures = columns(changes.failures, [text((f) => f.id), text((f) => f.result)]);
  const balances = columns(changes.balances, [
    text((b) => b.accountId), integer((b) => b.timestamp), text((b) => b.transferId), integer((b) => b.debitsPending),
    integer((b) => b.debitsPosted), integer((b) => b.creditsPending), integer((b) => b.creditsPosted),
  ]);
  return [...accountsCreated, ...accountsUpdated, ...transfersCreated, ...transfersUpdated, ...failures, ...balances, changes.lastTimestamp];
}

interface Column<T> {
  readonly kind: 'text' | 'integer';
  readonly pick: (row: T) => string | bigint | number | null;
}
const text = <T>(pick: (row: T) => string | null): Column<T> => ({ kind: 'text', pick });
const integer = <T>(pick: (row: T) => bigint | number): Column<T> => ({ kind: 'integer', pick });

/** One array literal per column (see `textArray`, `integerArray`). */
function columns<T>(rows: readonly T[], spec: ReadonlyArray<Column<T>>): string[] {
  return spec.map((column) => {
    const values = rows.map(column.pick);
    return column.kind === 'text' ? textArray(values as Array<string | null>) : integerArray(values as Array<bigint | number>);
  });
}
