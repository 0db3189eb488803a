import type { Id128 } from '../ids';

export const AccountFlags = {
  none: 0,
  linked: 1 << 0,
  debitsMustNotExceedCredits: 1 << 1,
  creditsMustNotExceedDebits: 1 << 2,
  /** Keep a balance row after every change, for statements and balances at a point in time. */
  history: 1 << 3,
  closed: 1 << 5,
} as const;
export const accountFlagsKnown = 0b101111;

export const TransferFlags = {
  none: 0,
  linked: 1 << 0,
  pending: 1 << 1,
  postPendingTransfer: 1 << 2,
  voidPendingTransfer: 1 << 3,
  balancingDebit: 1 << 4,
  balancingCredit: 1 << 5,
  closingDebit: 1 << 6,
  closingCredit: 1 << 7,
} as const;
export const transferFlagsKnown = 0xff;

export type PendingStatus = 'none' | 'pending' | 'posted' | 'voided' | 'expired';

export interface Account {
  readonly id: Id128;
  /** The ledger is the currency's ISO 4217 numeric code. */
  readonly ledger: number;
  /** Chart-of-accounts code: what kind of account this is (see codes.ts). */
  readonly code: number;
  readonly flags: number;
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
  /** How far past the balance flag's bound the account may go (an agreed overdraft). */
  readonly overdraftLimit: bigint;
  readonly userData128: Id128 | null;
  readonly userData64: bigint;
  readonly userData32: number;
  readonly timestamp: bigint;
}

export interface Transfer {
  readonly id: Id128;
  readonly debitAccountId: Id128;
  readonly creditAccountId: Id128;
  readonly amount: bigint;
  readonly pendingId: Id128 | null;
  readonly userData128: Id128 | null;
  readonly userData64: bigint;
  readonly userData32: number;
  /** Seconds a pending transfer may wait before it is voided by expiry; 0 = never. */
  readonly timeout: number;
  readonly ledger: number;
  readonly code: number;
  readonly flags: number;
  readonly timestamp: bigint;
  /** For pending transfers: where it stands now. 'none' for every other transfer. */
  readonly pendingStatus: PendingStatus;
  /** Nanosecond timestamp at which a pending transfer expires; 0n when it has no timeout. */
  readonly expiresAt: bigint;
}

/** A transfer as a client submits it: unvalidated, amounts already bigint. */
export interface TransferEvent {
  readonly id: string;
  readonly debitAccountId?: string;
  readonly creditAccountId?: string;
  readonly amount: bigint;
  readonly pendingId?: string;
  readonly userData128?: string;
  readonly userData64?: bigint;
  readonly userData32?: number;
  readonly timeout?: number;
  readonly ledger?: number;
  readonly code?: number;
  readonly flags?: number;
}

export interface AccountEvent {
  readonly id: string;
  readonly ledger: number;
  readonly code: number;
  readonly flags?: number;
  readonly overdraftLimit?: bigint;
  readonly userData128?: string;
  readonly userData64?: bigint;
  readonly userData32?: number;
}

/** The balance of one account right after one change: a statement line's running balance. */
export interface BalanceRow {
  readonly accountId: Id128;
  readonly transferId: Id128;
  readonly timestamp: bigint;
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
}

export const nanosecondsPerSecond = 1_000_000_000n;
export const timeoutSecondsMax = 2 ** 32 - 1;
/** Events in one create call: a batch is one database transaction. */
export const batchEventsMax = 8190;

export function hasFlag(flags: number, flag: number): boolean {
  return (flags & flag) !== 0;
}
