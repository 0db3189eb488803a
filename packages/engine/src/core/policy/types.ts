import type { Permission } from '../rbac';

/**
 * Where a command may run.
 * - `offline`: on a workstation without the server, provisionally (payouts within the stand-in
 *   policy), queued and replayed from its signed batch, where the server decides it again.
 * - `local`: on a workstation's own copy, offline too, and never sent to the server (reads, the
 *   decision on a hold made at that counter, signing in).
 * - `online`: only on the server's live books; a workstation needs the connection for it.
 * - `server`: only on the server, by central staff or the server's own processes.
 */
export type Runs = 'offline' | 'local' | 'online' | 'server';

/**
 * What the command touches must be in the caller's reach.
 * - `any`: no restriction beyond the permission.
 * - `own_branch`: the subject (customer, account, till, branch) is at the caller's branch; a
 *   workstation's batch may only touch its own branch.
 * - `own_till`: as `own_branch`, and the till session is the caller's own.
 * - `self`: the command only reads or changes the caller's own things.
 */
export type Scope = 'any' | 'own_branch' | 'own_till' | 'self';

/** The limits a bank sets per role and currency (and may override per user), per transaction and per day. */
/** `asset`: token withdrawals and swaps, per registered digital asset (its code in place of a currency), in the asset's ledger units. */
export const limitKinds = ['cash', 'transfer', 'fx', 'variance', 'asset'] as const;
export type LimitKind = (typeof limitKinds)[number];

/** A limit the policy table itself fixes (not per currency): a tolerance in basis points. */
export interface FixedLimit {
  readonly kind: 'rate_move';
  /** Basis points a value may move without a second person. */
  readonly maxBasisPoints: bigint;
}

export type SecondPerson =
  | { readonly when: 'never' }
  /** Every request waits for a second person holding `checker`. */
  | { readonly when: 'always'; readonly checker: Permission }
  /** Only what is over the caller's limit (or, offline, over the stand-in policy) waits. */
  | { readonly when: 'above_limit'; readonly checker: Permission };

export interface CommandPolicy {
  readonly permission: Permission;
  readonly scope: Scope;
  /** The limit the command's amount counts against; null when it moves no limited amount. */
  readonly limit: LimitKind | FixedLimit | null;
  readonly secondPerson: SecondPerson;
  /** Separation of duties: the person who made the subject (registered the customer, enrolled the device) may not do this. */
  readonly notBySubjectCreator?: true;
  readonly runs: Runs;
  /** A payout: offline it is also bounded by the branch's signed stand-in policy. */
  readonly standIn?: true;
  /** A read of customer data: who read what, when, from where, goes to the access log. */
  readonly accessLogged?: true;
}
