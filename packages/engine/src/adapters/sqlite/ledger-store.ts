import type Database from 'better-sqlite3';
import type { Id128 } from '../../core/ids';
import type { Account, BalanceRow, CreateTransferResult, LedgerChanges, Transfer } from '../../core/ledger';
import type { LedgerStore, LedgerTotals } from '../../ports/storage';
import { accountColumns, accountFromValues, pendingStatusCode, transferColumns, transferFromValues } from '../ledger-rows';

type Row = Record<string, unknown>;
type Statement = Database.Statement<unknown[], Row>;
type RawStatement = Database.Statement<unknown[], unknown[]>;

export { accountColumns, transferColumns } from '../ledger-rows';

function balanceFromRow(row: Row): BalanceRow {
  return {
    accountId: row.account_id as Id128,
    transferId: row.transfer_id as Id128,
    timestamp: row.timestamp as bigint,
    debitsPending: row.debits_pending as bigint,
    debitsPosted: row.debits_posted as bigint,
    creditsPending: row.credits_pending as bigint,
    creditsPosted: row.credits_posted as bigint,
  };
}

export function transferParams(transfer: Transfer): unknown[] {
  return [
    transfer.id,
    transfer.debitAccountId,
    transfer.creditAccountId,
    transfer.amount,
    transfer.pendingId,
    transfer.userData128,
    transfer.userData64,
    transfer.userData32,
    transfer.timeout,
    transfer.ledger,
    transfer.code,
    transfer.flags,
    transfer.timestamp,
    pendingStatusCode[transfer.pendingStatus],
    transfer.expiresAt,
  ];
}

/** Up to this many ids, a batch read looks each one up by primary key; more go through one json_each query. */
const pointReadsMax = 8;

/**
 * The ledger's tables on one SQLite connection; statements are prepared once.
 *
 * Two things keep the per-batch reads cheap (measured by `npm run bench -- ledger`):
 * - hot reads return rows as arrays (`raw`): better-sqlite3 builds an object per row by defining
 *   each property, about twice the cost of an array for a 13-column account;
 * - a bound LIMIT is written `CAST(? AS INTEGER)`: SQLite's planner looks at a bare `LIMIT ?`
 *   value, so rebinding it re-prepares the statement on every call (about 10 µs a read).
 */
export class SqliteLedgerStore implements LedgerStore {
  private readonly statements;

  constructor(db: Database.Database) {
    const prepare = (sql: string): Statement => db.prepare(sql);
    const rows = (sql: string): RawStatement => db.prepare<unknown[], unknown[]>(sql).raw(true);
    this.statements = {
      lastTimestamp: prepare(`SELECT value FROM ledger_meta WHERE key = 'last_timestamp'`).pluck(),
      setLastTimestamp: prepare(`UPDATE ledger_meta SET value = ? WHERE key = 'last_timestamp'`),
      account: rows(`SELECT ${accountColumns} FROM accounts WHERE id = ?`),
      accounts: rows(`SELECT ${accountColumns} FROM accounts WHERE id IN (SELECT value FROM json_each(?))`),
      transfer: rows(`SELECT ${transferColumns} FROM transfers WHERE id = ?`),
      transfers: rows(`SELECT ${transferColumns} FROM transfers WHERE id IN (SELECT value FROM json_each(?))`),
      failure: rows(`SELECT id, result FROM transfer_failures WHERE id = ?`),
      failures: rows(`SELECT id, result FROM transfer_failures WHERE id IN (SELECT value FROM json_each(?))`),
      due: rows(
        `SELECT ${transferColumns} FROM transfers WHERE pending_status = 1 AND expires_at > 0 AND expires_at <= ?
         ORDER BY expires_at LIMIT CAST(? AS INTEGER)`,
      ),
      insertAccount: prepare(`INSERT INTO accounts (${accountColumns}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`),
      updateAccount: prepare(
        `UPDATE accounts SET debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ?, flags = ? WHERE id = ?`,
      ),
      insertTransfer: prepare(`INSERT INTO transfers (${transferColumns}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
      updatePendingStatus: prepare(`UPDATE transfers SET pending_status = ? WHERE id = ?`),
      insertFailure: prepare(`INSERT INTO transfer_failures (id, result) VALUES (?, ?)`),
      insertBalance: prepare(
        `INSERT INTO account_balances (account_id, timestamp, transfer_id, debits_pending, debits_posted, credits_pending, credits_posted) VALUES (?,?,?,?,?,?,?)`,
      ),
      balanceAt: prepare(
        `SELECT * FROM account_balances WHERE account_id = ? AND timestamp <= ? ORDER BY timestamp DESC LIMIT 1`,
      ),
      balanceRows: prepare(
        `SELECT * FROM account_balances WHERE account_id = ? AND timestamp > ? ORDER BY timestamp LIMIT CAST(? AS INTEGER)`,
      ),
      accountTransfers: rows(
        `SELECT ${transferColumns} FROM transfers WHERE id IN (
           SELECT id FROM (SELECT id, timestamp FROM transfers WHERE debit_account_id = @account AND timestamp > @after ORDER BY timestamp LIMIT CAST(@limit AS INTEGER))
           UNION ALL SELECT id FROM (SELECT id, timestamp FROM transfers WHERE credit_account_id = @account AND timestamp > @after ORDER BY timestamp LIMIT CAST(@limit AS INTEGER))
         ) ORDER BY timestamp LIMIT CAST(@limit AS INTEGER)`,
      ),
      // Summed in bigint, not SQL SUM: totals over many accounts may pass 64 bits.
      totals: prepare(`SELECT ledger, debits_posted, credits_posted, debits_pending, credits_pending FROM accounts`),
    };
  }

  async lastTimestamp(): Promise<bigint> {
    return this.statements.lastTimestamp.get() as unknown as bigint;
  }

  async accounts(ids: readonly string[]): Promise<Account[]> {
    return readByIds(this.statements.account, this.statements.accounts, ids).map(accountFromValues);
  }

  async transfers(ids: readonly string[]): Promise<Transfer[]> {
    return readByIds(this.statements.transfer, this.statements.transfers, ids).map(transferFromValues);
  }

  async failures(ids: readonly string[]): Promise<Array<{ id: Id128; result: CreateTransferResult }>> {
    return readByIds(this.statements.failure, this.statements.failures, ids).map((row) => ({
      id: row[0] as Id128,
      result: row[1] as CreateTransferResult,
    }));
  }

  async duePendings(nowNs: bigint, limit: number): Promise<Transfer[]> {
    return this.statements.due.all(nowNs, limit).map(transferFromValues);
  }

  async apply(changes: LedgerChanges): Promise<void> {
    const s = this.statements;
    for (const a of changes.accountsCreated) {
      s.insertAccount.run(
        a.id, a.ledger, a.code, a.flags, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted,
        a.overdraftLimit, a.userData128, a.userData64, a.userData32, a.timestamp,
      );
    }
    for (const a of sortedBy(changes.accountsUpdated, 'id')) {
      s.updateAccount.run(a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.flags, a.id);
    }
    for (const t of sortedBy(changes.transfersCreated, 'debitAccountId')) s.insertTransfer.run(transferParams(t));
    for (const t of changes.transfersUpdated) s.updatePendingStatus.run(pendingStatusCode[t.pendingStatus], t.id);
    for (const f of changes.failures) s.insertFailure.run(f.id, f.result);
    for (const b of changes.balances) {
      s.insertBalance.run(b.accountId, b.timestamp, b.transferId, b.debitsPending, b.debitsPosted, b.creditsPending, b.creditsPosted);
    }
    s.setLastTimestamp.run(changes.lastTimestamp);
  }

  async balanceAt(accountId: Id128, timestampNs: bigint): Promise<BalanceRow | undefined> {
    const row = this.statements.balanceAt.get(accountId, timestampNs);
    return row === undefined ? undefined : balanceFromRow(row);
  }

  async balanceRows(accountId: Id128, afterTimestampNs: bigint, limit: number): Promise<BalanceRow[]> {
    return this.statements.balanceRows.all(accountId, afterTimestampNs, limit).map(balanceFromRow);
  }

  async accountTransfers(accountId: Id128, afterTimestampNs: bigint, limit: number): Promise<Transfer[]> {
    return this.statements.accountTransfers.all({ account: accountId, after: afterTimestampNs, limit }).map(transferFromValues);
  }

  async ledgerTotals(): Promise<LedgerTotals[]> {
    const totals = new Map<number, { debitsPosted: bigint; creditsPosted: bigint; debitsPending: bigint; creditsPending: bigint }>();
    for (const row of this.statements.totals.iterate()) {
      const ledger = Number(row.ledger);
      const sum = totals.get(ledger) ?? { debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
      sum.debitsPosted += row.debits_posted as bigint;
      sum.creditsPosted += row.credits_posted as bigint;
      sum.debitsPending += row.debits_pending as bigint;
      sum.creditsPending += row.credits_pending as bigint;
      totals.set(ledger, sum);
    }
    return [...totals.entries()].sort(([a], [b]) => a - b).map(([ledger, sum]) => ({ ledger, ...sum }));
  }
}

/** The rows whose primary key is among `ids`, each once, in no particular order (as `id IN (…)` gives them). */
function readByIds(one: RawStatement, many: RawStatement, ids: readonly string[]): unknown[][] {
  if (ids.length === 0) return [];
  if (ids.length > pointReadsMax) return many.all(JSON.stringify(ids));
  const rows: unknown[][] = [];
  for (const [index, id] of ids.entries()) {
    if (ids.indexOf(id) !== index) continue;
    const row = one.get(id);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

/**
 * Rows in key order, for writing: B-tree pages are then visited in order, once each, instead of at
 * random, so fewer fall out of SQLite's page cache within a batch. The order of writes inside one
 * transaction is invisible to readers.
 */
function sortedBy<T, K extends keyof T>(items: readonly T[], key: K): readonly T[] {
  if (items.length < 2) return items;
  return [...items].sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
}
