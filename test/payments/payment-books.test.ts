/**
 * The books of SWIFT payments, through the engine's commands alone (the gateway and the wire
 * formats have their own tests): the hold on the customer's account, each correspondent answer
 * applied once, the nostro moved as the correspondent's statement will show it.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine, demoUsers, encodeSanctionsList, sanctionsPath, ManualClock, seedDemoBank, SequentialIds, systemRole, uetrOf, type Context, type DemoBank } from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { ScryptPasswordHasher } from '@qenex/engine/node';
import { gatewayCtx as gateway, mustRun, paymentBody, paymentBooks } from './support';

const { alice, carol, olivia } = demoUsers;
let engine: Engine;
let ids: SequentialIds;
let bank: DemoBank;

beforeEach(async () => {
  ({ engine, ids, bank } = await paymentBooks());
}, 60_000);

function must(name: string, input: unknown, ctx: Context) {
  return mustRun(engine, name, input, ctx);
}

async function available(customer = 0): Promise<bigint> {
  const account = await must('account.get', { accountId: bank.customers[customer]!.accountIds[0]! }, alice);
  return BigInt((account as { balances: { available: string } }).balances.available);
}

function sendInput(paymentId: string, amount = '10000') {
  return paymentBody(paymentId, bank.customers[0]!.accountIds[0]!, amount);
}

function send(paymentId = ids.next(), amount = '10000') {
  return engine.execute('payment.send', sendInput(paymentId, amount), alice);
}

async function totalsBalance(): Promise<void> {
  const totals = await engine.execute('ledger.totals', {}, olivia);
  if (!totals.ok) throw new Error(totals.message);
  for (const ledger of totals.value) {
    expect(ledger.debitsPosted).toBe(ledger.creditsPosted);
    expect(ledger.debitsPending).toBe(ledger.creditsPending);
  }
}

describe('an outgoing payment on the books', () => {
  it('holds the money until the correspondent settles it, then posts it once however often ACSC comes', async () => {
    const before = await available();
    const paymentId = ids.next();
    const sent = await send(paymentId);
    expect(sent.ok).toBe(true);
    expect(await available()).toBe(before - 10000n);
    const uetr = uetrOf(paymentId);
    await must('payment.mark_sent', { paymentId, type: 'pacs.008', messageId: 'QXM1', xml: '<pacs.008/>' }, gateway);
    const settled = await must('payment.apply_status', { uetr, status: 'ACSC', messageId: 'CORR-1', xml: '<pacs.002/>' }, gateway);
    expect(settled.effect).toBe('now settled');
    const again = await must('payment.apply_status', { uetr, status: 'ACSC', messageId: 'CORR-2', xml: '<pacs.002/>' }, gateway);
    expect(again.effect).toMatch(/repeat/);
    const replay = await must('payment.apply_status', { uetr, status: 'ACSC', messageId: 'CORR-1', xml: '<pacs.002/>' }, gateway);
    expect(replay.effect).toBe('duplicate_message');
    expect(await available()).toBe(before - 10000n);
    const late = await must('payment.apply_status', { uetr, status: 'RJCT', reasonCode: 'AC01', messageId: 'CORR-3', xml: '<pacs.002/>' }, gateway);
    expect(late.effect).toMatch(/contradicts/);
    const got = await must('payment.get', { paymentId }, alice);
    expect(got).toMatchObject({ status: 'settled', exceptions: ['pacs.002 RJCT arrived when the payment was already settled'] });
    expect((got.messages as unknown[]).length).toBe(4);
    await totalsBalance();
  });

  it('releases the hold on a reject and says why in words', async () => {
    const before = await available();
    const paymentId = ids.next();
    expect((await send(paymentId)).ok).toBe(true);
    const rejected = await must('payment.apply_status', { uetr: uetrOf(paymentId), status: 'RJCT', reasonCode: 'AC04', messageId: 'CORR-9', xml: '<pacs.002/>' }, gateway);
    expect(rejected.effect).toBe('now rejected');
    expect(await available()).toBe(before);
    const got = await must('payment.get', { paymentId }, alice);
    expect(got.reason).toEqual({ code: 'AC04', words: 'the beneficiary account is closed; ask the customer for another account' });
    await totalsBalance();
  });

  it('gives the money back on a return, even one that overtakes the acceptance', async () => {
    const before = await available();
    const paymentId = ids.next();
    expect((await send(paymentId)).ok).toBe(true);
    const uetr = uetrOf(paymentId);
    const returned = await must('payment.apply_return', { uetr, returned: { amount: '9500', currency: 'USD' }, reasonCode: 'AC01', messageId: 'RET-1', xml: '<pacs.004/>' }, gateway);
    expect(returned.effect).toBe('now returned');
    // 5.00 of charges stayed with the banks on the way: the customer gets back what came back.
    expect(await available()).toBe(before - 500n);
    const late = await must('payment.apply_status', { uetr, status: 'ACSC', messageId: 'CORR-10', xml: '<pacs.002/>' }, gateway);
    expect(late.effect).toMatch(/older news/);
    expect(await available()).toBe(before - 500n);
    await totalsBalance();
  });

  it('refuses a return of more than was paid, booking nothing', async () => {
    const paymentId = ids.next();
    expect((await send(paymentId)).ok).toBe(true);
    const refused = await engine.execute('payment.apply_return', { uetr: uetrOf(paymentId), returned: { amount: '10001', currency: 'USD' }, reasonCode: 'AC01', messageId: 'RET-2', xml: '<pacs.004/>' }, gateway);
    expect(refused).toMatchObject({ ok: false, code: 'return_exceeds_payment' });
  });

  it('refuses a payment the message check finds invalid, naming the field, holding nothing', async () => {
    const strict = new Engine({ storage: new SqliteStorage({ path: ':memory:' }), clock: new ManualClock(Date.UTC(2026, 11, 2, 9)), ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }), paymentFormats: () => [{ field: 'creditor.account.iban', message: 'the IBAN check digits are wrong' }] });
    const seeded = await seedDemoBank(strict, ids, { clock: new ManualClock(Date.UTC(2026, 11, 2, 9)) });
    await strict.execute('payment.set_correspondent', { currency: 'USD', bic: 'CHASUS33XXX', name: 'Correspondent Bank', ownBic: 'QENXGB2LXXX', accountAtCorrespondent: '400012345' }, olivia);
    const refused = await strict.execute('payment.send', { paymentId: ids.next(), fromAccountId: seeded.customers[0]!.accountIds[0]!, money: { amount: '100', currency: 'USD' }, creditor: { name: 'X', kind: 'person', account: { iban: 'DE00370400440532013000' }, townName: 'Berlin', country: 'DE' }, creditorAgentBic: 'COBADEFFXXX', debtorAddress: { townName: 'San Francisco', country: 'US' } }, alice);
    expect(refused).toMatchObject({ ok: false, code: 'payment_invalid' });
    expect(refused.ok ? '' : refused.message).toContain('creditor.account.iban');
  });

  it('waits for a supervisor above the teller\u2019s limit, and holds the money only once approved', async () => {
    const accountId = bank.customers[2]!.accountIds[0]!;
    expect((await engine.execute('cash.deposit', { transferId: ids.next(), sessionId: bank.sessionId, accountId, money: { amount: '450000', currency: 'USD' } }, alice)).ok).toBe(true);
    const before = await available(2);
    const paymentId = ids.next();
    const held = await engine.execute('payment.send', { ...sendInput(paymentId), fromAccountId: accountId, money: { amount: '600000', currency: 'USD' } }, alice);
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    expect(await available(2)).toBe(before);
    const approvalId = held.ok ? '' : String(held.details?.approvalId);
    const approved = await engine.execute('approval.decide', { approvalId, decision: 'approve' }, demoUsers.bob);
    expect(approved.ok).toBe(true);
    expect(await available(2)).toBe(before - 600000n);
    expect(await must('payment.get', { paymentId }, alice)).toMatchObject({ status: 'queued', createdBy: 'alice' });
    await totalsBalance();
  });

  it('is only the gateway\u2019s to apply: a teller cannot settle a payment', async () => {
    const paymentId = ids.next();
    expect((await send(paymentId)).ok).toBe(true);
    const refused = await engine.execute('payment.apply_status', { uetr: uetrOf(paymentId), status: 'ACSC', messageId: 'X', xml: '<x/>' }, alice);
    expect(refused.ok).toBe(false);
  });
});

describe('an incoming payment on the books', () => {
  function receive(uetr: string, account: { other: string }, amount = '25000') {
    return engine.execute('payment.receive', {
      messageId: `IN-${uetr.slice(0, 8)}`, xml: '<pacs.008/>', uetr, instructionId: 'THEIRREF1', endToEndId: 'E2E-1',
      money: { amount, currency: 'USD' }, settlementDate: '2026-12-02',
      debtor: { name: 'Ana Souza', kind: 'person', country: 'BR' }, debtorAgentBic: 'ITAUBRSPXXX',
      creditor: { name: 'Amara Okafor', kind: 'person', account }, creditorAgentBic: 'QENXGB2LXXX', chargeBearer: 'SHAR',
    }, gateway);
  }

  it('credits the beneficiary once, however often the pacs.008 comes', async () => {
    const accountView = await must('account.get', { accountId: bank.customers[0]!.accountIds[0]! }, alice);
    const number = (accountView as { account: { number: string } }).account.number;
    const before = await available();
    const uetr = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const first = await receive(uetr, { other: number });
    expect(first).toMatchObject({ ok: true, value: { effect: 'credited' } });
    expect((await receive(uetr, { other: number })).ok).toBe(true);
    expect(await available()).toBe(before + 25000n);
    await totalsBalance();
  });

  it('parks a payment for an unknown account in suspense and returns it when the pacs.004 goes', async () => {
    const uetr = '9a8b7c6d-5e4f-4a3b-9c1d-0e9f8a7b6c5d';
    const parked = await receive(uetr, { other: '999999999' });
    expect(parked).toMatchObject({ ok: true, value: { effect: 'returning', payment: { reason: { code: 'AC01' } } } });
    const outbox = await must('payment.outbox', {}, gateway);
    expect((outbox.payments as Array<{ uetr: string; send: string }>).find((p) => p.uetr === uetr)?.send).toBe('pacs.004');
    const paymentId = ((parked as { value: { payment: { id: string } } }).value.payment.id);
    const done = await must('payment.mark_sent', { paymentId, type: 'pacs.004', messageId: 'QXR1', xml: '<pacs.004/>' }, gateway);
    expect(done.effect).toBe('returned to the sender');
    await totalsBalance();
  });
});

describe('sanctions screening of payments abroad', () => {
  beforeEach(async () => {
    const body = encodeSanctionsList({ kind: 'qenex.sanctions-list', schema: 1, listId: 'test-list', source: 'made for this test', publishedAt: '2026-12-01', entries: [{ id: 'T-7', type: 'individual', names: ['BECKER, Hans'], programs: ['TEST'] }] });
    const bytes = new TextEncoder().encode(body);
    const trust = { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {}, verifiedAtMs: Date.UTC(2026, 11, 2, 9) };
    const installed = await engine.execute('update.install', { trust, install: [{ path: sanctionsPath('test-list'), role: 'compliance', sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length, body }], remove: [], checkedAtMs: Date.UTC(2026, 11, 2, 9), refusal: null, appStaged: null }, { actor: 'update-client', roles: [systemRole], deviceId: 'update-client' });
    expect(installed.ok).toBe(true);
  });

  it('refuses a payment to a listed name before anything is held, and compliance gets the case', async () => {
    const before = await available();
    const refused = await send();
    expect(refused).toMatchObject({ ok: false, code: 'sanctions_match', details: { entryId: 'T-7', caseNumber: expect.any(String) } });
    expect(await available()).toBe(before);
    const cases = await must('case.list', { view: 'open' }, carol);
    expect(cases).toContainEqual(expect.objectContaining({ queue: 'screening', alerts: [expect.objectContaining({ kind: 'screening', entryId: 'T-7', command: 'payment.send' })] }));
    const listed = await must('payment.list', { limit: 10 }, alice);
    expect(listed.payments).toEqual([]);
  });

  it('blocks an incoming payment from a listed name in suspense, with a case, and sends nothing back', async () => {
    const accountView = await must('account.get', { accountId: bank.customers[0]!.accountIds[0]! }, alice);
    const number = (accountView as { account: { number: string } }).account.number;
    const before = await available();
    const blocked = await engine.execute('payment.receive', {
      messageId: 'IN-BLOCK-1', xml: '<pacs.008/>', uetr: '5c4b3a29-1807-4f6e-9d5c-4b3a29180706', instructionId: 'THEIRREF9', endToEndId: 'E2E-9',
      money: { amount: '40000', currency: 'USD' }, settlementDate: '2026-12-02',
      debtor: { name: 'Hans Becker', kind: 'person', country: 'DE' }, debtorAgentBic: 'COBADEFFXXX',
      creditor: { name: 'Amara Okafor', kind: 'person', account: { other: number } }, creditorAgentBic: 'QENXGB2LXXX', chargeBearer: 'SHAR',
    }, gateway);
    expect(blocked).toMatchObject({ ok: true, value: { effect: 'blocked', payment: { status: 'blocked', reason: { code: 'RR04' } } } });
    expect(await available()).toBe(before);
    const outbox = await must('payment.outbox', {}, gateway);
    expect(outbox.payments).toEqual([]);
    const cases = await must('case.list', { view: 'open' }, carol);
    expect(cases).toContainEqual(expect.objectContaining({ queue: 'screening', title: expect.stringMatching(/incoming payment: Hans Becker/) }));
    await totalsBalance();
  });
});
