/**
 * The payment flow end to end: tellers send payments over the server's API; the gateway sends each
 * as a pacs.008 to a correspondent (a local HTTP process speaking the real formats) that accepts,
 * rejects, delays, duplicates, reorders and returns; payments come in, one is recalled each way;
 * and at the end of the day the nostro is reconciled against the correspondent's camt.053.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCamt053 } from '@qenex/protocols';
import { TransferFlags, hasFlag, uetrOf, type Transfer } from '@qenex/engine';
import { SimulatedCorrespondent, demoCorrespondent } from '@qenex/server';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { paymentBody, settleGateway } from './support';

let t: TestServer;
let correspondent: SimulatedCorrespondent;
const tokens = { alice: "", bob: "", olivia: "" };
let customers: Array<{ id: string; current: string; number: string }>;

beforeAll(async () => {
  correspondent = new SimulatedCorrespondent({ bic: demoCorrespondent.bic, bankBic: demoCorrespondent.ownBic, account: demoCorrespondent.accountAtCorrespondent, currency: 'USD', nowMs: () => Date.now() });
  const url = await correspondent.start();
  t = await startTestServer({ correspondentUrl: url });
  for (const user of ['alice', 'bob', 'olivia'] as const) tokens[user] = await t.signIn(user);
  // The demo's three customers, by their current accounts.
  const accounts = await t.server.storage.read((tx) => tx.banking.list('bankAccount', '', 100));
  customers = accounts.filter((account) => account.productId === 'CURRENT-USD').map((account) => ({ id: account.customerId, current: account.id, number: account.number }));
  expect(customers).toHaveLength(3);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await correspondent?.stop();
  await dropTestDatabase();
});


function settle(cyclesMax = 20): Promise<void> {
  return settleGateway(t.server.payments.gateway!, cyclesMax);
}

async function payment(paymentId: string) {
  const found = await t.request('GET', `/api/v1/payments/${paymentId}`, { token: tokens.alice });
  expect(found.status).toBe(200);
  return found.body;
}

/** Every ledger transfer of a payment on the nostro (the hold, its post or void, any return). */
async function nostroTransfers(paymentId: string): Promise<Transfer[]> {
  return t.server.storage.read(async (tx) => {
    const correspondentRecord = (await tx.banking.get('correspondent', 'USD'))!;
    const all = await tx.ledger.accountTransfers(correspondentRecord.nostroAccountId, 0n, 10_000);
    return all.filter((transfer) => transfer.userData128 === paymentId);
  });
}

const ids = Array.from({ length: 8 }, (_, index) => `${'c0ffee'}${String(index).padStart(2, '0')}${'0'.repeat(23)}1`);
const behaviours = ['accept', 'reject', 'delay', 'duplicate', 'reorder', 'return', 'delay', 'accept'] as const;

describe('SWIFT payments through a correspondent that misbehaves', () => {

  it('resolves every pending transfer exactly once, keeps each ledger at zero and reconciles the nostro', async () => {
    correspondent.willDo(
      { kind: 'accept' },
      { kind: 'reject', reasonCode: 'AC01' },
      { kind: 'delay' },
      { kind: 'duplicate' },
      { kind: 'reorder' },
      { kind: 'return', reasonCode: 'AC04', chargesMinor: 500n },
      { kind: 'delay' },
      { kind: 'accept' },
    );
    for (const [index, paymentId] of ids.entries()) {
      const from = customers[1 + (index % 2)]!.current;
      const sent = await t.request('POST', '/api/v1/payments', { token: tokens.alice, body: paymentBody(paymentId, from, String(2000 + index * 100)) });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      expect(sent.body.status).toBe('queued');
    }
    // An incoming payment for a customer, and one for an account the bank does not have.
    const credited = correspondent.sendIncoming({
      instructionId: 'ITAU0001', endToEndId: 'E2E-IN-1', uetr: '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', settlementAmount: { amountMinor: 75_000n, currency: 'USD' }, chargeBearer: 'SHAR',
      debtor: { name: 'Ana Souza', postalAddress: { townName: 'Sao Paulo', country: 'BR' } }, debtorAgent: { bic: 'ITAUBRSPXXX' }, creditorAgent: { bic: demoCorrespondent.ownBic },
      creditor: { name: 'Amara Okafor', postalAddress: { townName: 'San Francisco', country: 'US' } }, creditorAccount: { other: customers[0]!.number },
    });
    const unknown = correspondent.sendIncoming({
      instructionId: 'ITAU0002', endToEndId: 'E2E-IN-2', uetr: '9a8b7c6d-5e4f-4a3b-9c1d-0e9f8a7b6c5d', settlementAmount: { amountMinor: 12_000n, currency: 'USD' }, chargeBearer: 'SHAR',
      debtor: { name: 'Ana Souza', postalAddress: { townName: 'Sao Paulo', country: 'BR' } }, debtorAgent: { bic: 'ITAUBRSPXXX' }, creditorAgent: { bic: demoCorrespondent.ownBic },
      creditor: { name: 'Nobody Here', postalAddress: { townName: 'San Francisco', country: 'US' } }, creditorAccount: { other: '99999999999999' },
    });
    await settle();
    // The delayed statuses are still out: those payments are with the correspondent, their money held.
    expect((await payment(ids[2]!)).status).toBe('sent');
    correspondent.release();
    await settle();

    // The head teller recalls the first payment; the correspondent gives it back by pacs.004.
    const recall = await t.request('POST', `/api/v1/payments/${ids[0]}/recall`, { token: tokens.bob, body: { reasonCode: 'CUST' } });
    expect(recall.status, JSON.stringify(recall.body)).toBe(200);
    await settle();
    // The correspondent asks for the credited incoming payment back: answered by a pacs.004.
    correspondent.recall(credited, 'DUPL');
    await settle();

    const expected: Record<string, string> = { 0: 'returned', 1: 'rejected', 2: 'settled', 3: 'settled', 4: 'settled', 5: 'returned', 6: 'settled', 7: 'settled' };
    for (const [index, paymentId] of ids.entries()) {
      const found = await payment(paymentId);
      expect(found.status, `payment ${index} (${behaviours[index]})`).toBe(expected[index]);
      const transfers = await nostroTransfers(paymentId);
      const resolutions = transfers.filter((transfer) => hasFlag(transfer.flags, TransferFlags.postPendingTransfer) || hasFlag(transfer.flags, TransferFlags.voidPendingTransfer));
      expect(resolutions, `payment ${index} resolved once`).toHaveLength(1);
      expect(transfers.filter((transfer) => hasFlag(transfer.flags, TransferFlags.pending))).toHaveLength(1);
      expect(found.uetr).toBe(uetrOf(paymentId));
    }
    const rejected = await payment(ids[1]!);
    expect(rejected.reason).toMatchObject({ code: 'AC01', words: expect.stringMatching(/account number is wrong/) });
    const duplicated = await payment(ids[3]!);
    expect(duplicated.messages.filter((message: { type: string }) => message.type === 'pacs.002').length).toBeGreaterThanOrEqual(2);

    // Everything the bank sent passed ISO's schema before it left (the gateway checks each batch), and the correspondent read it.
    expect(t.server.payments.gateway!.schemaChecked).toBe(true);
    const sentTypes = correspondent.received.map((xml) => /<MsgDefIdr>([^<]+)</.exec(xml)?.[1]);
    expect(sentTypes.filter((type) => type === 'pacs.008.001.08')).toHaveLength(8);
    expect(sentTypes).toContain('camt.056.001.08');
    expect(sentTypes.filter((type) => type === 'pacs.004.001.09')).toHaveLength(2);

    // Each ledger sums to zero, pending included.
    const totals = await t.request('GET', '/api/v1/ledger/totals', { token: tokens.olivia });
    expect(totals.status).toBe(200);
    for (const ledger of totals.body as Array<{ balanced: boolean }>) expect(ledger.balanced).toBe(true);

    // The end of the day: the correspondent's statement, reconciled against the books with no break.
    correspondent.issueStatement('STM20261202');
    await settle();
    const reconciliation = await t.request('GET', '/api/v1/nostro-reconciliations/USD/STM20261202', { token: tokens.olivia });
    expect(reconciliation.status, JSON.stringify(reconciliation.body)).toBe(200);
    expect(reconciliation.body.breaks).toEqual([]);
    expect(reconciliation.body.reconciled).toBe(true);
    expect(reconciliation.body.matched).toBeGreaterThanOrEqual(12);
    void unknown;
  });

  it('lists a break when the correspondent books what the bank never sent', async () => {
    // A fee the correspondent takes with no message: on its statement, not in the books.
    correspondent.sendIncoming({
      instructionId: 'ITAU0003', endToEndId: 'E2E-IN-3', uetr: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e', settlementAmount: { amountMinor: 5_000n, currency: 'USD' }, chargeBearer: 'SHAR',
      debtor: { name: 'Ana Souza', postalAddress: { townName: 'Sao Paulo', country: 'BR' } }, debtorAgent: { bic: 'ITAUBRSPXXX' }, creditorAgent: { bic: demoCorrespondent.ownBic },
      creditor: { name: 'Amara Okafor', postalAddress: { townName: 'San Francisco', country: 'US' } }, creditorAccount: { other: customers[0]!.number },
    });
    // The statement goes out before the bank has read the pacs.008: one entry the books do not have yet.
    correspondent.issueStatement('STM20261202B');
    const gateway = t.server.payments.gateway!;
    const statementOnly = await gateway.apply(correspondent.lastMessage());
    expect(statementOnly.ok).toBe(true);
    const reconciliation = await t.request('GET', '/api/v1/nostro-reconciliations/USD/STM20261202B', { token: tokens.olivia });
    expect(reconciliation.body.reconciled).toBe(false);
    expect(reconciliation.body.breaks).toContainEqual(expect.objectContaining({ kind: 'missing_in_books', uetr: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e', creditDebit: 'CRDT', amountMinor: '5000' }));
    expect(reconciliation.body.breaks).toContainEqual(expect.objectContaining({ kind: 'closing_balance' }));
    await settle();
  });

  it('issues every customer account its end-of-day camt.053, valid against ISO\u2019s schema and equal to the books', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const run = await t.server.payments.issueStatements(today);
    expect(run.schemaChecked).toBe(true);
    expect(run.issued).toBeGreaterThanOrEqual(customers.length);
    const sender = customers[1]!;
    const parsed = parseCamt053(readFileSync(join(run.directory, `${sender.number}.camt053.xml`), 'utf8'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const account = await t.request('GET', `/api/v1/accounts/${sender.current}`, { token: tokens.alice });
    const closing = parsed.value.balances.find((balance) => balance.type === 'CLBD')!;
    expect((closing.creditDebit === 'CRDT' ? 1n : -1n) * closing.amount.amountMinor).toBe(BigInt(account.body.balances.posted));
    // Opening plus the day's entries is the closing balance; the payments carry their UETRs.
    const opening = parsed.value.balances.find((balance) => balance.type === 'OPBD')!;
    const moved = parsed.value.entries.reduce((sum, entry) => sum + (entry.creditDebit === 'CRDT' ? entry.amount.amountMinor : -entry.amount.amountMinor), 0n);
    expect((opening.creditDebit === 'CRDT' ? 1n : -1n) * opening.amount.amountMinor + moved).toBe(BigInt(account.body.balances.posted));
    expect(parsed.value.entries.map((entry) => entry.references.uetr).filter((uetr) => uetr !== undefined)).toContain(uetrOf(ids[2]!));
  });

  it('refuses a payment whose message would be invalid, naming the field, and holds nothing', async () => {
    const before = await t.request('GET', `/api/v1/accounts/${customers[2]!.current}`, { token: tokens.alice });
    const refused = await t.request('POST', '/api/v1/payments', { token: tokens.alice, body: paymentBody('c0ffee99000000000000000000000001', customers[2]!.current, '1000', { creditor: { name: 'Hans Becker', kind: 'person', account: { iban: 'DE89370400440532013001' }, townName: 'Berlin', country: 'DE' } }) });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('payment_invalid');
    expect(refused.body.detail).toContain('creditor.account.iban');
    const after = await t.request('GET', `/api/v1/accounts/${customers[2]!.current}`, { token: tokens.alice });
    expect(after.body.balances).toEqual(before.body.balances);
  });

  it('changes nothing for a message it cannot read, and says why', async () => {
    const applied = await t.server.payments.gateway!.apply('<Envelope xmlns="urn:swift:xsd:envelope"><nonsense/></Envelope>');
    expect(applied).toMatchObject({ ok: false, code: 'message_invalid' });
  });
});
