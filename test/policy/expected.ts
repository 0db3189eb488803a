import { compensableRefusals, rolesAllow, type CommandPolicy, type PolicyTable } from '@qenex/engine';
import { MatrixWorld, matrixStandIn, sampleAmount, type OnlineCaller, type Size } from './world';

/**
 * What the policy table says a command gets — read from the table by the test itself, never by
 * asking the engine's admission — so the matrix checks the engine against the table.
 */
export type Decision = { readonly kind: 'allow' } | { readonly kind: 'hold' } | { readonly kind: 'refuse'; readonly code: string };
export type Mode = 'online' | 'workstation_session' | 'replay';

export function rolesOf(caller: OnlineCaller): readonly string[] {
  if (caller === 'none' || caller === 'anonymous') return [];
  return [caller];
}

/** A caller's limit per transaction for a kind, as the bank set it (USD, minor units); null for none. */
export type LimitsOf = (caller: OnlineCaller, kind: string) => bigint | null;

/** What the sample of this size counts against the policy's limit. */
function measured(policy: CommandPolicy, size: Size): bigint {
  if (policy.limit === null) return 0n;
  if (typeof policy.limit === 'object') return size === 'large' ? 1_000_000n : 1n; // basis points moved
  if (policy.limit === 'variance') return size === 'large' ? 50_000n : 0n;
  return BigInt(sampleAmount[size]);
}

/** Commands that decide another command's hold, and which command the matrix's sample holds. */
const heldBy: Readonly<Record<string, string>> = { 'approval.decide': 'cash.deposit' };

export function decide(table: PolicyTable, name: string, caller: OnlineCaller, mode: Mode, size: Size, limitOf: LimitsOf): Decision {
  const policy = table[name];
  if (policy === undefined) return { kind: 'refuse', code: 'unknown_command' };
  if (mode === 'replay' && MatrixWorld.kindOf(name) === 'read') return { kind: 'refuse', code: 'not_replayable' };
  if (mode === 'replay' && policy.runs !== 'offline') return { kind: 'refuse', code: 'not_allowed_offline' };
  // A device's signature is no session: only a person signed in on the workstation is "from" it.
  if (mode === 'workstation_session' && caller !== 'device' && policy.runs === 'server') return { kind: 'refuse', code: 'server_only' };
  if (!rolesAllow(rolesOf(caller), policy.permission)) return { kind: 'refuse', code: 'permission_denied' };
  // Deciding a held request (the sample's is a cash deposit) takes the checker permission that request's policy names.
  const decided = heldBy[name];
  if (decided !== undefined) {
    const checker = table[decided]?.secondPerson;
    if (checker !== undefined && checker.when !== 'never' && !rolesAllow(rolesOf(caller), checker.checker)) return { kind: 'refuse', code: 'checker_lacks_permission' };
  }
  const second = policy.secondPerson;
  if (second.when === 'always') return { kind: 'hold' };
  if (second.when === 'above_limit') {
    const amount = measured(policy, size);
    const limit = typeof policy.limit === 'object' && policy.limit !== null ? policy.limit.maxBasisPoints : limitOf(caller, String(policy.limit));
    if (amount > (limit ?? 0n)) return { kind: 'hold' };
    if (mode === 'replay' && policy.standIn === true && amount > BigInt(matrixStandIn.perTransaction)) return { kind: 'hold' };
  }
  return { kind: 'allow' };
}

/**
 * What a replayed command's verdict is, given the decision: cash already handed over is
 * compensated, never undone — when the refusal is one an honest workstation can meet and a payout
 * is within the stand-in bound; otherwise nothing is booked and the command is rejected.
 */
export function verdictOf(decision: Decision, policy: CommandPolicy | undefined, size: Size): { status: string; code?: string } {
  if (decision.kind === 'allow') return { status: 'accepted' };
  const code = decision.kind === 'hold' ? 'approval_required' : decision.code;
  if (decision.kind === 'hold' && policy?.standIn !== true) return { status: 'held', code };
  const cashMoved = policy?.limit === 'cash';
  const withinStandIn = policy?.standIn !== true || BigInt(sampleAmount[size]) <= BigInt(matrixStandIn.perTransaction);
  return cashMoved && compensableRefusals.has(code) && withinStandIn ? { status: 'compensated', code } : { status: 'rejected', code };
}

/** The sizes a command is tried at: both, when the policy bounds it by a limit. */
export function sizesOf(policy: CommandPolicy | undefined): readonly Size[] {
  return policy?.secondPerson.when === 'above_limit' ? ['small', 'large'] : ['small'];
}
