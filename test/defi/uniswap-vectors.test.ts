/**
 * Uniswap v2-core's own published swap vectors (test/UniswapV2Pair.spec.ts: swapTestCases and
 * optimisticTestCases), each checked twice: against our arithmetic, and on the devnet's real
 * UniswapV2Pair bytecode, where exactly the quoted amount is paid and one unit more reverts with
 * 'UniswapV2: K'.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EvmDevnet, type Sandbox } from '@qenex/protocols/defi-node';
import {
  erc20TransferData,
  getAmountIn,
  getAmountOut,
  pairAcceptsSwap,
  pairAddress,
  pairInitCodeHash,
  pairMintData,
  pairSwapData,
  tryGetAmountIn,
  tryGetAmountOut,
  tryQuote,
  trySortTokens,
  type Address,
} from '@qenex/protocols/defi';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import pairJson from '@uniswap/v2-core/build/UniswapV2Pair.json' with { type: 'json' };

const e18 = 10n ** 18n;

/** [swapAmount, token0Amount, token1Amount, expectedOutputAmount]: token0 in, token1 out. */
const swapTestCases: readonly (readonly [bigint, bigint, bigint, bigint])[] = [
  [1n * e18, 5n * e18, 10n * e18, 1662497915624478906n],
  [1n * e18, 10n * e18, 5n * e18, 453305446940074565n],
  [2n * e18, 5n * e18, 10n * e18, 2851015155847869602n],
  [2n * e18, 10n * e18, 5n * e18, 831248957812239453n],
  [1n * e18, 10n * e18, 10n * e18, 906610893880149131n],
  [1n * e18, 100n * e18, 100n * e18, 987158034397061298n],
  [1n * e18, 1000n * e18, 1000n * e18, 996006981039903216n],
];

/** [outputAmount, token0Amount, token1Amount, inputAmount]: token0 in and token0 out (a flash swap paid back). */
const optimisticTestCases: readonly (readonly [bigint, bigint, bigint, bigint])[] = [
  [997000000000000000n, 5n * e18, 10n * e18, 1n * e18],
  [997000000000000000n, 10n * e18, 5n * e18, 1n * e18],
  [997000000000000000n, 5n * e18, 5n * e18, 1n * e18],
  [1n * e18, 5n * e18, 5n * e18, 1003009027081243732n],
];

let devnet: EvmDevnet;
let pair: Address;
let token0: Address;
let token1: Address;

beforeAll(async () => {
  devnet = await EvmDevnet.create({ chainId: 31337n, genesisTimestampS: 1_700_000_000n });
  const tokenA = await devnet.deployToken(10n ** 30n, 'A');
  const tokenB = await devnet.deployToken(10n ** 30n, 'B');
  pair = await devnet.createPair(tokenA, tokenB);
  const reserves = await devnet.reserves(pair);
  token0 = reserves.token0;
  token1 = reserves.token1;
});

/** The fixture's addLiquidity: both amounts sent to the pair, then mint. */
async function addLiquidity(sandbox: Sandbox, amount0: bigint, amount1: bigint): Promise<void> {
  const from = devnet.deployer;
  for (const [token, amount] of [[token0, amount0], [token1, amount1]] as const) {
    expect((await sandbox.call({ from, to: token, data: erc20TransferData(pair, amount) })).ok).toBe(true);
  }
  expect((await sandbox.call({ from, to: pair, data: pairMintData(from) })).ok).toBe(true);
}

async function expectKRevert(sandbox: Sandbox, amount0Out: bigint, amount1Out: bigint): Promise<void> {
  const outcome = await sandbox.call({ from: devnet.deployer, to: pair, data: pairSwapData({ amount0Out, amount1Out, to: devnet.deployer }) });
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) expect(outcome.reason).toBe('UniswapV2: K');
}

describe('the pair bytecode the devnet deploys', () => {
  it('hashes to the init code hash Router02 hard-codes, and the factory puts pairs at the CREATE2 address', async () => {
    expect(`0x${bytesToHex(keccak_256(hexToBytes(pairJson.bytecode)))}`).toBe(pairInitCodeHash);
    expect(pair).toBe(pairAddress(devnet.factory, token1, token0));
    // Mainnet's USDC/WETH pair, from the mainnet factory: the derivation is the one deployed contracts use.
    expect(pairAddress('0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2')).toBe('0xb4e16d0168e52d35cacd2c6185b44281ec28c9dc');
  });
});

describe('getInputPrice vectors (swapTestCases)', () => {
  for (const [index, [swapAmount, amount0, amount1, expected]] of swapTestCases.entries()) {
    it(`getInputPrice:${index} — ${swapAmount} in against ${amount0}:${amount1} pays ${expected}`, async () => {
      expect(getAmountOut(swapAmount, amount0, amount1)).toBe(expected);
      expect(pairAcceptsSwap({ reserve0: amount0, reserve1: amount1, balance0: amount0 + swapAmount, balance1: amount1 - expected, amount0Out: 0n, amount1Out: expected })).toBe('ok');
      expect(pairAcceptsSwap({ reserve0: amount0, reserve1: amount1, balance0: amount0 + swapAmount, balance1: amount1 - expected - 1n, amount0Out: 0n, amount1Out: expected + 1n })).toBe('k');
      await devnet.sandbox(async (sandbox) => {
        await addLiquidity(sandbox, amount0, amount1);
        expect((await sandbox.call({ from: devnet.deployer, to: token0, data: erc20TransferData(pair, swapAmount) })).ok).toBe(true);
        await expectKRevert(sandbox, 0n, expected + 1n);
        const paid = await sandbox.call({ from: devnet.deployer, to: pair, data: pairSwapData({ amount0Out: 0n, amount1Out: expected, to: devnet.deployer }) });
        expect(paid.ok).toBe(true);
      });
    });
  }
});

describe('optimistic vectors (optimisticTestCases)', () => {
  for (const [index, [outputAmount, amount0, amount1, inputAmount]] of optimisticTestCases.entries()) {
    it(`optimistic:${index} — ${inputAmount} of token0 back buys ${outputAmount} of token0 out`, async () => {
      const accepts = (out: bigint) => pairAcceptsSwap({ reserve0: amount0, reserve1: amount1, balance0: amount0 - out + inputAmount, balance1: amount1, amount0Out: out, amount1Out: 0n });
      expect(accepts(outputAmount)).toBe('ok');
      expect(accepts(outputAmount + 1n)).toBe('k');
      await devnet.sandbox(async (sandbox) => {
        await addLiquidity(sandbox, amount0, amount1);
        expect((await sandbox.call({ from: devnet.deployer, to: token0, data: erc20TransferData(pair, inputAmount) })).ok).toBe(true);
        await expectKRevert(sandbox, outputAmount + 1n, 0n);
        expect((await sandbox.call({ from: devnet.deployer, to: pair, data: pairSwapData({ amount0Out: outputAmount, amount1Out: 0n, to: devnet.deployer }) })).ok).toBe(true);
      });
    });
  }
  it("the library's getAmountIn floors then adds one (1e18 out of a 5:5 pool; 1 out of 5:5 wei)", () => {
    expect(getAmountIn(1n * e18, 5n * e18, 5n * e18)).toBe(1253761283851554664n);
    expect(tryGetAmountIn(1n, 5n, 5n)).toEqual({ ok: true, amount: 2n });
  });
});

describe('bad input answers a code, not a number', () => {
  it('zero amounts, empty pools, an output the pool cannot pay, identical tokens', () => {
    expect(tryGetAmountOut(0n, 1n, 1n)).toEqual({ ok: false, code: 'insufficient_input_amount' });
    expect(tryGetAmountOut(1n, 0n, 1n)).toEqual({ ok: false, code: 'insufficient_liquidity' });
    expect(tryGetAmountIn(0n, 1n, 1n)).toEqual({ ok: false, code: 'insufficient_output_amount' });
    expect(tryGetAmountIn(10n, 100n, 10n)).toEqual({ ok: false, code: 'insufficient_liquidity' });
    expect(tryQuote(0n, 1n, 1n)).toEqual({ ok: false, code: 'insufficient_amount' });
    expect(tryQuote(3n, 2n, 5n)).toEqual({ ok: true, amount: 7n });
    expect(trySortTokens(token0, token0)).toEqual({ ok: false, code: 'identical_addresses' });
    expect(() => getAmountOut(1n, 0n, 0n)).toThrow(/insufficient_liquidity/);
  });
});
