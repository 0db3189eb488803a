import { commandPolicies, limitRuleId, type Context, type PolicyTable } from '@qenex/engine';
import { decide, rolesOf, sizesOf, verdictOf, type Decision, type LimitsOf, type Mode } from './expected';
import { samples } from './samples';
import { MatrixWorld, consoleId, matrixRoles, userOf, workstationId, type OnlineCaller, type Size } from './world';

/** Runs matrix cases against an engine and compares each outcome with what the table says. */
export const names = Object.keys(commandPolicies).sort();

function ctxOf(caller: OnlineCaller, mode: Mode): Context {
  const deviceId = mode === 'workstation_session' ? workstationId : consoleId;
  // A session made on the workstation is what makes it "from the workstation".
  const session = mode === 'workstation_session' ? { sessionId: 'f'.repeat(64) } : {};
  if (caller === 'device') return { actor: 'device', roles: ['device'], deviceId: 'network' };
  if (caller === 'anonymous') return { actor: 'anonymous', roles: [], deviceId, ...session };
  return { actor: userOf(caller), roles: rolesOf(caller), deviceId, ...session };
}

/** The limits the bank set, as the books hold them (the demo's role limits), per transaction in USD. */
export async function limitsOf(w: MatrixWorld): Promise<LimitsOf> {
  const rules = await w.storage.read((tx) => tx.banking.list('limitRule', '', 1000));
  const byId = new Map(rules.map((rule) => [rule.id, rule.perTransactionMinor]));
  return (caller, kind) => {
    const own = byId.get(limitRuleId({ user: ctxOf(caller, 'online').actor }, kind as 'cash', 'USD'));
    if (own !== undefined) return own;
    const found = rolesOf(caller).map((role) => byId.get(limitRuleId({ role }, kind as 'cash', 'USD'))).filter((limit) => limit !== undefined);
    return found.length === 0 ? null : found.reduce((a, b) => (a > b ? a : b));
  };
}

function observed(outcome: { ok: boolean; code?: string }): Decision {
  if (outcome.ok) return { kind: 'allow' };
  return outcome.code === 'approval_required' ? { kind: 'hold' } : { kind: 'refuse', code: outcome.code ?? '' };
}

export interface Case {
  readonly name: string;
  readonly caller: OnlineCaller;
  readonly size: Size;
}

export function casesOf(table: PolicyTable, commandNames: readonly string[], callers: readonly OnlineCaller[]): Case[] {
  return commandNames.flatMap((name) => callers.flatMap((caller) => sizesOf(table[name]).map((size) => ({ name, caller, size }))));
}

/** Runs the cases online (at the server, or from a workstation session); the mismatches with the table. */
export async function runOnline(w: MatrixWorld, table: PolicyTable, cases: readonly Case[], mode: Mode): Promise<{ mismatches: string[]; tally: Record<string, number> }> {
  const limitOf = await limitsOf(w);
  const mismatches: string[] = [];
  const tally: Record<string, number> = { allow: 0, hold: 0, refuse: 0 };
  for (const { name, caller, size } of cases) {
    const want = decide(table, name, caller, mode, size, limitOf);
    const ctx = ctxOf(caller, mode);
    const sample = await samples[name]!(w, ctx, size);
    const outcome = await w.engine.executeAny(name, sample.input, sample.ctx ?? ctx);
    const got = observed(outcome.ok ? { ok: true } : { ok: false, code: outcome.code });
    tally[got.kind] = (tally[got.kind] ?? 0) + 1;
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      mismatches.push(`${mode} ${name} as ${caller} (${size}): the table says ${JSON.stringify(want)}, got ${JSON.stringify(outcome).slice(0, 300)}`);
    }
  }
  return { mismatches, tally };
}

/** Pushes each matrix user's cases in one signed batch from the workstation; the mismatches with the table. */
export async function runReplayed(w: MatrixWorld, table: PolicyTable, cases: readonly Case[]): Promise<{ mismatches: string[]; tally: Record<string, number> }> {
  const limitOf = await limitsOf(w);
  const mismatches: string[] = [];
  const tally: Record<string, number> = {};
  for (const role of matrixRoles) {
    const mine = cases.filter((entry) => entry.caller === role);
    const ctx = ctxOf(role, 'replay');
    const queued = [];
    for (const { name, size } of mine) queued.push({ name, input: (await samples[name]!(w, ctx, size)).input, actor: userOf(role) });
    const verdicts = await w.push(queued);
    mine.forEach(({ name, size }, index) => {
      const want = verdictOf(decide(table, name, role, 'replay', size, limitOf), table[name], size);
      const verdict = verdicts[index]!;
      const got = verdict.status === 'accepted' ? { status: 'accepted' } : { status: verdict.status, code: verdict.code };
      tally[got.status] = (tally[got.status] ?? 0) + 1;
      // Cash the device says moved and the server does not book is never dropped silently: it is an exception.
      const cashRefused = table[name]?.limit === 'cash' && verdict.status === 'rejected';
      if (cashRefused) tally.cashRefused = (tally.cashRefused ?? 0) + 1;
      if (cashRefused && (verdict as { exceptionId?: string }).exceptionId === undefined) mismatches.push(`replay ${name} as ${role} (${size}): cash refused without an exception`);
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`replay ${name} as ${role} (${size}): the table says ${JSON.stringify(want)}, got ${JSON.stringify(verdict).slice(0, 300)}`);
    });
  }
  return { mismatches, tally };
}

