import type { z } from 'zod';
import { AssertionError } from '../core/assert';
import { chainAuditRecord, type AuditEntry } from '../core/audit';
import { tokenDigest } from './commands/identity';
import type { JsonValue } from '../core/canonical-json';
import { rolesAllow } from '../core/rbac';
import { clockNs, type Clock } from '../ports/clock';
import type { IdSource } from '../ports/ids';
import type { PasswordHasher } from '../ports/password';
import type { Storage, StorageTx } from '../ports/storage';
import type { Approved, CommandEnv, CommandSpec, Context, Outcome, Refusal } from './command';
import { commands } from './commands';
import { describeIssues } from './schemas';
import { applyTransfers } from './ledger';
import { definedOnly } from './commands/ledger';
import { TransferFlags, type CreateTransferResult, type TransferEvent } from '../core/ledger';

export type Commands = typeof commands;
export type CommandName = keyof Commands;
type SpecOf<N extends CommandName> = Commands[N];
export type CommandInput<N extends CommandName> = SpecOf<N> extends CommandSpec<infer S, unknown, string> ? z.input<S> : never;
export type CommandValue<N extends CommandName> = SpecOf<N> extends CommandSpec<z.ZodType, infer V, string> ? V : never;
export type CommandCode<N extends CommandName> = SpecOf<N> extends CommandSpec<z.ZodType, unknown, infer C> ? C : never;
/** Refusals every command can give, besides its own. */
export type EngineRefusal = 'permission_denied' | 'invalid_input' | 'unknown_command' | 'approval_required' | (string & {});
export type CommandResult<N extends CommandName> = Outcome<CommandValue<N>, CommandCode<N> | EngineRefusal>;

export type AuthRefusal = 'session_missing' | 'session_revoked' | 'session_expired' | 'user_disabled';

export interface EngineDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Needed by sign-in and user commands; a host without users (a test of the ledger) may leave it out. */
  readonly passwords?: PasswordHasher;
}

type AnySpec = CommandSpec<z.ZodType, unknown, string>;

/** Raised inside a transaction to roll it back while keeping the refusal for the caller. */
class Rollback {
  constructor(readonly refusal: Refusal) {}
}

/**
 * Runs commands: checks the permission, validates the input, executes in one transaction, and
 * appends every outcome — accepted or refused — to the hash-chained audit log. A refused command
 * changes nothing but the audit log; a command held for approval adds only the approval request.
 */
export class Engine {
  constructor(private readonly deps: EngineDeps) {}

  async execute<N extends CommandName>(name: N, input: CommandInput<N>, ctx: Context): Promise<CommandResult<N>> {
    return (await this.executeAny(name, input, ctx)) as CommandResult<N>;
  }

  /**
   * The context a bearer token stands for: the session must exist, be unexpired and unrevoked, and
   * its user active. Roles are read from the user now, so a role change applies at once.
   */
  async authenticate(token: string | undefined, deviceId?: string): Promise<Outcome<Context, AuthRefusal>> {
    if (token === undefined || token === '') return { ok: false, code: 'session_missing', message: 'Sign in first: no bearer token was sent.' };
    const sessionId = tokenDigest(token);
    const nowMs = this.deps.clock.nowMs();
    return this.deps.storage.read(async (tx): Promise<Outcome<Context, AuthRefusal>> => {
      const session = await tx.banking.get('session', sessionId);
      if (session === undefined) return { ok: false, code: 'session_missing', message: 'The session is unknown; sign in again.' };
      if (session.revokedAtMs !== null) return { ok: false, code: 'session_revoked', message: 'You signed out of this session; sign in again.' };
      if (session.expiresAtMs <= nowMs) return { ok: false, code: 'session_expired', message: 'The session has expired; sign in again.' };
      const user = await tx.banking.get('user', session.userId);
      if (user === undefined || user.status !== 'active') return { ok: false, code: 'user_disabled', message: 'This user is disabled.' };
      return { ok: true, value: { actor: user.id, roles: user.roles, deviceId: deviceId ?? session.deviceId, sessionId } };
    });
  }

  /**
   * Many `ledger.create_transfers` requests, from many callers, in one database transaction: one
   * ledger batch, one audit record per request. This is how the server turns concurrent single
   * transfers into shared commits. Each request is checked and validated on its own; a request
   * whose last event leaves a linked chain open runs apart, so a chain never spans two callers.
   */
  async createTransfersGrouped(
    requests: ReadonlyArray<{ readonly ctx: Context; readonly input: unknown }>,
  ): Promise<Array<Outcome<{ results: CreateTransferResult[] }, string>>> {
    const nowMs = this.deps.clock.nowMs();
    const name = 'ledger.create_transfers';
    const spec = commands[name];
    const outcomes: Array<Outcome<{ results: CreateTransferResult[] }, string>> = new Array(requests.length);
    const accepted: Array<{ index: number; events: TransferEvent[]; detail: AuditEntry['detail'] }> = [];
    const refused: Array<{ index: number; refusal: Refusal }> = [];
    requests.forEach(({ ctx, input }, index) => {
      if (!rolesAllow(ctx.roles, spec.permission)) {
        refused.push({ index, refusal: { ok: false, code: 'permission_denied', message: `Your roles (${ctx.roles.join(', ') || 'none'}) do not grant ${spec.permission}.` } });
        return;
      }
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) {
        const { code, message, issues } = describeIssues(parsed.error);
        refused.push({ index, refusal: { ok: false, code, message, details: { issues } } });
        return;
      }
      const events = parsed.data.transfers.map(definedOnly) as TransferEvent[];
      accepted.push({ index, events, detail: jsonSafe(spec.audit!(parsed.data)) as AuditEntry['detail'] });
    });
    await this.deps.storage.transaction(async (tx) => {
      const nowNs = clockNs({ nowMs: () => nowMs });
      const shared = accepted.filter((request) => !leavesChainOpen(request.events));
      const apart = accepted.filter((request) => leavesChainOpen(request.events));
      const sharedResults = await applyTransfers(tx.ledger, shared.flatMap((request) => request.events), nowNs);
      let offset = 0;
      for (const request of shared) {
        outcomes[request.index] = { ok: true, value: { results: sharedResults.slice(offset, offset + request.events.length) } };
        offset += request.events.length;
      }
      for (const request of apart) {
        outcomes[request.index] = { ok: true, value: { results: await applyTransfers(tx.ledger, request.events, nowNs) } };
      }
      const entries: AuditEntry[] = [];
      for (const request of accepted) entries.push(auditEntry(requests[request.index]!.ctx, name, nowMs, null, request.detail));
      for (const { index, refusal } of refused) {
        outcomes[index] = refusal;
        entries.push(auditEntry(requests[index]!.ctx, name, nowMs, refusal, {}));
      }
      await appendAuditMany(tx, entries);
    });
    return outcomes;
  }

  /** The same, for callers (a CLI, an HTTP route) that hold the name as a plain string. */
  async executeAny(name: string, input: unknown, ctx: Context): Promise<Outcome<unknown, string>> {
    const nowMs = this.deps.clock.nowMs();
    const spec = (commands as Record<string, AnySpec>)[name];
    if (spec === undefined || !Object.hasOwn(commands, name)) {
      return this.refuseOutside(ctx, name, nowMs, { ok: false, code: 'unknown_command', message: `No command ${name}.` }, {});
    }
    if (!rolesAllow(ctx.roles, spec.permission)) {
      const refusal: Refusal = {
        ok: false,
        code: 'permission_denied',
        message: `Your roles (${ctx.roles.join(', ') || 'none'}) do not grant ${spec.permission}.`,
      };
      return this.refuseOutside(ctx, name, nowMs, refusal, {});
    }
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      const { code, message, issues } = describeIssues(parsed.error);
      return this.refuseOutside(ctx, name, nowMs, { ok: false, code, message, details: { issues } }, {});
    }
    const detail = jsonSafe(spec.audit === undefined ? parsed.data : spec.audit(parsed.data)) as AuditEntry['detail'];
    if (spec.kind === 'read') {
      return this.deps.storage.read((tx) => spec.run(this.env(tx, ctx, nowMs, null), parsed.data));
    }
    return this.write(name, spec, parsed.data, ctx, nowMs, detail, input);
  }

  private async write(
    name: string,
    spec: AnySpec,
    input: unknown,
    ctx: Context,
    nowMs: number,
    detail: AuditEntry['detail'],
    rawInput: unknown,
  ): Promise<Outcome<unknown, string>> {
    try {
      return await this.deps.storage.transaction(async (tx) => {
        const outcome = await spec.run(this.env(tx, ctx, nowMs, null), input);
        if (!outcome.ok && outcome.keep !== true) throw new Rollback(outcome);
        await appendAudit(tx, auditEntry(ctx, name, nowMs, outcome.ok ? null : outcome, detail));
        return outcome.ok ? outcome : withoutKeep(outcome);
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
      if (error.refusal.code === 'approval_required') return this.hold(name, ctx, nowMs, error.refusal, detail, rawInput);
      return this.refuseOutside(ctx, name, nowMs, error.refusal, detail);
    }
  }

  /** Records the request for a supervisor and the refusal, in one transaction. */
  private async hold(
    name: string,
    ctx: Context,
    nowMs: number,
    refusal: Refusal,
    detail: AuditEntry['detail'],
    rawInput: unknown,
  ): Promise<Refusal> {
    const approvalId = this.deps.ids.next();
    const held: Refusal = { ...refusal, details: { ...refusal.details, approvalId } };
    await this.deps.storage.transaction(async (tx) => {
      await tx.banking.put('approval', {
        id: approvalId,
        command: name,
        input: rawInput as Record<string, unknown>,
        reason: refusal.message,
        requestedBy: ctx.actor,
        requestedRoles: [...ctx.roles],
        requestedAtMs: nowMs,
        status: 'pending',
        decidedBy: null,
        decidedAtMs: null,
        note: null,
      });
      await appendAudit(tx, auditEntry(ctx, name, nowMs, held, detail));
    });
    return held;
  }

  private async refuseOutside(ctx: Context, name: string, nowMs: number, refusal: Refusal, detail: AuditEntry['detail']): Promise<Refusal> {
    await this.deps.storage.transaction((tx) => appendAudit(tx, auditEntry(ctx, name, nowMs, refusal, detail)));
    return refusal;
  }

  private env(tx: StorageTx, ctx: Context, nowMs: number, approved: Approved | null): CommandEnv {
    return {
      tx,
      ctx,
      nowMs,
      nowNs: clockNs({ nowMs: () => nowMs }),
      ids: this.deps.ids,
      passwords: this.deps.passwords ?? missingPasswordHasher,
      approved,
      runApproved: (command, input, requester, approval) => this.runApproved(tx, ctx, command, input, requester, approval, nowMs),
    };
  }

  /** A held command, run again as its maker asked, inside the checker's transaction. */
  private async runApproved(
    tx: StorageTx,
    checker: Context,
    name: string,
    input: unknown,
    requester: Context,
    approved: Approved,
    nowMs: number,
  ): Promise<Outcome<unknown, string>> {
    const spec = (commands as Record<string, AnySpec>)[name];
    if (spec === undefined || spec.kind !== 'write') return { ok: false, code: 'unknown_command', message: `No command ${name}.` };
    if (!rolesAllow(checker.roles, spec.permission)) {
      return { ok: false, code: 'checker_lacks_permission', message: `Approving ${name} needs ${spec.permission}, which your roles do not grant.` };
    }
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) return { ok: false, ...describeIssues(parsed.error) };
    const outcome = await spec.run(this.env(tx, requester, nowMs, approved), parsed.data);
    if (outcome.ok) {
      const detail = jsonSafe({ input: parsed.data, approvalId: approved.approvalId, approvedBy: approved.approvedBy });
      await appendAudit(tx, { ...auditEntry(requester, name, nowMs, null, detail as AuditEntry['detail']), outcome: 'ok' });
    }
    return outcome;
  }
}

const missingPasswordHasher: PasswordHasher = {
  hash: () => Promise.reject(new AssertionError('engine wired without a password hasher')),
  verify: () => Promise.reject(new AssertionError('engine wired without a password hasher')),
};

function withoutKeep(refusal: Refusal): Refusal {
  const { keep: _keep, ...rest } = refusal;
  return rest;
}

function auditEntry(ctx: Context, command: string, nowMs: number, refusal: Refusal | null, detail: AuditEntry['detail']): AuditEntry {
  return {
    atMs: nowMs,
    actor: ctx.actor,
    roles: [...ctx.roles],
    deviceId: ctx.deviceId,
    command,
    outcome: refusal === null ? 'ok' : refusal.code,
    detail: refusal === null ? detail : { ...detail, message: refusal.message },
  };
}

async function appendAudit(tx: StorageTx, entry: AuditEntry): Promise<void> {
  await appendAuditMany(tx, [entry]);
}

async function appendAuditMany(tx: StorageTx, entries: readonly AuditEntry[]): Promise<void> {
  let head: { seq: number; hash: string } | undefined = await tx.audit.head();
  for (const entry of entries) {
    const record = chainAuditRecord(head, entry);
    await tx.audit.append(record);
    head = record;
  }
}

function leavesChainOpen(events: readonly TransferEvent[]): boolean {
  return ((events.at(-1)?.flags ?? 0) & TransferFlags.linked) !== 0;
}

/** Makes a value JSON-safe for the audit log: bigint as a decimal string. */
function jsonSafe(value: unknown): JsonValue {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = jsonSafe(item);
    return out;
  }
  return value as JsonValue;
}
