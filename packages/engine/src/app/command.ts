import type { z } from 'zod';
import type { JsonValue } from '../core/canonical-json';
import type { CommandPolicy, Measure, Subject } from '../core/policy';
import type { Approval } from '../core/banking/types';
import type { IdSource } from '../ports/ids';
import type { PasswordHasher } from '../ports/password';
import type { StorageTx } from '../ports/storage';
import type { HybridKeyPair } from '../core/crypto';
import type { MonitoredTransaction } from '../core/monitoring/types';
import type { PaymentFormats } from '../ports/payment-formats';
import type { CustodyKeys } from '../ports/custody-keys';

/** Who is asking, from where. Every command runs with one. */
export interface Context {
  readonly actor: string;
  readonly roles: readonly string[];
  readonly deviceId: string;
  /** The SHA-256 of the bearer token this request came with, when it came with one. */
  readonly sessionId?: string;
}

export interface CommandEnv {
  readonly tx: StorageTx;
  readonly ctx: Context;
  readonly nowMs: number;
  readonly nowNs: bigint;
  readonly ids: IdSource;
  readonly passwords: PasswordHasher;
  /**
   * Runs a held command on a second person's approval, inside this transaction (see
   * approval.decide): admitted again against the maker's standing now, with this caller as checker.
   */
  readonly runApproved: (approval: Approval) => Promise<Outcome<unknown, string>>;
  /**
   * Runs a workstation's command inside this transaction (replayed from its signed batch): admitted
   * again as if the teller had sent it online, with the server's stand-in policy and tallies, and
   * audited on its own. `occurredAtMs` is when it happened at the counter.
   */
  readonly runNested: (command: string, input: unknown, ctx: Context, options: NestedOptions) => Promise<Outcome<unknown, string>>;
  /** The server's keys, where this engine is the server of the sync protocol. */
  readonly serverKeys: ServerKeys | null;
  /** When the command really happened: the clock's now, or a replayed command's counter time. */
  readonly occurredAtMs: number;
  /** The second person who agreed to this command, when its policy called for one. */
  readonly approvedBy: string | null;
  /** The policy this engine decides a command with (the bank's table, or a test's). */
  readonly policyOf: (command: string) => CommandPolicy | undefined;
  /**
   * Records another command, asked by this caller, for a second person to decide (as a held
   * command is): how a proposal made offline becomes a maker-checker request once the server has it.
   * Null on a workstation, whose holds are decided at its own counter.
   */
  readonly requestApproval: ((command: string, input: { readonly [key: string]: JsonValue }, reason: string) => Promise<string>) | null;
  /** The host's check of the message an outgoing payment makes; null where no payment can be sent from. */
  readonly paymentFormats: PaymentFormats | null;
  /** The host's custody keys for digital assets (the server's, sealed under its key-encryption key); null where no wallet is kept. */
  readonly custodyKeys: CustodyKeys | null;
  /** Where this engine runs: the bank's books (`authority`), or a branch workstation's copy, deciding provisionally offline. */
  readonly host: 'authority' | 'workstation';
}

export interface NestedOptions {
  readonly occurredAtMs: number;
  /**
   * The second person the workstation says agreed at the counter. Recorded, never trusted: the
   * batch is signed by the workstation, not by that person, so whoever holds the workstation's key
   * could name anyone. A command over a limit is decided as if nobody had agreed.
   */
  readonly counterApprovedBy: string | null;
  /** The workstation it came from. */
  readonly device: { readonly id: string; readonly branchId: string };
  /**
   * When it needs a second person nobody gave: `record` keeps it for a supervisor (the answer
   * carries the approval id); `return` only says so (cash already paid out is compensated instead).
   */
  readonly onHold: 'record' | 'return';
}

export interface HoldRequest {
  readonly reason: string;
  readonly basis: string;
  readonly mode: 'online' | 'offline' | 'replay';
  readonly occurredAtMs: number;
  readonly branchId: string | null;
}

/** The central server's identity in the sync protocol: a hybrid signing key and an X-Wing key. */
export interface ServerKeys {
  readonly keyVersion: number;
  readonly signing: HybridKeyPair;
  readonly kem: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array };
}

export interface Success<V> {
  readonly ok: true;
  readonly value: V;
}

export interface Refusal<C extends string = string> {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
  readonly details?: { readonly [key: string]: JsonValue };
  /**
   * Keep what the command wrote although it refuses: only for state that records the refusal
   * itself (a failed sign-in counts towards lockout). Money never moves on a refusal.
   */
  readonly keep?: true;
}

export type Outcome<V, C extends string> = Success<V> | Refusal<C>;

/**
 * A command: its input, what it does, and the facts its policy (core/policy/table.ts, keyed by the
 * command's name) decides on. Who may run it, over what, within which limits and with whose
 * agreement is not here: it is the policy table's, and only the engine applies it.
 */
export interface CommandSpec<S extends z.ZodType, V, C extends string> {
  /** Reads run without the write lock and are audited only when refused. */
  readonly kind: 'write' | 'read';
  readonly input: S;
  readonly run: (env: CommandEnv, input: z.output<S>) => Promise<Outcome<V, C>>;
  /** What the command touches, for the policy's scope and separation of duties; null when it does not exist. */
  readonly subject?: (env: CommandEnv, input: z.output<S>) => Promise<Subject | null>;
  /** What the command counts against its policy's limit; null when nothing. */
  readonly measure?: (env: CommandEnv, input: z.output<S>) => Promise<Measure | null>;
  /**
   * What makes the command impossible whatever anyone approves (an account with money in it cannot
   * be closed): checked before a hold, so nobody is asked to approve what cannot succeed.
   */
  readonly precheck?: (env: CommandEnv, input: z.output<S>) => Promise<Refusal | null>;
  /**
   * What the caller may not ask for at all (a teller naming an online origin): checked once the
   * input is valid, before screening, monitoring or the fraud model look at it, so nothing is kept.
   */
  readonly guard?: (ctx: Context, input: z.output<S>) => Refusal | null;
  /** The people and companies the command serves or pays: screened against the sanctions lists in force before it runs or is held. */
  readonly parties?: (env: CommandEnv, input: z.output<S>) => Promise<readonly ScreenedParty[]>;
  /**
   * The transactions the command would make, for transaction monitoring (one per customer leg);
   * none for a retry of what is already booked. Decided by the live scenario before it runs.
   */
  readonly monitored?: (env: CommandEnv, input: z.output<S>) => Promise<readonly MonitoredTransaction[]>;
  /** A payout's customer, for the stand-in policy's per-customer bound. */
  readonly payee?: (env: CommandEnv, input: z.output<S>) => Promise<string | null>;
  /** What the audit log keeps of the input; by default the parsed input itself. */
  readonly audit?: (input: z.output<S>) => { readonly [key: string]: JsonValue };
  /**
   * `false`: an accepted run appends no audit record (refusals still do). Only for audit.anchor,
   * whose record would move the very head it has just signed, so every anchor would call for another.
   */
  readonly auditSuccess?: false;
  /** What the audit log keeps of a success that is not plain `ok` (a ledger batch with refused items). */
  readonly auditResult?: (value: V) => { readonly outcome: string; readonly detail: { readonly [key: string]: JsonValue } };
}

/** A party as screening sees it: a customer is a person, with the date of birth the bank holds. */
export interface ScreenedParty {
  readonly name: string;
  /** The bank's customer this is, when it is one (a case links them). */
  readonly customerId?: string;
  readonly type: 'person' | 'company';
  readonly birthDate?: string;
}

export function command<S extends z.ZodType, V, C extends string = never>(spec: CommandSpec<S, V, C>): CommandSpec<S, V, C> {
  return spec;
}

export function ok<V>(value: V): Success<V> {
  return { ok: true, value };
}

export function refuse<C extends string>(code: C, message: string, details?: Refusal['details']): Refusal<C> {
  return details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };
}
