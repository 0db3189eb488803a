import { commandPolicies, type CommandPolicy, type PolicyTable } from '@qenex/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { decide, sizesOf } from './expected';
import { limitsOf, runOnline, runReplayed } from './run';
import { MatrixWorld, matrixImage, matrixRoles, onlineCallers, type OnlineCaller } from './world';

/**
 * The table is the only source of the decisions: change one entry, build an engine with the
 * changed table, and the matrix's outcomes for that command change exactly as the changed table
 * says — no code elsewhere still decides the old way.
 */
const changes: ReadonlyArray<{ readonly what: string; readonly name: string; readonly change: Partial<CommandPolicy> }> = [
  { what: 'a permission', name: 'customer.get', change: { permission: 'audit.read' } },
  { what: 'a second person always', name: 'transfer.internal', change: { secondPerson: { when: 'always', checker: 'till.supervise' } } },
  { what: 'a second person never', name: 'till.open_session', change: { secondPerson: { when: 'never' } } },
  { what: 'where it may run: online only', name: 'cash.withdraw', change: { runs: 'online' } },
  { what: 'where it may run: no longer server only', name: 'user.create', change: { runs: 'online' } },
  { what: 'a permission of a read', name: 'fx.rates', change: { permission: 'ledger.write' } },
];

describe('the policy table is the only source of the decisions', () => {
  let w: MatrixWorld | undefined;
  afterEach(async () => w?.close());

  for (const { what, name, change } of changes) {
    it(`changing ${what} of ${name} changes the matrix as the changed table says`, async () => {
      const changed: PolicyTable = { ...commandPolicies, [name]: { ...commandPolicies[name as keyof typeof commandPolicies], ...change } };
      w = new MatrixWorld(await matrixImage(), changed);
      const cases = onlineCallers.flatMap((caller) => sizesOf(commandPolicies[name as keyof typeof commandPolicies]).map((size) => ({ name, caller, size })));
      const replayed = cases.filter((entry): entry is typeof entry & { caller: (typeof matrixRoles)[number] } => (matrixRoles as readonly OnlineCaller[]).includes(entry.caller));
      const online = await runOnline(w, changed, cases, 'online');
      const fromWorkstation = await runOnline(w, changed, cases, 'workstation_session');
      const replay = await runReplayed(w, changed, replayed);
      expect([...online.mismatches, ...fromWorkstation.mismatches, ...replay.mismatches]).toEqual([]);
      // …and the change mattered: some cell decides otherwise than under the bank's table.
      const limitOf = await limitsOf(w);
      const differs = (['online', 'workstation_session', 'replay'] as const).some((mode) =>
        cases.some(({ caller, size }) => JSON.stringify(decide(changed, name, caller, mode, size, limitOf)) !== JSON.stringify(decide(commandPolicies, name, caller, mode, size, limitOf))),
      );
      expect(differs).toBe(true);
    });
  }
});
