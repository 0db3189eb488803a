/**
 * A thousand random swaps on the devnet's real UniswapV2Pair: random reserves from just above the
 * minimum liquidity to near uint112, random input, both directions. Each time the pair pays exactly
 * getAmountOut (its Sync event shows the reserves moved by exactly that) and one unit more reverts
 * with 'UniswapV2: K'. Each case runs in a sandbox (state checkpoint, calls, revert) on one empty
 * pair rather than mining blocks: six calls a case, about 40 ms a case on the two-core machine
 * (40 s for the thousand, measured).
 */
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { EvmDevnet } from '@qenex/protocols/defi-node';
import { decodeSyncLog, erc20TransferData, getAmountOut, pairMintData, pairSwapData, uint112Max, type Address } from '@qenex/protocols/defi';

const runs = 1_000;
const reserveBitsMax = 111;

let devnet: EvmDevnet;
let pair: Address;
let tokens: readonly [Address, Address];

beforeAll(async () => {
  devnet = await EvmDevnet.create({ chainId: 31337n, genesisTimestampS: 1_700_000_000n });
  // Supplies far above uint112, so the deployer can fill any pool the pair accepts.
  const tokenA = await devnet.deployToken(1n << 200n, 'A');
  const tokenB = await devnet.deployToken(1n << 200n, 'B');
  pair = await devnet.createPair(tokenA, tokenB);
  const reserves = await devnet.reserves(pair);
  tokens = [reserves.token0, reserves.token1];
});

/** A bigint of a random bit length in [bitsMin, bitsMax]: tiny and huge values equally likely. */
function magnitude(bitsMin: number, bitsMax: number, floor: bigint): fc.Arbitrary<bigint> {
  return fc
    .integer({ min: bitsMin, max: bitsMax })
    .chain((bits) => fc.bigInt({ min: 1n << BigInt(bits - 1), max: (1n << BigInt(bits)) - 1n }))
    .map((value) => (value < floor ? floor : value));
}

const swapCase = fc
  .record({
    // Both above 1,000: the first mint burns MINIMUM_LIQUIDITY and must mint at least one unit more.
    reserve0: magnitude(10, reserveBitsMax, 1_001n),
    reserve1: magnitude(10, reserveBitsMax, 1_001n),
    amountIn: magnitude(1, reserveBitsMax, 1n),
    zeroForOne: fc.boolean(),
  })
  .filter(({ reserve0, reserve1, amountIn, zeroForOne }) => (zeroForOne ? reserve0 : reserve1) + amountIn <= uint112Max);

it(`${runs} random swaps: the quote is paid exactly, one more unit reverts with UniswapV2: K`, async () => {
  let paidCases = 0;
  await fc.assert(
    fc.asyncProperty(swapCase, async ({ reserve0, reserve1, amountIn, zeroForOne }) => {
      const [tokenIn, reserveIn, reserveOut] = zeroForOne ? [tokens[0], reserve0, reserve1] : [tokens[1], reserve1, reserve0];
      const quoted = getAmountOut(amountIn, reserveIn, reserveOut);
      const outs = (amount: bigint) => (zeroForOne ? { amount0Out: 0n, amount1Out: amount } : { amount0Out: amount, amount1Out: 0n });
      await devnet.sandbox(async (sandbox) => {
        const from = devnet.deployer;
        const send = async (to: Address, data: `0x${string}`) => sandbox.call({ from, to, data });
        expect((await send(tokens[0], erc20TransferData(pair, reserve0))).ok).toBe(true);
        expect((await send(tokens[1], erc20TransferData(pair, reserve1))).ok).toBe(true);
        expect((await send(pair, pairMintData(from))).ok).toBe(true);
        expect((await send(tokenIn, erc20TransferData(pair, amountIn))).ok).toBe(true);

        const tooMuch = await send(pair, pairSwapData({ ...outs(quoted + 1n), to: from }));
        // One more than the whole pool is refused before the K check, for the pool's own reason.
        const refusal = quoted + 1n >= reserveOut ? 'UniswapV2: INSUFFICIENT_LIQUIDITY' : 'UniswapV2: K';
        expect(tooMuch.ok ? 'paid' : tooMuch.reason).toBe(refusal);
        if (quoted === 0n) return; // the input buys nothing; a zero-output swap is refused for that reason, not K
        const paid = await send(pair, pairSwapData({ ...outs(quoted), to: from }));
        expect(paid.ok).toBe(true);
        if (!paid.ok) return;
        const sync = paid.logs.map(decodeSyncLog).find((log) => log !== null);
        expect(sync).toEqual({
          pair,
          reserve0: zeroForOne ? reserve0 + amountIn : reserve0 - quoted,
          reserve1: zeroForOne ? reserve1 - quoted : reserve1 + amountIn,
        });
        paidCases += 1;
      });
    }),
    { numRuns: runs },
  );
  // Most cases buy something; if the generator drifted to dust, the property would prove little.
  expect(paidCases).toBeGreaterThan(runs / 2);
}, 600_000);
