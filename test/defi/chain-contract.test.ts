/**
 * One contract for ChainPort, run against both adapters: the in-process EVM devnet itself, and
 * ViemChain talking JSON-RPC over HTTP to the same kind of devnet. Each case gets a fresh devnet;
 * the devnet's controls (deploy, fund, mine, reorg) drive the chain, the port only observes and sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  EvmDevnet,
  ViemChain,
  addressOfPrivateKey,
  devKey,
  privateKeySigner,
  startDevnetRpcServer,
  type DevnetRpcServer,
} from '@qenex/protocols/defi-node';
import { erc20ApproveData, erc20TransferData, getAmountOut, swapExactTokensForTokensData, type Address, type ChainPort } from '@qenex/protocols/defi';

interface Harness {
  readonly chain: ChainPort;
  readonly devnet: EvmDevnet;
  close(): Promise<void>;
}

const e18 = 10n ** 18n;
const genesisTimestampS = 1_700_000_000n;
const custodyKey = devKey('custody wallet');
const custody = addressOfPrivateKey(custodyKey);
const customer = addressOfPrivateKey(devKey('customer'));

function chainContract(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`ChainPort contract: ${name}`, () => {
    let harness: Harness | null = null;
    afterEach(async () => {
      await harness?.close();
      harness = null;
    });

    async function setup() {
      harness = await makeHarness();
      const { devnet, chain } = harness;
      const tokenA = await devnet.deployToken(10n ** 30n, 'A');
      const tokenB = await devnet.deployToken(10n ** 30n, 'B');
      const pair = await devnet.createPairWithLiquidity(tokenA, tokenB, 5n * e18, 10n * e18);
      await devnet.fundEther(custody, e18);
      return { devnet, chain, tokenA, tokenB, pair };
    }

    it('answers the head and blocks by height, null above the head, each linked to its parent', async () => {
      const { devnet, chain } = await setup();
      expect(chain.chainId).toBe(31337n);
      const head = await chain.head();
      expect(head).toEqual(await devnet.head());
      const parent = await chain.block(head.number - 1n);
      expect(parent?.hash).toBe(head.parentHash);
      expect(head.timestampS).toBeGreaterThan(genesisTimestampS);
      expect(await chain.block(head.number + 1n)).toBeNull();
      await devnet.mine(3);
      expect((await chain.head()).number).toBe(head.number + 3n);
    });

    it('sees a deposit through erc20Transfers (filtered by recipient) and balances, decimals, pairs and reserves', async () => {
      const { devnet, chain, tokenA, tokenB, pair } = await setup();
      const from = (await chain.head()).number + 1n;
      await devnet.fund(tokenA, custody, 7n * e18);
      await devnet.fund(tokenA, customer, 1n);
      const to = (await chain.head()).number;
      const deposits = await chain.erc20Transfers({ token: tokenA, fromBlock: from, toBlock: to, to: [custody] });
      expect(deposits).toHaveLength(1);
      expect(deposits[0]).toMatchObject({ token: tokenA, from: devnet.deployer, to: custody, value: 7n * e18, blockNumber: from });
      expect(deposits[0]?.blockHash).toBe((await chain.block(from))?.hash);
      expect(await chain.erc20Transfers({ token: tokenA, fromBlock: from, toBlock: to })).toHaveLength(2);
      expect(await chain.erc20Transfers({ token: tokenB, fromBlock: from, toBlock: to })).toHaveLength(0);
      expect(await chain.erc20Balance(tokenA, custody)).toBe(7n * e18);
      expect(await chain.erc20Decimals(tokenA)).toBe(18);
      expect(await chain.pairOf(devnet.factory, tokenB, tokenA)).toBe(pair);
      expect(await chain.pairOf(devnet.factory, tokenA, custody)).toBeNull();
      const reserves = await chain.reserves(pair);
      const [reserveA, reserveB] = reserves.token0 === tokenA ? [reserves.reserve0, reserves.reserve1] : [reserves.reserve1, reserves.reserve0];
      expect([reserveA, reserveB]).toEqual([5n * e18, 10n * e18]);
    });

    it('signs and broadcasts a withdrawal that recovers to the custody key; re-broadcast answers the same hash; the receipt carries the Transfer', async () => {
      const { devnet, chain, tokenA } = await setup();
      await devnet.fund(tokenA, custody, 3n * e18);
      const nonce = await chain.nonce(custody);
      expect(nonce).toBe(0n);
      const signed = await chain.signTransaction({ from: custody, to: tokenA, data: erc20TransferData(customer, 2n * e18), value: 0n, nonce, gasLimit: 100_000n }, privateKeySigner(custodyKey));
      const wrongKey = chain.signTransaction({ from: custody, to: tokenA, data: '0x', value: 0n, nonce, gasLimit: 100_000n }, privateKeySigner(devKey('someone else')));
      await expect(wrongKey).rejects.toThrow(/signer/);
      expect(await chain.broadcast(signed.raw)).toBe(signed.hash);
      expect(await chain.broadcast(signed.raw)).toBe(signed.hash);
      expect(await chain.receipt(signed.hash)).toBeNull();
      await devnet.mine();
      expect(await chain.broadcast(signed.raw)).toBe(signed.hash);
      const receipt = await chain.receipt(signed.hash);
      expect(receipt).toMatchObject({ txHash: signed.hash, status: 'success', blockNumber: (await chain.head()).number });
      expect(receipt?.gasUsed).toBeGreaterThan(21_000n);
      expect(receipt?.transfers).toEqual([expect.objectContaining({ token: tokenA, from: custody, to: customer, value: 2n * e18 })]);
      expect(await chain.nonce(custody)).toBe(1n);
      expect(await chain.erc20Balance(tokenA, customer)).toBe(2n * e18);
    });

    it('swaps through Router02 with amountOutMin and deadline enforced on-chain: Transfer and Swap logs in the receipt', async () => {
      const { devnet, chain, tokenA, tokenB, pair } = await setup();
      await devnet.fund(tokenA, custody, 1n * e18);
      const reserves = await chain.reserves(pair);
      const [reserveIn, reserveOut] = reserves.token0 === tokenA ? [reserves.reserve0, reserves.reserve1] : [reserves.reserve1, reserves.reserve0];
      const quoted = getAmountOut(1n * e18, reserveIn, reserveOut);
      const deadline = (await chain.head()).timestampS + 600n;
      const sign = privateKeySigner(custodyKey);
      const send = async (data: `0x${string}`, to: Address, nonce: bigint) => {
        const signed = await chain.signTransaction({ from: custody, to, data, value: 0n, nonce, gasLimit: 300_000n }, sign);
        await chain.broadcast(signed.raw);
        return signed.hash;
      };
      await send(erc20ApproveData(devnet.router, 1n * e18), tokenA, 0n);
      const greedy = await send(swapExactTokensForTokensData({ amountIn: 1n * e18, amountOutMin: quoted + 1n, path: [tokenA, tokenB], to: custody, deadline }), devnet.router, 1n);
      const expired = await send(swapExactTokensForTokensData({ amountIn: 1n * e18, amountOutMin: quoted, path: [tokenA, tokenB], to: custody, deadline: genesisTimestampS }), devnet.router, 2n);
      const fair = await send(swapExactTokensForTokensData({ amountIn: 1n * e18, amountOutMin: quoted, path: [tokenA, tokenB], to: custody, deadline }), devnet.router, 3n);
      await devnet.mine();
      expect((await chain.receipt(greedy))?.status).toBe('reverted');
      expect((await chain.receipt(expired))?.status).toBe('reverted');
      const receipt = await chain.receipt(fair);
      expect(receipt?.status).toBe('success');
      expect(receipt?.transfers.map((t) => [t.token, t.from, t.to, t.value])).toEqual([
        [tokenA, custody, pair, 1n * e18],
        [tokenB, pair, custody, quoted],
      ]);
      const zeroForOne = reserves.token0 === tokenA;
      expect(receipt?.swaps).toEqual([
        expect.objectContaining({ pair, sender: devnet.router, to: custody, amount0In: zeroForOne ? 1n * e18 : 0n, amount1In: zeroForOne ? 0n : 1n * e18, amount0Out: zeroForOne ? 0n : quoted, amount1Out: zeroForOne ? quoted : 0n }),
      ]);
      expect(await chain.erc20Balance(tokenB, custody)).toBe(quoted);
    });

    it('a reorganisation drops a deposit: its receipt is null, erc20Transfers no longer shows it, the hash at that height changes', async () => {
      const { devnet, chain, tokenA } = await setup();
      await devnet.mine();
      const signed = await devnet.transferAs(devnet.deployerKey, tokenA, custody, 4n * e18);
      await devnet.mine();
      const height = (await chain.head()).number;
      const before = await chain.block(height);
      expect((await chain.receipt(signed.hash))?.status).toBe('success');
      expect(await chain.erc20Transfers({ token: tokenA, fromBlock: height, toBlock: height, to: [custody] })).toHaveLength(1);
      await devnet.mine(2);
      await devnet.reorg(3, { blocks: 4 });
      expect((await chain.head()).number).toBe(height + 3n);
      const after = await chain.block(height);
      expect(after?.hash).not.toBe(before?.hash);
      expect(after?.parentHash).toBe(before?.parentHash);
      expect(await chain.receipt(signed.hash)).toBeNull();
      expect(await chain.erc20Transfers({ token: tokenA, fromBlock: height, toBlock: height + 3n, to: [custody] })).toEqual([]);
      expect(await chain.erc20Balance(tokenA, custody)).toBe(0n);
      // The dropped transaction is valid again on the new branch: sent again, it is mined again.
      expect(await chain.broadcast(signed.raw)).toBe(signed.hash);
      await devnet.mine();
      expect((await chain.receipt(signed.hash))?.blockNumber).toBe(height + 4n);
    });

    it('a reorganisation can mine other transactions in the replacement branch', async () => {
      const { devnet, chain, tokenA } = await setup();
      const first = await devnet.transferAs(devnet.deployerKey, tokenA, custody, 1n);
      await devnet.mine();
      const nonce = (await chain.nonce(devnet.deployer)) - 1n;
      const replacement = await chain.signTransaction({ from: devnet.deployer, to: tokenA, data: erc20TransferData(customer, 5n), value: 0n, nonce, gasLimit: 100_000n }, privateKeySigner(devnet.deployerKey));
      await devnet.reorg(1, { transactions: [replacement.raw] });
      expect(await chain.receipt(first.hash)).toBeNull();
      expect((await chain.receipt(replacement.hash))?.transfers[0]).toMatchObject({ to: customer, value: 5n });
      expect(await chain.erc20Balance(tokenA, customer)).toBe(5n);
    });
  });
}

chainContract('in-process EVM devnet', async () => {
  const devnet = await EvmDevnet.create({ chainId: 31337n, genesisTimestampS });
  return { chain: devnet, devnet, close: async () => undefined };
});

chainContract('viem over JSON-RPC to the devnet', async () => {
  const devnet = await EvmDevnet.create({ chainId: 31337n, genesisTimestampS });
  const server: DevnetRpcServer = await startDevnetRpcServer(devnet);
  const chain = new ViemChain({ chainId: 31337n, url: server.url });
  await chain.verifyChainId();
  return { chain, devnet, close: () => server.close() };
});

describe('devnet JSON-RPC server: bad input is an error object, never a crash', () => {
  it('answers parse errors, unknown methods, bad params, oversize batches, and still serves', async () => {
    const devnet = await EvmDevnet.create({ chainId: 31337n, genesisTimestampS });
    const server = await startDevnetRpcServer(devnet);
    try {
      const post = async (body: string) => (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json();
      expect(await post('{not json')).toMatchObject({ error: { code: -32700 } });
      expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_nope', params: [] }))).toMatchObject({ id: 1, error: { code: -32601 } });
      expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_getTransactionCount', params: ['0x12'] }))).toMatchObject({ id: 2, error: { code: -32602 } });
      expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'eth_sendRawTransaction', params: ['0x1234'] }))).toMatchObject({ id: 3, error: { code: -32000 } });
      expect(await post(JSON.stringify(Array.from({ length: 101 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'eth_chainId' }))))).toMatchObject({ error: { code: -32600 } });
      expect(await post(JSON.stringify([{ jsonrpc: '2.0', id: 7, method: 'eth_chainId' }, { id: 8 }]))).toEqual([
        { jsonrpc: '2.0', id: 7, result: '0x7a69' },
        { jsonrpc: '2.0', id: 8, error: { code: -32600, message: 'invalid request' } },
      ]);
      const oversize = await fetch(server.url, { method: 'POST', body: 'x'.repeat(1_100_000) });
      expect(oversize.status).toBe(413);
      expect(await post(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'eth_blockNumber' }))).toEqual({ jsonrpc: '2.0', id: 9, result: '0x1' });
    } finally {
      await server.close();
    }
  });
});
