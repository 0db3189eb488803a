import type { AuditAnchor } from '../audit-anchor';
import type { Id128 } from '../ids';
import type { StandInPolicy } from '../sync/stand-in';

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

export interface TellerLimit {
  /** `${userId}:${currency}` */
  readonly id: string;
  readonly userId: string;
  readonly currency: string;
  readonly perTransactionMinor: bigint;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

/** A command held until a supervisor, another user, decides (maker-checker). */
export interface Approval {
  readonly id: Id128;
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedRoles: readonly string[];
  readonly requestedAtMs: number;
  readonly status: ApprovalStatus;
  readonly decidedBy: string | null;
  readonly decidedAtMs: number | null;
  readonly note: string | null;
}

export interface User {
  /** The username: lowercase, stable, what people type. */
  readonly id: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly passwordHash: string;
  readonly status: 'active' | 'disabled';
  readonly failedSignIns: number;
  readonly lockedUntilMs: number;
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
  readonly compensationTransferId: Id128;
  readonly occurredAtMs: number;
  readonly recordedAtMs: number;
  readonly status: 'open' | 'resolved';
}

/** Offline authority the server grants a branch, per currency (see core/sync/stand-in.ts). */
export interface StandInPolicyRecord extends StandInPolicy {
  /** `${branchId}:${currency}` */
  readonly id: string;
  readonly branchId: Id128;
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
  /** For payouts: whose account and how much (minor units), for the stand-in check. */
  readonly payout: { readonly customerId: string; readonly currency: string; readonly amountMinor: string } | null;
  readonly status: 'pending' | 'accepted' | 'rejected' | 'compensated';
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
  tellerLimit: TellerLimit;
  approval: Approval;
  auditAnchor: AuditAnchorRecord;
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
  tellerLimit: {},
  approval: { status: (a) => a.status },
  user: {},
  session: { user: (s) => s.userId },
  device: { branch: (d) => d.branchId, status: (d) => d.status },
  outboxEntry: {
    transfer: (e) => e.transferId,
    status: (e) => e.status,
    pendingPayout: (e) => (e.status === 'pending' && (e.payout ?? null) !== null ? e.payout!.currency : null),
  },
  workstation: {},
  syncAnswer: { device: (a) => a.deviceId },
  syncException: { branch: (e) => e.branchId, open: (e) => (e.status === 'open' ? e.branchId : null) },
  standInPolicy: { branch: (p) => p.branchId },
  auditAnchor: {},
};

export function branchAccountKey(branchId: string, purpose: BranchAccountPurpose, currency: string): string {
  return `${branchId}:${purpose}:${currency}`;
}
