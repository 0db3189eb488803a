import type { Id128 } from '../core/ids';
import type { Account, BalanceRow, CreateTransferResult, LedgerChanges, Transfer } from '../core/ledger';
import type { AuditStore } from './audit-store';
import type { BankingStore } from './banking-store';

/** Reads a batch needs before it runs, and the one write that records what it did. */
export interface LedgerStore {
  lastTimestamp(): Promise<bigint>;
  accounts(ids: readonly string[]): Promise<Account[]>;
  transfers(ids: readonly string[]): Promise<Transfer[]>;
  failures(ids: readonly string[]): Promise<Array<{ id: Id128; result: CreateTransferResult }>>;
  /** Pending transfers whose timeout has passed, oldest first. */
  duePendings(nowNs: bigint, limit: number): Promise<Transfer[]>;
  apply(changes: LedgerChanges): Promise<void>;

  /** The balance row at or before a moment (accounts with the history flag). */
  balanceAt(accountId: Id128, timestampNs: bigint): Promise<BalanceRow | undefined>;
  /** Balance rows after a moment, oldest first: the lines of a statement. */
  balanceRows(accountId: Id128, afterTimestampNs: bigint, limit: number): Promise<BalanceRow[]>;
  /** Transfers that touch an account, after a moment, oldest first. */
  accountTransfers(accountId: Id128, afterTimestampNs: bigint, limit: number): Promise<Transfer[]>;
  /** Per ledger: Σ debits and Σ credits, posted and pending, over every account. */
  ledgerTotals(): Promise<LedgerTotals[]>;
}

export interface LedgerTotals {
  readonly ledger: number;
  readonly debitsPosted: bigint;
  readonly creditsPosted: bigint;
  readonly debitsPending: bigint;
  readonly creditsPending: bigint;
}

export interface StorageTx {
  readonly ledger: LedgerStore;
  readonly banking: BankingStore;
  readonly audit: AuditStore;
}

/**
 * The engine's storage. Every write happens inside `transaction`, which commits all of it or
 * none of it; `read` gives a consistent view without taking the write lock.
 */
export interface Storage {
  transaction<T>(work: (tx: StorageTx) => Promise<T>): Promise<T>;
  read<T>(work: (tx: StorageTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
