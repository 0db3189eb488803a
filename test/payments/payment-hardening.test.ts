/**
 * The payment commands against what a hostile review threw at them (engine level, SQLite): money
 * that comes back to a closed account, dates and codes the wire can carry, retries that differ,
 * another branch's staff, repeated and conflicting incoming messages. Nothing throws; nothing is lost.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { demoUsers, uetrOf, type Context, type DemoBank, type Engine, type SequentialIds } from '@qenex/engine';
import type { SqliteStorage } from '@qenex/engine/sqlite';
import { gatewayCtx as gateway, mustRun, paymentBody, paymentBooks } from './support';

const { alice, bob, olivia } = demoUsers;
let engine: Engine;
let storage: SqliteStorage;
let ids: SequentialIds;
let bank: DemoBank;

beforeEach(async () => {
  ({ engine, storage, ids, bank } = await paymentBooks());
}, 60_000);

function must(name: string, input: unknown, ctx: Context) {
  return mustRun(engine, name, input, ctx);
}

const creditor = paymentBody('', '', '0').creditor;
function sendBody(paymentId: string, fromAccountId: string, amount: string, overrides: Record<string, unknown> = {}) {
  return paymentBody(paymentId, fromAccountId, amount, overrides);
}

async function addUser(id: string, roles: string[], branchId: string | null): Promise<Context> {
  await storage.transaction((tx) => tx.banking.put('user', { id, displayName: id, roles, passwordHash: 'x', status: 'active', branchId: branchId as never, createdAtMs: 0 }));
  return { actor: id, roles, deviceId: 'demo-workstation' };
}

describe('a return for a payment whose account was closed after settlement', () => {
  it('does not throw out of payment.apply_return (the gateway would stall on it forever)', async () => {
    const customer = bank.customers[0]!;
    const savings = ids.next();
    await must('account.open', { accountId: savings, customerId: customer.id, productId: 'SAVINGS-USD' }, alice);
    await must('transfer.internal', { transferId: ids.next(), fromAccountId: customer.accountIds[0]!, toAccountId: savings, money: { amount: '30000', currency: 'USD' } }, alice);
    const paymentId = ids.next();
    const sent = await engine.execute('payment.send', sendBody(paymentId, savings, '30000') as never, alice);
    expect(sent.ok, JSON.stringify(sent)).toBe(true);
    const uetr = uetrOf(paymentId);
    await must('payment.mark_sent', { paymentId, type: 'pacs.008', messageId: 'QXM1', xml: '<x/>' }, gateway);
    await must('payment.apply_status', { uetr, status: 'ACSC', messageId: 'CORR-1', xml: '<x/>' }, gateway);
    // The account is empty now: the customer closes it (a second head teller agrees).
    const hank = await addUser('hank', ['head_teller'], bank.branchId);
    const held = await engine.execute('account.close', { accountId: savings, closingTransferId: ids.next() } as never, bob);
    expect(held.ok).toBe(false);
    const approvalId = (held as { details?: { approvalId?: string } }).details?.approvalId;
    expect(approvalId, JSON.stringify(held)).toBeTypeOf('string');
    await must('approval.decide', { approvalId, decision: 'approve', note: 'closing' }, hank);
    // The beneficiary bank sends it back days later.
    let outcome: unknown;
    try {
      outcome = await engine.execute('payment.apply_return', { uetr, returned: { amount: '30000', currency: 'USD' }, reasonCode: 'AC04', messageId: 'RET-1', xml: '<x/>' }, gateway);
    } catch (error) {
      outcome = { threw: String(error) };
    }
    expect(outcome).toMatchObject({ ok: true, value: { effect: 'now returned', payment: { status: 'returned', exceptions: [expect.stringMatching(/after the account was closed: it is in the payments suspense account/)] } } });
    const totals = await engine.execute('ledger.totals', {}, olivia);
    if (!totals.ok) throw new Error(totals.message);
    for (const ledger of totals.value) expect(ledger.balanced).toBe(true);
  });
});

describe('dates a message can carry', () => {
  it('customer_statements refuses a non-calendar date instead of throwing', async () => {
    let outcome: unknown;
    try {
      outcome = await engine.execute('payment.customer_statements', { date: '2026-13-01' } as never, gateway);
    } catch (error) {
      outcome = { threw: String(error) };
    }
    expect(outcome).toMatchObject({ ok: false, code: 'invalid_input' });
  });

  it('reconcile_nostro refuses a non-calendar date instead of throwing', async () => {
    let outcome: unknown;
    try {
      outcome = await engine.execute('payment.reconcile_nostro', { messageId: 'STM1', xml: '<x/>', currency: 'USD', statementId: 'S1', fromDate: '2026-12-02', toDate: '2026-99-99', opening: { amount: '0', creditDebit: 'CRDT' }, closing: { amount: '0', creditDebit: 'CRDT' }, entries: [] } as never, gateway);
    } catch (error) {
      outcome = { threw: String(error) };
    }
    expect(outcome).toMatchObject({ ok: false, code: 'invalid_input' });
  });
});

describe('payment.send replayed with the same id', () => {
  it('refuses a different creditor account or bank instead of answering ok with the old payment', async () => {
    const paymentId = ids.next();
    expect((await engine.execute('payment.send', sendBody(paymentId, bank.customers[0]!.accountIds[0]!, '1000') as never, alice)).ok).toBe(true);
    const other = await engine.execute('payment.send', sendBody(paymentId, bank.customers[0]!.accountIds[0]!, '1000', { creditor: { ...creditor, account: { iban: 'GB29NWBK60161331926819' } }, creditorAgentBic: 'NWBKGB2LXXX' }) as never, alice);
    expect(other).toMatchObject({ ok: false, code: 'transaction_id_reused' });
    // The very same request again is the same payment.
    expect((await engine.execute('payment.send', sendBody(paymentId, bank.customers[0]!.accountIds[0]!, '1000') as never, alice)).ok).toBe(true);
  });
});

describe('who sees and recalls payments', () => {
  it("a teller of another branch cannot read this branch's payments", async () => {
    const paymentId = ids.next();
    expect((await engine.execute('payment.send', sendBody(paymentId, bank.customers[0]!.accountIds[0]!, '1000') as never, alice)).ok).toBe(true);
    const other = ids.next();
    expect((await engine.executeAny('branch.create', { branchId: other, code: '0888', name: 'Far', currencies: ['USD'] }, { actor: 'bootstrap-1', roles: ['operations'], deviceId: 'bootstrap' })).ok).toBe(true);
    const far = await addUser('far', ['teller'], other);
    // Sanity: the other branch's teller cannot read the account itself.
    const account = await engine.execute('account.get', { accountId: bank.customers[0]!.accountIds[0]! } as never, far);
    expect(account.ok).toBe(false);
    const got = await engine.execute('payment.get', { paymentId } as never, far);
    const listed = await engine.execute('payment.list', { limit: 10 } as never, far);
    expect({ get: got.ok, list: listed.ok ? (listed.value as { payments: unknown[] }).payments.length : 'refused' }).toEqual({ get: false, list: 0 });
  });

  it("a head teller of another branch cannot recall this branch's payment", async () => {
    const paymentId = ids.next();
    expect((await engine.execute('payment.send', sendBody(paymentId, bank.customers[0]!.accountIds[0]!, '1000') as never, alice)).ok).toBe(true);
    await must('payment.mark_sent', { paymentId, type: 'pacs.008', messageId: 'QXM1', xml: '<x/>' }, gateway);
    const other = ids.next();
    expect((await engine.executeAny('branch.create', { branchId: other, code: '0888', name: 'Far', currencies: ['USD'] }, { actor: 'bootstrap-1', roles: ['operations'], deviceId: 'bootstrap' })).ok).toBe(true);
    const farHead = await addUser('farhead', ['head_teller'], other);
    const recalled = await engine.execute('payment.recall', { paymentId, reasonCode: 'FRAD' } as never, farHead);
    expect(recalled).toMatchObject({ ok: false, code: 'out_of_scope' });
    // Central staff reach it; the branch's own head teller too.
    expect((await engine.execute('payment.get', { paymentId } as never, olivia)).ok).toBe(true);
    expect((await engine.execute('payment.recall', { paymentId, reasonCode: 'FRAD' } as never, bob)).ok).toBe(true);
  });
});

describe('incoming pacs.008 edge cases', () => {
  async function number(accountId: string) {
    const view = await must('account.get', { accountId }, alice);
    return (view as { account: { number: string } }).account.number;
  }
  function receive(uetr: string, account: unknown, amount: string, messageId = `IN-${uetr.slice(-12)}`, xml = '<pacs.008/>') {
    return engine.execute('payment.receive', {
      messageId, xml, uetr, instructionId: 'THEIRREF1', endToEndId: 'E2E-1',
      money: { amount, currency: 'USD' }, settlementDate: '2026-12-02',
      debtor: { name: 'Ana Souza', kind: 'person', country: 'BR' }, debtorAgentBic: 'ITAUBRSPXXX',
      creditor: { name: 'Amara Okafor', kind: 'person', account }, creditorAgentBic: 'QENXGB2LXXX', chargeBearer: 'SHAR',
    } as never, gateway);
  }

  it('an amount the wire allows (18 digits) does not throw out of payment.receive once the nostro is large', async () => {
    const acct = await number(bank.customers[0]!.accountIds[0]!);
    const big = '999999999999999999';
    const outcomes: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const uetr = `3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c${i.toString(16).padStart(2, '0')}`;
      try {
        const r = await receive(uetr, { other: acct }, big);
        outcomes.push(r.ok ? 'ok' : `refused:${r.code}`);
      } catch (error) {
        outcomes.push(`threw:${String(error).slice(0, 120)}`);
      }
    }
    expect(outcomes.filter((o) => o.startsWith('threw'))).toEqual([]);
    // Refused once the nostro would overflow: nothing half-booked.
    expect(outcomes.at(-1)).toBe('refused:ledger_refused');
  });

  it('a second pacs.008 reusing a message id does not overwrite the first payment\u2019s stored message', async () => {
    const acct = await number(bank.customers[0]!.accountIds[0]!);
    const a = await receive('3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4caa', { other: acct }, '100', 'SAME-ID', '<first/>');
    const b = await receive('3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4cbb', { other: acct }, '200', 'SAME-ID', '<second/>');
    expect(a.ok).toBe(true);
    expect(b).toMatchObject({ ok: false, code: 'message_id_reused' });
    const firstId = (a as { value: { payment: { id: string } } }).value.payment.id;
    const got = await must('payment.get', { paymentId: firstId }, olivia);
    expect((got.messages as Array<{ xml: string }>)[0]!.xml).toBe('<first/>');
  });

  it('the same UETR with a different amount is not silently called a duplicate', async () => {
    const acct = await number(bank.customers[0]!.accountIds[0]!);
    const uetr = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c77';
    expect((await receive(uetr, { other: acct }, '100', 'M-1')).ok).toBe(true);
    const second = await receive(uetr, { other: acct }, '99999', 'M-2', '<different/>');
    expect(second).toMatchObject({ ok: true, value: { effect: 'conflicting_duplicate' } });
    const got = await must('payment.get', { paymentId: (second as { value: { payment: { id: string } } }).value.payment.id }, olivia);
    expect(got.exceptions).toEqual([expect.stringMatching(/second pacs\.008 \(M-2\) with this UETR asked for 99999 USD/)]);
    expect((got.messages as Array<{ xml: string }>).map((message) => message.xml)).toEqual(['<pacs.008/>', '<different/>']);
    expect(got.amountMinor).toBe('100');
  });
});
