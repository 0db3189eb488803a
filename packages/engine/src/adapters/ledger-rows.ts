import type { Id128 } from '../core/ids';
import type { Account, PendingStatus, Transfer } from '../core/ledger';

/**
 * The ledger's rows as both SQL adapters read them: the same columns in the same order, decoded
 * from value arrays (int8 as bigint). One place, so SQLite and PostgreSQL cannot drift apart.
 */
export const pendingStatusCode: Record<PendingStatus, number> = { none: 0, pending: 1, posted: 2, voided: 3, expired: 4 };
export const pendingStatusName: readonly PendingStatus[] = ['none', 'pending', 'posted', 'voided', 'expired'];

export const accountColumns =
  'id, ledger, code, flags, debits_pending, debits_posted, credits_pending, credits_posted, overdraft_limit, user_data_128, user_data_64, user_data_32, timestamp';
export const transferColumns =
  'id, debit_account_id, credit_account_id, amount, pending_id, user_data_128, user_data_64, user_data_32, timeout, ledger, code, flags, timestamp, pending_status, expires_at';

/** Column positions of `accountColumns`: hot reads take rows as arrays (see `readByIds`). */
export function accountFromValues(row: readonly unknown[]): Account {
  return {
    id: row[0] as Id128,
    ledger: Number(row[1]),
    code: Number(row[2]),
    flags: Number(row[3]),
    debitsPending: row[4] as bigint,
    debitsPosted: row[5] as bigint,
    creditsPending: row[6] as bigint,
    creditsPosted: row[7] as bigint,
    overdraftLimit: row[8] as bigint,
    userData128: (row[9] ?? null) as Id128 | null,
    userData64: row[10] as bigint,
    userData32: Number(row[11]),
    timestamp: row[12] as bigint,
  };
}

/** Column positions of `transferColumns`. */
export function transferFromValues(row: readonly unknown[]): Transfer {
  return {
    id: row[0] as Id128,
    debitAccountId: row[1] as Id128,
    creditAccountId: row[2] as Id128,
    amount: row[3] as bigint,
    pendingId: (row[4] ?? null) as Id128 | null,
    userData128: (row[5] ?? null) as Id128 | null,
    userData64: row[6] as bigint,
    userData32: Number(row[7]),
    timeout: Number(row[8]),
    ledger: Number(row[9]),
    code: Number(row[10]),
    flags: Number(row[11]),
    timestamp: row[12] as bigint,
    pendingStatus: pendingStatusName[Number(row[13])]!,
    expiresAt: row[14] as bigint,
  };
}

