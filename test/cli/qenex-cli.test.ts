import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const directory = mkdtempSync(join(tmpdir(), 'qenex-cli-'));
const database = join(directory, 'workstation.db');

/** Runs the real CLI in its own process, as a person would through `npm run qenex`. */
function qenex(...args: string[]): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'apps/desktop/src/cli/main.ts', '--db', database, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('qenex CLI', () => {
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('creates a demo workstation, takes a deposit, and keeps the books balanced', () => {
    const demo = qenex('demo');
    expect(demo.status).toBe(0);
    expect(demo.out).toContain('Amara Okafor');
    const number = /(\d{14})\s+CURRENT-USD/.exec(demo.out)?.[1];
    expect(number).toBeDefined();

    const deposit = qenex('deposit', number!, '125.50');
    expect(deposit.status).toBe(0);
    expect(deposit.out).toContain('Deposited 125.50 USD');
    expect(deposit.out).toContain('now 1,625.50 USD');

    const tooPrecise = qenex('deposit', number!, '1.005');
    expect(tooPrecise.status).toBe(1);
    expect(tooPrecise.out).toContain('amount_too_precise');

    const held = qenex('withdraw', number!, '6000');
    expect(held.out).toContain('approval_required');
    const approvalId = /approve ([0-9a-f]{32})/.exec(held.out)?.[1];
    expect(approvalId).toBeDefined();
    // The maker never decides her own request; another teller lacks the supervisor's permission it needs.
    expect(qenex('approve', approvalId!).out).toContain('checker_must_differ');
    expect(qenex('approve', approvalId!, '--as', 'tom').out).toContain('checker_lacks_permission');
    const insufficient = qenex('approve', approvalId!, '--as', 'bob');
    expect(insufficient.out).toContain('insufficient_funds');

    const totals = qenex('totals', '--as', 'olivia');
    expect(totals.status).toBe(0);
    expect(totals.out).not.toContain('NO');
    expect(totals.out).toMatch(/840 .* yes/);

    const statement = qenex('statement', number!);
    expect(statement.out).toContain('1,625.50 USD');

    const audit = qenex('audit', '--as', 'carol');
    expect(audit.out).toContain('Audit log intact');
  });
});
