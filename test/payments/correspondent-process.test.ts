/**
 * The correspondent as its own process (`npm run correspondent`), told what to do over its control
 * API: the server's gateway reaches it over HTTP like any correspondent, and its answers move the books.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uetrOf } from '@qenex/engine';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';

let child: ChildProcess;
let url = '';
let t: TestServer;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/correspondent.ts', '--port', '0'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const [first] = (await once(child.stdout!, 'data')) as [Buffer];
  url = first.toString('utf8').trim();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  t = await startTestServer({ correspondentUrl: url });
}, 120_000);

afterAll(async () => {
  await t?.close();
  child?.kill('SIGTERM');
  await dropTestDatabase();
});

async function control(action: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}/control/${action}`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

describe('the correspondent in its own process', () => {
  it('rejects the payment it was told to, returns the next, and the books follow', async () => {
    await control('plan', { behaviours: [{ kind: 'reject', reasonCode: 'RC01' }, { kind: 'return', reasonCode: 'AC04', chargesMinor: '250' }] });
    const alice = await t.signIn('alice');
    const accounts = await t.server.storage.read((tx) => tx.banking.list('bankAccount', '', 100));
    const from = accounts.find((account) => account.productId === 'CURRENT-USD')!.id;
    const paymentIds = ['d00d0000000000000000000000000001', 'd00d0000000000000000000000000002'];
    for (const paymentId of paymentIds) {
      const sent = await t.request('POST', '/api/v1/payments', {
        token: alice,
        body: { paymentId, fromAccountId: from, money: { amount: '3000', currency: 'USD' }, creditor: { name: 'Marie Dubois', kind: 'person', account: { iban: 'FR1420041010050500013M02606' }, townName: 'Paris', country: 'FR' }, creditorAgentBic: 'BNPAFRPPXXX', debtorAddress: { townName: 'San Francisco', country: 'US' } },
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    }
    for (let cycle = 0; cycle < 4; cycle += 1) await t.server.payments.gateway!.cycle();
    const [rejected, returned] = await Promise.all(paymentIds.map(async (paymentId) => (await t.request('GET', `/api/v1/payments/${paymentId}`, { token: alice })).body));
    expect(rejected).toMatchObject({ status: 'rejected', uetr: uetrOf(paymentIds[0]!), reason: { code: 'RC01', words: expect.stringMatching(/BIC/) } });
    expect(returned).toMatchObject({ status: 'returned', reason: { code: 'AC04' } });
    await control('statement', { statementId: 'PROC-STM-1' });
    await t.server.payments.gateway!.cycle();
    const olivia = await t.signIn('olivia');
    const reconciliation = await t.request('GET', '/api/v1/nostro-reconciliations/USD/PROC-STM-1', { token: olivia });
    expect(reconciliation.body).toMatchObject({ reconciled: true, breaks: [], matched: 2 });
  });
});
