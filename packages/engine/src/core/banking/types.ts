import type { AuditAnchor } from '../audit-anchor';
import type { Id128 } from '../ids';
import type { Correspondent, NostroReconciliation, Payment, PaymentException, PaymentMessage } from '../payments/types';
import { messageDue } from '../payments/lifecycle';
import type { AssetDeposit, ChainOp, CustodyWallet, DigitalAsset, SwapPool, TokenAccount } from '../assets/types';
import type { CbdcBooks, CbdcCoin, CbdcOperation, CbdcPolicy, CbdcWallet } from '../cbdc/types';
import type { StandInPolicy } from '../sync/stand-in';
import type { RecentNonces } from '../sync/protocol';
import type { JsonValue } from '../canonical-json';
import type { LimitKind } from '../policy/types';
import type { Decision, MonitoredTransaction, RuleDefinition, Scenario, UsdRateTable } from '../monitoring/types';
import type { FilingInstitution, PostalAddress } from '../reports/types';
import type { AccountGraphState, FeatureState, PaymentEvent } from '../ai/features';

/** Chart of accounts: the `code` of every ledger account the banking layer opens. */
export const AccountCodes = {
  customerCurrent: 100,
  customerSavings: 101,
  vaultCash: 200,
  tillCash: 201,
  cashVariance: 300,
  headOffice: 301,
  fxPosition: 302,
  offlineExceptions: 303,
  /** The bank's account at a correspondent (an asset): what SWIFT payments move. */
  nostro: 304,
  /** Payments in flight that belong to no customer: a return waiting to go, money blocked under sanctions. */
  paymentsSuspense: 305,
  /** What the bank's custody wallets hold of a digital asset on chain (an asset of the bank, on the asset's ledger). */
  tokenCustody: 400,
  /** A customer's holding of a digital asset. */
  customerTokens: 401,
  /** A customer's retail CBDC wallet (on the currency's CBDC ledger; never overdrawn, never above its holding limit). */
  cbdcWallet: 102,
  /** Value on customers' offline CBDC devices: the unspent offline coins (on the CBDC ledger). */
  cbdcOffline: 103,
  /** The bank's reserve account at the central bank (an asset, on the fiat ledger). */
  centralBankReserves: 306,
  /** The fiat value of the bank's own CBDC holdings (an asset, on the fiat ledger; equals the CBDC float). */
  cbdcPosition: 307,
  /** The bank's own CBDC holdings (on the CBDC ledger). */
  cbdcFloat: 500,
  /** The central bank's issuance counterpart on the CBDC ledger: its debit balance is all CBDC on the bank's books. */
  cbdcIssuance: 501,
} as const;

/** Transfer codes: why money moved. */
export const TransferCodes = {
  cashDeposit: 10,
  cashWithdrawal: 11,
  internalTransfer: 12,
  vaultToTill: 20,
  tillToVault: 21,
  vaultFunding: 22,
  cashOver: 30,
  cashShort: 31,
  fxExchange: 40,
  accountClosure: 50,
  offlineCompensation: 60,
  paymentOut: 70,
  paymentIn: 71,
  paymentReturn: 72,
  tokenDeposit: 80,
  tokenWithdrawal: 81,
  tokenSwap: 82,
  cbdcIssue: 90,
  cbdcRedeem: 91,
  cbdcFund: 92,
  cbdcDefund: 93,
  cbdcPayment: 94,
  cbdcWaterfall: 95,
  cbdcReverseWaterfall: 96,
  cbdcIncoming: 97,
  cbdcOutgoing: 98,
  cbdcReserves: 99,
  cbdcOfflineLoad: 100,
  cbdcOfflinePayment: 101,
} as const;

export type KycStatus = 'pending' | 'verified' | 'rejected';
export type RiskRating = 'low' | 'medium' | 'high';
export type ProductKind = 'current' | 'savings';

export interface Customer {
  readonly id: Id128;
  readonly branchId: Id128;
  readonly fullName: string;
  readonly dateOfBirth: string;
  readonly nationalId: string;
  readonly address: string;
  readonly phone: string;
  readonly email: string;
  readonly kycStatus: KycStatus;
  readonly riskRating: RiskRating;
  readonly createdAtMs: number;
  /** Who registered the customer: they may not also verify the customer's identity. */
  readonly createdBy: string;
}

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly kind: ProductKind;
  readonly currency: string;
  /** Overdraft every account of this product gets when opened; 0 for none. */
  readonly overdraftLimitMinor: bigint;
}

export interface Branch {
  readonly id: Id128;
  readonly code: string;
  readonly name: string;
  readonly createdAtMs: number;
}

export type BranchAccountPurpose = 'vault' | 'variance' | 'head_office' | 'fx_position' | 'offline_exceptions';

/** A branch's own ledger account for a purpose and currency: its vault, its over/short account… */
export interface BranchAccount {
  readonly id: string;
  readonly branchId: Id128;
  readonly purpose: BranchAccountPurpose;
  readonly currency: string;
  readonly accountId: Id128;
}

export interface Till {
  readonly id: Id128;
  readonly branchId: Id128;
  readonly code: string;
  readonly currency: string;
  readonly accountId: Id128;
}

/** Pieces counted of each denomination, keyed by the denomination's value in minor units. */
export type DenominationCount = Readonly<Record<string, number>>;

export interface TillSession {
  readonly id: Id128;
  readonly tillId: Id128;
  readonly tellerId: string;
  readonly status: 'open' | 'closed';
  readonly openedAtMs: number;
  readonly openingCount: DenominationCount;
  readonly openingCountedMinor: bigint;
  readonly openingVarianceMinor: bigint;
  readonly closedAtMs: number | null;
  readonly closingCount: DenominationCount | null;
  readonly closingCountedMinor: bigint | null;
  readonly closingVarianceMinor: bigint | null;
}

export interface BankAccount {
  readonly id: Id128;
  readonly number: string;
  readonly customerId: Id128;
  readonly productId: string;
  readonly kind: ProductKind;
  readonly currency: string;
  readonly branchId: Id128;
  readonly status: 'open' | 'closed';
  readonly openedAtMs: number;
}

/**
 * What a role (or one user, overriding their roles) may do alone, per kind and currency: over it,
 * a second person must agree. Kept by `limit.set`, under maker-checker.
 */
export interface LimitRule {
  /** `role:${role}:${kind}:${currency}` or `user:${userId}:${kind}:${currency}` */
  readonly id: string;
  readonly holder: { readonly role: string } | { readonly user: string };
  readonly kind: LimitKind;
  readonly currency: string;
  readonly perTransactionMinor: bigint;
  readonly perDayMinor: bigint;
}

export function limitRuleId(holder: LimitRule['holder'], kind: LimitKind, currency: string): string {
  return 'role' in holder ? `role:${holder.role}:${kind}:${currency}` : `user:${holder.user}:${kind}:${currency}`;
}

/**
 * A running total for one day, kept by the engine in the same transaction as what it counts: what
 * a caller did alone against a limit, or what a branch paid out offline per teller and customer.
 */
export interface Tally {
  /** `${what}:${holder}:${kind}:${currency}:${day}` */
  readonly id: string;
  readonly branchId: string;
  /** The business day, YYYY-MM-DD (UTC). */
  readonly day: string;
  readonly what: 'limit' | 'standin_teller' | 'standin_customer';
  readonly holder: string;
  readonly kind: string;
  readonly currency: string;
  readonly totalMinor: bigint;
}

/** A user allowed to work on a workstation: the server replays a batch's commands only for these. */
export interface DeviceUser {
  /** `${deviceId}:${userId}` */
  readonly id: string;
  readonly deviceId: string;
  readonly userId: string;
  readonly registeredBy: string;
  readonly registeredAtMs: number;
}

/**
 * The bank's rate for a currency pair, published by treasury: exchanges use it, never a rate from
 * the counter. `mid` is units of `quote` per unit of `base`, as a decimal string; the customer
 * buys `base` at mid × (1 + sell margin) and sells it at mid × (1 − buy margin).
 */
export interface RateSheet {
  /** `${base}/${quote}` */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly mid: string;
  readonly buyMarginBasisPoints: number;
  readonly sellMarginBasisPoints: number;
  readonly validFromMs: number;
  readonly validUntilMs: number;
  readonly version: number;
  readonly publishedBy: string;
  readonly publishedAtMs: number;
  /**
   * The terms a second treasurer last agreed to (mid and margins): what a sheet published alone is
   * measured against, so a rate cannot be walked away from them in steps that each look small.
   */
  readonly anchor: { readonly mid: string; readonly buyMarginBasisPoints: number; readonly sellMarginBasisPoints: number };
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

/** A command held until a second person decides (maker-checker). */
export interface Approval {
  readonly id: Id128;
  readonly command: string;
  /** The input as the command's schema parsed it, in its wire form (amounts as strings): never the raw body. */
  readonly input: { readonly [key: string]: JsonValue };
  readonly reason: string;
  /** Why it waits: always, a limit, the stand-in policy. */
  readonly basis: string;
  readonly requestedBy: string;
  /** The maker's roles when they asked, for the record; the decision re-reads their standing now. */
  readonly requestedRoles: readonly string[];
  readonly requestedAtMs: number;
  /** Where it was made: a person online, a workstation offline, a workstation's replayed batch. */
  readonly mode: 'online' | 'offline' | 'replay';
  readonly deviceId: string;
  /** When it happened at the counter. */
  readonly occurredAtMs: number;
  /** The branch of what it touches (null for the bank's own), so a branch's supervisors see its requests. */
  readonly branchId: string | null;
  readonly status: ApprovalStatus;
  readonly decidedBy: string | null;
  readonly decidedAtMs: number | null;
  readonly note: string | null;
  /** A monitoring hold of a command a supervisor had approved: that supervisor stays its second person when compliance releases it. */
  readonly priorCheckerId?: string;
}

export interface User {
  /** The username: lowercase, stable, what people type. */
  readonly id: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly passwordHash: string;
  readonly status: 'active' | 'disabled';
  /** The branch a branch role (teller, head teller) works at; null for the bank's central staff. */
  readonly branchId: Id128 | null;
  readonly createdAtMs: number;
}

/** A signed-in session, stored under the SHA-256 of its bearer token: the token itself is never kept. */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly revokedAtMs: number | null;
}

/** A workstation as the server knows it: its keys, its standing, where its batch chain stands. */
export interface Device {
  readonly id: string;
  readonly branchId: Id128;
  readonly status: 'pending' | 'active' | 'revoked';
  /** base64url: ML-DSA-65 and Ed25519 public keys (signatures), X-Wing public key (sealed replies). */
  readonly publicKeys: { readonly mlDsa65: string; readonly ed25519: string };
  readonly kemPublicKey: string;
  readonly keyVersion: number;
  readonly requestedBy: string;
  readonly requestedAtMs: number;
  readonly approvedBy: string | null;
  readonly revokedAtMs: number | null;
  readonly lastBatchSeq: number;
  readonly lastBatchDigest: string;
  readonly lastCommandSeq: number;
  /** The counter time of the last command the server replayed from it: the next may not be earlier. */
  readonly lastCommandAtMs?: number;
  /** When an administrator approved it: nothing it did can be earlier. */
  readonly approvedAtMs?: number;
  /**
   * Its outbox head as its last pull declared it (the last queued seq, at the workstation's time of
   * the pull): a command queued after that cannot claim to be older, so day limits cannot be
   * dodged by backdating.
   */
  readonly declared?: { readonly seq: number; readonly atMs: number };
  /** New keys the device asked for, signed with its current ones, waiting for an administrator. */
  readonly pendingRotation?: { readonly publicKeys: { readonly mlDsa65: string; readonly ed25519: string }; readonly kemPublicKey: string; readonly requestedAtMs: number } | null;
  /** Nonces of its recent signed requests (pull, subscription, rotation), so none is accepted twice. */
  readonly recentNonces?: RecentNonces;
}

/** The server's signed answer to a device's batch, kept so a duplicate gets the same answer. */
export interface SyncAnswer {
  /** `${deviceId}:${batchSeq}` */
  readonly id: string;
  readonly deviceId: string;
  readonly envelope: Readonly<Record<string, unknown>>;
}

/** A command the server refused after the branch had already handed over or taken the cash. */
export interface SyncException {
  readonly id: string;
  readonly deviceId: string;
  readonly branchId: Id128;
  readonly seq: number;
  readonly command: string;
  readonly actor: string;
  readonly code: string;
  readonly message: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** The booking against offline exceptions; null when the server books nothing (what the device claims is not believed). */
  readonly compensationTransferId: Id128 | null;
  readonly occurredAtMs: number;
  readonly recordedAtMs: number;
  readonly status: 'open' | 'resolved';
}

/**
 * Offline authority the server grants a branch, per currency (see core/sync/stand-in.ts): the
 * current one under `${branchId}:${currency}`, and every version under
 * `${branchId}:${currency}:${version}` (zero-padded), so a replayed payout is checked against the
 * policy that was in force when it happened at the counter.
 */
export interface StandInPolicyRecord extends StandInPolicy {
  readonly id: string;
  readonly branchId: Id128;
}

export function standInPolicyVersionId(branchId: string, currency: string, version: number): string {
  return `${branchId}:${currency}:${String(version).padStart(9, '0')}`;
}

/** A command a workstation executed provisionally and queued for the server (gap-free `seq`). */
export interface OutboxEntry {
  /** `seq`, zero-padded, so ids sort in queue order. */
  readonly id: string;
  readonly seq: number;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly roles: readonly string[];
  readonly atMs: number;
  readonly transferId: string;
  /** The head teller who approved it at the counter, when it was held there. */
  readonly approvedBy: string | null;
  readonly status: 'pending' | 'accepted' | 'rejected' | 'compensated' | 'held';
  readonly code: string | null;
  readonly message: string | null;
}

/** The workstation's own identity and where its sync stands (one record, id `local`). */
export interface WorkstationState {
  readonly id: 'local';
  readonly deviceId: string;
  readonly branchId: Id128;
  readonly keyVersion: number;
  /** base64url secrets: the hybrid signing seed and the X-Wing secret key. */
  readonly signingSeed: string;
  readonly kemSecretKey: string;
  readonly serverPublicKeys: { readonly mlDsa65: string; readonly ed25519: string };
  readonly serverKeyVersion: number;
  readonly serverKemPublicKey: string;
  readonly lastCommandSeq: number;
  readonly lastAckedBatchSeq: number;
  /** The last command in a batch the server answered. */
  readonly lastAckedCommandSeq: number;
  readonly lastBatchDigest: string;
  /** The batch sent and not yet answered: resent as is until it is. */
  readonly inflight: { readonly batchSeq: number; readonly digest: string; readonly lastCommandSeq: number; readonly envelope: Readonly<Record<string, unknown>> } | null;
  readonly cursor: string;
  /** The counter time of the last queued command: the next is never earlier, so a day's tallies cannot be dodged. */
  readonly lastCommandAtMs: number;
}

/** A signed anchor of the audit head, kept under its seq zero-padded (`auditAnchorId`) so they list in order. */
export interface AuditAnchorRecord extends AuditAnchor {
  readonly id: string;
}

/** Digits of the largest safe integer: every seq pads to the same width. */
const auditAnchorIdDigits = String(Number.MAX_SAFE_INTEGER).length;

export function auditAnchorId(seq: number): string {
  return String(seq).padStart(auditAnchorIdDigits, '0');
}

/**
 * Admin-signed content in force on this host, under its target path in the update repository:
 * installed by `update.install` only after the whole chain of signed metadata and the file's length
 * and hash verified; every document of one check takes effect in one transaction.
 */
export interface InstalledContent {
  readonly id: string;
  readonly kind: 'stand_in_policy' | 'sanctions_list' | 'fraud_model' | 'app_build';
  /** The role that signed it: `targets`, or a delegated role. */
  readonly role: string;
  /** The document's own version label. */
  readonly version: string;
  readonly sha256: string;
  readonly length: number;
  readonly installedAtMs: number;
  /** The document as signed (UTF-8 JSON); empty for an app build, whose file is staged on disk. */
  readonly body: string;
  /** Withdrawn: the repository no longer publishes it, and nothing here uses it. */
  readonly status: 'in_force' | 'withdrawn';
}

/**
 * The update client's trusted metadata (one record, id `local`): the files as they were verified
 * (base64url), so they are verified again from the pinned root whenever the client loads them.
 */
export interface UpdateTrustRecord {
  readonly id: 'local';
  /** Root 2, 3, … as downloaded (root 1 is the one pinned in the install). */
  readonly roots: readonly string[];
  readonly timestamp: string | null;
  readonly snapshot: string | null;
  readonly targets: string | null;
  readonly delegated: Readonly<Record<string, string>>;
  /** When these files were last verified whole (their expiry is checked against the clock at each check). */
  readonly verifiedAtMs: number;
  readonly lastCheckedAtMs: number | null;
  readonly lastInstalledAtMs: number | null;
  readonly refusal: { readonly code: string; readonly role: string; readonly path: string | null; readonly atMs: number } | null;
  /** An app build verified and staged for the next start. */
  readonly appStaged: string | null;
}

/** A workstation's latest signed version report, as the server keeps it (id: the device id). */
export interface UpdateReportRecord {
  readonly id: string;
  readonly branchId: string;
  readonly receivedAtMs: number;
  /** The report as the device signed it (an UpdateReport), canonical JSON. */
  readonly report: string;
}


/**
 * One transaction as monitoring remembers it, for the customer's history. The id orders a
 * customer's rows newest first (`monitoredTransactionKey`), so the recent window is one range read.
 */
export interface MonitoredTransactionRecord {
  readonly id: string;
  readonly transaction: MonitoredTransaction;
}

/** When an account last moved money, for the dormant-account rule (id: the account id). */
export interface MonitoredAccountRecord {
  readonly id: string;
  readonly lastActivityMs: number;
}

/** A payee a customer has paid (id: `${customerId}:${payeeAccountId}`), for the new-payee rule. */
export interface MonitoredPayeeRecord {
  readonly id: string;
  readonly firstPaidMs: number;
}

/**
 * A scenario with the rule definitions it weighs and the USD values of currencies no rate sheet
 * prices, as compliance published it. `live` decides; `draft` runs beside it in shadow; every
 * version is kept as `v:${scenarioId}:${version}` so a stored decision names what decided it.
 */
export interface MonitoringConfig {
  readonly id: string;
  readonly scenario: Scenario;
  readonly rules: readonly RuleDefinition[];
  readonly usdRates: UsdRateTable;
  readonly publishedBy: string;
  readonly publishedAtMs: number;
}

/**
 * Which configurations are in force (id: 'current'): the ids of the live and draft versions. The
 * payment path reads this small record and keeps each version parsed, so it does not decode the
 * whole configuration on every payment.
 */
export interface MonitoringState {
  readonly id: string;
  readonly live: MonitoringVersionRef | null;
  readonly draft: MonitoringVersionRef | null;
}

/** A published version: where it is kept, and the SHA-256 of its content (what a parsed copy is cached by). */
export interface MonitoringVersionRef {
  readonly id: string;
  readonly sha256: string;
}

/** A decision kept with its evidence: every live decision that was not `allow`, every shadow one that was not. */
export interface MonitoringDecisionRecord {
  /** `${transactionId}:${live|shadow}` */
  readonly id: string;
  readonly role: 'live' | 'shadow';
  readonly customerId: string;
  readonly command: string;
  readonly decision: Decision;
  readonly caseId: string | null;
  readonly decidedAtMs: number;
}

export type CaseStatus = 'open' | 'investigating' | 'closed';
export type CaseOutcome = 'confirmed' | 'false_positive' | 'reported';

/** What put a case on the queue: a rule decision, or a sanctions hit. */
export type CaseAlert =
  | { readonly kind: 'monitoring'; readonly decisionId: string; readonly transactionId: string; readonly outcome: string; readonly score: number; readonly ruleIds: readonly string[]; readonly atMs: number }
  | {
      readonly kind: 'screening';
      readonly command: string;
      readonly partyName: string;
      readonly listId: string;
      readonly entryId: string;
      readonly matchedName: string;
      readonly score: number;
      readonly explanation: readonly { readonly part: string; readonly value: number; readonly detail: string }[];
      readonly atMs: number;
    }
  | {
      readonly kind: 'fraud';
      readonly decisionId: string;
      readonly transactionId: string;
      readonly outcome: 'review' | 'block';
      /** Null when the model could not score it (`unavailable` says why), which sends it to review. */
      readonly probability: number | null;
      readonly modelVersion: string;
      readonly reasons: readonly FraudReason[];
      readonly unavailable?: string;
      readonly atMs: number;
    }
  | {
      /** The same offline CBDC value spent twice: the second payment refused at sync. */
      readonly kind: 'double_spend';
      readonly paymentId: string;
      readonly txid: string;
      /** The payment that spent the value first, and where. */
      readonly firstPaymentId: string;
      readonly firstDeviceId: string | null;
      readonly valueMinor: string;
      readonly currency: string;
      readonly deviceId: string | null;
      readonly atMs: number;
    };

/** One reason of a fraud score: the feature, this payment's value, what it added (log-odds) and the words for it. */
export interface FraudReason {
  readonly feature: string;
  readonly value: number | null;
  readonly contribution: number;
  readonly words: string;
}

/** A fraud model's decision on one payment: live (the champion: kept when not approve) or shadow (the challenger: always kept). */
export interface FraudDecisionRecord {
  readonly id: string;
  readonly role: 'live' | 'shadow';
  readonly eventId: string;
  /** The payment as the features saw it (kept so a stopped payment an investigator labels can be trained on). */
  readonly event?: PaymentEvent;
  readonly customerId: string;
  readonly command: string;
  readonly slot: 'champion' | 'challenger';
  readonly modelVersion: string;
  readonly onnxSha256: string;
  readonly probability: number | null;
  readonly outcome: 'approve' | 'review' | 'block';
  readonly reasons: readonly FraudReason[];
  readonly unavailable?: string;
  readonly caseId: string | null;
  readonly decidedAtMs: number;
}

/** One UTC day's scores and feature values of one model file, counted in its reference bins (the drift monitor's input). */
export interface FraudDriftTally {
  readonly id: string;
  readonly day: string;
  readonly onnxSha256: string;
  readonly modelVersion: string;
  readonly count: number;
  readonly score: readonly number[];
  readonly features: Readonly<Record<string, readonly number[]>>;
}

/** An investigation: alerts and hits about one customer (or party), worked by an officer or a queue. */
export interface ComplianceCase {
  readonly id: string;
  /** Case numbers people say aloud: C-000123. */
  readonly number: string;
  readonly title: string;
  readonly status: CaseStatus;
  readonly outcome: CaseOutcome | null;
  /** An officer, or null while the case waits in `queue`. */
  readonly assignee: string | null;
  readonly queue: string;
  readonly branchId: string | null;
  readonly customerIds: readonly string[];
  /** The party screened, when a hit is about someone who is not (yet) a customer. */
  readonly partyName: string | null;
  readonly transactionIds: readonly string[];
  readonly alerts: readonly CaseAlert[];
  /** A held command waiting for compliance to release it, if any. */
  readonly approvalId: string | null;
  /** The filing clock: a CTR is due 15 days after the cash day, a SAR 30 days after detection (31 CFR 1010.311, 1020.320). */
  readonly dueAtMs: number;
  readonly openedAtMs: number;
  readonly updatedAtMs: number;
  readonly closedAtMs: number | null;
  readonly notesCount: number;
  /** The report an officer proposed, waiting for (or filed on) a second officer's approval. */
  readonly proposal: ReportProposal | null;
  /** Increases with every change: a reviewer's copy says which one they saw. */
  readonly version: number;
}

export interface ReportProposal {
  readonly id: string;
  readonly form: 'CTRX' | 'SARX';
  readonly narrative: string | null;
  readonly categories: readonly string[];
  readonly proposedBy: string;
  readonly proposedAtMs: number;
  readonly status: 'proposed' | 'filed' | 'rejected';
  /** The held `case.file_report` on the server; null on a workstation, which cannot file. */
  readonly approvalId: string | null;
}

/** A note on a case: appended, never edited (id: `${caseId}:${seq}`). */
export interface CaseNote {
  readonly id: string;
  readonly caseId: string;
  readonly seq: number;
  readonly author: string;
  readonly atMs: number;
  readonly text: string;
  /** What the note records besides itself: a status change, an assignment, an outcome, a report. */
  readonly event: string | null;
  /** The id the officer's command gave the note, so a retried or replayed note is not added twice. */
  readonly requestId?: string;
}

/** Who files the bank's reports with FinCEN, and where each branch is (id: 'bank'). */
export interface ReportingProfile {
  readonly id: string;
  readonly institution: FilingInstitution;
  readonly branches: readonly { readonly branchId: string; readonly name: string; readonly address: PostalAddress; readonly rssd?: string }[];
  readonly updatedBy: string;
  readonly updatedAtMs: number;
}

/** The re-screen of the customer base after the lists in force changed (id: 'current'): how far it got. */
export interface ScreeningSweep {
  readonly id: string;
  /** The SHA-256 of the lists it screens against, sorted and joined: a new list starts a new sweep. */
  readonly listsKey: string;
  readonly startedAtMs: number;
  readonly updatedAtMs: number;
  readonly finishedAtMs: number | null;
  /** The last customer screened; '' before the first page. */
  readonly after: string;
  readonly screened: number;
  readonly hits: number;
  readonly casesOpened: number;
}

/** A regulatory report filed from a case, as FinCEN batch XML. */
export interface ComplianceReport {
  readonly id: string;
  readonly caseId: string;
  readonly form: 'CTRX' | 'SARX';
  readonly proposedBy: string;
  readonly approvedBy: string;
  readonly filedAtMs: number;
  readonly xml: string;
  readonly activityCount: number;
  readonly partyCount: number;
  readonly totalAmountDollars: string;
  readonly sha256: string;
}

export interface Entities {
  outboxEntry: OutboxEntry;
  workstation: WorkstationState;
  device: Device;
  syncAnswer: SyncAnswer;
  syncException: SyncException;
  standInPolicy: StandInPolicyRecord;
  user: User;
  session: Session;
  customer: Customer;
  product: Product;
  branch: Branch;
  branchAccount: BranchAccount;
  till: Till;
  tillSession: TillSession;
  bankAccount: BankAccount;
  limitRule: LimitRule;
  tally: Tally;
  deviceUser: DeviceUser;
  rateSheet: RateSheet;
  approval: Approval;
  auditAnchor: AuditAnchorRecord;
  installedContent: InstalledContent;
  updateTrust: UpdateTrustRecord;
  updateReport: UpdateReportRecord;
  monitoredTransaction: MonitoredTransactionRecord;
  monitoredAccount: MonitoredAccountRecord;
  monitoredPayee: MonitoredPayeeRecord;
  monitoringConfig: MonitoringConfig;
  monitoringState: MonitoringState;
  monitoringDecision: MonitoringDecisionRecord;
  complianceCase: ComplianceCase;
  caseNote: CaseNote;
  complianceReport: ComplianceReport;
  reportingProfile: ReportingProfile;
  screeningSweep: ScreeningSweep;
  fraudCustomerState: { readonly id: string; readonly state: FeatureState };
  fraudAccountGraph: { readonly id: string; readonly state: AccountGraphState };
  /** A scored payment as the features saw it, keyed by time: the bank's own training data. */
  fraudEvent: { readonly id: string; readonly event: PaymentEvent };
  /** That a payment is in the feature state already (by its id), and under which training-event key. */
  fraudEventSeen: { readonly id: string; readonly key: string };
  fraudDecision: FraudDecisionRecord;
  /** An investigator's verdict on a payment (1 fraud, 0 not), from the case it was in. */
  fraudLabel: { readonly id: string; readonly label: 0 | 1; readonly caseId: string; readonly labelledAtMs: number };
  fraudDriftTally: FraudDriftTally;
  /** A drift alert raised for one model file on one day (so the check raises it once). */
  fraudDriftAlert: { readonly id: string; readonly caseId: string; readonly caseNumber: string; readonly raisedAtMs: number };
  payment: Payment;
  correspondent: Correspondent;
  paymentMessage: PaymentMessage;
  nostroReconciliation: NostroReconciliation;
  paymentException: PaymentException;
  digitalAsset: DigitalAsset;
  swapPool: SwapPool;
  custodyWallet: CustodyWallet;
  tokenAccount: TokenAccount;
  assetDeposit: AssetDeposit;
  chainOp: ChainOp;
  cbdcPolicy: CbdcPolicy;
  cbdcBooks: CbdcBooks;
  cbdcWallet: CbdcWallet;
  cbdcOperation: CbdcOperation;
  cbdcCoin: CbdcCoin;
}
export type EntityKind = keyof Entities;

/**
 * Secondary keys each entity can be found by. The storage indexes exactly these; a null value
 * is not indexed (an open-session key exists only while the session is open).
 */
export const entityKeys: { readonly [K in EntityKind]: Readonly<Record<string, (entity: Entities[K]) => string | null>> } = {
  customer: { nationalId: (c) => c.nationalId, branch: (c) => c.branchId, name: (c) => c.fullName.toLowerCase() },
  product: {},
  branch: { code: (b) => b.code },
  branchAccount: {},
  till: { branch: (t) => t.branchId, code: (t) => `${t.branchId}:${t.code}` },
  tillSession: {
    openTill: (s) => (s.status === 'open' ? s.tillId : null),
    openTeller: (s) => (s.status === 'open' ? s.tellerId : null),
    till: (s) => s.tillId,
  },
  bankAccount: { customer: (a) => a.customerId, number: (a) => a.number },
  limitRule: { holder: (l) => ('role' in l.holder ? `role:${l.holder.role}` : `user:${l.holder.user}`) },
  tally: { branchDay: (t) => `${t.branchId}:${t.day}` },
  deviceUser: { device: (d) => d.deviceId, user: (d) => d.userId },
  rateSheet: {},
  approval: { status: (a) => a.status, branchStatus: (a) => (a.branchId === null ? null : `${a.branchId}:${a.status}`) },
  user: { branch: (u) => u.branchId },
  session: { user: (s) => s.userId },
  device: { branch: (d) => d.branchId, status: (d) => d.status },
  outboxEntry: { transfer: (e) => e.transferId, status: (e) => e.status },
  workstation: {},
  syncAnswer: { device: (a) => a.deviceId },
  syncException: { branch: (e) => e.branchId, open: (e) => (e.status === 'open' ? e.branchId : null) },
  standInPolicy: {
    branch: (p) => (p.id === `${p.branchId}:${p.currency}` ? p.branchId : null),
    versions: (p) => (p.id === `${p.branchId}:${p.currency}` ? null : `${p.branchId}:${p.currency}`),
  },
  auditAnchor: {},
  installedContent: { kind: (c) => (c.status === 'in_force' ? c.kind : null) },
  updateTrust: {},
  updateReport: { branch: (r) => r.branchId },
  monitoredTransaction: {},
  monitoredAccount: {},
  monitoredPayee: {},
  monitoringConfig: {},
  monitoringState: {},
  monitoringDecision: { shadow: (d) => (d.role === 'shadow' ? `${d.decision.scenarioId}:${d.decision.scenarioVersion}` : null), customer: (d) => d.customerId },
  complianceCase: {
    status: (c) => c.status,
    assignee: (c) => (c.assignee !== null && c.status !== 'closed' ? c.assignee : null),
    queue: (c) => (c.assignee === null && c.status !== 'closed' ? c.queue : null),
    customer: (c) => (c.status !== 'closed' && c.customerIds.length > 0 ? c.customerIds[0]! : null),
    number: (c) => c.number,
    approval: (c) => c.approvalId,
  },
  caseNote: { case: (n) => n.caseId, request: (n) => n.requestId ?? null },
  complianceReport: { case: (r) => r.caseId },
  reportingProfile: {},
  screeningSweep: {},
  fraudCustomerState: {},
  fraudAccountGraph: {},
  fraudEvent: {},
  fraudEventSeen: {},
  fraudDecision: { shadow: (d) => (d.role === 'shadow' ? d.onnxSha256 : null), customer: (d) => d.customerId },
  fraudLabel: {},
  fraudDriftTally: { model: (t) => t.onnxSha256 },
  fraudDriftAlert: {},
  payment: {
    uetr: (p) => `${p.direction}:${p.uetr}`,
    status: (p) => p.status,
    // A branch sees its own customers' payments; what belongs to no customer (parked, blocked) only central staff see.
    branch: (p) => p.branchId ?? 'central',
    // What the payment gateway has to send (see payment.outbox).
    due: (p) => (messageDue(p) === null ? null : 'due'),
  },
  correspondent: {},
  paymentMessage: {},
  nostroReconciliation: {},
  paymentException: {},
  digitalAsset: { contract: (a) => `${a.chainId}:${a.contract}` },
  swapPool: {},
  custodyWallet: { chain: (w) => w.chainId, address: (w) => `${w.chainId}:${w.address}` },
  tokenAccount: { holding: (t) => `${t.customerId}:${t.assetId}`, customer: (t) => t.customerId },
  assetDeposit: { status: (d) => `${d.id.slice(0, d.id.indexOf(':'))}:${d.status}`, account: (d) => d.accountId },
  chainOp: { status: (o) => `${o.chainId}:${o.status}`, txHash: (o) => o.txHash ?? null, account: (o) => o.fromAccountId },
  cbdcPolicy: {},
  cbdcBooks: {},
  cbdcWallet: { holding: (w) => `${w.customerId}:${w.currency}`, linked: (w) => w.linkedAccountId, branch: (w) => w.branchId },
  cbdcOperation: {},
  cbdcCoin: { wallet: (c) => (c.spentBy === null ? c.walletId : null) },
};

export function branchAccountKey(branchId: string, purpose: BranchAccountPurpose, currency: string): string {
  return `${branchId}:${purpose}:${currency}`;
}
