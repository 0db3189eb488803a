/**
 * Reports from cases: one officer proposes, a second files; the batch is FinCEN's XML, valid
 * against FinCEN's own schema (read in place), its counts and totals those of the case.
 */
import { resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { demoUsers, mustWithApproval, type Context } from '@qenex/engine';
import { validateFincenBatch } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { drillServerKeys, seedBooks, type DrillBooks } from '../dr/books';

const { alice, carol, dana, olivia, adam } = demoUsers;
const schemaDir = resolve(process.cwd(), '../shared/vectors/fincen-xsd');
const dayMs = 86_400_000;
let books: DrillBooks;

beforeEach(async () => {
  books = await seedBooks(new SqliteStorage({ path: ':memory:' }), drillServerKeys());
  await mustWithApproval(books.engine, 'limit.set', { holder: { user: 'alice' }, kind: 'cash', currency: 'USD', perTransaction: '2000000', perDay: '10000000' }, olivia, adam);
}, 60_000);

async function run(name: string, input: unknown, as: Context) {
  const result = await books.engine.executeAny(name, input, as);
  if (!result.ok) throw new Error(`${name}: ${result.code} ${result.message}`);
  return result.value as any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function deposit(customer: number, amountMinor: string) {
  return run('cash.deposit', { transferId: books.ids.next(), sessionId: books.bank.sessionId, accountId: books.bank.customers[customer]!.accountIds[0]!, money: { amount: amountMinor, currency: 'USD' } }, alice);
}

async function takenCase(): Promise<{ id: string; number: string }> {
  const [open] = await run('case.list', { view: 'queue', queue: 'monitoring' }, carol);
  await run('case.assign', { caseId: open.id, assignee: 'carol' }, carol);
  return open;
}

describe('filing a report from a case', () => {
  it('files a CTR on a second officer\u2019s approval: valid FinCEN XML whose counts and totals are the case\u2019s', async () => {
    await deposit(0, '600000');
    books.clock.advance(60_000);
    await deposit(0, '455025'); // 2,500.00 + 6,000.00 + 4,550.25 = 13,050.25 in cash in one day
    const found = await takenCase();
    await run('case.note', { caseId: found.id, noteId: books.ids.next(), text: 'Cash from the shop, as every Friday.' }, carol);
    const proposed = await run('case.propose_report', { caseId: found.id, proposalId: books.ids.next(), form: 'CTRX' }, carol);
    expect(proposed.proposal).toMatchObject({ status: 'proposed', proposedBy: 'carol', approvalId: expect.any(String) });
    // The proposer cannot file it alone.
    expect(await books.engine.execute('approval.decide', { approvalId: proposed.proposal.approvalId, decision: 'approve' }, carol)).toMatchObject({ ok: false, code: 'checker_must_differ' });
    const filed = await run('approval.decide', { approvalId: proposed.proposal.approvalId, decision: 'approve' }, dana);
    expect(filed.result.case).toMatchObject({ status: 'closed', outcome: 'reported' });
    const report = await run('report.get', { reportId: filed.result.report.id }, carol);
    expect(report).toMatchObject({ form: 'CTRX', proposedBy: 'carol', approvedBy: 'dana', activityCount: 1, partyCount: 6 });
    // 13,050.25 in whole dollars, rounded up: FinCEN's rule.
    expect(report.totalAmountDollars).toBe('13051');
    expect(report.xml).toContain('TotalAmount="13051"');
    expect(report.xml).toMatch(/<fc2:DetailTransactionAmountText>13051<\/fc2:DetailTransactionAmountText>/);
    expect(report.xml).toContain('Okafor');
    expect(await validateFincenBatch(report.xml, 'CTRX', schemaDir)).toEqual({ valid: true, errors: [] });
  });

  it('files a SAR with the narrative and categories the officer gave; a rejected proposal leaves the case open and says so', async () => {
    await deposit(2, '900000');
    books.clock.advance(dayMs);
    await deposit(2, '950000');
    books.clock.advance(dayMs);
    const held = await books.engine.execute('cash.deposit', { transferId: books.ids.next(), sessionId: books.bank.sessionId, accountId: books.bank.customers[2]!.accountIds[0]!, money: { amount: '920000', currency: 'USD' } }, alice);
    expect(held).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'monitoring' } });
    const found = await takenCase();
    const first = await run('case.propose_report', { caseId: found.id, proposalId: books.ids.next(), form: 'SARX', narrative: 'Three cash deposits just under 10,000 USD on three days.', categories: ['structuring'] }, carol);
    await run('approval.decide', { approvalId: first.proposal.approvalId, decision: 'reject', note: 'Add the source of funds.' }, dana);
    const after = await run('case.get', { caseId: found.id }, carol);
    expect(after.case).toMatchObject({ status: 'investigating', proposal: { status: 'rejected' } });
    expect(after.notes.at(-1)).toMatchObject({ event: 'report_rejected', author: 'dana' });
    const second = await run('case.propose_report', { caseId: found.id, proposalId: books.ids.next(), form: 'SARX', narrative: 'Three cash deposits of 9,000, 9,500 and 9,200 USD on consecutive days, each just under the reporting threshold; the customer could not say where the cash came from.', categories: ['structuring', 'money_laundering'] }, carol);
    const filed = await run('approval.decide', { approvalId: second.proposal.approvalId, decision: 'approve' }, dana);
    const report = await run('report.get', { reportId: filed.result.report.id }, dana);
    expect(report).toMatchObject({ form: 'SARX', activityCount: 1, partyCount: 1 });
    expect(report.xml).toContain('could not say where the cash came from');
    expect(await validateFincenBatch(report.xml, 'SARX', schemaDir)).toEqual({ valid: true, errors: [] });
  });

  it('refuses a SAR proposal without a narrative, and nobody but compliance files', async () => {
    await deposit(0, '900000');
    const found = await takenCase();
    expect(await books.engine.execute('case.propose_report', { caseId: found.id, proposalId: books.ids.next(), form: 'SARX' }, carol)).toMatchObject({ ok: false, code: 'narrative_required' });
    expect(await books.engine.execute('case.propose_report', { caseId: found.id, proposalId: books.ids.next(), form: 'CTRX' }, alice)).toMatchObject({ ok: false, code: 'permission_denied' });
  });
});
