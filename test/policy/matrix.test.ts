import { commandPolicies, commands, roles } from '@qenex/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesOf, names, runOnline, runReplayed } from './run';
import { samples } from './samples';
import { MatrixWorld, matrixImage, matrixRoles, onlineCallers } from './world';

/**
 * The role × command × mode matrix, generated from the policy table: every command, for every
 * caller (a user of each role, a user with none, a device's signature, nobody signed in), online
 * at the server, online from a session on a branch workstation, and replayed from the
 * workstation's signed batch — each decided as the table says (allow, hold, refuse with its code),
 * at an amount inside the caller's limit and one above it where the table sets a limit.
 */
describe('the policy matrix: every command × every caller × online, from a workstation session, replayed', () => {
  let w: MatrixWorld;
  beforeAll(async () => {
    w = new MatrixWorld(await matrixImage());
  });
  afterAll(async () => w.close());

  it('covers every command of the engine and every role of the bank', () => {
    expect(names).toEqual(Object.keys(commands).sort());
    expect(Object.keys(samples).sort()).toEqual(names);
    expect([...matrixRoles.filter((role) => role !== 'none')].sort()).toEqual([...roles].sort());
  });

  for (const mode of ['online', 'workstation_session'] as const) {
    it(`${mode}: each command is allowed, held or refused exactly as the table says`, async () => {
      const { mismatches, tally } = await runOnline(w, commandPolicies, casesOf(commandPolicies, names, onlineCallers), mode);
      expect(mismatches).toEqual([]);
      // The matrix is not one-sided: each outcome occurs, many times.
      expect(tally.allow).toBeGreaterThan(60);
      expect(tally.hold).toBeGreaterThan(8);
      expect(tally.refuse).toBeGreaterThan(300);
    });
  }

  it('replayed from a signed batch: each command is accepted, held, refused or compensated exactly as the table says', async () => {
    const { mismatches, tally } = await runReplayed(w, commandPolicies, casesOf(commandPolicies, names, matrixRoles));
    expect(mismatches).toEqual([]);
    expect(tally.accepted).toBeGreaterThan(4);
    expect(tally.held).toBeGreaterThan(0);
    // Cash a caller without the power, or beyond offline authority, claims to have moved: refused, each an exception.
    expect(tally.cashRefused).toBeGreaterThan(8);
    expect(tally.rejected).toBeGreaterThan(300);
  });
});
