import type { Id128 } from '../core/ids';
import type { Account, BalanceRow, CreateTransferResult, LedgerChanges, Transfer } from '../core/ledger';
import type { AuditStore } from './audit-store';
import type { BankingStore } from './banking-store';
import type { JsonValue } from '../core/canonical-json';
import type { HybridPublicKeys } from '../core/crypto/hybrid-signature';

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

/**
 * Who read whose records: every read of customer and account data, with who, what, when and from
 * which device. Append-only, apart from the audit chain (reads are many, and a read takes no write
 * lock); compliance and auditors page through it, or by the customer or account looked at.
 */
export interface AccessRecord {
  readonly atMs: number;
  readonly actor: string;
  readonly deviceId: string;
  readonly command: string;
  /** The customers and accounts the read showed (bounded: accessSubjectsMax). */
  readonly subjects: readonly string[];
  /** What was asked (the ids and search terms of the request). */
  readonly detail: { readonly [key: string]: JsonValue };
}

export interface AccessEntry extends AccessRecord {
  readonly seq: number;
}

export interface AccessLogStore {
  /** Entries after `afterSeq`, in order; only those that name `subject` when it is given. */
  page(afterSeq: number, limit: number, subject?: string): Promise<AccessEntry[]>;
}

/**
 * CBDC tokens (core/cbdc/tokens.ts): the set of unspent output hashes and nothing of the outputs
 * themselves, the txids that settled (so a replay is known), and each currency's issuer key.
 * Hashes and txids are 64 lowercase hex digits at the port, 32 bytes in the stores.
 */
export interface UtxoStore {
  /** Removes those of `hashes` that are unspent; answers how many were (and now are not). */
  spend(hashes: readonly string[]): Promise<number>;
  /** Adds `hashes` to the set; one already there is a programmer error and fails the transaction. */
  create(hashes: readonly string[]): Promise<void>;
  /** Those of `hashes` that are unspent (in no particular order). */
  unspent(hashes: readonly string[]): Promise<string[]>;
  /** How many outputs are unspent. */
  count(): Promise<number>;
  /** Those of `txids` that have settled. */
  settled(txids: readonly string[]): Promise<string[]>;
  /** Records settled txids; one already recorded is a programmer error and fails the transaction. */
  recordSettled(txids: readonly string[]): Promise<void>;
  /** The issuer's public keys of a currency's tokens, if it has one. */
  issuer(currency: string): Promise<HybridPublicKeys | undefined>;
  /** Sets (or replaces) the issuer's public keys of a currency. */
  setIssuer(currency: string, publicKeys: HybridPublicKeys): Promise<void>;
}

export interface StorageTx {
  readonly ledger: LedgerStore;
  readonly banking: BankingStore;
  readonly audit: AuditStore;
  readonly access: AccessLogStore;
  readonly utxo: UtxoStore;
}

/**
 * The engine's storage. Every write happens inside `transaction`, which commits all of it or
 * none of it; `read` gives a consistent view without taking the write lock.
 */
export interface Storage {
  transaction<T>(work: (tx: StorageTx) => Promise<T>): Promise<T>;
  read<T>(work: (tx: StorageTx) => Promise<T>): Promise<T>;
  /**
   * Appends to the access log, durably, in its own small transaction: without the ledger's writer
   * lock, so reads do not queue behind writes. The read it records is answered only after.
   */
  appendAccess(records: readonly AccessRecord[]): Promise<void>;
  close(): Promise<void>;
}
