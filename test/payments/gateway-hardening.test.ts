/**
 * The gateway against messages a hostile review found: incoming payments CBPR+ allows that the
 * books must still take, a reject with a lower-case code, and a return the books cannot book as
 * asked (the account closed since) — none holds back the messages after it, each is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uetrOf, type Context } from '@qenex/engine';
import { SimulatedCorrespondent, demoCorrespondent } from '@qenex/server';
import { buildPacs002 } from '@qenex/protocols';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { paymentBody, settleGateway } from './support';

let t: TestServer;
let correspondent: SimulatedCorrespondent;
const tokens = { alice: '', bob: '', olivia: '' };
let customers: Array<{ id: string; current: string; number: string; branchId: string }>;
const alice: Context = { actor: 'alice', roles: ['teller'], deviceId: 'test' };
const bob: Context = { actor: 'bob', roles: ['head_teller'], deviceId: 'test' };

beforeAll(async () => {
  correspondent = new SimulatedCorrespondent({ bic: demoCorrespondent.bic, bankBic: demoCorrespondent.ownBic, account: demoCorrespondent.accountAtCorrespondent, currency: 'USD', nowMs: () => Date.now() });
  const url = await correspondent.start();
  t = await startTestServer({ correspondentUrl: url });
  for (const user of ['alice', 'bob', 'olivia'] as const) tokens[user] = await t.signIn(user);
  const accounts = await t.server.storage.read((tx) => tx.banking.list('bankAccount', '', 100));
  customers = accounts.filter((account) => account.productId === 'CURRENT-USD').map((account) => ({ id: account.customerId, current: account.id, number: account.number, branchId: account.branchId }));
}, 120_000);

afterAll(async () => {
  await t?.close();
  await correspondent?.stop();
  await dropTestDatabase();
});

async function must(name: string, input: unknown, ctx: Context) {
  const result = await t.server.engine.execute(name as never, input as never, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.code}: ${result.message}`);
  return result.value as Record<string, unknown>;
}


function settle(cyclesMax = 20): Promise<void> {
  return settleGateway(t.server.payments.gateway!, cyclesMax);
}

async function paymentByUetr(direction: string, uetr: string) {
  return t.server.storage.read(async (tx) => (await tx.banking.findBy('payment', 'uetr', `${direction}:${uetr}`, 1))[0]);
}

const incomingBase = {
  instructionId: 'ITAU0101', settlementAmount: { amountMinor: 12_345n, currency: 'USD' }, chargeBearer: 'SHAR' as const,
  debtor: { name: 'Ana Souza', postalAddress: { townName: 'Sao Paulo', country: 'BR' } }, debtorAgent: { bic: 'ITAUBRSPXXX' }, creditorAgent: { bic: demoCorrespondent.ownBic },
  creditor: { name: 'Amara Okafor', postalAddress: { townName: 'San Francisco', country: 'US' } },
};

describe('incoming pacs.008s that CBPR+ accepts', () => {
  it('one without a creditor account is kept on the books (parked for return), not dropped', async () => {
    const uetr = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01';
    correspondent.sendIncoming({ ...incomingBase, endToEndId: 'E2E-NOACCT', uetr });
    const applied = await t.server.payments.gateway!.apply(correspondent.lastMessage());
    expect(applied).toMatchObject({ ok: true, effect: 'returning' });
    expect(await paymentByUetr('incoming', uetr)).toMatchObject({ status: 'returning', reason: { code: 'AC01' } });
  });

  it('one whose debtor account number has a space (restricted FIN-X allows it) is kept on the books, not dropped', async () => {
    const uetr = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c02';
    correspondent.sendIncoming({ ...incomingBase, endToEndId: 'E2E-SPACE', uetr, debtorAccount: { other: '12 3456 789' }, creditorAccount: { other: customers[0]!.number } });
    const applied = await t.server.payments.gateway!.apply(correspondent.lastMessage());
    expect(applied).toMatchObject({ ok: true, effect: 'credited' });
    expect(await paymentByUetr('incoming', uetr)).toMatchObject({ status: 'credited', debtor: { account: { other: '12 3456 789' } } });
  });
});

describe('a reject whose reason code the wire allows but the engine does not', () => {
  it('still releases the hold (the payment must not stay sent forever)', async () => {
    await settle();
    correspondent.willDo({ kind: 'reject', reasonCode: 'ac01' });
    const paymentId = '5a0000000000000000000000000000c1';
    const sent = await t.request('POST', '/api/v1/payments', { token: tokens.alice, body: paymentBody(paymentId, customers[2]!.current, '1200') });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const gateway = t.server.payments.gateway!;
    await gateway.sendDue();
    await gateway.receive();
    await settle();
    const now = (await t.request('GET', `/api/v1/payments/${paymentId}`, { token: tokens.alice })).body;
    expect(now).toMatchObject({ status: 'rejected', reason: { code: 'AC01' } });
  });
});

describe('a poison message from the correspondent', () => {
  it('a pacs.004 for a payment whose account was closed since goes to suspense, and the messages after it are applied', async () => {
    await settle();
    const customer = customers[0]!;
    const savings = '5a0000000000000000000000000000a1';
    await must('account.open', { accountId: savings, customerId: customer.id, productId: 'SAVINGS-USD' }, alice);
    await must('transfer.internal', { transferId: '5a0000000000000000000000000000a2', fromAccountId: customer.current, toAccountId: savings, money: { amount: '30000', currency: 'USD' } }, alice);
    const paymentId = '5a0000000000000000000000000000a3';
    const sent = await t.request('POST', '/api/v1/payments', { token: tokens.alice, body: paymentBody(paymentId, savings, '30000') });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    await settle();
    expect((await t.request('GET', `/api/v1/payments/${paymentId}`, { token: tokens.alice })).body.status).toBe('settled');
    // The customer asks for it back, and closes the (now empty) account.
    const recall = await t.request('POST', `/api/v1/payments/${paymentId}/recall`, { token: tokens.bob, body: { reasonCode: 'CUST' } });
    expect(recall.status, JSON.stringify(recall.body)).toBe(200);
    await t.server.storage.transaction((tx) => tx.banking.put('user', { id: 'hank', displayName: 'hank', roles: ['head_teller'], passwordHash: 'x', status: 'active', branchId: customer.branchId as never, createdAtMs: 0 }));
    const held = await t.server.engine.execute('account.close', { accountId: savings, closingTransferId: '5a0000000000000000000000000000a4' } as never, bob);
    const approvalId = (held as { details?: { approvalId?: string } }).details?.approvalId;
    expect(approvalId, JSON.stringify(held)).toBeTypeOf('string');
    await must('approval.decide', { approvalId, decision: 'approve', note: 'closing' }, { actor: 'hank', roles: ['head_teller'], deviceId: 'test' });

    // Another customer's payment goes out meanwhile; the correspondent accepts it.
    const other = '5a0000000000000000000000000000b1';
    const second = await t.request('POST', '/api/v1/payments', { token: tokens.alice, body: paymentBody(other, customers[1]!.current, '1500') });
    expect(second.status, JSON.stringify(second.body)).toBe(201);

    const errors: string[] = [];
    for (let cycle = 0; cycle < 5; cycle += 1) {
      try {
        await t.server.payments.gateway!.cycle();
      } catch (error) {
        errors.push(String(error).slice(0, 160));
      }
    }
    const secondNow = (await t.request('GET', `/api/v1/payments/${other}`, { token: tokens.alice })).body;
    expect({ errors, secondStatus: secondNow.status, uetr: secondNow.uetr }).toEqual({ errors: [], secondStatus: 'settled', uetr: uetrOf(other) });
    const recalled = (await t.request('GET', `/api/v1/payments/${paymentId}`, { token: tokens.alice })).body;
    expect(recalled).toMatchObject({ status: 'returned', recall: { status: 'accepted' }, exceptions: [expect.stringMatching(/suspense/)] });
    const totals = await t.request('GET', '/api/v1/ledger/totals', { token: tokens.olivia });
    for (const ledger of totals.body as Array<{ balanced: boolean }>) expect(ledger.balanced).toBe(true);
  });

  it('keeps a message it cannot apply as an exception for operations, and reads on past it', async () => {
    const status = buildPacs002({
      messageId: 'STSPOISON0001', creationDateTime: '2026-12-02T10:00:00+00:00', instructingAgent: { bic: demoCorrespondent.bic }, instructedAgent: { bic: demoCorrespondent.ownBic },
      originalMessageId: 'NOSUCHMESSAGE', originalMessageType: 'pacs.008.001.08', originalEndToEndId: 'NOSUCH', originalUetr: '0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b', status: 'ACSC',
    });
    if (!status.ok) throw new Error(JSON.stringify(status.issues));
    const unknown = await t.server.payments.gateway!.apply(status.value);
    expect(unknown).toMatchObject({ ok: false, code: 'payment_not_found' });
    const garbage = await t.server.payments.gateway!.apply('<Envelope xmlns="urn:swift:xsd:envelope"><AppHdr/></Envelope>');
    expect(garbage).toMatchObject({ ok: false, code: 'message_invalid' });
    const listed = await t.request('GET', '/api/v1/payment-exceptions?limit=50', { token: tokens.olivia });
    expect(listed.status).toBe(200);
    expect(listed.body.exceptions).toEqual(expect.arrayContaining([
      expect.objectContaining({ messageType: 'pacs.002.001.10', messageId: 'STSPOISON0001', code: 'payment_not_found', xml: status.value }),
      expect.objectContaining({ messageType: 'unreadable', code: 'message_invalid' }),
    ]));
    // A teller does not read the bank's exceptions.
    expect((await t.request('GET', '/api/v1/payment-exceptions', { token: tokens.alice })).status).toBe(403);
  });
});
