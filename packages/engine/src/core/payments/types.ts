import type { Id128 } from '../ids';

/**
 * Cross-border payments as the books keep them: each payment, the messages it exchanged with the
 * correspondent, and the correspondent holding the bank's nostro account in a currency. The wire
 * formats (pacs.008, pacs.002, pacs.004, camt.056, camt.053) are the protocols package's; the engine
 * keeps what they said and moves money exactly once for each.
 */

/**
 * Outgoing: queued (admitted, the customer's money held by a pending transfer, the pacs.008 not
 * yet handed over) → sent → in_progress (an interim pacs.002) → settled (ACSC: the hold is posted)
 * or rejected (RJCT: the hold is voided); settled → returned (pacs.004: the money comes back).
 * Incoming: credited (the beneficiary has it), blocked (a sanctions hit: held in suspense for
 * compliance, never returned to a listed party), returning (it cannot be applied: parked in
 * suspense until the pacs.004 is handed over) → returned.
 */
export type PaymentStatus = 'queued' | 'sent' | 'in_progress' | 'settled' | 'rejected' | 'returned' | 'credited' | 'blocked' | 'returning';

export type PaymentDirection = 'outgoing' | 'incoming';

export type PaymentAccountRef = { readonly iban: string } | { readonly other: string };

/** A party of a payment as the bank records it (the customer's side comes from the books). */
export interface PaymentParty {
  readonly name: string;
  readonly kind: 'person' | 'company';
  readonly account?: PaymentAccountRef;
  readonly streetName?: string;
  readonly buildingNumber?: string;
  readonly postCode?: string;
  readonly townName?: string;
  /** ISO 3166-1 alpha-2. */
  readonly country?: string;
}

/** A message the payment exchanged: what it was, which way, when, and its content's digest. */
export interface PaymentMessageRef {
  readonly id: string;
  readonly type: 'pacs.008' | 'pacs.002' | 'pacs.004' | 'camt.056';
  readonly direction: 'sent' | 'received';
  readonly messageId: string;
  readonly atMs: number;
  readonly sha256: string;
  /** What it did to the payment, in words ("settled", "a duplicate: nothing moved"…). */
  readonly effect: string;
}

export interface PaymentReason {
  /** The ISO 20022 external reason code the correspondent gave (AC01, AM04, …) or ours. */
  readonly code: string;
  readonly words: string;
  readonly additionalInformation?: string;
}

export interface Payment {
  readonly id: Id128;
  readonly direction: PaymentDirection;
  readonly status: PaymentStatus;
  readonly currency: string;
  readonly amountMinor: bigint;
  /** The customer's account debited (outgoing) or credited (incoming); null when none could be. */
  readonly accountId: Id128 | null;
  readonly customerId: Id128 | null;
  readonly branchId: Id128 | null;
  readonly uetr: string;
  readonly endToEndId: string;
  readonly instructionId: string;
  /** The pacs.008's message id (ours for outgoing, the correspondent's for incoming). */
  readonly messageId: string;
  readonly debtor: PaymentParty;
  readonly debtorAgentBic: string;
  readonly creditor: PaymentParty;
  readonly creditorAgentBic: string;
  readonly correspondentBic: string;
  readonly chargeBearer: 'DEBT' | 'CRED' | 'SHAR';
  readonly remittanceInformation?: string;
  readonly settlementDate: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly createdBy: string;
  readonly reason: PaymentReason | null;
  /** A recall the bank sent (camt.056) or received, and where it stands. */
  readonly recall: { readonly reasonCode: string; readonly requestedAtMs: number; readonly direction: 'sent' | 'received'; readonly status: 'requested' | 'sent' | 'accepted' | 'refused' } | null;
  readonly messages: readonly PaymentMessageRef[];
  /** Messages that contradicted what had already happened (a reject after settlement): kept for operations, nothing moved. */
  readonly exceptions: readonly string[];
}

/** The correspondent holding the bank's nostro account in one currency (keyed by the currency). */
export interface Correspondent {
  readonly id: string;
  readonly currency: string;
  readonly bic: string;
  readonly name: string;
  /** The bank's own BIC, the sender of what goes to this correspondent. */
  readonly ownBic: string;
  /** The bank's account number at the correspondent (the camt.053 it sends is of this account). */
  readonly accountAtCorrespondent: string;
  /** The nostro: the bank's asset at the correspondent, as a ledger account. */
  readonly nostroAccountId: Id128;
  /** Money in flight that belongs to no customer: a return waiting to go, a blocked payment. */
  readonly suspenseAccountId: Id128;
  readonly createdAtMs: number;
}

/** A message a payment exchanged, as it was on the wire (XML), found by its type and message id. */
export interface PaymentMessage {
  readonly id: string;
  readonly paymentId: Id128 | null;
  readonly type: PaymentMessageRef['type'] | 'camt.053';
  readonly direction: 'sent' | 'received';
  readonly messageId: string;
  readonly xml: string;
  readonly atMs: number;
}

export type ReconciliationBreak =
  | { readonly kind: 'missing_in_books'; readonly uetr: string | null; readonly reference: string | null; readonly creditDebit: 'CRDT' | 'DBIT'; readonly amountMinor: string; readonly bookingDate: string }
  | { readonly kind: 'missing_in_statement'; readonly uetr: string; readonly paymentId: string; readonly creditDebit: 'CRDT' | 'DBIT'; readonly amountMinor: string; readonly bookedAtMs: number }
  | { readonly kind: 'opening_balance' | 'closing_balance'; readonly statementMinor: string; readonly booksMinor: string };

export interface NostroReconciliation {
  readonly id: string;
  /** The camt.053 it was made from. */
  readonly messageId: string;
  readonly currency: string;
  readonly statementId: string;
  readonly fromDate: string;
  readonly toDate: string;
  readonly matched: number;
  readonly breaks: readonly ReconciliationBreak[];
  readonly reconciledAtMs: number;
}

/** A message from the correspondent the books could not apply: kept as it came, with why, for operations. */
export interface PaymentException {
  readonly id: string;
  readonly atMs: number;
  /** The message type as read (pacs.002.001.10…), or `unreadable`. */
  readonly messageType: string;
  readonly messageId: string | null;
  readonly xml: string;
  readonly code: string;
  readonly message: string;
}
