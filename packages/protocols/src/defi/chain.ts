/**
 * The one port the bank's digital-asset services talk to a chain through. Two adapters implement
 * it: the in-process EVM (`@ethereumjs/vm` running the real ERC-20 and Uniswap v2 bytecode) for
 * tests and demos, and JSON-RPC through `viem` for a real node. One contract suite runs against both.
 *
 * Everything here is what a node answers; nothing is decided here. Amounts are `bigint` in the
 * token's smallest unit (wei for an 18-decimal token). Addresses and hashes are lower-case 0x-hex.
 */
export type Address = `0x${string}`;
export type Hex = `0x${string}`;

export interface BlockRef {
  readonly number: bigint;
  readonly hash: Hex;
  readonly parentHash: Hex;
  readonly timestampS: bigint;
}

/** An ERC-20 `Transfer(from, to, value)` event as a block recorded it. */
export interface TransferLog {
  readonly token: Address;
  readonly from: Address;
  readonly to: Address;
  readonly value: bigint;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly txHash: Hex;
  readonly logIndex: number;
}

/** A Uniswap v2 pair's `Swap(sender, amount0In, amount1In, amount0Out, amount1Out, to)` event. */
export interface SwapLog {
  readonly pair: Address;
  readonly sender: Address;
  readonly to: Address;
  readonly amount0In: bigint;
  readonly amount1In: bigint;
  readonly amount0Out: bigint;
  readonly amount1Out: bigint;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly txHash: Hex;
  readonly logIndex: number;
}

export interface Receipt {
  readonly txHash: Hex;
  readonly status: 'success' | 'reverted';
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly gasUsed: bigint;
  /** The receipt's ERC-20 Transfer and Uniswap v2 Swap events, in log order. */
  readonly transfers: readonly TransferLog[];
  readonly swaps: readonly SwapLog[];
}

export interface PairReserves {
  readonly pair: Address;
  readonly token0: Address;
  readonly token1: Address;
  readonly reserve0: bigint;
  readonly reserve1: bigint;
  readonly blockTimestampLast: number;
}

/** A call the bank's custody wallet makes: `data` is ABI-encoded calldata. */
export interface TxRequest {
  readonly from: Address;
  readonly to: Address;
  readonly data: Hex;
  readonly value: bigint;
  /** Chosen by the books, not the node: the bank is the wallet's only signer, so a re-signed transaction never spends twice. */
  readonly nonce: bigint;
  readonly gasLimit?: bigint;
}

/** A 65-byte secp256k1 signature (r ‖ s ‖ recovery bit) of a 32-byte digest. The custody key is opened only inside this. */
export type DigestSigner = (digest: Uint8Array) => Promise<Uint8Array>;

export interface SignedTx {
  readonly raw: Hex;
  readonly hash: Hex;
}

export interface ChainPort {
  readonly chainId: bigint;
  /** The latest block. */
  head(): Promise<BlockRef>;
  /** The canonical block at a height, or null above the head. A hash that changed is a reorganisation. */
  block(number: bigint): Promise<BlockRef | null>;
  /** Transfer events of one token in [fromBlock, toBlock], optionally only those to the given addresses; in chain order. */
  erc20Transfers(query: { readonly token: Address; readonly fromBlock: bigint; readonly toBlock: bigint; readonly to?: readonly Address[] }): Promise<TransferLog[]>;
  erc20Balance(token: Address, owner: Address): Promise<bigint>;
  erc20Decimals(token: Address): Promise<number>;
  /** The pair the factory made for two tokens, or null. */
  pairOf(factory: Address, tokenA: Address, tokenB: Address): Promise<Address | null>;
  reserves(pair: Address): Promise<PairReserves>;
  /** The next nonce the chain expects from an address (for checking the books' own count). */
  nonce(address: Address): Promise<bigint>;
  /** Fills chain id, gas and fees, has `sign` sign the transaction's hash, and returns the raw transaction. Sends nothing. */
  signTransaction(request: TxRequest, sign: DigestSigner): Promise<SignedTx>;
  /** Sends a signed transaction; sending the same one again is harmless and answers the same hash. */
  broadcast(raw: Hex): Promise<Hex>;
  /** The receipt of a mined transaction on the canonical chain, or null while it is not mined (or was dropped by a reorganisation). */
  receipt(txHash: Hex): Promise<Receipt | null>;
}
