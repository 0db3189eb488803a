import type { z } from 'zod';
import { AssertionError } from '../core/assert';
import type { Id128 } from '../core/ids';
import { chainAuditRecord, type AuditEntry } from '../core/audit';
import { tokenDigest } from './commands/identity';
import type { JsonValue } from '../core/canonical-json';
import { rolesAllow } from '../core/rbac';
import { clockNs, type Clock } from '../ports/clock';
import type { IdSource } from '../ports/ids';
import type { PasswordHasher } from '../ports/password';
import type { Storage, StorageTx } from '../ports/storage';
import type { Approved, CommandEnv, CommandSpec, Context, NestedOptions, Outcome, Refusal, ServerKeys } from './command';
import { commands } from './commands';
import { describeIssues } from './schemas';
import { applyTransfers } from './ledger';
import { batchAudit, definedOnly } from './commands/ledger';
import { TransferFlags, type CreateTransferResult, type TransferEvent } from '../core/ledger';

export type Commands = typeof commands;
export type CommandName = keyof Commands;
type SpecOf<N extends CommandName> = Commands[N];
export type CommandInput<N extends CommandName> = SpecOf<N> extends CommandSpec<infer S, infer _V, infer _C> ? z.input<S> : never;
export type CommandValue<N extends CommandName> = SpecOf<N> extends CommandSpec<infer _S, infer V, infer _C> ? V : never;
export type CommandCode<N extends CommandName> = SpecOf<N> extends CommandSpec<infer _S, infer _V, infer C> ? C : never;
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
  /** The server's sync keys; only the central server has them. */
  readonly serverKeys?: ServerKeys;
  /** Host hooks inside each write's transaction (the workstation's outbox and stand-in limits). */
  readonly hooks?: WriteHooks;
}

/**
 * Run inside a write command's transaction: `before` may refuse it (nothing is written), `after`
 * writes alongside it (an outbox entry commits with the command or not at all).
 */
export interface WriteHooks {
  before?(tx: StorageTx, name: string, input: unknown, ctx: Context, nowMs: number): Promise<Refusal | undefined>;
  after?(tx: StorageTx, name: string, input: unknown, ctx: Context, nowMs: number): Promise<void>;
  /** After a write committed (never inside it): the server tells connected workstations. */
  committed?(name: string, ctx: Context): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of specs of every value type
type AnySpec = CommandSpec<z.ZodType, any, string>;

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
  async authenticate(token: string | undefined, deviceId?: string): Promise<Outcome<Context & { readonly sessionExpiresAtMs: number }, AuthRefusal>> {
    if (token === undefined || token === '') return { ok: false, code: 'session_missing', message: 'Sign in first: no bearer token was sent.' };
    const sessionId = tokenDigest(token);
    const nowMs = this.deps.clock.nowMs();
    return this.deps.storage.read(async (tx): Promise<Outcome<Context & { readonly sessionExpiresAtMs: number }, AuthRefusal>> => {
      const session = await tx.banking.get('session', sessionId);
      if (session === undefined) return { ok: false, code: 'session_missing', message: 'The session is unknown; sign in again.' };
      if (session.revokedAtMs !== null) return { ok: false, code: 'session_revoked', message: 'You signed out of this session; sign in again.' };
      if (session.expiresAtMs <= nowMs) return { ok: false, code: 'session_expired', message: 'The session has expired; sign in again.' };
      const user = await tx.banking.get('user', session.userId);
      if (user === undefined || user.status !== 'active') return { ok: false, code: 'user_disabled', message: 'This user is disabled.' };
      return { ok: true, value: { actor: user.id, roles: user.roles, deviceId: deviceId ?? session.deviceId, sessionId, sessionExpiresAtMs: session.expiresAtMs } };
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
      // Read with the ledger's own loads (one round trip on a pipelining adapter): only writers
      // holding this transaction's lock move the head, so it cannot change before the append.
      const auditHead = tx.audit.head();
      auditHead.catch(() => undefined); // awaited below; a failure before then rolls back without an unhandled rejection
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
      for (const request of accepted) {
        const outcome = outcomes[request.index]!;
        const results = outcome.ok ? outcome.value.results : [];
        const summary = batchAudit(results, request.events.map((event) => event.id));
        const entry = auditEntry(requests[request.index]!.ctx, name, nowMs, null, { ...request.detail, ...summary.detail });
        entries.push({ ...entry, outcome: summary.outcome });
      }
      for (const { index, refusal } of refused) {
        outcomes[index] = refusal;
        entries.push(auditEntry(requests[index]!.ctx, name, nowMs, refusal, {}));
      }
      await appendAuditGroup(tx, await auditHead, entries);
    });
    if (accepted.length > 0) this.deps.hooks?.committed?.(name, requests[accepted[0]!.index]!.ctx);
    return outcomes;
  }

  /**
   * Records a refusal that happened before any command ran (a missing or forged session at the
   * HTTP edge), so invalid access attempts are in the audit log too.
   */
  async recordRefusal(ctx: Context, name: string, refusal: Refusal, detail: AuditEntry['detail'] = {}): Promise<void> {
    await this.refuseOutside(ctx, name, this.deps.clock.nowMs(), refusal, detail);
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
      const committed = await this.deps.storage.transaction(async (tx) => {
        const refused = await this.deps.hooks?.before?.(tx, name, input, ctx, nowMs);
        if (refused !== undefined) throw new Rollback(refused);
        const outcome = await spec.run(this.env(tx, ctx, nowMs, null), input);
        if (!outcome.ok && outcome.keep !== true) throw new Rollback(outcome);
        if (outcome.ok) await this.deps.hooks?.after?.(tx, name, input, ctx, nowMs);
        if (outcome.ok && spec.auditSuccess === false) return outcome;
        const result = outcome.ok ? spec.auditResult?.(outcome.value) : undefined;
        const entry = auditEntry(ctx, name, nowMs, outcome.ok ? null : outcome, result === undefined ? detail : { ...detail, ...result.detail });
        await appendAudit(tx, result === undefined ? entry : { ...entry, outcome: result.outcome });
        return outcome.ok ? outcome : withoutKeep(outcome);
      });
      if (committed.ok) this.deps.hooks?.committed?.(name, ctx);
      return committed;
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

  private env(tx: StorageTx, ctx: Context, nowMs: number, approved: Approved | null, occurredAtMs = nowMs): CommandEnv {
    return {
      tx,
      ctx,
      nowMs,
      nowNs: clockNs({ nowMs: () => nowMs }),
      ids: this.deps.ids,
      passwords: this.deps.passwords ?? missingPasswordHasher,
      approved,
      runApproved: (command, input, requester, approval) => this.runApproved(tx, ctx, command, input, requester, approval, nowMs),
      runNested: (command, input, as, options) => this.runNested(tx, command, input, as, options, nowMs),
      serverKeys: this.deps.serverKeys ?? null,
      occurredAtMs,
    };
  }

  /**
   * Re-runs a queued command on the workstation's books after a pull replaced them: as the teller
   * who did it, at the time they did it, without holding it for approval again (it was approved,
   * or within limits, when it first ran). Audited as a replay.
   */
  async replay(name: string, input: unknown, ctx: Context, occurredAtMs: number): Promise<Outcome<unknown, string>> {
    const nowMs = this.deps.clock.nowMs();
    return this.deps.storage.transaction((tx) =>
      this.runNested(tx, name, input, ctx, { occurredAtMs, approved: { approvalId: 'replay' as Id128, approvedBy: 'outbox-replay' } }, nowMs),
    );
  }

  /** A command run inside another's transaction as someone else, audited on its own (see CommandEnv.runNested). */
  private async runNested(
    tx: StorageTx,
    name: string,
    input: unknown,
    ctx: Context,
    options: NestedOptions,
    nowMs: number,
  ): Promise<Outcome<unknown, string>> {
    const spec = (commands as Record<string, AnySpec>)[name];
    let outcome: Outcome<unknown, string>;
    let detail: AuditEntry['detail'] = {};
    if (spec === undefined || spec.kind !== 'write') outcome = { ok: false, code: 'unknown_command', message: `No command ${name}.` };
    else if (!rolesAllow(ctx.roles, spec.permission)) {
      outcome = { ok: false, code: 'permission_denied', message: `The roles (${ctx.roles.join(', ') || 'none'}) do not grant ${spec.permission}.` };
    } else {
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) outcome = { ok: false, ...describeIssues(parsed.error) };
      else {
        detail = jsonSafe(spec.audit === undefined ? parsed.data : spec.audit(parsed.data)) as AuditEntry['detail'];
        outcome = await spec.run(this.env(tx, ctx, nowMs, options.approved, options.occurredAtMs), parsed.data);
      }
    }
    const audited = { ...detail, occurredAtMs: options.occurredAtMs, ...(options.approved === null ? {} : { approvedBy: options.approved.approvedBy }) };
    await appendAudit(tx, auditEntry(ctx, name, nowMs, outcome.ok ? null : outcome, audited));
    return outcome;
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
    if (outcome.ok) await this.deps.hooks?.after?.(tx, name, parsed.data, requester, nowMs);
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
  await appendAuditGroup(tx, await tx.audit.head(), entries);
}

/** The group's audit records, chained in order and written in one statement: one round trip per group. */
async function appendAuditGroup(tx: StorageTx, head: { seq: number; hash: string } | undefined, entries: readonly AuditEntry[]): Promise<void> {
  let previous = head;
  const records = [];
  for (const entry of entries) {
    const record = chainAuditRecord(previous, entry);
    records.push(record);
    previous = record;
  }
  await tx.audit.appendMany(records);
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
