import type { Id128 } from '../ids';

/** Chart of accounts: the `code` of every ledger account the banking layer opens. */
export const AccountCodes = {
  customerCurrent: 100,
  customerSavings: 101,
  vaultCash: 200,
  tillCash: 201,
  cashVariance: 300,
  headOffice: 301,
  fxPosition: 302,
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

export type BranchAccountPurpose = 'vault' | 'variance' | 'head_office' | 'fx_position';

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

export interface Entities {
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
};

export function branchAccountKey(branchId: string, purpose: BranchAccountPurpose, currency: string): string {
  return `${branchId}:${purpose}:${currency}`;
}
