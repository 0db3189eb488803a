/**
 * ChainPort over Ethereum JSON-RPC through viem: any node (geth, erigon, a provider) or the devnet's
 * own RPC server. Signing never leaves this process: the transaction is serialised with viem, its
 * keccak digest goes to the DigestSigner, and the signed bytes are checked to recover to the sender.
 */
import {
  BlockNotFoundError,
  TransactionReceiptNotFoundError,
  createPublicClient,
  http,
  keccak256,
  recoverAddress,
  serializeTransaction,
  type PublicClient,
  type Transport,
} from 'viem';
import { erc20Abi, factoryAbi, pairAbi, decodeSwapLog, decodeTransferLog, transferTopic } from '../abi';
import { fromHex as hexToBytes, toHex as bytesToHex } from '../evm/signer';
import type { Address, BlockRef, ChainPort, DigestSigner, Hex, PairReserves, Receipt, SignedTx, SwapLog, TransferLog, TxRequest } from '../chain';

/** The tip offered when the node does not answer eth_maxPriorityFeePerGas (1 gwei). */
export const defaultPriorityFeePerGasWei = 1_000_000_000n;
/** Addresses one Transfer query filters on (topic OR-lists are capped by nodes too). */
export const transferQueryAddressesMax = 100;
const zeroAddress: Address = '0x0000000000000000000000000000000000000000';

export interface ViemChainOptions {
  readonly chainId: bigint;
  /** The node's URL, or a viem transport (for tests or a fallback set of nodes). */
  readonly url?: string;
  readonly transport?: Transport;
}

export class ViemChain implements ChainPort {
  readonly chainId: bigint;
  private readonly client: PublicClient;

  constructor(options: ViemChainOptions) {
    this.chainId = options.chainId;
    const transport = options.transport ?? (options.url === undefined ? undefined : http(options.url, { retryCount: 0 }));
    if (transport === undefined) throw new Error('ViemChain needs a url or a transport');
    this.client = createPublicClient({ transport });
  }

  /** Checks the node is on the chain the books expect; call once at start-up. */
  async verifyChainId(): Promise<void> {
    const actual = BigInt(await this.client.getChainId());
    if (actual !== this.chainId) throw new Error(`the node is on chain ${actual}, not ${this.chainId}`);
  }

  async head(): Promise<BlockRef> {
    return refOf(await this.client.getBlock({ blockTag: 'latest' }));
  }

  async block(number: bigint): Promise<BlockRef | null> {
    try {
      return refOf(await this.client.getBlock({ blockNumber: number }));
    } catch (error) {
      if (error instanceof BlockNotFoundError) return null;
      throw error;
    }
  }

  async erc20Transfers(query: { readonly token: Address; readonly fromBlock: bigint; readonly toBlock: bigint; readonly to?: readonly Address[] }): Promise<TransferLog[]> {
    if (query.to !== undefined && query.to.length === 0) return [];
    if (query.to !== undefined && query.to.length > transferQueryAddressesMax) throw new RangeError(`more than ${transferQueryAddressesMax} addresses`);
    const toTopics = query.to?.map((address) => `0x${address.slice(2).toLowerCase().padStart(64, '0')}` as Hex) ?? null;
    const logs = await this.client.request({
      method: 'eth_getLogs',
      params: [{ address: query.token, fromBlock: quantity(query.fromBlock), toBlock: quantity(query.toBlock), topics: [transferTopic, null, toTopics] }],
    });
    const out: TransferLog[] = [];
    for (const log of logs) {
      const transfer = decodeTransferLog({ address: log.address, topics: log.topics, data: log.data });
      if (transfer === null || log.blockNumber === null || log.blockHash === null || log.transactionHash === null || log.logIndex === null || log.removed) continue;
      out.push({ ...transfer, blockNumber: BigInt(log.blockNumber), blockHash: lower(log.blockHash), txHash: lower(log.transactionHash), logIndex: Number(BigInt(log.logIndex)) });
    }
    return out;
  }

  async erc20Balance(token: Address, owner: Address): Promise<bigint> {
    return this.client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] });
  }

  async erc20Decimals(token: Address): Promise<number> {
    return this.client.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' });
  }

  async pairOf(factory: Address, tokenA: Address, tokenB: Address): Promise<Address | null> {
    const pair = lower(await this.client.readContract({ address: factory, abi: factoryAbi, functionName: 'getPair', args: [tokenA, tokenB] }));
    return pair === zeroAddress ? null : pair;
  }

  async reserves(pair: Address): Promise<PairReserves> {
    const [reserve0, reserve1, blockTimestampLast] = await this.client.readContract({ address: pair, abi: pairAbi, functionName: 'getReserves' });
    const token0 = await this.client.readContract({ address: pair, abi: pairAbi, functionName: 'token0' });
    const token1 = await this.client.readContract({ address: pair, abi: pairAbi, functionName: 'token1' });
    return { pair: lower(pair), token0: lower(token0), token1: lower(token1), reserve0, reserve1, blockTimestampLast };
  }

  async nonce(address: Address): Promise<bigint> {
    return BigInt(await this.client.getTransactionCount({ address, blockTag: 'latest' }));
  }

  async signTransaction(request: TxRequest, sign: DigestSigner): Promise<SignedTx> {
    const latest = await this.client.getBlock({ blockTag: 'latest' });
    const baseFeePerGas = latest.baseFeePerGas ?? 0n;
    const maxPriorityFeePerGas = await this.priorityFee();
    const gas = request.gasLimit ?? (await this.client.estimateGas({ account: request.from, to: request.to, data: request.data, value: request.value }));
    const unsigned = {
      type: 'eip1559' as const,
      chainId: Number(this.chainId),
      nonce: Number(request.nonce),
      to: request.to,
      data: request.data,
      value: request.value,
      gas,
      maxPriorityFeePerGas,
      maxFeePerGas: baseFeePerGas * 2n + maxPriorityFeePerGas,
    };
    const digest = keccak256(serializeTransaction(unsigned));
    const signature = await sign(hexToBytes(digest));
    if (signature.length !== 65) throw new RangeError(`signature of ${signature.length} bytes, 65 expected`);
    const recovery = signature[64] ?? 0;
    const parts = { r: bytesToHex(signature.subarray(0, 32)), s: bytesToHex(signature.subarray(32, 64)), yParity: recovery >= 27 ? recovery - 27 : recovery };
    const signer = lower(await recoverAddress({ hash: digest, signature: parts }));
    if (signer !== lower(request.from)) throw new Error(`assertion failed: the signer's key is ${signer}, not the request's sender ${lower(request.from)}`);
    const raw = serializeTransaction(unsigned, parts);
    return { raw, hash: keccak256(raw) };
  }

  async broadcast(raw: Hex): Promise<Hex> {
    try {
      return lower((await this.client.request({ method: 'eth_sendRawTransaction', params: [raw] })) as Hex);
    } catch (error) {
      // geth answers "already known", others "known transaction": the hash is the raw bytes' keccak either way.
      if (isAlreadyKnown(error)) return keccak256(raw);
      throw error;
    }
  }

  async receipt(txHash: Hex): Promise<Receipt | null> {
    let receipt;
    try {
      receipt = await this.client.getTransactionReceipt({ hash: txHash });
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return null;
      throw error;
    }
    const at = { blockNumber: receipt.blockNumber, blockHash: lower(receipt.blockHash), txHash: lower(receipt.transactionHash) };
    const transfers: TransferLog[] = [];
    const swaps: SwapLog[] = [];
    for (const log of receipt.logs) {
      const raw = { address: log.address, topics: log.topics, data: log.data };
      const transfer = decodeTransferLog(raw);
      if (transfer !== null) transfers.push({ ...transfer, ...at, logIndex: log.logIndex });
      const swap = decodeSwapLog(raw);
      if (swap !== null) swaps.push({ ...swap, ...at, logIndex: log.logIndex });
    }
    return { txHash: at.txHash, status: receipt.status, blockNumber: at.blockNumber, blockHash: at.blockHash, gasUsed: receipt.gasUsed, transfers, swaps };
  }

  private async priorityFee(): Promise<bigint> {
    try {
      return BigInt(await this.client.request({ method: 'eth_maxPriorityFeePerGas' }));
    } catch {
      return defaultPriorityFeePerGasWei;
    }
  }
}

function isAlreadyKnown(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${'details' in error ? String(error.details) : ''}` : String(error);
  return /already known|known transaction|already imported/i.test(text);
}

function refOf(block: { readonly number: bigint | null; readonly hash: Hex | null; readonly parentHash: Hex; readonly timestamp: bigint }): BlockRef {
  if (block.number === null || block.hash === null) throw new Error('the node answered a pending block for a mined one');
  return { number: block.number, hash: lower(block.hash), parentHash: lower(block.parentHash), timestampS: block.timestamp };
}

function quantity(value: bigint): Hex {
  return `0x${value.toString(16)}`;
}

function lower<T extends string>(value: T): T {
  return value.toLowerCase() as T;
}
