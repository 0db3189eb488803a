import type { z } from 'zod';
import type { JsonValue } from '../core/canonical-json';
import type { Id128 } from '../core/ids';
import type { Permission } from '../core/rbac';
import type { IdSource } from '../ports/ids';
import type { PasswordHasher } from '../ports/password';
import type { StorageTx } from '../ports/storage';
import type { HybridKeyPair } from '../core/crypto';

/** Who is asking, from where. Every command runs with one. */
export interface Context {
  readonly actor: string;
  readonly roles: readonly string[];
  readonly deviceId: string;
  /** The SHA-256 of the bearer token this request came with, when it came with one. */
  readonly sessionId?: string;
}

/** A supervisor's approval of a held command, present only when the command runs on approval. */
export interface Approved {
  readonly approvalId: Id128;
  readonly approvedBy: string;
}

export interface CommandEnv {
  readonly tx: StorageTx;
  readonly ctx: Context;
  readonly nowMs: number;
  readonly nowNs: bigint;
  readonly ids: IdSource;
  readonly passwords: PasswordHasher;
  readonly approved: Approved | null;
  /** Runs a held command on a supervisor's approval, inside this transaction (see approval.decide). */
  readonly runApproved: (command: string, input: unknown, requester: Context, approved: Approved) => Promise<Outcome<unknown, string>>;
  /**
   * Runs another command inside this transaction as `ctx` (a teller's command replayed from a
   * workstation's batch), with its own permission check and audit record. `occurredAtMs` is when
   * it really happened at the counter.
   */
  readonly runNested: (command: string, input: unknown, ctx: Context, options: NestedOptions) => Promise<Outcome<unknown, string>>;
  /** The server's keys, where this engine is the server of the sync protocol. */
  readonly serverKeys: ServerKeys | null;
  /** When the command really happened: the clock's now, or a replayed command's counter time. */
  readonly occurredAtMs: number;
}

export interface NestedOptions {
  readonly occurredAtMs: number;
  readonly approved: Approved | null;
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

export interface CommandSpec<S extends z.ZodType, V, C extends string> {
  readonly permission: Permission;
  /** Reads run without the write lock and are audited only when refused. */
  readonly kind: 'write' | 'read';
  readonly input: S;
  readonly run: (env: CommandEnv, input: z.output<S>) => Promise<Outcome<V, C>>;
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

export function command<S extends z.ZodType, V, C extends string = never>(spec: CommandSpec<S, V, C>): CommandSpec<S, V, C> {
  return spec;
}

export function ok<V>(value: V): Success<V> {
  return { ok: true, value };
}

export function refuse<C extends string>(code: C, message: string, details?: Refusal['details']): Refusal<C> {
  return details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };
}
