/**
 * Transaction monitoring in the payment path: the live scenario decides every money command before
 * it posts (alert and post, hold for compliance, or block), keeps each decision with its evidence
 * and opens a case; a draft runs in shadow beside it and can be replayed over the stored history.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultScenarioInput, demoUsers, encodeSanctionsList, mustWithApproval, sanctionsPath, systemRole, type CommandInput, type Context } from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { drillServerKeys, seedBooks, type DrillBooks } from '../dr/books';

const { alice, bob, carol, dana, olivia, adam } = demoUsers;
const dayMs = 86_400_000;
let books: DrillBooks;

beforeEach(async () => {
  books = await seedBooks(new SqliteStorage({ path: ':memory:' }), drillServerKeys());
  // Alice may take up to 20,000 USD a transaction, so the tests see monitoring rather than her limit.
  await mustWithApproval(books.engine, 'limit.set', { holder: { user: 'alice' }, kind: 'cash', currency: 'USD', perTransaction: '2000000', perDay: '10000000' }, olivia, adam);
}, 60_000);

function deposit(customer: number, amountMinor: string, as: Context = alice) {
  return books.engine.execute('cash.deposit', { transferId: books.ids.next(), sessionId: books.bank.sessionId, accountId: books.bank.customers[customer]!.accountIds[0]!, money: { amount: amountMinor, currency: 'USD' } }, as);
}

async function balance(customer: number): Promise<string> {
  const account = await books.engine.execute('account.get', { accountId: books.bank.customers[customer]!.accountIds[0]! }, alice);
  if (!account.ok) throw new Error(account.message);
  return String((account.value as { balances: { available: string } }).balances.available);
}

async function casesOf(view: 'open' | 'closed' = 'open') {
  const listed = await books.engine.execute('case.list', { view }, carol);
  if (!listed.ok) throw new Error(listed.message);
  return listed.value;
}

describe('the live scenario in the payment path', () => {
  it('aggregates a customer\u2019s cash over the business day: the deposit that crosses 10,000 USD posts and opens a CTR case with its evidence', async () => {
    expect((await deposit(0, '300000')).ok).toBe(true);
    expect((await deposit(0, '300000')).ok).toBe(true);
    expect(await casesOf()).toEqual([]);
    books.clock.advance(60_000);
    const third = await deposit(0, '300000');
    expect(third.ok).toBe(true);
    const [opened] = await casesOf();
    expect(opened).toMatchObject({ queue: 'monitoring', status: 'open', assignee: null, customerIds: [books.bank.customers[0]!.id] });
    expect(opened!.alerts).toMatchObject([{ kind: 'monitoring', outcome: 'alert', ruleIds: ['cash_over_ctr'] }]);
    // The CTR clock: 15 days after the day of the cash.
    expect(opened!.dueAtMs).toBe((Math.floor(books.clock.nowMs() / dayMs) + 16) * dayMs - 1);
    const detail = await books.engine.execute('case.get', { caseId: opened!.id }, carol);
    if (!detail.ok) throw new Error(detail.message);
    const [decision] = detail.value.decisions;
    expect(decision!.decision.hits[0]).toMatchObject({ ruleId: 'cash_over_ctr', evidence: { values: { aggregateUsdMinor: '1150000', thresholdUsdMinor: '1000000', direction: 'cash_in' } } });
    // The seed's deposit of 2,500 and the three of 3,000: every transaction the aggregate counted is named.
    expect(decision!.decision.hits[0]!.evidence.transactionIds).toHaveLength(4);
    expect(decision!.decision.scenarioVersion).toBe(1);
    // Compliance's reads of the case and the queue are reads of the customer's data: on the access log.
    const logged = await books.engine.execute('access.log', { subject: books.bank.customers[0]!.id, limit: 50 }, carol);
    if (!logged.ok) throw new Error(logged.message);
    expect(logged.value.map((record) => record.command)).toEqual(expect.arrayContaining(['case.list', 'case.get']));
  });

  it('stays quiet one cent under the threshold', async () => {
    await deposit(1, '500000');
    expect((await deposit(1, '250000')).ok).toBe(true); // 2,500 + 5,000 + 2,500 = 10,000.00: not above
    expect(await casesOf()).toEqual([]);
  });

  it('holds the third deposit just under the threshold in three days for compliance; a head teller cannot release it, a compliance officer can', async () => {
    expect((await deposit(2, '900000')).ok).toBe(true);
    books.clock.advance(dayMs);
    expect((await deposit(2, '950000')).ok).toBe(true);
    books.clock.advance(dayMs);
    const before = await balance(2);
    const held = await deposit(2, '920000');
    expect(held).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'monitoring', checker: 'compliance.review', caseNumber: expect.stringMatching(/^C-\d{6}$/) } });
    if (held.ok) return;
    expect(held.message).toMatch(/compliance/);
    expect(await balance(2)).toBe(before);
    const approvalId = String(held.details!.approvalId);
    expect(await books.engine.execute('approval.decide', { approvalId, decision: 'approve' }, bob)).toMatchObject({ ok: false, code: 'checker_lacks_permission' });
    expect(await balance(2)).toBe(before);
    expect(await books.engine.execute('approval.decide', { approvalId, decision: 'approve', note: 'salary arrears, documents seen' }, carol)).toMatchObject({ ok: true });
    expect(BigInt(await balance(2)) - BigInt(before)).toBe(920_000n);
    const [onCase] = await casesOf();
    expect(onCase!.approvalId).toBe(approvalId);
    const detail = await books.engine.execute('case.get', { caseId: onCase!.id }, carol);
    if (!detail.ok) throw new Error(detail.message);
    expect(detail.value.notes.map((note) => note.event)).toContain('hold_decided');
    // The first deposit's day crossed 10,000 with the seed's 2,500 (an alert); the third is the hold.
    expect(detail.value.decisions.map((record) => record.decision.outcome)).toEqual(['alert', 'hold']);
    expect(detail.value.decisions[1]!.decision.hits.map((hit) => hit.ruleId)).toContain('structuring');
  });

  it('a deposit over the teller\u2019s limit is approved by the supervisor and then held by monitoring: compliance releases it, the supervisor still its second person', async () => {
    await deposit(2, '900000');
    books.clock.advance(dayMs);
    await deposit(2, '950000');
    books.clock.advance(dayMs);
    await mustWithApproval(books.engine, 'limit.set', { holder: { user: 'alice' }, kind: 'cash', currency: 'USD', perTransaction: '500000', perDay: '10000000' }, olivia, adam);
    const asked = await deposit(2, '920000');
    expect(asked).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'per_transaction' } });
    if (asked.ok) return;
    const supervisor = await books.engine.execute('approval.decide', { approvalId: String(asked.details!.approvalId), decision: 'approve' }, bob);
    expect(supervisor).toMatchObject({ ok: true, value: { result: { heldForCompliance: { approvalId: expect.any(String), caseNumber: expect.any(String) } } } });
    if (!supervisor.ok) return;
    const before = await balance(2);
    const released = await books.engine.execute('approval.decide', { approvalId: (supervisor.value.result as { heldForCompliance: { approvalId: string } }).heldForCompliance.approvalId, decision: 'approve' }, carol);
    expect(released).toMatchObject({ ok: true });
    expect(BigInt(await balance(2)) - BigInt(before)).toBe(920_000n);
  });

  it('blocks before posting when the score reaches the block threshold, and the case names the rules', async () => {
    const input = defaultScenarioInput(books.clock.nowMs() - 1, 2) as CommandInput<'monitoring.publish_live'>;
    const strict = { ...input, scenario: { ...input.scenario, rules: input.scenario.rules.map((rule) => (rule.ruleId === 'structuring' ? { ...rule, weight: 60 } : rule)) } };
    await mustWithApproval(books.engine, 'monitoring.publish_live', strict, carol, dana);
    await deposit(2, '900000');
    books.clock.advance(dayMs);
    await deposit(2, '950000');
    books.clock.advance(dayMs);
    const before = await balance(2);
    const blocked = await deposit(2, '920000');
    expect(blocked).toMatchObject({ ok: false, code: 'monitoring_block', details: { rules: ['structuring'], caseNumbers: [expect.any(String)] } });
    expect(await balance(2)).toBe(before);
    const [onCase] = await casesOf();
    expect(onCase!.alerts.at(-1)).toMatchObject({ kind: 'monitoring', outcome: 'block', ruleIds: ['structuring'] });
  });

  it('publishing a live scenario needs a second compliance officer', async () => {
    const input = defaultScenarioInput(books.clock.nowMs(), 3);
    const asked = await books.engine.execute('monitoring.publish_live', input, carol);
    expect(asked).toMatchObject({ ok: false, code: 'approval_required' });
    if (asked.ok) return;
    expect(await books.engine.execute('approval.decide', { approvalId: String(asked.details!.approvalId), decision: 'approve' }, carol)).toMatchObject({ ok: false, code: 'checker_must_differ' });
    expect(await books.engine.execute('monitoring.publish_live', input, alice)).toMatchObject({ ok: false, code: 'permission_denied' });
  });
});

describe('a draft scenario in shadow', () => {
  it('decides beside the live one without acting, and a replay over the history shows what it would have flagged', async () => {
    const input = defaultScenarioInput(0, 2);
    // The draft would alert on any day's cash over 5,000 USD.
    const draft = { ...input, rules: input.rules.map((rule) => (rule.id === 'cash_over_ctr' ? { ...rule, parameters: { kind: 'cash_over_ctr' as const, thresholdUsdMinor: '500000' } } : rule)) };
    expect(await books.engine.execute('monitoring.set_draft', draft, carol)).toMatchObject({ ok: true });
    expect((await deposit(0, '400000')).ok).toBe(true); // 2,500 + 4,000 = 6,500: the draft alerts, the live scenario does not
    expect(await casesOf()).toEqual([]);
    const shadow = await books.engine.execute('monitoring.shadow', {}, carol);
    expect(shadow).toMatchObject({ ok: true, value: { draft: { scenarioId: 'retail', version: 2 }, results: [{ shadow: { outcome: 'alert', hits: [{ ruleId: 'cash_over_ctr' }] }, live: null }] } });
    const replay = await books.engine.execute('monitoring.replay', { which: 'draft' }, carol);
    if (!replay.ok) throw new Error(replay.message);
    expect(replay.value.decided).toBeGreaterThan(4);
    expect(replay.value.flagged.map((row) => row.decision.hits.map((hit) => hit.ruleId))).toContainEqual(['cash_over_ctr']);
    const live = await books.engine.execute('monitoring.replay', { which: 'live' }, carol);
    if (!live.ok) throw new Error(live.message);
    expect(live.value.counts.alert + live.value.counts.hold + live.value.counts.block).toBe(0);
  });
});

describe('sanctions screening of a payment', () => {
  it('refuses a transfer to a listed name before it posts and opens a case with the hit\u2019s evidence', async () => {
    const body = encodeSanctionsList({ kind: 'qenex.sanctions-list', schema: 1, listId: 'test-list', source: 'made for this test', publishedAt: '2026-12-01', entries: [{ id: 'T-9', type: 'individual', names: ['BRANDT, Lukas'], programs: ['TEST'] }] });
    const bytes = new TextEncoder().encode(body);
    const trust = { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {}, verifiedAtMs: books.clock.nowMs() };
    const installed = await books.engine.execute('update.install', { trust, install: [{ path: sanctionsPath('test-list'), role: 'compliance', sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length, body }], remove: [], checkedAtMs: books.clock.nowMs(), refusal: null, appStaged: null }, { actor: 'update-client', roles: [systemRole], deviceId: 'update-client' });
    expect(installed.ok).toBe(true);
    const before = [await balance(0), await balance(1)];
    const paid = await books.engine.execute('transfer.internal', { transferId: books.ids.next(), fromAccountId: books.bank.customers[0]!.accountIds[0]!, toAccountId: books.bank.customers[1]!.accountIds[0]!, money: { amount: '10000', currency: 'USD' } }, alice);
    expect(paid).toMatchObject({ ok: false, code: 'sanctions_match', details: { entryId: 'T-9', caseNumber: expect.any(String) } });
    expect([await balance(0), await balance(1)]).toEqual(before);
    const [opened] = await casesOf();
    expect(opened).toMatchObject({ queue: 'screening', customerIds: [books.bank.customers[1]!.id] });
    expect(opened!.alerts[0]).toMatchObject({ kind: 'screening', entryId: 'T-9', matchedName: expect.stringMatching(/BRANDT/i), command: 'transfer.internal' });
    expect((opened!.alerts[0] as { readonly explanation: readonly unknown[] }).explanation.length).toBeGreaterThan(0);
  });
});
