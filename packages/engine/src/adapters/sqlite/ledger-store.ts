import type Database from 'better-sqlite3';
import type { Id128 } from '../../core/ids';
import type { Account, BalanceRow, CreateTransferResult, LedgerChanges, PendingStatus, Transfer } from '../../core/ledger';
import type { LedgerStore, LedgerTotals } from '../../ports/storage';

type Row = Record<string, unknown>;
type Statement = Database.Statement<unknown[], Row>;

const pendingStatusCode: Record<PendingStatus, number> = { none: 0, pending: 1, posted: 2, voided: 3, expired: 4 };
const pendingStatusName: readonly PendingStatus[] = ['none', 'pending', 'posted', 'voided', 'expired'];

export const accountColumns =
  'id, ledger, code, flags, debits_pending, debits_posted, credits_pending, credits_posted, overdraft_limit, user_data_128, user_data_64, user_data_32, timestamp';
export const transferColumns =
  'id, debit_account_id, credit_account_id, amount, pending_id, user_data_128, user_data_64, user_data_32, timeout, ledger, code, flags, timestamp, pending_status, expires_at';

function accountFromRow(row: Row): Account {
  return {
    id: row.id as Id128,
    ledger: Number(row.ledger),
    code: Number(row.code),
    flags: Number(row.flags),
    debitsPending: row.debits_pending as bigint,
    debitsPosted: row.debits_posted as bigint,
    creditsPending: row.credits_pending as bigint,
    creditsPosted: row.credits_posted as bigint,
    overdraftLimit: row.overdraft_limit as bigint,
    userData128: (row.user_data_128 ?? null) as Id128 | null,
    userData64: row.user_data_64 as bigint,
    userData32: Number(row.user_data_32),
    timestamp: row.timestamp as bigint,
  };
}

function transferFromRow(row: Row): Transfer {
  return {
    id: row.id as Id128,
    debitAccountId: row.debit_account_id as Id128,
    creditAccountId: row.credit_account_id as Id128,
    amount: row.amount as bigint,
    pendingId: (row.pending_id ?? null) as Id128 | null,
    userData128: (row.user_data_128 ?? null) as Id128 | null,
    userData64: row.user_data_64 as bigint,
    userData32: Number(row.user_data_32),
    timeout: Number(row.timeout),
    ledger: Number(row.ledger),
    code: Number(row.code),
    flags: Number(row.flags),
    timestamp: row.timestamp as bigint,
    pendingStatus: pendingStatusName[Number(row.pending_status)]!,
    expiresAt: row.expires_at as bigint,
  };
}

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

/** The ledger's tables on one SQLite connection; statements are prepared once. */
export class SqliteLedgerStore implements LedgerStore {
  private readonly statements;

  constructor(db: Database.Database) {
    const prepare = (sql: string): Statement => db.prepare(sql);
    this.statements = {
      lastTimestamp: prepare(`SELECT value FROM ledger_meta WHERE key = 'last_timestamp'`).pluck(),
      setLastTimestamp: prepare(`UPDATE ledger_meta SET value = ? WHERE key = 'last_timestamp'`),
      accounts: prepare(`SELECT ${accountColumns} FROM accounts WHERE id IN (SELECT value FROM json_each(?))`),
      transfers: prepare(`SELECT ${transferColumns} FROM transfers WHERE id IN (SELECT value FROM json_each(?))`),
      failures: prepare(`SELECT id, result FROM transfer_failures WHERE id IN (SELECT value FROM json_each(?))`),
      due: prepare(
        `SELECT ${transferColumns} FROM transfers WHERE pending_status = 1 AND expires_at > 0 AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
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
        `SELECT * FROM account_balances WHERE account_id = ? AND timestamp > ? ORDER BY timestamp LIMIT ?`,
      ),
      accountTransfers: prepare(
        `SELECT ${transferColumns} FROM transfers WHERE id IN (
           SELECT id FROM (SELECT id, timestamp FROM transfers WHERE debit_account_id = ?1 AND timestamp > ?2 ORDER BY timestamp LIMIT ?3)
           UNION ALL SELECT id FROM (SELECT id, timestamp FROM transfers WHERE credit_account_id = ?1 AND timestamp > ?2 ORDER BY timestamp LIMIT ?3)
         ) ORDER BY timestamp LIMIT ?3`,
      ),
      // Summed in bigint, not SQL SUM: totals over many accounts may pass 64 bits.
      totals: prepare(`SELECT ledger, debits_posted, credits_posted, debits_pending, credits_pending FROM accounts`),
    };
  }

  async lastTimestamp(): Promise<bigint> {
    return this.statements.lastTimestamp.get() as unknown as bigint;
  }

  async accounts(ids: readonly string[]): Promise<Account[]> {
    if (ids.length === 0) return [];
    return this.statements.accounts.all(JSON.stringify(ids)).map(accountFromRow);
  }

  async transfers(ids: readonly string[]): Promise<Transfer[]> {
    if (ids.length === 0) return [];
    return this.statements.transfers.all(JSON.stringify(ids)).map(transferFromRow);
  }

  async failures(ids: readonly string[]): Promise<Array<{ id: Id128; result: CreateTransferResult }>> {
    if (ids.length === 0) return [];
    return this.statements.failures
      .all(JSON.stringify(ids))
      .map((row) => ({ id: row.id as Id128, result: row.result as CreateTransferResult }));
  }

  async duePendings(nowNs: bigint, limit: number): Promise<Transfer[]> {
    return this.statements.due.all(nowNs, limit).map(transferFromRow);
  }

  async apply(changes: LedgerChanges): Promise<void> {
    const s = this.statements;
    for (const a of changes.accountsCreated) {
      s.insertAccount.run(
        a.id, a.ledger, a.code, a.flags, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted,
        a.overdraftLimit, a.userData128, a.userData64, a.userData32, a.timestamp,
      );
    }
    for (const a of changes.accountsUpdated) {
      s.updateAccount.run(a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.flags, a.id);
    }
    for (const t of changes.transfersCreated) s.insertTransfer.run(transferParams(t));
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
    return this.statements.accountTransfers.all(accountId, afterTimestampNs, limit).map(transferFromRow);
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
