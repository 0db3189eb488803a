/**
 * Uniswap v2 arithmetic, exactly as `UniswapV2Library` (periphery) and `UniswapV2Pair.swap` (core)
 * compute it: integer division floors, the 0.3% fee is 997/1000, and `getAmountIn` adds one unit so
 * the pair's K check still holds after the floor. Pure bigint; no chain access.
 *
 * Two forms of each: `tryGetAmountOut` etc. answer bad input (a zero amount, an empty pool, a pool
 * too small for the output asked) as a tagged result, for callers that take amounts from outside;
 * `getAmountOut` etc. answer a bigint and throw `UniswapMathError` (with the same code) where the
 * library's `require` would revert, for callers that have already checked their inputs.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, hexToBytes as hexBodyToBytes } from '@noble/hashes/utils.js';
import type { Address, Hex } from './chain';

/** The pair contract stores reserves as uint112; a balance above this makes `_update` revert ('UniswapV2: OVERFLOW'). */
export const uint112Max = (1n << 112n) - 1n;
/** The LP tokens the first `mint` burns to the zero address ('UniswapV2: INSUFFICIENT_LIQUIDITY_MINTED' below it). */
export const minimumLiquidity = 1000n;
/** keccak256 of the creation bytecode of v2-core's UniswapV2Pair (npm 1.0.1); v2-periphery's `pairFor` hard-codes the same value. */
export const pairInitCodeHash: Hex = '0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f';

const feeNumerator = 997n;
const feeDenominator = 1000n;

export type SwapMathError =
  | 'insufficient_input_amount'
  | 'insufficient_output_amount'
  | 'insufficient_amount'
  | 'insufficient_liquidity'
  | 'identical_addresses'
  | 'zero_address'
  | 'invalid_path';

export type SwapMathResult = { readonly ok: true; readonly amount: bigint } | { readonly ok: false; readonly code: SwapMathError };

const ok = (amount: bigint): SwapMathResult => ({ ok: true, amount });
const fail = (code: SwapMathError): SwapMathResult => ({ ok: false, code });

function reservesUsable(reserveIn: bigint, reserveOut: bigint): boolean {
  return reserveIn > 0n && reserveOut > 0n;
}

/** The most `amountIn` buys: floor(amountIn·997·reserveOut / (reserveIn·1000 + amountIn·997)). */
export function tryGetAmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): SwapMathResult {
  if (amountIn <= 0n) return fail('insufficient_input_amount');
  if (!reservesUsable(reserveIn, reserveOut)) return fail('insufficient_liquidity');
  const amountInWithFee = amountIn * feeNumerator;
  return ok((amountInWithFee * reserveOut) / (reserveIn * feeDenominator + amountInWithFee));
}

/** The least input that buys `amountOut`: floor(reserveIn·amountOut·1000 / ((reserveOut − amountOut)·997)) + 1. */
export function tryGetAmountIn(amountOut: bigint, reserveIn: bigint, reserveOut: bigint): SwapMathResult {
  if (amountOut <= 0n) return fail('insufficient_output_amount');
  if (!reservesUsable(reserveIn, reserveOut)) return fail('insufficient_liquidity');
  // The library's SafeMath `sub` reverts here ('ds-math-sub-underflow'); the pool cannot pay it all out.
  if (amountOut >= reserveOut) return fail('insufficient_liquidity');
  const numerator = reserveIn * amountOut * feeDenominator;
  const denominator = (reserveOut - amountOut) * feeNumerator;
  return ok(numerator / denominator + 1n);
}

/** The equal-value amount of the other asset at the pool's current price (no fee): floor(amountA·reserveB / reserveA). */
export function tryQuote(amountA: bigint, reserveA: bigint, reserveB: bigint): SwapMathResult {
  if (amountA <= 0n) return fail('insufficient_amount');
  if (!reservesUsable(reserveA, reserveB)) return fail('insufficient_liquidity');
  return ok((amountA * reserveB) / reserveA);
}

export type SortTokensResult =
  | { readonly ok: true; readonly token0: Address; readonly token1: Address }
  | { readonly ok: false; readonly code: 'identical_addresses' | 'zero_address' };

/** The pair's token order: the numerically smaller address is token0. */
export function trySortTokens(tokenA: Address, tokenB: Address): SortTokensResult {
  const a = BigInt(tokenA);
  const b = BigInt(tokenB);
  if (a === b) return { ok: false, code: 'identical_addresses' };
  const [token0, token1] = a < b ? [tokenA, tokenB] : [tokenB, tokenA];
  if (BigInt(token0) === 0n) return { ok: false, code: 'zero_address' };
  return { ok: true, token0: lower(token0), token1: lower(token1) };
}

/** The CREATE2 address `UniswapV2Factory.createPair` deploys the pair of two tokens at (what periphery's `pairFor` computes). */
export function pairAddress(factory: Address, tokenA: Address, tokenB: Address, initCodeHash: Hex = pairInitCodeHash): Address {
  const sorted = sortTokens(tokenA, tokenB);
  const salt = keccak_256(concatBytes(hexToBytes(sorted.token0), hexToBytes(sorted.token1)));
  const preimage = concatBytes(Uint8Array.of(0xff), hexToBytes(factory), salt, hexToBytes(initCodeHash));
  return `0x${bytesToHex(keccak_256(preimage).subarray(12))}`;
}

/**
 * Router02's `getAmountsOut` over a path: `reservesOf(i)` gives [reserveIn, reserveOut] of the hop
 * from path[i] to path[i+1]. The first element is `amountIn`, the last what the route pays.
 */
export function tryGetAmountsOut(amountIn: bigint, hopReserves: readonly (readonly [bigint, bigint])[]): { readonly ok: true; readonly amounts: readonly bigint[] } | { readonly ok: false; readonly code: SwapMathError } {
  if (hopReserves.length === 0) return { ok: false, code: 'invalid_path' };
  const amounts = [amountIn];
  let current = amountIn;
  for (const [reserveIn, reserveOut] of hopReserves) {
    const next = tryGetAmountOut(current, reserveIn, reserveOut);
    if (!next.ok) return next;
    amounts.push(next.amount);
    current = next.amount;
  }
  return { ok: true, amounts };
}

/**
 * The pair's own acceptance test in `swap`, for any combination of amounts in and out (including the
 * "optimistic" flash case where the same token goes out and comes back): balances after the transfer,
 * less 0.3% of what came in, must keep the product at least reserve0·reserve1 (scaled by 1000²).
 * `balance0/1` are the pair's token balances after paying out and receiving.
 */
export function pairAcceptsSwap(input: {
  readonly reserve0: bigint;
  readonly reserve1: bigint;
  readonly balance0: bigint;
  readonly balance1: bigint;
  readonly amount0Out: bigint;
  readonly amount1Out: bigint;
}): 'ok' | 'insufficient_output_amount' | 'insufficient_liquidity' | 'insufficient_input_amount' | 'k' | 'overflow' {
  const { reserve0, reserve1, balance0, balance1, amount0Out, amount1Out } = input;
  if (amount0Out <= 0n && amount1Out <= 0n) return 'insufficient_output_amount';
  if (amount0Out >= reserve0 || amount1Out >= reserve1) return 'insufficient_liquidity';
  const amount0In = balance0 > reserve0 - amount0Out ? balance0 - (reserve0 - amount0Out) : 0n;
  const amount1In = balance1 > reserve1 - amount1Out ? balance1 - (reserve1 - amount1Out) : 0n;
  if (amount0In <= 0n && amount1In <= 0n) return 'insufficient_input_amount';
  const balance0Adjusted = balance0 * 1000n - amount0In * 3n;
  const balance1Adjusted = balance1 * 1000n - amount1In * 3n;
  if (balance0Adjusted * balance1Adjusted < reserve0 * reserve1 * 1000n ** 2n) return 'k';
  if (balance0 > uint112Max || balance1 > uint112Max) return 'overflow';
  return 'ok';
}

export class UniswapMathError extends Error {
  constructor(readonly code: SwapMathError) {
    super(`Uniswap v2: ${code}`);
    this.name = 'UniswapMathError';
  }
}

export function getAmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  return unwrap(tryGetAmountOut(amountIn, reserveIn, reserveOut));
}

export function getAmountIn(amountOut: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  return unwrap(tryGetAmountIn(amountOut, reserveIn, reserveOut));
}

export function quote(amountA: bigint, reserveA: bigint, reserveB: bigint): bigint {
  return unwrap(tryQuote(amountA, reserveA, reserveB));
}

export function sortTokens(tokenA: Address, tokenB: Address): { readonly token0: Address; readonly token1: Address } {
  const sorted = trySortTokens(tokenA, tokenB);
  if (!sorted.ok) throw new UniswapMathError(sorted.code);
  return sorted;
}

function unwrap(result: SwapMathResult): bigint {
  if (!result.ok) throw new UniswapMathError(result.code);
  return result.amount;
}

function lower(address: Address): Address {
  return address.toLowerCase() as Address;
}

function hexToBytes(hex: Hex): Uint8Array {
  return hexBodyToBytes(hex.slice(2));
}
