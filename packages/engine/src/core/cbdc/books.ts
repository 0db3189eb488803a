import { TransferCodes } from '../banking/types';
import type { Id128 } from '../ids';
import type { CbdcBooks } from './types';
import type { IncomingSplit } from './wallet';
import { cbdcLedgerOf, fiatLedgerOf } from './wallet';

/**
 * The postings of every CBDC operation, planned as plain data (the app gives each leg its derived
 * id and posts them as one linked chain: all or nothing). Two ledgers per currency, each balanced:
 *
 *   CBDC ledger  — wallets and the bank's float (credit balances: what each holds), the central
 *                  bank's issuance counterpart (a debit balance: all CBDC on the bank's books).
 *   fiat ledger  — customers' deposits, the bank's reserve account at the central bank (an asset),
 *                  and the CBDC position (an asset: the fiat value of the float).
 *
 * The bank's float on the CBDC ledger always equals its CBDC position on the fiat ledger: every leg
 * that moves one moves the other by the same amount.
 */
export interface Leg {
  /** Names the leg within its operation (its transfer id is derived from the operation's id and this). */
  readonly leg: string;
  readonly ledger: number;
  readonly debitAccountId: Id128;
  readonly creditAccountId: Id128;
  readonly amount: bigint;
  readonly code: number;
}

type Books = Pick<CbdcBooks, 'floatAccountId' | 'issuanceAccountId' | 'reserveAccountId' | 'positionAccountId'>;

function legs(all: readonly Leg[]): Leg[] {
  // A leg of nothing is no posting: a split that is all wallet has no deposit leg.
  return all.filter((leg) => leg.amount > 0n);
}

/** The central bank converts reserves into CBDC for the bank: reserves down, float (and position) up. */
export function planIssue(books: Books, currency: string, amount: bigint, prefix = 'issue'): Leg[] {
  return legs([
    { leg: `${prefix}:fiat`, ledger: fiatLedgerOf(currency), debitAccountId: books.positionAccountId, creditAccountId: books.reserveAccountId, amount, code: TransferCodes.cbdcIssue },
    { leg: `${prefix}:cbdc`, ledger: cbdcLedgerOf(currency), debitAccountId: books.issuanceAccountId, creditAccountId: books.floatAccountId, amount, code: TransferCodes.cbdcIssue },
  ]);
}

/** The central bank takes CBDC back from the bank's float and credits its reserves. */
export function planRedeem(books: Books, currency: string, amount: bigint): Leg[] {
  return legs([
    { leg: 'redeem:cbdc', ledger: cbdcLedgerOf(currency), debitAccountId: books.floatAccountId, creditAccountId: books.issuanceAccountId, amount, code: TransferCodes.cbdcRedeem },
    { leg: 'redeem:fiat', ledger: fiatLedgerOf(currency), debitAccountId: books.reserveAccountId, creditAccountId: books.positionAccountId, amount, code: TransferCodes.cbdcRedeem },
  ]);
}

/** Deposit → wallet: the customer's deposit pays the bank, the bank's float goes to the wallet. */
function depositToWallet(books: Books, currency: string, linkedAccountId: Id128, walletId: Id128, amount: bigint, prefix: string, code: number): Leg[] {
  return [
    { leg: `${prefix}:fiat`, ledger: fiatLedgerOf(currency), debitAccountId: linkedAccountId, creditAccountId: books.positionAccountId, amount, code },
    { leg: `${prefix}:cbdc`, ledger: cbdcLedgerOf(currency), debitAccountId: books.floatAccountId, creditAccountId: walletId, amount, code },
  ];
}

/** Wallet → deposit: the wallet's CBDC goes to the bank's float, the bank credits the deposit. */
function walletToDeposit(books: Books, currency: string, walletId: Id128, linkedAccountId: Id128, amount: bigint, prefix: string, code: number): Leg[] {
  return [
    { leg: `${prefix}:cbdc`, ledger: cbdcLedgerOf(currency), debitAccountId: walletId, creditAccountId: books.floatAccountId, amount, code },
    { leg: `${prefix}:fiat`, ledger: fiatLedgerOf(currency), debitAccountId: books.positionAccountId, creditAccountId: linkedAccountId, amount, code },
  ];
}

export interface WalletSide {
  readonly walletId: Id128;
  readonly linkedAccountId: Id128;
}

/** Funding: CBDC the float lacks is issued first, against reserves, in the same chain. */
export function planFund(books: Books, currency: string, wallet: WalletSide, amount: bigint, issueOnDemand: bigint): Leg[] {
  return legs([...planIssue(books, currency, issueOnDemand, 'on_demand'), ...depositToWallet(books, currency, wallet.linkedAccountId, wallet.walletId, amount, 'fund', TransferCodes.cbdcFund)]);
}

export function planDefund(books: Books, currency: string, wallet: WalletSide, amount: bigint): Leg[] {
  return legs(walletToDeposit(books, currency, wallet.walletId, wallet.linkedAccountId, amount, 'defund', TransferCodes.cbdcDefund));
}

/** Where a payment goes: another of the bank's wallets (with its waterfall), or a holder at another intermediary. */
export type Payee = { readonly kind: 'wallet'; readonly side: WalletSide; readonly split: IncomingSplit } | { readonly kind: 'external' };

/**
 * A payment: the reverse waterfall tops the payer's wallet up from the linked account first (with
 * CBDC issued on demand when the float is short), then the wallet pays. To a wallet here, the
 * payee's waterfall sends what exceeds their limit on to their deposit; to another intermediary,
 * the CBDC leaves the bank's books through the central bank's settlement (no reserves move: the
 * holder's CBDC is the central bank's liability, settled as such).
 */
export function planPay(books: Books, currency: string, payer: WalletSide, split: { fromWallet: bigint; fromLinked: bigint }, payee: Payee, issueOnDemand: bigint): Leg[] {
  const amount = split.fromWallet + split.fromLinked;
  const topUp = [...planIssue(books, currency, issueOnDemand, 'on_demand'), ...depositToWallet(books, currency, payer.linkedAccountId, payer.walletId, split.fromLinked, 'reverse_waterfall', TransferCodes.cbdcReverseWaterfall)];
  switch (payee.kind) {
    case 'wallet':
      return legs([
        ...topUp,
        { leg: 'pay:cbdc', ledger: cbdcLedgerOf(currency), debitAccountId: payer.walletId, creditAccountId: payee.side.walletId, amount: payee.split.toWallet, code: TransferCodes.cbdcPayment },
        ...walletToDeposit(books, currency, payer.walletId, payee.side.linkedAccountId, payee.split.toLinked, 'waterfall', TransferCodes.cbdcWaterfall),
      ]);
    case 'external':
      return legs([...topUp, { leg: 'pay_out:cbdc', ledger: cbdcLedgerOf(currency), debitAccountId: payer.walletId, creditAccountId: books.issuanceAccountId, amount, code: TransferCodes.cbdcOutgoing }]);
    default: {
      const unknown: never = payee;
      throw new Error(`unknown payee ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A payment from a holder at another intermediary: the CBDC enters the bank's books from the central
 * bank's settlement; what fits goes to the wallet, the excess to the bank's float and, as a deposit,
 * to the linked account (the waterfall).
 */
export function planReceive(books: Books, currency: string, payee: WalletSide, split: IncomingSplit): Leg[] {
  return legs([
    { leg: 'receive:cbdc', ledger: cbdcLedgerOf(currency), debitAccountId: books.issuanceAccountId, creditAccountId: payee.walletId, amount: split.toWallet, code: TransferCodes.cbdcIncoming },
    { leg: 'waterfall:cbdc', ledger: cbdcLedgerOf(currency), debitAccountId: books.issuanceAccountId, creditAccountId: books.floatAccountId, amount: split.toLinked, code: TransferCodes.cbdcWaterfall },
    { leg: 'waterfall:fiat', ledger: fiatLedgerOf(currency), debitAccountId: books.positionAccountId, creditAccountId: payee.linkedAccountId, amount: split.toLinked, code: TransferCodes.cbdcWaterfall },
  ]);
}

/** A load onto the customer's offline device: the wallet's CBDC becomes an offline coin (the offline account holds every unspent coin's value). */
export function planLoadOffline(currency: string, walletId: Id128, offlineAccountId: Id128, amount: bigint): Leg[] {
  return legs([{ leg: 'load_offline:cbdc', ledger: cbdcLedgerOf(currency), debitAccountId: walletId, creditAccountId: offlineAccountId, amount, code: TransferCodes.cbdcOfflineLoad }]);
}

/**
 * An offline payment settled: the coins it spent leave the offline account (its change stays
 * there, as new coins); what fits the payee's limit goes to their wallet, the excess on to their
 * deposit account (the waterfall), as for any incoming payment.
 */
export function planOfflineSettle(books: Books, currency: string, offlineAccountId: Id128, payee: WalletSide, split: IncomingSplit): Leg[] {
  return legs([
    { leg: 'offline_pay:cbdc', ledger: cbdcLedgerOf(currency), debitAccountId: offlineAccountId, creditAccountId: payee.walletId, amount: split.toWallet, code: TransferCodes.cbdcOfflinePayment },
    ...walletToDeposit(books, currency, offlineAccountId, payee.linkedAccountId, split.toLinked, 'waterfall', TransferCodes.cbdcWaterfall),
  ]);
}

/** The bank's reserves from (or back to) its own funds: a branch's head-office account on the fiat ledger. */
export function planMoveReserves(books: Books, currency: string, headOfficeAccountId: Id128, direction: 'to_reserves' | 'from_reserves', amount: bigint): Leg[] {
  const toReserves = direction === 'to_reserves';
  return legs([
    {
      leg: 'reserves:fiat',
      ledger: fiatLedgerOf(currency),
      debitAccountId: toReserves ? books.reserveAccountId : headOfficeAccountId,
      creditAccountId: toReserves ? headOfficeAccountId : books.reserveAccountId,
      amount,
      code: TransferCodes.cbdcReserves,
    },
  ]);
}
