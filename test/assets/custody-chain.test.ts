/**
 * Custody end to end on a real EVM: the real ERC-20 and Uniswap v2 bytecode in @ethereumjs/vm,
 * the server's custody gateway between it and the books, the books deciding. A customer deposits
 * from their own wallet, swaps through the router, and withdraws; after every step each token
 * account's holding on the books is exactly the chain's balance of its custody address, including
 * after a reorganisation drops a deposit that was not yet confirmed. Run through both adapters of
 * the one chain port: the devnet in process, and viem over the devnet's JSON-RPC server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { demoUsers, Engine, ManualClock, mustWithApproval, seedDemoBank, SequentialIds } from '@qenex/engine';
import { ScryptPasswordHasher, SealedCustodyKeys } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { addressOfPrivateKey, devKey, EvmDevnet, startDevnetRpcServer, ViemChain } from '@qenex/protocols/defi-node';
import { getAmountOut, type Address, type ChainPort } from '@qenex/protocols/defi';
import { CustodyGateway } from '../../apps/server/src/assets/custody-gateway';
import { mustRun } from '../payments/support';

const e18 = 10n ** 18n;
const startMs = Date.UTC(2026, 11, 2, 9, 0, 0);
const customerKey = devKey('customer own wallet');
const customerOwn = addressOfPrivateKey(customerKey);
const elsewhere = addressOfPrivateKey(devKey('customer exchange account'));

type Adapter = 'devnet' | 'viem';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function world(adapter: Adapter) {
  const devnet = await EvmDevnet.create({ chainId: 31337n, genesisTimestampS: BigInt(startMs / 1000) });
  let chain: ChainPort = devnet;
  if (adapter === 'viem') {
    const server = await startDevnetRpcServer(devnet);
    closers.push(() => server.close());
    const viem = new ViemChain({ chainId: 31337n, url: server.url });
    await viem.verifyChainId();
    chain = viem;
  }
  const tokenA = await devnet.deployToken(10n ** 30n, 'QXTA');
  const tokenB = await devnet.deployToken(10n ** 30n, 'QXTB');
  const pair = await devnet.createPairWithLiquidity(tokenA, tokenB, 1_000n * e18, 2_000n * e18);
  await devnet.fund(tokenA, customerOwn, 100n * e18);
  await devnet.fundEther(customerOwn, e18);

  const clock = new ManualClock(startMs);
  const ids = new SequentialIds(clock);
  const storage = new SqliteStorage({ path: ':memory:' });
  closers.push(async () => storage.close());
  const custodyKeys = new SealedCustodyKeys(new Uint8Array(32).fill(3));
  const engine = new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }), custodyKeys });
  const bank = await seedDemoBank(engine, ids, { clock });
  for (const [assetId, contract] of [['QXTA', tokenA], ['QXTB', tokenB]] as const) {
    await mustWithApproval(engine, 'asset.register', { assetId, name: `${assetId} token`, chainId: '31337', contract, decimals: 18, maxHoldingTokens: '1000000000', confirmations: 3 }, demoUsers.olivia, demoUsers.adam);
  }
  await mustWithApproval(engine, 'asset.register_pool', { poolId: 'QXTAB', assetA: 'QXTA', assetB: 'QXTB', pair, router: devnet.router, deadlineSecondsMax: 600 }, demoUsers.olivia, demoUsers.adam);
  await mustWithApproval(engine, 'limit.set', { holder: { role: 'teller' }, kind: 'asset', currency: 'QXTA', perTransaction: '4500000000', perDay: '100000000000' }, demoUsers.olivia, demoUsers.adam);
  const customerId = bank.customers[0]!.id;
  const a = await mustRun(engine, 'asset.open_account', { accountId: ids.next(), customerId, assetId: 'QXTA' }, demoUsers.alice);
  const b = await mustRun(engine, 'asset.open_account', { accountId: ids.next(), customerId, assetId: 'QXTB' }, demoUsers.alice);
  const custody = a['address'] as Address;
  expect(b['address']).toBe(custody);
  // Gas money for the custody wallet (topping it up is operations' job, outside the books).
  await devnet.fundEther(custody, e18);

  const warnings: string[] = [];
  const gateway = new CustodyGateway({ engine, chain, keys: custodyKeys, log: { warn: (_detail, message) => warnings.push(message) } });

  /** The devnet mines `blocks`, the engine's clock follows the chain, and the gateway runs a cycle. */
  async function mineAndCycle(blocks = 1) {
    if (blocks > 0) await devnet.mine(blocks);
    clock.set(Number((await devnet.head()).timestampS) * 1000);
    return gateway.cycle();
  }

  async function expectBooksEqualChain() {
    const positions = await gateway.reconcile();
    expect(positions.length).toBe(2);
    for (const position of positions) expect(position.books, position.assetId).toBe(position.chain);
    const totals = (await engine.execute('ledger.totals', {}, demoUsers.lena)) as { ok: true; value: { balanced: boolean }[] };
    for (const ledger of totals.value) expect(ledger.balanced).toBe(true);
    return positions;
  }

  async function holding(accountId: string) {
    const got = await mustRun(engine, 'asset.account', { accountId }, demoUsers.alice);
    return got['balance'] as { posted: string; available: string; remainder: string; chainAmount: string };
  }

  return { devnet, chain, engine, clock, gateway, tokenA, tokenB, pair, custody, a: a['id'] as string, b: b['id'] as string, mineAndCycle, expectBooksEqualChain, holding, warnings };
}

for (const adapter of ['devnet', 'viem'] as const) {
  describe(`custody on a real EVM (${adapter})`, () => {
    it('deposits, swaps and withdraws with the books equal to the chain, through a reorganisation that drops a deposit', { timeout: 120_000 }, async () => {
      const w = await world(adapter);
      await w.expectBooksEqualChain();

      // A deposit from the customer's own wallet: 10 tokens and 7 wei (below the books' scale, kept as a remainder).
      const deposit = 10n * e18 + 7n;
      await w.devnet.transferAs(customerKey, w.tokenA, w.custody, deposit);
      let cycle = await w.mineAndCycle();
      expect(cycle.observed).toBe(1);
      expect(cycle.decided.credited).toBe(0);
      expect((await w.holding(w.a)).posted).toBe('0');
      cycle = await w.mineAndCycle(2);
      expect(cycle.decided.credited).toBe(1);
      expect(await w.holding(w.a)).toMatchObject({ posted: '10000000000', remainder: '7', chainAmount: deposit.toString() });
      await w.expectBooksEqualChain();

      // A second deposit is mined, seen, and then its block leaves the chain before it is confirmed.
      const second = await w.devnet.transferAs(customerKey, w.tokenA, w.custody, 3n * e18);
      cycle = await w.mineAndCycle();
      expect(cycle.observed).toBe(1);
      await w.devnet.reorg(1, { blocks: 2 });
      cycle = await w.mineAndCycle(0);
      expect(cycle.decided.dropped).toBe(1);
      expect(await w.chain.receipt(second.hash)).toBeNull();
      expect((await w.holding(w.a)).chainAmount).toBe(deposit.toString());
      await w.expectBooksEqualChain();
      // Sent again, it is mined on the new branch and credited once it is deep enough: once.
      await w.chain.broadcast(second.raw);
      await w.mineAndCycle();
      cycle = await w.mineAndCycle(3);
      expect(cycle.decided.credited).toBe(1);
      expect((await w.holding(w.a)).chainAmount).toBe((deposit + 3n * e18).toString());
      await w.expectBooksEqualChain();

      // A swap of 4 QXTA quoted exactly as the pair pays, with the slippage limit one unit above
      // the quote: the router reverts it, the hold is voided, nothing moved.
      const amountIn = 4n * e18;
      const quote = await w.gateway.quote(w.pair, w.tokenA, amountIn);
      const reserves = await w.chain.reserves(w.pair);
      const [reserveIn, reserveOut] = reserves.token0 === w.tokenA ? [reserves.reserve0, reserves.reserve1] : [reserves.reserve1, reserves.reserve0];
      expect(quote).toBe(getAmountOut(amountIn, reserveIn, reserveOut));
      const swap = (id: string, minOut: bigint) => ({ swapId: id.padEnd(32, '0'), poolId: 'QXTAB', fromAccountId: w.a, toAccountId: w.b, amountIn: '4000000000', minOut: minOut.toString(), deadlineSeconds: 300 });
      await mustRun(w.engine, 'asset.swap', swap('e1', quote + 1n), demoUsers.alice);
      expect((await w.holding(w.a)).available).toBe('9000000000');
      cycle = await w.mineAndCycle(0);
      expect(cycle.signed).toBe(1);
      expect(cycle.sent).toBe(1);
      cycle = await w.mineAndCycle();
      expect(cycle.receipts).toBe(1);
      cycle = await w.mineAndCycle(3);
      expect(cycle.decided.failed).toBe(1);
      expect(await w.holding(w.a)).toMatchObject({ posted: '13000000000', available: '13000000000' });
      await w.expectBooksEqualChain();

      // At the quote itself it executes and the books credit exactly what the pair paid.
      const op = await mustRun(w.engine, 'asset.swap', swap('e2', quote), demoUsers.alice);
      await w.mineAndCycle(0);
      await w.mineAndCycle();
      cycle = await w.mineAndCycle(3);
      expect(cycle.decided.confirmed).toBe(1);
      expect((await w.holding(w.b)).chainAmount).toBe(quote.toString());
      expect(await w.chain.erc20Balance(w.tokenB, w.custody)).toBe(quote);
      const ops = await mustRun(w.engine, 'asset.operations', { accountId: w.a }, demoUsers.alice);
      expect(JSON.stringify(ops)).toContain(op['id'] as string);
      await w.expectBooksEqualChain();

      // A withdrawal of 5 QXTA to the customer's exchange account: above the teller's limit, so a head teller approves it.
      const withdrawal = { withdrawalId: 'e3'.padEnd(32, '0'), accountId: w.a, to: elsewhere, amount: '5000000000' };
      const pending = await w.engine.execute('asset.withdraw', withdrawal as never, demoUsers.alice);
      expect(pending.ok ? 'ok' : pending.code).toBe('approval_required');
      expect(pending.ok ? '' : pending.message).toContain('4.500000000 QXTA');
      await mustWithApproval(w.engine, 'asset.withdraw', withdrawal as never, demoUsers.alice, demoUsers.bob);
      await w.mineAndCycle(0);
      await w.mineAndCycle();
      await w.mineAndCycle(3);
      expect(await w.chain.erc20Balance(w.tokenA, elsewhere)).toBe(5n * e18);
      const after = await w.holding(w.a);
      expect(BigInt(after.chainAmount)).toBe(deposit + 3n * e18 - amountIn - 5n * e18);
      const positions = await w.expectBooksEqualChain();
      expect(positions.find((position) => position.assetId === 'QXTB')!.chain).toBe(quote);
      // Nothing more to do: another cycle changes nothing, and no cycle warned.
      cycle = await w.mineAndCycle(4);
      expect(cycle).toMatchObject({ observed: 0, signed: 0, sent: 0, receipts: 0 });
      await w.expectBooksEqualChain();
      expect(w.warnings).toEqual([]);
    });
  });
}
