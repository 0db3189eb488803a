/**
 * The server's custody gateway in production shape: QENEX_CHAIN_RPC_URL names a JSON-RPC node (the
 * devnet's server here, running the real ERC-20 bytecode), the gateway reads and sends through viem,
 * and everything people do goes through the HTTP API on PostgreSQL: register the token (a second
 * person agrees), open the customer's token account, see the deposit credited once confirmed,
 * withdraw with a head teller's approval, and find the books equal to the chain.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressOfPrivateKey, devKey, EvmDevnet, startDevnetRpcServer, type DevnetRpcServer } from '@qenex/protocols/defi-node';
import type { Address } from '@qenex/protocols/defi';
import { dropTestDatabase, startTestServer, type TestServer } from './harness';

const e18 = 10n ** 18n;
const customerKey = devKey('server custody customer');
const customerOwn = addressOfPrivateKey(customerKey);
const destination = addressOfPrivateKey(devKey('server custody destination'));
const newId = () => randomBytes(16).toString('hex');

describe('custody gateway in the server', () => {
  let t: TestServer;
  let devnet: EvmDevnet;
  let rpc: DevnetRpcServer;
  let token: Address;
  const tokens = { alice: '', bob: '', olivia: '', adam: '' };
  type User = keyof typeof tokens;

  beforeAll(async () => {
    devnet = await EvmDevnet.create({ chainId: 31337n, genesisTimestampS: BigInt(Math.floor(Date.now() / 1000)) });
    token = await devnet.deployToken(10n ** 27n, 'QXTS');
    await devnet.fund(token, customerOwn, 50n * e18);
    await devnet.fundEther(customerOwn, e18);
    rpc = await startDevnetRpcServer(devnet);
    t = await startTestServer({ chain: { rpcUrl: rpc.url, chainId: 31337n } });
    for (const user of Object.keys(tokens) as User[]) tokens[user] = await t.signIn(user);
  });
  afterAll(async () => {
    await t.close();
    await rpc.close().catch(() => undefined);
    await dropTestDatabase();
  });

  async function approved(maker: User, path: string, body: unknown, checker: User) {
    const held = await t.request('POST', path, { token: tokens[maker], body });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    const decided = await t.request('POST', `/api/v1/approvals/${held.body.approvalId}/decision`, { token: tokens[checker], body: { decision: 'approve' } });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    return decided.body.result;
  }

  async function cycleAfter(blocks: number) {
    if (blocks > 0) await devnet.mine(blocks);
    await t.server.custody!.runNow();
  }

  it('credits a confirmed deposit and sends an approved withdrawal, the books equal to the chain', { timeout: 60_000 }, async () => {
    expect(t.server.custody).not.toBeNull();
    await approved('olivia', '/api/v1/digital-assets', { assetId: 'QXTS', name: 'QENEX test stablecoin', chainId: '31337', contract: token, decimals: 18, maxHoldingTokens: '1000000000', confirmations: 2 }, 'adam');
    const customers = await t.request('GET', '/api/v1/customers', { token: tokens.alice });
    const customerId = (customers.body as { id: string }[])[0]!.id;
    const opened = await t.request('POST', '/api/v1/token-accounts', { token: tokens.alice, body: { accountId: newId(), customerId, assetId: 'QXTS' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const accountId = opened.body.id as string;
    const custody = opened.body.address as Address;
    await devnet.fundEther(custody, e18);

    await devnet.transferAs(customerKey, token, custody, 12n * e18);
    await cycleAfter(1);
    let account = await t.request('GET', `/api/v1/token-accounts/${accountId}`, { token: tokens.alice });
    expect(account.body.balance.posted).toBe('0');
    await cycleAfter(1);
    account = await t.request('GET', `/api/v1/token-accounts/${accountId}`, { token: tokens.alice });
    expect(account.body.balance).toMatchObject({ posted: '12000000000', chainAmount: (12n * e18).toString() });

    // The teller has no QXTS limit: a head teller approves; the tokens are held until the chain confirms.
    await approved('alice', '/api/v1/token-withdrawals', { withdrawalId: newId(), accountId, to: destination, amount: '2500000000' }, 'bob');
    account = await t.request('GET', `/api/v1/token-accounts/${accountId}`, { token: tokens.alice });
    expect(account.body.balance).toMatchObject({ posted: '12000000000', available: '9500000000' });
    await cycleAfter(0); // signed and sent
    await cycleAfter(1); // mined: its receipt recorded
    await cycleAfter(2); // confirmed: the hold posted
    expect(await devnet.erc20Balance(token, destination)).toBe(2_500_000_000n * 10n ** 9n);
    account = await t.request('GET', `/api/v1/token-accounts/${accountId}`, { token: tokens.alice });
    expect(account.body.balance).toMatchObject({ posted: '9500000000', available: '9500000000' });
    expect(BigInt(account.body.balance.chainAmount)).toBe(await devnet.erc20Balance(token, custody));
    const operations = await t.request('GET', `/api/v1/token-accounts/${accountId}/operations`, { token: tokens.alice });
    expect(operations.status).toBe(200);
    expect(operations.body.operations).toMatchObject([{ kind: 'withdrawal', status: 'confirmed', to: destination, amountUnits: '2500000000' }]);
    expect(operations.body.deposits).toMatchObject([{ status: 'credited', from: customerOwn }]);
    // The sealed key never leaves the server's books through the API.
    expect(JSON.stringify([account.body, operations.body])).not.toMatch(/sealed|rawTx/i);
    const totals = await t.request('GET', '/api/v1/ledger/totals', { token: tokens.olivia });
    expect(totals.body.every((ledger: { balanced: boolean }) => ledger.balanced)).toBe(true);
  });

  it('keeps serving when the node is unreachable: the cycle fails, is logged, and the next one starts over', async () => {
    await rpc.close();
    await expect(t.server.custody!.runNow()).resolves.toBeUndefined();
    const ready = await t.request('GET', '/api/v1/ledger/totals', { token: tokens.olivia });
    expect(ready.status).toBe(200);
  });
});
