/**
 * Calldata and event decoding both chain adapters and the custody gateway share: ERC-20, the Uniswap
 * v2 pair and factory, and Router02. Encoding and decoding are viem's; the signatures are the
 * contracts' published interfaces, written out here in human-readable form.
 */
import { decodeEventLog, decodeFunctionResult, encodeFunctionData, parseAbi, toEventSelector } from 'viem';
import type { Address, Hex } from './chain';

export const erc20Abi = parseAbi([
  'function transfer(address to, uint256 value) returns (bool)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function transferFrom(address from, address to, uint256 value) returns (bool)',
  'function balanceOf(address owner) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
]);

export const pairAbi = parseAbi([
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function mint(address to) returns (uint256 liquidity)',
  'function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)',
  'function sync()',
  'event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)',
  'event Sync(uint112 reserve0, uint112 reserve1)',
]);

export const factoryAbi = parseAbi([
  'function getPair(address tokenA, address tokenB) view returns (address pair)',
  'function createPair(address tokenA, address tokenB) returns (address pair)',
  'event PairCreated(address indexed token0, address indexed token1, address pair, uint256)',
]);

export const routerAbi = parseAbi([
  'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
  'function getAmountsOut(uint256 amountIn, address[] path) view returns (uint256[] amounts)',
  'function factory() view returns (address)',
  'function WETH() view returns (address)',
]);

export const transferTopic: Hex = toEventSelector('Transfer(address,address,uint256)');
export const swapTopic: Hex = toEventSelector('Swap(address,uint256,uint256,uint256,uint256,address)');
export const syncTopic: Hex = toEventSelector('Sync(uint112,uint112)');

/** A path through Router02 has at least two tokens; longer than this is not a route the bank takes. */
export const swapPathLengthMax = 4;

export function erc20TransferData(to: Address, value: bigint): Hex {
  return encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, value] });
}

export function erc20ApproveData(spender: Address, value: bigint): Hex {
  return encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, value] });
}

export function erc20BalanceOfData(owner: Address): Hex {
  return encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [owner] });
}

export function erc20DecimalsData(): Hex {
  return encodeFunctionData({ abi: erc20Abi, functionName: 'decimals' });
}

export function pairGetReservesData(): Hex {
  return encodeFunctionData({ abi: pairAbi, functionName: 'getReserves' });
}

export function pairToken0Data(): Hex {
  return encodeFunctionData({ abi: pairAbi, functionName: 'token0' });
}

export function pairToken1Data(): Hex {
  return encodeFunctionData({ abi: pairAbi, functionName: 'token1' });
}

export function pairMintData(to: Address): Hex {
  return encodeFunctionData({ abi: pairAbi, functionName: 'mint', args: [to] });
}

/** The pair's low-level swap: the caller must have sent the input to the pair first (not atomic on its own; use the router). */
export function pairSwapData(input: { readonly amount0Out: bigint; readonly amount1Out: bigint; readonly to: Address; readonly data?: Hex }): Hex {
  return encodeFunctionData({ abi: pairAbi, functionName: 'swap', args: [input.amount0Out, input.amount1Out, input.to, input.data ?? '0x'] });
}

export function factoryGetPairData(tokenA: Address, tokenB: Address): Hex {
  return encodeFunctionData({ abi: factoryAbi, functionName: 'getPair', args: [tokenA, tokenB] });
}

export function factoryCreatePairData(tokenA: Address, tokenB: Address): Hex {
  return encodeFunctionData({ abi: factoryAbi, functionName: 'createPair', args: [tokenA, tokenB] });
}

/**
 * Router02's swap: the router pulls `amountIn` (needs an allowance), and reverts the whole
 * transaction if the route pays less than `amountOutMin` ('UniswapV2Router: INSUFFICIENT_OUTPUT_AMOUNT')
 * or the block's timestamp is past `deadline` ('UniswapV2Router: EXPIRED').
 */
export function swapExactTokensForTokensData(input: {
  readonly amountIn: bigint;
  readonly amountOutMin: bigint;
  readonly path: readonly Address[];
  readonly to: Address;
  readonly deadline: bigint;
}): Hex {
  if (input.path.length < 2 || input.path.length > swapPathLengthMax) throw new RangeError(`swap path of ${input.path.length} tokens (2..${swapPathLengthMax})`);
  return encodeFunctionData({
    abi: routerAbi,
    functionName: 'swapExactTokensForTokens',
    args: [input.amountIn, input.amountOutMin, [...input.path], input.to, input.deadline],
  });
}

export function decodeUint256Result(data: Hex): bigint {
  return decodeFunctionResult({ abi: erc20Abi, functionName: 'balanceOf', data });
}

export function decodeUint8Result(data: Hex): number {
  return decodeFunctionResult({ abi: erc20Abi, functionName: 'decimals', data });
}

export function decodeAddressResult(data: Hex): Address {
  return lower(decodeFunctionResult({ abi: factoryAbi, functionName: 'getPair', data }));
}

export function decodeReservesResult(data: Hex): { readonly reserve0: bigint; readonly reserve1: bigint; readonly blockTimestampLast: number } {
  const [reserve0, reserve1, blockTimestampLast] = decodeFunctionResult({ abi: pairAbi, functionName: 'getReserves', data });
  return { reserve0, reserve1, blockTimestampLast };
}

/** A log as any node reports it. */
export interface RawLog {
  readonly address: Address;
  readonly topics: readonly Hex[];
  readonly data: Hex;
}

export interface DecodedTransfer {
  readonly token: Address;
  readonly from: Address;
  readonly to: Address;
  readonly value: bigint;
}

export interface DecodedSwap {
  readonly pair: Address;
  readonly sender: Address;
  readonly to: Address;
  readonly amount0In: bigint;
  readonly amount1In: bigint;
  readonly amount0Out: bigint;
  readonly amount1Out: bigint;
}

export interface DecodedSync {
  readonly pair: Address;
  readonly reserve0: bigint;
  readonly reserve1: bigint;
}

/**
 * An ERC-20 Transfer, or null for any other log. ERC-721 also emits `Transfer(address,address,uint256)`
 * but with three indexed topics; that shape is not an ERC-20 transfer and answers null.
 */
export function decodeTransferLog(log: RawLog): DecodedTransfer | null {
  if (log.topics[0] !== transferTopic || log.topics.length !== 3) return null;
  const decoded = tryDecode(() => decodeEventLog({ abi: erc20Abi, eventName: 'Transfer', topics: topicsOf(log), data: log.data, strict: true }));
  if (decoded === null) return null;
  return { token: lower(log.address), from: lower(decoded.args.from), to: lower(decoded.args.to), value: decoded.args.value };
}

export function decodeSwapLog(log: RawLog): DecodedSwap | null {
  if (log.topics[0] !== swapTopic || log.topics.length !== 3) return null;
  const decoded = tryDecode(() => decodeEventLog({ abi: pairAbi, eventName: 'Swap', topics: topicsOf(log), data: log.data, strict: true }));
  if (decoded === null) return null;
  const { sender, to, amount0In, amount1In, amount0Out, amount1Out } = decoded.args;
  return { pair: lower(log.address), sender: lower(sender), to: lower(to), amount0In, amount1In, amount0Out, amount1Out };
}

export function decodeSyncLog(log: RawLog): DecodedSync | null {
  if (log.topics[0] !== syncTopic || log.topics.length !== 1) return null;
  const decoded = tryDecode(() => decodeEventLog({ abi: pairAbi, eventName: 'Sync', topics: topicsOf(log), data: log.data, strict: true }));
  if (decoded === null) return null;
  return { pair: lower(log.address), reserve0: decoded.args.reserve0, reserve1: decoded.args.reserve1 };
}

function topicsOf(log: RawLog): [Hex, ...Hex[]] {
  const [first, ...rest] = log.topics;
  if (first === undefined) throw new Error('log without topics');
  return [first, ...rest];
}

/** A log that matches the topic but not the shape (short data) is somebody else's event: not ours to decode. */
function tryDecode<T>(decode: () => T): T | null {
  try {
    return decode();
  } catch {
    return null;
  }
}

function lower(address: string): Address {
  return address.toLowerCase() as Address;
}
