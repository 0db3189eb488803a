import { limitRuleId, standInPolicyVersionId, type LimitRule, type StandInPolicyRecord, type Tally } from '../core/banking/types';
import type { AdmissionMode, AdmissionRequest, Caller, CommandPolicy, Limit, LimitKind, Measure, Subject } from '../core/policy';
import { businessDay, checkStandIn, type StandInDecision } from '../core/sync/stand-in';
import { tighterStandIn } from '../core/update/content';
import { systemRole } from '../core/rbac';
import { signedStandInAt } from './content';
import type { StorageTx } from '../ports/storage';
import type { CommandEnv, CommandSpec, Context } from './command';

/** Whose standing admission decides on: as the host authenticated them now, or as the books know them. */
export type Person =
  /** Signed in just now on this host (a session, a workstation's sign-in): the context's roles stand. */
  | { readonly from: 'context'; readonly ctx: Context }
  /**
   * Someone who asked earlier (the maker of a held command) or elsewhere (a teller in a replayed
   * batch): their status, roles and branch as the books hold them now. `recordedRoles` stand only
   * for a principal the user table does not hold (a bootstrap administrator), never for a user.
   */
  | { readonly from: 'books'; readonly userId: string; readonly recordedRoles?: readonly string[] };

/** How one command came to run: everything admission needs besides the input and the books. */
export interface RunRequest {
  readonly name: string;
  /** The context it runs as: actor and device (the maker's, for an approved command). */
  readonly ctx: Context;
  readonly mode: AdmissionMode;
  readonly maker: Person;
  /** The second person who agreed, if any. */
  readonly checker: Person | null;
  /** When it happened at the counter: the clock's now, or a replayed command's time. */
  readonly occurredAtMs: number;
  /** The workstation: offline, this one; replayed, the one that pushed the batch. */
  readonly device: { readonly id: string; readonly branchId: string } | null;
  /** The session whose device says where the command is done, when it is not `ctx`'s (an approval). */
  readonly whereCtx?: Context;
  /** The compliance officer who released a hold of transaction monitoring: the scenario does not hold it again. */
  readonly releasedBy?: string;
}

/** The facts admission decided on, kept to record the day's tallies after the command succeeds. */
export interface Decided {
  readonly facts: AdmissionRequest;
  /** A payout's customer (offline and replayed), for the stand-in tally. */
  readonly payee: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs of every input and value type
type AnySpec = CommandSpec<any, any, string>;

/** Reads the facts a command's policy decides on, inside the command's own transaction. */
export async function loadFacts(
  env: CommandEnv,
  spec: AnySpec,
  policy: CommandPolicy,
  request: RunRequest,
  input: unknown,
  host: 'authority' | 'workstation',
  caller: Caller,
  viaWorkstation: boolean,
): Promise<Decided> {
  const needsSubject = (policy.scope !== 'any' && policy.scope !== 'self') || policy.notBySubjectCreator === true;
  const subject: Subject | null = needsSubject && spec.subject !== undefined ? await spec.subject(env, input) : null;
  const measure: Measure | null = policy.limit !== null && spec.measure !== undefined ? await spec.measure(env, input) : null;
  const day = businessDay(request.occurredAtMs);
  const limitKind = typeof policy.limit === 'string' ? policy.limit : null;
  const limit = limitKind !== null && measure !== null ? await limitOf(env.tx, caller, limitKind, measure.currency) : null;
  const usedTodayMinor = limitKind !== null && measure !== null ? await tallyOf(env.tx, tallyId('limit', caller.id, limitKind, measure.currency, day)) : 0n;
  const standInApplies = policy.standIn === true && request.mode !== 'online' && measure !== null && request.device !== null;
  const payee = standInApplies && spec.payee !== undefined ? await spec.payee(env, input) : null;
  const standIn = standInApplies ? await standInOf(env.tx, request, caller.id, payee, measure!, day) : null;
  const checker = request.checker === null ? null : await personFacts(env.tx, request.checker, request);
  const facts: AdmissionRequest = {
    command: request.name,
    kind: spec.kind,
    mode: request.mode,
    host,
    viaWorkstation,
    caller,
    deviceBranchId: request.device?.branchId ?? null,
    subject,
    measure,
    limit,
    usedTodayMinor,
    standIn,
    checker,
  };
  return { facts, payee };
}

/** A person's standing for admission. */
export async function personFacts(tx: StorageTx, person: Person, request: Pick<RunRequest, 'mode' | 'device'>): Promise<Caller> {
  const userId = person.from === 'context' ? person.ctx.actor : person.userId;
  const user = await tx.banking.get('user', userId);
  // A host's own process (its update client) is no person on the device's register; its role grants only its own work.
  const hostProcess = person.from === 'context' && person.ctx.roles.includes(systemRole);
  const onDevice = request.mode === 'online' || request.device === null || hostProcess ? null : (await tx.banking.get('deviceUser', `${request.device.id}:${userId}`)) !== undefined;
  if (person.from === 'context') {
    // A session's roles stand; a user disabled since (the host caches sessions briefly) does not.
    return { id: userId, roles: person.ctx.roles, status: user?.status ?? 'active', branchId: user?.branchId ?? null, onDevice };
  }
  if (user === undefined) {
    if (person.recordedRoles !== undefined) return { id: userId, roles: person.recordedRoles, status: 'active', branchId: null, onDevice };
    return { id: userId, roles: [], status: 'unknown', branchId: null, onDevice };
  }
  return { id: userId, roles: user.roles, status: user.status, branchId: user.branchId, onDevice };
}

/** The caller's own limit when one is set for them; otherwise the most any of their roles allows. */
async function limitOf(tx: StorageTx, caller: Caller, kind: LimitKind, currency: string): Promise<Limit | null> {
  const own = await tx.banking.get('limitRule', limitRuleId({ user: caller.id }, kind, currency));
  if (own !== undefined) return own;
  const byRole = await Promise.all(caller.roles.map((role) => tx.banking.get('limitRule', limitRuleId({ role }, kind, currency))));
  let best: Limit | null = null;
  for (const rule of byRole.filter((found): found is LimitRule => found !== undefined)) {
    best = best === null ? rule : {
      perTransactionMinor: rule.perTransactionMinor > best.perTransactionMinor ? rule.perTransactionMinor : best.perTransactionMinor,
      perDayMinor: rule.perDayMinor > best.perDayMinor ? rule.perDayMinor : best.perDayMinor,
    };
  }
  return best;
}

export function tallyId(what: Tally['what'], holder: string, kind: string, currency: string, day: string): string {
  return `${what}:${holder}:${kind}:${currency}:${day}`;
}

async function tallyOf(tx: StorageTx, id: string): Promise<bigint> {
  return (await tx.banking.get('tally', id))?.totalMinor ?? 0n;
}

/** The stand-in check of a payout against the policy in force when it happened, with this host's tallies. */
async function standInOf(tx: StorageTx, request: RunRequest, tellerId: string, payee: string | null, measure: Measure, day: string): Promise<StandInDecision> {
  // The server's version and the admins' signed one, the tighter: a stolen server key cannot widen what a branch pays out offline.
  const branchId = request.device!.branchId;
  const policy = tighterStandIn(await standInPolicyAt(tx, branchId, measure.currency, request.occurredAtMs), await signedStandInAt(tx, branchId, measure.currency, request.occurredAtMs));
  const tellerMinor = await tallyOf(tx, tallyId('standin_teller', tellerId, 'cash', measure.currency, day));
  const customerMinor = payee === null ? 0n : await tallyOf(tx, tallyId('standin_customer', payee, 'cash', measure.currency, day));
  return checkStandIn(policy, { tellerMinor, customerMinor }, { amountMinor: measure.amountMinor, atMs: request.occurredAtMs }, measure.currency);
}

/** Policy versions one lookup reads at most (a branch's policy changes a few times a year). */
export const standInVersionsScannedMax = 1000;

/**
 * The stand-in policy in force at a moment: the newest version issued by then (the server keeps
 * every version); a workstation, which holds only the current one, uses that.
 */
export async function standInPolicyAt(tx: StorageTx, branchId: string, currency: string, atMs: number): Promise<StandInPolicyRecord | undefined> {
  const versions = await tx.banking.findBy('standInPolicy', 'versions', `${branchId}:${currency}`, standInVersionsScannedMax);
  if (versions.length === 0) return tx.banking.get('standInPolicy', `${branchId}:${currency}`);
  let inForce: StandInPolicyRecord | undefined;
  for (const version of versions) if (version.issuedAtMs <= atMs && (inForce === undefined || version.version > inForce.version)) inForce = version;
  return inForce;
}

export { standInPolicyVersionId };

/** After a command succeeded: what it did alone counts toward the caller's day, and an offline payout toward the branch's. */
export async function recordTallies(tx: StorageTx, policy: CommandPolicy, request: RunRequest, decided: Decided, countsTowardLimit: boolean): Promise<void> {
  const { facts } = decided;
  const measure = facts.measure;
  if (measure === null) return;
  const day = businessDay(request.occurredAtMs);
  const branchId = request.device?.branchId ?? facts.caller.branchId ?? facts.subject?.branchId ?? '';
  const add = async (what: Tally['what'], holder: string, kind: string) => {
    const id = tallyId(what, holder, kind, measure.currency, day);
    const current = await tx.banking.get('tally', id);
    await tx.banking.put('tally', { id, branchId, day, what, holder, kind, currency: measure.currency, totalMinor: (current?.totalMinor ?? 0n) + measure.amountMinor });
  };
  if (countsTowardLimit && typeof policy.limit === 'string') await add('limit', facts.caller.id, policy.limit);
  if (facts.standIn !== null) {
    await add('standin_teller', facts.caller.id, 'cash');
    if (decided.payee !== null) await add('standin_customer', decided.payee, 'cash');
  }
}
