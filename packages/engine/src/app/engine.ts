import type { z } from 'zod';
import { AssertionError } from '../core/assert';
import type { Id128 } from '../core/ids';
import { chainAuditRecord, type AuditEntry } from '../core/audit';
import type { Approval } from '../core/banking/types';
import { tokenDigest } from './commands/identity';
import type { JsonValue } from '../core/canonical-json';
import { admit, admitCaller, commandPolicies, type Admission, type AdmissionMode, type PolicyTable } from '../core/policy';
import { clockNs, type Clock } from '../ports/clock';
import type { IdSource } from '../ports/ids';
import type { PasswordHasher } from '../ports/password';
import type { PaymentFormats } from '../ports/payment-formats';
import type { CustodyKeys } from '../ports/custody-keys';
import type { AccessRecord, Storage, StorageTx } from '../ports/storage';
import type { CommandEnv, CommandSpec, Context, HoldRequest, NestedOptions, Outcome, Refusal, ServerKeys } from './command';
import { commands } from './commands';
import { describeIssues } from './schemas';
import { applyTransfersGuarded } from './ledger';
import { batchAudit, definedOnly, protectedAccount } from './commands/ledger';
import { TransferFlags, type CreateTransferResult, type TransferEvent } from '../core/ledger';
import { loadFacts, personFacts, recordTallies, type Decided, type RunRequest } from './admission';
import { accessRecordOf } from './access';
import { screeningAlert, screeningRefusal } from './content';
import { describeDecision, monitor, recordDecisions, recordHistory, type Monitored } from './monitoring';
import { checkFraud, describeFraud, recordFraud, recordFraudDecisions, type FraudChecked, type FraudOptions, type PaymentOrigin } from './fraud';
import { openOrJoinCase, sarDueAtMs, screeningQueue } from './cases';
import { memoised } from './tx-memo';

export type Commands = typeof commands;
export type CommandName = keyof Commands;
type SpecOf<N extends CommandName> = Commands[N];
export type CommandInput<N extends CommandName> = SpecOf<N> extends CommandSpec<infer S, infer _V, infer _C> ? z.input<S> : never;
export type CommandValue<N extends CommandName> = SpecOf<N> extends CommandSpec<infer _S, infer V, infer _C> ? V : never;
export type CommandCode<N extends CommandName> = SpecOf<N> extends CommandSpec<infer _S, infer _V, infer C> ? C : never;
/** Refusals every command can give, besides its own. */
export type EngineRefusal = 'permission_denied' | 'invalid_input' | 'unknown_command' | 'approval_required' | (string & {});
export type CommandResult<N extends CommandName> = Outcome<CommandValue<N>, CommandCode<N> | EngineRefusal>;

export type AuthRefusal = 'session_missing' | 'session_revoked' | 'session_expired' | 'user_disabled' | 'session_device_mismatch';

/** How long the grouped path trusts its list of enrolled workstations (as the server trusts a session). */
export const enrolledDevicesTrustMs = 1000;
/** Workstations that list holds at most. */
export const enrolledDevicesReadMax = 10_000;

/** Every command has exactly one policy, and the policy table names no command that does not exist. */
const _everyCommandHasAPolicy: Record<CommandName, unknown> = commandPolicies;
const _everyPolicyHasACommand: Record<keyof typeof commandPolicies, unknown> = commands;
void _everyCommandHasAPolicy;
void _everyPolicyHasACommand;

export interface EngineDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Needed by sign-in and user commands; a host without users (a test of the ledger) may leave it out. */
  readonly passwords?: PasswordHasher;
  /** The server's sync keys; only the central server has them. */
  readonly serverKeys?: ServerKeys;
  /** Host hooks inside each write's transaction (the workstation's outbox). */
  readonly hooks?: WriteHooks;
  /** How this host runs the deployed fraud models (the server: onnxruntime); the engine's scorer by default. */
  readonly fraud?: FraudOptions;
  /** How this host checks the message an outgoing payment makes (the server: the protocols package); none elsewhere. */
  readonly paymentFormats?: PaymentFormats;
  /** The custody keys of customers' digital-asset wallets (the server's); none elsewhere. */
  readonly custodyKeys?: CustodyKeys;
  /**
   * Where this engine runs: the authority (the central server, or a standalone bank such as the
   * command-line demo) decides commands online; an enrolled workstation runs them offline,
   * provisionally, within its stand-in policy. Authority by default.
   */
  readonly host?: 'authority' | 'workstation';
  /** The authorisation policy; the bank's table (core/policy/table.ts) unless a test substitutes one. */
  readonly policies?: PolicyTable;
}

/** What the host learns of a write that is about to commit. */
export interface WriteMeta {
  readonly occurredAtMs: number;
  /** The second person who agreed to it, if any. */
  readonly approvedBy: string | null;
}

/** Run inside a write command's transaction: `after` writes alongside it (an outbox entry commits with the command or not at all). */
export interface WriteHooks {
  after?(tx: StorageTx, name: string, input: unknown, ctx: Context, meta: WriteMeta): Promise<void>;
  /** After a write committed (never inside it): the server tells connected workstations. */
  committed?(name: string, ctx: Context): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of specs of every value type
type AnySpec = CommandSpec<z.ZodType, any, string>;

/** Refusals that record themselves (a case for compliance): a preview that meets one keeps it. */
const recordedRefusals: ReadonlySet<string> = new Set(['sanctions_match', 'monitoring_block', 'fraud_block']);

/** Raised inside a transaction to roll it back while keeping the refusal for the caller. */
class Rollback {
  constructor(
    readonly refusal: Refusal,
    readonly detail: AuditEntry['detail'],
  ) {}
}

/** A command's preview: what would happen, nothing kept. */
export type Preview =
  | { readonly decision: 'allow'; readonly value: unknown }
  | { readonly decision: 'hold'; readonly code: 'approval_required'; readonly message: string; readonly details: Readonly<Record<string, unknown>> }
  | { readonly decision: 'refuse'; readonly code: string; readonly message: string; readonly details?: Readonly<Record<string, unknown>> };

class PreviewRollback {
  constructor(readonly preview: Preview) {}
}

function previewOf(ran: Ran): Preview {
  switch (ran.kind) {
    case 'refused':
    case 'failed':
      return { decision: 'refuse', code: ran.refusal.code, message: ran.refusal.message, ...(ran.refusal.details === undefined ? {} : { details: ran.refusal.details }) };
    case 'held':
      return { decision: 'hold', code: 'approval_required', message: ran.admission.message, details: { basis: ran.admission.basis, checker: ran.admission.checker, limit: ran.admission.limit } };
    case 'done':
      return { decision: 'allow', value: ran.value };
  }
}

/** What came of one command inside a transaction, before the caller commits or rolls back. */
type Ran =
  /** Refused before it ran (admission, invalid input): nothing was written. */
  | { readonly kind: 'refused'; readonly refusal: Refusal; readonly detail: AuditEntry['detail'] }
  /** Needs a second person: nothing was written yet. */
  | {
      readonly kind: 'held';
      readonly admission: Extract<Admission, { kind: 'hold' }>;
      readonly input: JsonValue;
      readonly detail: AuditEntry['detail'];
      readonly decided: Decided;
      /** Held by the live scenario for compliance: its decisions and case are kept with the hold. */
      readonly monitored?: Monitored;
      /** Held by the fraud model for review: its decisions and case are kept with the hold. */
      readonly fraud?: FraudChecked;
    }
  /** Ran and refused. */
  | { readonly kind: 'failed'; readonly refusal: Refusal; readonly detail: AuditEntry['detail'] }
  | { readonly kind: 'done'; readonly value: unknown; readonly spec: AnySpec; readonly parsed: unknown; readonly detail: AuditEntry['detail']; readonly approvedBy: string | null };

/**
 * Runs commands, every one through the same path: the policy table admits it (permission, scope,
 * limits, second person, where it may run) against the caller and the books; the input is
 * validated; it executes in one transaction; and every outcome — accepted, held or refused — is
 * appended to the hash-chained audit log. A refused command changes nothing but the audit log; a
 * command held for a second person adds only the approval request.
 */
export class Engine {
  private readonly host: 'authority' | 'workstation';
  private readonly policies: PolicyTable;
  private enrolled: { readonly ids: ReadonlySet<string>; readonly readAtMs: number } | null = null;

  constructor(private readonly deps: EngineDeps) {
    this.host = deps.host ?? 'authority';
    this.policies = deps.policies ?? commandPolicies;
  }

  async execute<N extends CommandName>(name: N, input: CommandInput<N>, ctx: Context): Promise<CommandResult<N>> {
    return (await this.executeAny(name, input, ctx)) as CommandResult<N>;
  }

  /** The same, for callers (a CLI, an HTTP route) that hold the name as a plain string. */
  async executeAny(name: string, input: unknown, ctx: Context): Promise<Outcome<unknown, string>> {
    const nowMs = this.deps.clock.nowMs();
    const request: RunRequest = {
      name,
      ctx,
      mode: this.hostMode(),
      maker: { from: 'context', ctx },
      checker: null,
      occurredAtMs: nowMs,
      device: null,
    };
    return this.runTop(request, input, nowMs);
  }

  /**
   * What the policy and the books would answer to this command now, without keeping anything: the
   * command is admitted and run exactly as `execute` would, inside a transaction that is always rolled
   * back. A screen shows this before the teller confirms (held, refused, the rate, the balance after).
   * A read is not previewed (it changes nothing; run it).
   */
  async preview(name: string, input: unknown, ctx: Context): Promise<Preview> {
    const nowMs = this.deps.clock.nowMs();
    const request: RunRequest = { name, ctx, mode: this.hostMode(), maker: { from: 'context', ctx }, checker: null, occurredAtMs: nowMs, device: null };
    if (specOf(name)?.kind !== 'write') return { decision: 'refuse', code: 'not_previewable', message: 'Only a command that changes the books is previewed.' };
    try {
      const kept = await this.deps.storage.transaction(async (tx) => {
        const ran = await this.runInside(tx, request, input, nowMs);
        // Trying to pay a listed party, or a payment monitoring blocks, is on the record the moment
        // the counter tries it: that refusal and its case are kept (nothing else is, nothing moves).
        if (ran.kind === 'failed' && ran.refusal.keep === true && recordedRefusals.has(ran.refusal.code)) return this.settleTop(tx, ran, request, nowMs);
        throw new PreviewRollback(previewOf(ran));
      });
      if (kept.ok) throw new AssertionError(`the preview of ${name} committed a success`);
      return { decision: 'refuse', code: kept.code, message: kept.message, ...(kept.details === undefined ? {} : { details: kept.details }) };
    } catch (error) {
      if (error instanceof PreviewRollback) return error.preview;
      throw error;
    }
  }

  /**
   * The context a bearer token stands for: the session must exist, be unexpired and unrevoked, and
   * its user active; a session is bound to the device it was made on. Roles are read from the user
   * now, so a role change applies at once.
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
      if (deviceId !== undefined && deviceId !== session.deviceId) {
        return { ok: false, code: 'session_device_mismatch', message: 'This session was made on another device; sign in on this one.' };
      }
      const user = await tx.banking.get('user', session.userId);
      if (user === undefined || user.status !== 'active') return { ok: false, code: 'user_disabled', message: 'This user is disabled.' };
      return { ok: true, value: { actor: user.id, roles: user.roles, deviceId: session.deviceId, sessionId, sessionExpiresAtMs: session.expiresAtMs } };
    });
  }

  /**
   * Many `ledger.create_transfers` requests, from many callers, in one database transaction: one
   * ledger batch, one audit record per request. This is how the server turns concurrent single
   * transfers into shared commits. Each request is admitted and validated on its own; a request
   * whose last event leaves a linked chain open runs apart, so a chain never spans two callers.
   */
  async createTransfersGrouped(
    requests: ReadonlyArray<{ readonly ctx: Context; readonly input: unknown }>,
  ): Promise<Array<Outcome<{ results: CreateTransferResult[] }, string>>> {
    const nowMs = this.deps.clock.nowMs();
    const name = 'ledger.create_transfers';
    const spec = commands[name];
    const policy = this.policies[name];
    const outcomes: Array<Outcome<{ results: CreateTransferResult[] }, string>> = new Array(requests.length);
    const accepted: Array<{ index: number; events: TransferEvent[]; detail: AuditEntry['detail'] }> = [];
    const refused: Array<{ index: number; refusal: Refusal }> = [];
    const workstations = await this.workstationSessions(requests.map(({ ctx }) => ctx));
    requests.forEach(({ ctx, input }, index) => {
      // The grouped path's policy needs no facts from the books but where the session was made: the caller's own standing decides.
      const caller = { id: ctx.actor, roles: ctx.roles, status: 'active' as const, branchId: null, onDevice: null };
      const viaWorkstation = workstations.has(ctx.deviceId) && ctx.sessionId !== undefined;
      const admission = admitCaller(policy, { command: name, kind: 'write', mode: this.hostMode(), host: this.host, caller, viaWorkstation }) ?? admit(policy, soloFacts(name, this.hostMode(), this.host, caller));
      if (admission.kind !== 'allow') {
        refused.push({ index, refusal: { ok: false, code: admission.code, message: admission.message } });
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
      const applied = await applyTransfersGuarded(tx.ledger, [shared.map((request) => request.events), ...apart.map((request) => [request.events])], nowNs, protectedAccount);
      const [sharedResults, ...apartResults] = applied;
      shared.forEach((request, position) => {
        outcomes[request.index] = sharedResults![position]!;
      });
      apart.forEach((request, position) => {
        outcomes[request.index] = apartResults[position]![0]!;
      });
      const entries: AuditEntry[] = [];
      for (const request of accepted) {
        const outcome = outcomes[request.index]!;
        if (!outcome.ok) {
          entries.push(auditEntry(requests[request.index]!.ctx, name, nowMs, outcome, request.detail));
          continue;
        }
        const summary = batchAudit(outcome.value.results, request.events.map((event) => event.id));
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

  /**
   * Re-applies a queued command on the workstation's books after a pull replaced them, as the teller
   * who did it at the time they did it, with the approval it had at the counter: admitted again
   * offline (the server will decide it once more). Audited as a replay.
   */
  async replay(name: string, input: unknown, ctx: Context, occurredAtMs: number, approvedBy: string | null = null): Promise<Outcome<unknown, string>> {
    const nowMs = this.deps.clock.nowMs();
    return this.deps.storage.transaction(async (tx) => {
      const request: RunRequest = {
        name,
        ctx,
        mode: this.hostMode(),
        maker: { from: 'context', ctx },
        checker: approvedBy === null ? null : { from: 'books', userId: approvedBy },
        occurredAtMs,
        device: null,
      };
      const ran = await this.runInside(tx, request, input, nowMs);
      // Held again after the pull: it stays queued as it is; the server decides it when it arrives.
      return this.auditNested(tx, ran, request, nowMs, 'return');
    });
  }

  /**
   * The enrolled workstations, for the grouped path (which reads nothing else from the books before
   * it writes): read at most once per `enrolledDevicesTrustMs`, as sessions are trusted for a second.
   */
  private async workstationSessions(contexts: readonly Context[]): Promise<ReadonlySet<string>> {
    if (!contexts.some((ctx) => ctx.sessionId !== undefined)) return new Set();
    const nowMs = this.deps.clock.nowMs();
    if (this.enrolled === null || nowMs - this.enrolled.readAtMs >= enrolledDevicesTrustMs || nowMs < this.enrolled.readAtMs) {
      const devices = await this.deps.storage.read((tx) => tx.banking.list('device', '', enrolledDevicesReadMax));
      this.enrolled = { ids: new Set(devices.map((device) => device.id)), readAtMs: nowMs };
    }
    return this.enrolled.ids;
  }

  private hostMode(): AdmissionMode {
    return this.host === 'workstation' ? 'offline' : 'online';
  }

  /** One command from the host, in its own transaction (a write) or snapshot (a read). */
  private async runTop(request: RunRequest, input: unknown, nowMs: number): Promise<Outcome<unknown, string>> {
    const spec = specOf(request.name);
    if (spec?.kind === 'read') return this.read(request, input, nowMs);
    try {
      const committed = await this.deps.storage.transaction(async (tx) => {
        const ran = await this.runInside(tx, request, input, nowMs);
        return this.settleTop(tx, ran, request, nowMs);
      });
      if (committed.ok) this.deps.hooks?.committed?.(request.name, request.ctx);
      return committed;
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
      return this.refuseOutside(request.ctx, request.name, nowMs, error.refusal, error.detail);
    }
  }

  /** Inside the top-level transaction: commit what ran (with its audit record), keep a hold, or roll back a refusal. */
  private async settleTop(tx: StorageTx, ran: Ran, request: RunRequest, nowMs: number): Promise<Outcome<unknown, string>> {
    switch (ran.kind) {
      case 'refused':
        throw new Rollback(ran.refusal, ran.detail);
      case 'failed': {
        if (ran.refusal.keep !== true) throw new Rollback(ran.refusal, ran.detail);
        const refusal = withoutKeep(ran.refusal);
        await appendAudit(tx, auditEntry(request.ctx, request.name, nowMs, refusal, ran.detail));
        await this.reportRefusalOffline(tx, request, refusal);
        return refusal;
      }
      case 'held': {
        const hold = ran.admission;
        const approvalId = await this.recordHold(tx, request, ran.input, {
          reason: hold.message,
          basis: hold.basis,
          mode: request.mode,
          occurredAtMs: request.occurredAtMs,
          branchId: ran.decided.facts.subject?.branchId ?? ran.decided.facts.caller.branchId,
        });
        const caseNumber = await this.keepMonitoringHold(tx, ran, request, nowMs, approvalId);
        const held: Refusal = {
          ok: false,
          code: 'approval_required',
          message: hold.message,
          details: { approvalId, basis: hold.basis, checker: hold.checker, limit: hold.limit, ...(caseNumber === null ? {} : { caseNumber }) },
        };
        await appendAudit(tx, auditEntry(request.ctx, request.name, nowMs, held, ran.detail));
        return held;
      }
      case 'done': {
        await this.deps.hooks?.after?.(tx, request.name, ran.parsed, request.ctx, { occurredAtMs: request.occurredAtMs, approvedBy: ran.approvedBy });
        if (ran.spec.auditSuccess === false) return { ok: true, value: ran.value };
        const result = ran.spec.auditResult?.(ran.value);
        const detail = result === undefined ? ran.detail : { ...ran.detail, ...result.detail };
        const approvedDetail = ran.approvedBy === null ? detail : { ...detail, approvedBy: ran.approvedBy };
        const entry = auditEntry(request.ctx, request.name, nowMs, null, approvedDetail);
        await appendAudit(tx, result === undefined ? entry : { ...entry, outcome: result.outcome });
        return { ok: true, value: ran.value };
      }
    }
  }

  /** A read: admitted like any command, run on a consistent snapshot; a read of customer data is logged. */
  private async read(request: RunRequest, input: unknown, nowMs: number): Promise<Outcome<unknown, string>> {
    const ran = await this.deps.storage.read((tx) => this.runInside(tx, request, input, nowMs));
    if (ran.kind === 'refused' || ran.kind === 'failed') return this.refuseOutside(request.ctx, request.name, nowMs, ran.refusal, ran.detail);
    if (ran.kind === 'held') throw new AssertionError(`the policy holds the read ${request.name}`);
    if (this.policies[request.name]?.accessLogged === true) {
      await this.deps.storage.appendAccess([accessRecordOf(request.name, request.ctx, nowMs, ran.parsed, ran.value)]);
    }
    return { ok: true, value: ran.value };
  }

  /**
   * The one pipeline every command goes through, inside the caller's transaction: the caller's
   * standing and the permission, the input, the facts the policy needs, the decision, and — when
   * admitted — the command itself and the day's tallies. Writes nothing unless the command runs.
   */
  private async runInside(outer: StorageTx, request: RunRequest, input: unknown, nowMs: number): Promise<Ran> {
    const tx = memoised(outer);
    const spec = specOf(request.name);
    const policy = this.policies[request.name];
    const device = request.device ?? (this.host === 'workstation' ? await workstationDevice(tx) : null);
    const located: RunRequest = { ...request, device };
    const caller = await personFacts(tx, located.maker, located);
    // A person's session made on an enrolled branch workstation (a device's own signature is no session).
    const where = located.whereCtx ?? located.ctx;
    const viaWorkstation = located.mode === 'online' && where.sessionId !== undefined && (await tx.banking.get('device', where.deviceId)) !== undefined;
    const early = admitCaller(spec === undefined ? undefined : policy, { command: request.name, kind: spec?.kind ?? 'write', mode: located.mode, host: this.host, caller, viaWorkstation });
    if (early !== null && early.kind === 'refuse') return { kind: 'refused', refusal: { ok: false, code: early.code, message: early.message }, detail: {} };
    const parsed = spec!.input.safeParse(input);
    if (!parsed.success) {
      const { code, message, issues } = describeIssues(parsed.error);
      return { kind: 'refused', refusal: { ok: false, code, message, details: { issues } }, detail: {} };
    }
    const detail = jsonSafe(spec!.audit === undefined ? parsed.data : spec!.audit(parsed.data)) as AuditEntry['detail'];
    const guarded = spec!.guard?.(located.ctx, parsed.data) ?? null;
    if (guarded !== null) return { kind: 'refused', refusal: guarded, detail };
    const env = this.env(tx, located.ctx, nowMs, located.occurredAtMs);
    const decided = await loadFacts(env, spec!, policy!, located, parsed.data, this.host, caller, viaWorkstation);
    const admission = admit(policy, decided.facts);
    if (admission.kind === 'refuse') return { kind: 'refused', refusal: { ok: false, code: admission.code, message: admission.message }, detail };
    const partiesOf = spec!.parties;
    const monitoredOf = spec!.monitored;
    // Monitoring only reads until the command runs: its reads go out beside screening's (one round trip, not two).
    const candidates = monitoredOf === undefined || admission.kind === 'hold' ? null : monitoredOf(env, parsed.data);
    const monitoring = candidates === null ? Promise.resolve(null) : monitor(tx, () => candidates);
    monitoring.catch(() => undefined); // awaited below; a refusal before then must not leave it unhandled
    // The fraud model reads the same candidates and its own state, beside the rules.
    const fraudChecking = candidates === null ? Promise.resolve(null) : candidates.then((found) => checkFraud(tx, found, originOf(parsed.data), this.deps.fraud ?? {}));
    fraudChecking.catch(() => undefined);
    const screened = partiesOf === undefined ? null : await screeningRefusal(tx, () => partiesOf(env, parsed.data));
    if (screened !== null) {
      await monitoring.catch(() => null);
      await fraudChecking.catch(() => null);
      return this.screeningRefused(tx, located, screened, detail, nowMs);
    }
    if (admission.kind === 'hold') {
      const impossible = (await spec!.precheck?.(env, parsed.data)) ?? null;
      if (impossible !== null) return { kind: 'refused', refusal: impossible, detail };
      return { kind: 'held', admission, input: jsonSafe(parsed.data), detail, decided };
    }
    const [monitored, checkedFraud] = await Promise.all([monitoring, fraudChecking]);
    // A payment compliance released was decided by a person: the model does not hold or block it again.
    const fraud = located.releasedBy === undefined ? checkedFraud : null;
    if (monitored?.outcome === 'block') return this.monitoringBlocked(tx, located, monitored, detail, nowMs);
    if (fraud?.outcome === 'block') return this.fraudBlocked(tx, located, fraud, detail, nowMs);
    const heldByRules = monitored?.outcome === 'hold' && located.releasedBy === undefined;
    const heldByModel = fraud?.outcome === 'review';
    if (heldByRules || heldByModel) {
      const impossible = (await spec!.precheck?.(env, parsed.data)) ?? null;
      if (impossible !== null) return { kind: 'refused', refusal: impossible, detail };
      const reasons = [
        ...(heldByRules ? monitored!.live.filter((decision) => decision.outcome === 'hold').map(describeDecision) : []),
        ...(heldByModel ? fraud!.live.filter((score) => score.outcome === 'review').map(describeFraud) : []),
      ].join('; ');
      const message = `Held for compliance review before it posts: ${reasons}. A compliance officer decides it; nothing has moved yet.`;
      return {
        kind: 'held',
        admission: { kind: 'hold', code: 'approval_required', basis: 'monitoring', checker: 'compliance.review', limit: null, message },
        input: jsonSafe(parsed.data),
        detail,
        decided,
        // Whatever either decided is kept with the hold (a CTR alert beside a model's hold, the challenger's shadow beside the rules' hold): a release records neither again.
        ...(monitored === null ? {} : { monitored }),
        ...(fraud === null ? {} : { fraud }),
      };
    }
    const outcome = await spec!.run({ ...env, approvedBy: admission.approvedBy }, parsed.data);
    if (!outcome.ok) return { kind: 'failed', refusal: outcome, detail };
    if (spec!.kind === 'write') await recordTallies(tx, policy!, located, decided, admission.countsTowardLimit);
    if (monitored !== null) {
      await recordHistory(tx, monitored);
      // A hold compliance released was recorded when it was held; the release is on its case.
      if (located.releasedBy === undefined) await recordDecisions(tx, monitored, { ids: this.deps.ids, command: located.name, nowMs, actor: located.ctx.actor });
    }
    if (checkedFraud !== null) {
      await recordFraud(tx, checkedFraud);
      if (located.releasedBy === undefined) await recordFraudDecisions(tx, checkedFraud, { ids: this.deps.ids, command: located.name, nowMs, actor: located.ctx.actor });
    }
    return { kind: 'done', value: outcome.value, spec: spec!, parsed: parsed.data, detail, approvedBy: admission.approvedBy };
  }

  /**
   * A party matched a sanctions list: nothing runs, and compliance gets a case with the hit's
   * evidence (kept although the command is refused: it records the refusal itself).
   */
  private async screeningRefused(tx: StorageTx, request: RunRequest, screened: NonNullable<Awaited<ReturnType<typeof screeningRefusal>>>, detail: AuditEntry['detail'], nowMs: number): Promise<Ran> {
    if (screened.hit === null || specOf(request.name)?.kind !== 'write') return { kind: 'refused', refusal: screened.refusal, detail };
    const { party, match } = screened.hit;
    const customer = party.customerId === undefined ? undefined : await tx.banking.get('customer', party.customerId);
    const opened = await openOrJoinCase(tx, this.deps.ids, {
      queue: screeningQueue,
      title: `Sanctions hit: ${party.name} matches ${match.matchedName} (${match.listId} ${match.entryId}) on ${request.name}`,
      branchId: customer?.branchId ?? request.device?.branchId ?? null,
      customerId: customer?.id ?? null,
      partyName: customer === undefined ? party.name : null,
      alerts: [screeningAlert(request.name, screened.hit, request.occurredAtMs)],
      transactionIds: [],
      dueAtMs: sarDueAtMs(nowMs),
      nowMs,
      actor: request.ctx.actor,
    });
    const who = customer === undefined ? { partyName: party.name } : { customerId: customer.id, partyName: party.name };
    const refusal: Refusal = { ...screened.refusal, details: { ...screened.refusal.details, ...who, caseId: opened.id, caseNumber: opened.number }, keep: true };
    return { kind: 'failed', refusal, detail };
  }

  /** The fraud model blocks it: refused before it posts, the decisions, reasons and the case kept. */
  private async fraudBlocked(tx: StorageTx, request: RunRequest, fraud: FraudChecked, detail: AuditEntry['detail'], nowMs: number): Promise<Ran> {
    const cases = await recordFraudDecisions(tx, fraud, { ids: this.deps.ids, command: request.name, nowMs, actor: request.ctx.actor });
    const blocked = fraud.live.filter((score) => score.outcome === 'block');
    const numbers = [...new Set(cases.map((opened) => opened.number))];
    const refusal: Refusal = {
      ok: false,
      code: 'fraud_block',
      message: `Blocked as likely fraud: ${blocked.map(describeFraud).join('; ')}. Nothing was done; compliance has case ${numbers.join(', ')}.`,
      details: {
        caseNumbers: numbers,
        probability: Math.max(...blocked.map((score) => score.probability ?? 0)),
        modelVersion: blocked[0]!.modelVersion,
        reasons: blocked[0]!.reasons.map((reason) => reason.words),
        customerId: blocked[0]!.event.customerId,
      },
      keep: true,
    };
    return { kind: 'failed', refusal, detail };
  }

  /** The live scenario blocks it: refused before it posts, the decisions and the case kept. */
  private async monitoringBlocked(tx: StorageTx, request: RunRequest, monitored: Monitored, detail: AuditEntry['detail'], nowMs: number): Promise<Ran> {
    const cases = await recordDecisions(tx, monitored, { ids: this.deps.ids, command: request.name, nowMs, actor: request.ctx.actor });
    const blocked = monitored.live.filter((decision) => decision.outcome === 'block');
    const numbers = [...new Set(cases.map((opened) => opened.number))];
    const refusal: Refusal = {
      ok: false,
      code: 'monitoring_block',
      message: `Blocked by transaction monitoring: ${blocked.map(describeDecision).join('; ')}. Nothing was done; compliance has case ${numbers.join(', ')}.`,
      details: {
        caseNumbers: numbers,
        rules: blocked.flatMap((decision) => decision.hits.map((hit) => hit.ruleId)),
        score: Math.max(...blocked.map((decision) => decision.score)),
        ...(monitored.candidates[0] === undefined ? {} : { customerId: monitored.candidates[0].customerId }),
      },
      keep: true,
    };
    return { kind: 'failed', refusal, detail };
  }

  /**
   * A workstation that refused a payment for compliance (a sanctions hit, a monitoring block) keeps
   * its own case and queues a report of it, so the server's compliance officers see it too.
   */
  private async reportRefusalOffline(tx: StorageTx, request: RunRequest, refusal: Refusal): Promise<void> {
    if (this.host !== 'workstation' || !recordedRefusals.has(refusal.code)) return;
    const { caseId: _caseId, caseNumber: _caseNumber, caseNumbers: _caseNumbers, customerId, partyName, ...details } = refusal.details ?? {};
    const input = {
      reportId: this.deps.ids.next(),
      command: request.name,
      code: refusal.code,
      message: refusal.message,
      ...(typeof customerId === 'string' ? { customerId } : {}),
      ...(typeof partyName === 'string' ? { partyName } : {}),
      details,
    };
    await this.deps.hooks?.after?.(tx, 'compliance.report_refusal', input, request.ctx, { occurredAtMs: request.occurredAtMs, approvedBy: null });
  }

  /** A hold for compliance, once its approval is recorded: the decisions and the case point at it. */
  private async keepMonitoringHold(tx: StorageTx, ran: Extract<Ran, { kind: 'held' }>, request: RunRequest, nowMs: number, approvalId: string | undefined): Promise<string | null> {
    const context = { ids: this.deps.ids, command: request.name, nowMs, actor: request.ctx.actor, ...(approvalId === undefined ? {} : { approvalId }) };
    const cases = ran.monitored === undefined ? [] : await recordDecisions(tx, ran.monitored, context);
    const fraudCases = ran.fraud === undefined ? [] : await recordFraudDecisions(tx, ran.fraud, context);
    return cases[0]?.number ?? fraudCases[0]?.number ?? null;
  }

  private env(tx: StorageTx, ctx: Context, nowMs: number, occurredAtMs = nowMs): CommandEnv {
    return {
      tx,
      ctx,
      nowMs,
      nowNs: clockNs({ nowMs: () => nowMs }),
      ids: this.deps.ids,
      passwords: this.deps.passwords ?? missingPasswordHasher,
      runApproved: (approval) => this.runApproved(tx, ctx, approval, nowMs),
      runNested: (command, input, as, options) => this.runNested(tx, command, input, as, options, nowMs),
      serverKeys: this.deps.serverKeys ?? null,
      occurredAtMs,
      approvedBy: null,
      policyOf: (command) => this.policies[command],
      paymentFormats: this.deps.paymentFormats ?? null,
      custodyKeys: this.deps.custodyKeys ?? null,
      host: this.host,
      requestApproval:
        this.host === 'workstation'
          ? null
          : (command, input, reason) => this.recordHold(tx, { name: command, ctx }, input, { reason, basis: 'always', mode: 'online', occurredAtMs, branchId: null }),
    };
  }

  /**
   * A workstation's command replayed from its signed batch, inside the push's transaction: decided
   * again as if sent online, with the teller's standing now, the server's stand-in policy and
   * tallies. A second person the counter names is recorded but not taken as one (the batch is the
   * workstation's signature, not theirs). Audited on its own; a hold comes back as
   * `approval_required` for the push to settle (hold or compensate).
   */
  private async runNested(tx: StorageTx, name: string, input: unknown, ctx: Context, options: NestedOptions, nowMs: number): Promise<Outcome<unknown, string>> {
    const request: RunRequest = {
      name,
      ctx,
      mode: 'replay',
      maker: { from: 'books', userId: ctx.actor },
      checker: null,
      occurredAtMs: options.occurredAtMs,
      device: options.device,
    };
    const ran = await this.runInside(tx, request, input, nowMs);
    return this.auditNested(tx, ran, request, nowMs, options.onHold, options.counterApprovedBy);
  }

  private async auditNested(tx: StorageTx, ran: Ran, request: RunRequest, nowMs: number, onHold: NestedOptions['onHold'], counterApprovedBy: string | null = null): Promise<Outcome<unknown, string>> {
    const approvedBy = ran.kind === 'done' ? ran.approvedBy : null;
    const audited = {
      ...ran.detail,
      occurredAtMs: request.occurredAtMs,
      ...(approvedBy === null ? {} : { approvedBy }),
      ...(counterApprovedBy === null ? {} : { counterApprovedBy }),
    };
    let outcome: Outcome<unknown, string>;
    if (ran.kind === 'done') outcome = { ok: true, value: ran.value };
    else if (ran.kind !== 'held') outcome = ran.refusal;
    else {
      const hold = ran.admission;
      const details: Record<string, JsonValue> = { basis: hold.basis, checker: hold.checker, limit: hold.limit };
      if (onHold === 'record') {
        const branchId = ran.decided.facts.subject?.branchId ?? request.device?.branchId ?? null;
        details.approvalId = await this.recordHold(tx, request, ran.input, { reason: hold.message, basis: hold.basis, mode: request.mode, occurredAtMs: request.occurredAtMs, branchId });
      }
      const caseNumber = await this.keepMonitoringHold(tx, ran, request, nowMs, onHold === 'record' ? String(details.approvalId) : undefined);
      if (caseNumber !== null) details.caseNumber = caseNumber;
      outcome = { ok: false, code: 'approval_required', message: hold.message, details };
    }
    if (ran.kind === 'done') await this.deps.hooks?.after?.(tx, request.name, ran.parsed, request.ctx, { occurredAtMs: request.occurredAtMs, approvedBy });
    await appendAudit(tx, auditEntry(request.ctx, request.name, nowMs, outcome.ok ? null : outcome, audited));
    return outcome;
  }

  /**
   * A held command, run on a second person's approval inside the checker's transaction: admitted
   * again against the maker's standing now (a maker disabled since is refused), with the checker
   * as the second person. Nothing is recorded if it fails; the request stays pending.
   */
  private async runApproved(tx: StorageTx, checker: Context, approval: Approval, nowMs: number): Promise<Outcome<unknown, string>> {
    const ctx: Context = { actor: approval.requestedBy, roles: approval.requestedRoles, deviceId: approval.deviceId };
    // Compliance releasing a monitoring hold is not the second person of the policy: whoever was (a
    // supervisor who approved it over a limit before it was held) still is.
    const release = approval.basis === 'monitoring';
    const prior = approval.priorCheckerId ?? null;
    const request: RunRequest = {
      name: approval.command,
      ctx,
      mode: this.hostMode(),
      maker: { from: 'books', userId: approval.requestedBy, recordedRoles: approval.requestedRoles },
      checker: release ? (prior === null ? null : { from: 'books', userId: prior }) : { from: 'context', ctx: checker },
      occurredAtMs: nowMs,
      device: null,
      // Where it runs is where the approval is given: a server-only command is not approved from a branch workstation.
      whereCtx: checker,
      ...(release ? { releasedBy: checker.actor } : {}),
    };
    const ran = await this.runInside(tx, request, approval.input, nowMs);
    if (ran.kind === 'refused' || ran.kind === 'failed') return ran.refusal;
    if (ran.kind === 'held' && ran.admission.basis === 'monitoring') {
      // Approved by the supervisor, then held by monitoring: compliance decides it next, the supervisor's approval standing.
      const approvalId = await this.recordHold(tx, request, ran.input, { reason: ran.admission.message, basis: 'monitoring', mode: request.mode, occurredAtMs: approval.occurredAtMs, branchId: approval.branchId }, checker.actor);
      const caseNumber = await this.keepMonitoringHold(tx, ran, request, nowMs, approvalId);
      return { ok: true, value: { heldForCompliance: { approvalId, caseNumber, message: ran.admission.message } } };
    }
    if (ran.kind === 'held') return { ok: false, code: 'approval_required', message: ran.admission.message };
    await this.deps.hooks?.after?.(tx, request.name, ran.parsed, ctx, { occurredAtMs: nowMs, approvedBy: ran.approvedBy });
    await appendAudit(tx, auditEntry(ctx, request.name, nowMs, null, { ...ran.detail, approvalId: approval.id, approvedBy: checker.actor }));
    return { ok: true, value: ran.value };
  }

  /** Records a command for a second person: the parsed input in its wire form, never the raw body. */
  private async recordHold(tx: StorageTx, request: Pick<RunRequest, 'name' | 'ctx'>, input: JsonValue, hold: HoldRequest, priorCheckerId: string | null = null): Promise<Id128> {
    const approvalId = this.deps.ids.next();
    await tx.banking.put('approval', {
      id: approvalId,
      command: request.name,
      input: input as { readonly [key: string]: JsonValue },
      reason: hold.reason,
      basis: hold.basis,
      requestedBy: request.ctx.actor,
      requestedRoles: [...request.ctx.roles],
      requestedAtMs: this.deps.clock.nowMs(),
      mode: hold.mode,
      deviceId: request.ctx.deviceId,
      occurredAtMs: hold.occurredAtMs,
      branchId: hold.branchId,
      status: 'pending',
      decidedBy: null,
      decidedAtMs: null,
      note: null,
      ...(priorCheckerId === null ? {} : { priorCheckerId }),
    });
    return approvalId;
  }

  private async refuseOutside(ctx: Context, name: string, nowMs: number, refusal: Refusal, detail: AuditEntry['detail']): Promise<Refusal> {
    await this.deps.storage.transaction((tx) => appendAudit(tx, auditEntry(ctx, name, nowMs, refusal, detail)));
    return refusal;
  }
}

function specOf(name: string): AnySpec | undefined {
  return Object.hasOwn(commands, name) ? (commands as Record<string, AnySpec>)[name] : undefined;
}

/** The workstation this engine runs on, once it is enrolled. */
async function workstationDevice(tx: StorageTx): Promise<{ id: string; branchId: string } | null> {
  const state = await tx.banking.get('workstation', 'local');
  return state === undefined ? null : { id: state.deviceId, branchId: state.branchId };
}

/** Facts for a command whose policy reads nothing from the books (no scope, no limit). */
function soloFacts(command: string, mode: AdmissionMode, host: 'authority' | 'workstation', caller: Parameters<typeof admit>[1]['caller']): Parameters<typeof admit>[1] {
  return { command, kind: 'write', mode, host, caller, deviceBranchId: null, subject: null, measure: null, limit: null, usedTodayMinor: 0n, standIn: null, checker: null };
}

const missingPasswordHasher: PasswordHasher = {
  hash: () => Promise.reject(new AssertionError('engine wired without a password hasher')),
  verify: () => Promise.reject(new AssertionError('engine wired without a password hasher')),
  verifyNone: () => Promise.reject(new AssertionError('engine wired without a password hasher')),
};

/** Where a payment's instruction came from, as the fraud features see it: the input's origin (a channel that names the device), else the branch counter. */
function originOf(input: unknown): PaymentOrigin {
  const origin = input !== null && typeof input === 'object' ? (input as { origin?: PaymentOrigin }).origin : undefined;
  return origin ?? { channel: 'branch' };
}

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
  await appendAuditGroup(tx, await tx.audit.head(), [entry]);
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

/** Makes a value JSON-safe for the audit log and held requests: bigint as a decimal string. */
export function jsonSafe(value: unknown): JsonValue {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = jsonSafe(item);
    return out;
  }
  return value as JsonValue;
}

export type { AccessRecord };
