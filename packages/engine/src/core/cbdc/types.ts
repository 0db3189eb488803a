import type { Id128 } from '../ids';

/**
 * Retail CBDC (the digital euro model): the central bank issues, the bank distributes. A customer's
 * wallet holds CBDC up to a holding limit set by the bank's published sheet for the customer's tier.
 */

/** What a customer may hold, from their KYC status and risk rating (see tierOf). */
export const cbdcTiers = ['standard', 'reduced', 'none'] as const;
export type CbdcTier = (typeof cbdcTiers)[number];

/**
 * The bank's CBDC policy sheet for one currency, published by `cbdc.set_policy` under maker-checker.
 * Holding limits come from here and nowhere else (never from a request). The `none` tier's limit is
 * always zero: an unverified customer holds no CBDC.
 */
export interface CbdcPolicy {
  /** The currency (one sheet per currency). */
  readonly id: string;
  readonly currency: string;
  readonly standardLimitMinor: bigint;
  readonly reducedLimitMinor: bigint;
  /** Increases with every publication, so a reader can tell which sheet decided a payment. */
  readonly version: number;
  readonly publishedAtMs: number;
  readonly publishedBy: string;
}

/**
 * The bank's own CBDC books in a currency, opened with the first policy sheet:
 * - on the CBDC ledger (cbdcLedgerOf): the bank's float (its own CBDC holdings) and the central
 *   bank's issuance counterpart (debited when CBDC enters the bank's books, credited when it leaves);
 * - on the fiat ledger: the bank's reserve account at the central bank, and the CBDC position (the
 *   fiat value of the float), the counterpart of every conversion between deposits or reserves and CBDC.
 */
export interface CbdcBooks {
  /** The currency. */
  readonly id: string;
  readonly floatAccountId: Id128;
  readonly issuanceAccountId: Id128;
  readonly reserveAccountId: Id128;
  readonly positionAccountId: Id128;
  /**
   * Value loaded onto customers' offline devices (on the CBDC ledger): its credit balance is the
   * value of every unspent offline coin, opened with the first load.
   */
  readonly offlineAccountId?: Id128;
  readonly openedAtMs: number;
}

/** A customer's CBDC wallet; its id is its ledger account's id (on the CBDC ledger). */
export interface CbdcWallet {
  readonly id: Id128;
  readonly customerId: Id128;
  readonly branchId: Id128;
  readonly currency: string;
  /** The customer's deposit account in the same currency: the waterfall's and reverse waterfall's other side. */
  readonly linkedAccountId: Id128;
  readonly openedAtMs: number;
  /** Value of the unspent offline coins loaded from this wallet (and their change): counts against the holding limit. */
  readonly offlineMinor?: bigint;
}

/**
 * An offline coin: an unspent output of the CBDC token model that a customer's device holds,
 * loaded from their wallet (or change of an offline payment). The set of unspent hashes decides
 * settlement; this record says whose wallet the value came from, and which payment spent it, so a
 * second spend of the same value is recognised as one.
 */
export interface CbdcCoin {
  /** The output's hash: the entry of the unspent set. */
  readonly id: string;
  readonly walletId: Id128;
  readonly currency: string;
  readonly valueMinor: bigint;
  /** The output's preimage: the transaction that made it, its index, and its owner id. */
  readonly txid: string;
  readonly index: number;
  readonly owner: string;
  /** The settled offline payment that spent it; null while unspent. */
  readonly spentBy: { readonly paymentId: Id128; readonly txid: string; readonly deviceId: string | null; readonly atMs: number } | null;
  /** The bank's signature of the coin (certifyCbdcCoin), which a counter without a link verifies; null where the books have no server keys. */
  readonly certificate?: { readonly keyVersion: number; readonly mlDsa65: string; readonly ed25519: string } | null;
  readonly createdAtMs: number;
}

export type CbdcOperationKind = 'issue' | 'redeem' | 'move_reserves' | 'fund' | 'defund' | 'pay' | 'receive' | 'load_offline' | 'offline_pay';

/**
 * One money-moving CBDC command as it was booked: how a replay with the same id answers exactly as
 * the first run did (its split depended on the balances then, which may have changed since).
 */
export interface CbdcOperation {
  readonly id: Id128;
  readonly kind: CbdcOperationKind;
  readonly currency: string;
  readonly amountMinor: bigint;
  /** The wallet it debits or credits; null for the bank's own operations (issue, redeem, reserves). */
  readonly walletId: Id128 | null;
  /** For a payment between two of the bank's wallets: the payee's. */
  readonly payeeWalletId: Id128 | null;
  /** What the request named besides the amount (the payee, the direction): a retry must name the same. */
  readonly fingerprint: string;
  /** The split the books made, minor units. */
  readonly fromWalletMinor: bigint;
  readonly fromLinkedMinor: bigint;
  readonly toWalletMinor: bigint;
  readonly toLinkedMinor: bigint;
  /** CBDC the bank issued on demand because its float was short. */
  readonly issuedOnDemandMinor: bigint;
  readonly transferIds: readonly Id128[];
  readonly bookedAtMs: number;
  readonly bookedBy: string;
}
