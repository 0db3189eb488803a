import { currencyByCode } from '../currencies';
import { formatMoney, formatUnits } from '../money';
import { branchRoles, rolesAllow } from '../rbac';
import type { StandInDecision } from '../sync/stand-in';
import type { CommandPolicy } from './types';

/**
 * How a command reached the engine.
 * - `online`: a person's request on the server (the authority).
 * - `offline`: on a workstation, provisionally, on its own copy of the branch.
 * - `replay`: on the server, from a workstation's signed batch: decided again, as if sent online,
 *   with the stand-in policy the server issued and the server's own tallies.
 */
export type AdmissionMode = 'online' | 'offline' | 'replay';

/** Who asks: as the host authenticated them (online), or as the books know them now (replay, approval). */
export interface Caller {
  readonly id: string;
  readonly roles: readonly string[];
  readonly status: 'active' | 'disabled' | 'unknown';
  /** The branch the user is assigned to; null for the bank's central staff (or a system caller). */
  readonly branchId: string | null;
  /** Offline and replayed: whether the user is registered on the workstation the command came from. */
  readonly onDevice: boolean | null;
}

/** What the command touches, as the books show it now (absent when it does not exist: the command refuses it itself). */
export interface Subject {
  readonly branchId: string | null;
  /** For a till session: whose it is. */
  readonly tellerId?: string | null;
  /** Who made it (registered the customer, enrolled the device). */
  readonly creatorId?: string | null;
  /** Other branches the command reaches (the account a till pays into or out of): each must be in scope too. */
  readonly alsoBranchIds?: readonly string[];
}

/** What the command counts against its limit. */
export interface Measure {
  readonly amountMinor: bigint;
  /** The currency, or for a fixed limit the unit (basis points). */
  readonly currency: string;
  /** Digits after the point when the unit is not an ISO currency (a token at its book scale). */
  readonly exponent?: number;
}

/** A caller's limit for a kind and currency; absent means none, so every amount needs a second person. */
export interface Limit {
  readonly perTransactionMinor: bigint;
  readonly perDayMinor: bigint;
}

export interface AdmissionRequest {
  readonly command: string;
  readonly kind: 'read' | 'write';
  readonly mode: AdmissionMode;
  /** Where the engine runs: the authority (the server, or a standalone bank) or an enrolled workstation. */
  readonly host: 'authority' | 'workstation';
  /** Online: the request comes from a session made on an enrolled branch workstation. */
  readonly viaWorkstation?: boolean;
  readonly caller: Caller;
  /** The branch of the workstation the command came from (offline and replayed). */
  readonly deviceBranchId: string | null;
  readonly subject: Subject | null;
  readonly measure: Measure | null;
  readonly limit: Limit | null;
  /** What the caller already did today on their own authority against this limit. */
  readonly usedTodayMinor: bigint;
  /** Offline and replayed payouts: the stand-in check, against the policy in force when it happened. */
  readonly standIn: StandInDecision | null;
  /** A second person who agreed (a supervisor's approval), if any. */
  readonly checker: Caller | null;
}

export type AdmissionRefusal =
  | 'unknown_command'
  | 'not_replayable'
  | 'not_allowed_offline'
  | 'needs_server'
  | 'server_only'
  | 'user_unknown'
  | 'user_disabled'
  | 'permission_denied'
  | 'user_not_on_device'
  | 'no_branch_assigned'
  | 'out_of_scope'
  | 'session_belongs_to_another_teller'
  | 'checker_must_differ'
  | 'checker_disabled'
  | 'checker_lacks_permission'
  | 'checker_out_of_scope'
  | 'checker_not_on_device';

export type Admission =
  /** Run it. `countsTowardLimit`: on the caller's own authority, so it adds to their day's tally. */
  | { readonly kind: 'allow'; readonly countsTowardLimit: boolean; readonly approvedBy: string | null }
  /** Needs a second person holding `checker`; `limit` names the bound (a limit kind, or the stand-in bound or problem). */
  | { readonly kind: 'hold'; readonly code: 'approval_required'; readonly basis: HoldBasis; readonly checker: string; readonly limit: string | null; readonly message: string }
  | { readonly kind: 'refuse'; readonly code: AdmissionRefusal; readonly message: string };

/** `monitoring`: the live scenario holds it for compliance (decided in the engine, after the policy allowed it). */
export type HoldBasis = 'always' | 'per_transaction' | 'per_day' | 'no_limit' | 'stand_in' | 'monitoring';

const refuse = (code: AdmissionRefusal, message: string): Admission => ({ kind: 'refuse', code, message });

/**
 * The first stage, on the caller alone (before the input is read): where the command may run, the
 * caller's standing, the permission. A caller refused here learns nothing about the input's shape.
 */
export function admitCaller(policy: CommandPolicy | undefined, request: Pick<AdmissionRequest, 'command' | 'kind' | 'mode' | 'host' | 'caller' | 'viaWorkstation'>): Admission | null {
  if (policy === undefined) return refuse('unknown_command', `No command ${request.command}.`);
  const where = whereRefusal(policy, request);
  if (where !== null) return where;
  const { caller } = request;
  if (caller.status === 'unknown') return refuse('user_unknown', `There is no user ${caller.id}.`);
  if (caller.status === 'disabled') return refuse('user_disabled', `The user ${caller.id} is disabled.`);
  if (!rolesAllow(caller.roles, policy.permission)) {
    return refuse('permission_denied', `Your roles (${caller.roles.join(', ') || 'none'}) do not grant ${policy.permission}.`);
  }
  return null;
}

function whereRefusal(policy: CommandPolicy, request: Pick<AdmissionRequest, 'command' | 'kind' | 'mode' | 'host' | 'viaWorkstation'>): Admission | null {
  if (request.mode === 'replay') {
    if (request.kind === 'read') return refuse('not_replayable', `${request.command} is a read; a batch carries only changes.`);
    if (policy.runs !== 'offline') return refuse('not_allowed_offline', `${request.command} cannot be done offline; it must be sent to the server while online.`);
    return null;
  }
  if (request.host === 'workstation' && (policy.runs === 'online' || policy.runs === 'server')) {
    return refuse('needs_server', `${request.command} needs the central server; do it when the branch is online.`);
  }
  if (request.viaWorkstation === true && policy.runs === 'server') {
    return refuse('server_only', `${request.command} is done by central staff on the server, never from a branch workstation.`);
  }
  return null;
}

/**
 * Admits a command against its policy, the caller and the books: allow, hold for a second person
 * (with the reason), or refuse (with a code). Pure: the decision is a function of its arguments,
 * so the same command gets the same decision online, offline and replayed from a batch.
 */
export function admit(policy: CommandPolicy | undefined, request: AdmissionRequest): Admission {
  const early = admitCaller(policy, request);
  if (early !== null) return early;
  const rules = policy!;
  const { caller } = request;
  if (request.mode !== 'online' && caller.onDevice === false) {
    return refuse('user_not_on_device', `${caller.id} is not registered on this workstation.`);
  }
  if (rules.notBySubjectCreator === true && request.subject?.creatorId === caller.id) {
    return refuse('checker_must_differ', 'You made this yourself (registered the customer, enrolled the device); another person must do this step.');
  }
  const scope = scopeRefusal(rules, request, caller, 'caller');
  if (scope !== null) return scope;
  const needed = secondPersonNeeded(rules, request);
  if (needed === null) return { kind: 'allow', countsTowardLimit: rules.limit !== null && request.measure !== null, approvedBy: null };
  if (request.checker === null) {
    return { kind: 'hold', code: 'approval_required', basis: needed.basis, checker: needed.checker, limit: needed.limit, message: needed.message };
  }
  const checkerRefusal = checkerProblem(rules, request, request.checker, needed.checker);
  if (checkerRefusal !== null) return checkerRefusal;
  return { kind: 'allow', countsTowardLimit: false, approvedBy: request.checker.id };
}

function scopeRefusal(rules: CommandPolicy, request: AdmissionRequest, person: Caller, who: 'caller' | 'checker'): Admission | null {
  if (rules.scope === 'any' || rules.scope === 'self') return null;
  const code = who === 'caller' ? 'out_of_scope' : 'checker_out_of_scope';
  const whom = who === 'caller' ? 'You' : 'The approver';
  const reached = request.subject === null ? [] : [request.subject.branchId, ...(request.subject.alsoBranchIds ?? [])];
  // A workstation's batch, and its provisional work, reach only the workstation's own branch.
  if (request.mode !== 'online' && request.deviceBranchId !== null && reached.some((branchId) => branchId !== request.deviceBranchId)) {
    return refuse(code, 'This workstation serves another branch.');
  }
  if (person.branchId === null && person.roles.some((role) => (branchRoles as readonly string[]).includes(role))) {
    return refuse(who === 'caller' ? 'no_branch_assigned' : 'checker_out_of_scope', `${person.id} holds a branch role but is assigned to no branch.`);
  }
  const subject = request.subject;
  if (subject === null) return null;
  if (person.branchId !== null && reached.some((branchId) => branchId !== person.branchId)) return refuse(code, `${whom} serve another branch.`);
  if (who === 'caller' && rules.scope === 'own_till' && subject.tellerId !== undefined && subject.tellerId !== person.id) {
    return refuse('session_belongs_to_another_teller', `This till is open under ${subject.tellerId ?? 'nobody'}; each teller works their own till.`);
  }
  return null;
}

interface Needed {
  readonly basis: HoldBasis;
  readonly checker: string;
  readonly limit: string | null;
  readonly message: string;
}

/** Whether a second person must agree, and why; null when the caller may go alone. */
function secondPersonNeeded(rules: CommandPolicy, request: AdmissionRequest): Needed | null {
  const second = rules.secondPerson;
  if (second.when === 'never') return null;
  if (second.when === 'always') return { basis: 'always', checker: second.checker, limit: null, message: `${request.command} needs a second person who holds ${second.checker}.` };
  const over = overLimit(rules, request);
  if (over !== null) return { ...over, checker: second.checker, limit: typeof rules.limit === 'string' ? rules.limit : rules.limit!.kind };
  if (rules.standIn === true && request.mode !== 'online' && request.standIn !== null && !request.standIn.ok) {
    return { basis: 'stand_in', checker: second.checker, limit: request.standIn.limit ?? request.standIn.code, message: request.standIn.message };
  }
  return null;
}

function overLimit(rules: CommandPolicy, request: AdmissionRequest): Omit<Needed, 'checker' | 'limit'> | null {
  const measure = request.measure;
  if (measure === null || rules.limit === null) return null;
  if (typeof rules.limit === 'object') {
    if (measure.amountMinor <= rules.limit.maxBasisPoints) return null;
    return { basis: 'per_transaction', message: `This moves ${measure.amountMinor} basis points, over the ${rules.limit.maxBasisPoints} allowed alone; a second person must agree.` };
  }
  const limit = request.limit;
  if (limit === null) {
    return measure.amountMinor === 0n ? null : { basis: 'no_limit', message: `You have no ${rules.limit} limit in ${measure.currency}; a supervisor must approve this.` };
  }
  if (measure.amountMinor > limit.perTransactionMinor) {
    return { basis: 'per_transaction', message: `This is over your ${rules.limit} limit of ${amountText(limit.perTransactionMinor, measure)} for one transaction; a supervisor must approve it.` };
  }
  if (request.usedTodayMinor + measure.amountMinor > limit.perDayMinor) {
    return { basis: 'per_day', message: `This would take you over your ${rules.limit} limit of ${amountText(limit.perDayMinor, measure)} for today; a supervisor must approve it.` };
  }
  return null;
}

function amountText(amountMinor: bigint, measure: Measure): string {
  if (measure.exponent !== undefined) return formatUnits(amountMinor, measure.exponent, measure.currency);
  return currencyByCode(measure.currency) === undefined ? `${amountMinor} minor units of ${measure.currency}` : formatMoney(amountMinor, measure.currency);
}

function checkerProblem(rules: CommandPolicy, request: AdmissionRequest, checker: Caller, permission: string): Admission | null {
  if (checker.id === request.caller.id) return refuse('checker_must_differ', 'You asked for this approval; another person must decide it.');
  if (checker.status !== 'active') return refuse('checker_disabled', `The approver ${checker.id} is not an active user.`);
  if (!rolesAllow(checker.roles, permission as CommandPolicy['permission'])) {
    return refuse('checker_lacks_permission', `Approving ${request.command} needs ${permission}, which the approver's roles do not grant.`);
  }
  if (request.mode !== 'online' && checker.onDevice === false) return refuse('checker_not_on_device', `The approver ${checker.id} is not registered on this workstation.`);
  return scopeRefusal(rules, request, checker, 'checker');
}
