/**
 * An Ethereum chain in this process: `@ethereumjs/vm` executing the real Uniswap v2 and ERC-20
 * bytecode, blocks mined only when asked (`mine`), and reorganisations on demand (`reorg`). It
 * implements ChainPort for the bank's services and adds the controls tests and demos need (deploy a
 * token, fund, make a pair with liquidity, set the next timestamp), which are not part of the port.
 *
 * State: every mined block records its state root; the Merkle state manager keeps every trie node it
 * ever wrote, so a reorganisation is `setStateRoot(forkBlock.stateRoot)` and the dropped blocks'
 * transactions are simply gone (a real node would return them to its pool; here the books must send
 * them again, which is the case the custody gateway has to handle anyway).
 */
import { createBlock, type Block } from '@ethereumjs/block';
import { Hardfork, Mainnet, createCustomCommon, type Common } from '@ethereumjs/common';
import { createFeeMarket1559Tx, createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import { Account, Address as EthAddress, createAddressFromString, createContractAddress } from '@ethereumjs/util';
import { buildBlock, createVM, type RunTxResult, type VM } from '@ethereumjs/vm';
import { encodeAbiParameters } from 'viem';
import {
  decodeAddressResult,
  decodeReservesResult,
  decodeSwapLog,
  decodeTransferLog,
  decodeUint256Result,
  decodeUint8Result,
  erc20BalanceOfData,
  erc20DecimalsData,
  erc20TransferData,
  factoryCreatePairData,
  factoryGetPairData,
  pairGetReservesData,
  pairMintData,
  pairToken0Data,
  pairToken1Data,
  type RawLog,
} from '../abi';
import type { Address, BlockRef, ChainPort, DigestSigner, Hex, PairReserves, Receipt, SignedTx, SwapLog, TransferLog, TxRequest } from '../chain';
import { pairAddress } from '../uniswap-v2';
import { bytecode } from './artifacts';
import { addressOfPrivateKey, devKey, fromHex, privateKeySigner, toHex } from './signer';

/** Transactions one block takes at most (and the pending pool holds at most, so a flood cannot grow memory). */
export const blockTransactionsMax = 500;
export const pendingPoolMax = 5_000;
/** Blocks one log query may span (a real node caps eth_getLogs the same way). */
export const logRangeBlocksMax = 10_000n;
/** Blocks one reorganisation may drop. */
export const reorgDepthMax = 256;
export const blockGasLimit = 30_000_000n;
/** The tip every transaction the devnet signs offers (1 gwei). */
export const priorityFeePerGasWei = 1_000_000_000n;
const genesisBaseFeePerGasWei = 1_000_000_000n;
const deployerBalanceWei = 10n ** 30n;
const zeroAddress: Address = '0x0000000000000000000000000000000000000000';

export interface EvmDevnetOptions {
  readonly chainId: bigint;
  readonly genesisTimestampS: bigint;
  /** Seconds between blocks when no timestamp is set for the next one; default 12. */
  readonly blockTimeS?: bigint;
  /** Extra accounts with ether at genesis (gas money for custody wallets, say). */
  readonly genesisBalances?: readonly { readonly address: Address; readonly balanceWei: bigint }[];
}

/** One transaction as a block recorded it. */
export interface MinedTx {
  readonly hash: Hex;
  readonly raw: Hex;
  readonly from: Address;
  readonly to: Address | null;
  readonly effectiveGasPrice: bigint;
  readonly status: 'success' | 'reverted';
  readonly gasUsed: bigint;
  readonly logs: readonly (RawLog & { readonly logIndex: number })[];
}

interface MinedBlock {
  readonly ref: BlockRef;
  readonly block: Block;
  readonly txs: readonly MinedTx[];
}

export type BroadcastRejection =
  | 'malformed'
  | 'unsigned'
  | 'wrong_chain'
  | 'nonce_too_low'
  | 'nonce_gap'
  | 'fee_below_base_fee'
  | 'insufficient_funds'
  | 'gas_limit_above_block'
  | 'pool_full';

/** A transaction the devnet refuses at the door, as a node's eth_sendRawTransaction would. */
export class BroadcastRejected extends Error {
  constructor(
    readonly code: BroadcastRejection,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'BroadcastRejected';
  }
}

/** What a sandboxed call answers: the return data, or the revert reason the contract gave. */
export type CallOutcome =
  | { readonly ok: true; readonly returnData: Hex; readonly gasUsed: bigint; readonly logs: readonly RawLog[] }
  | { readonly ok: false; readonly error: string; readonly reason: string | null; readonly returnData: Hex };

export interface Sandbox {
  /** Executes a call as `from` (no signature, no nonce) against the sandbox's state; changes persist until the sandbox ends. */
  call(request: { readonly from: Address; readonly to: Address; readonly data: Hex; readonly value?: bigint }): Promise<CallOutcome>;
}

export interface ReorgOptions {
  /** Blocks mined in place of the dropped ones; default the same count (the new branch at the same height). */
  readonly blocks?: number;
  /** Signed transactions that go into the first replacement block. */
  readonly transactions?: readonly Hex[];
}

export class EvmDevnet {
  readonly chainId: bigint;
  /** The devnet's own funded account: it deploys the contracts, holds every token's supply and pays for the controls. */
  readonly deployerKey: Uint8Array;
  readonly deployer: Address;
  readonly factory: Address;
  readonly router: Address;
  readonly weth: Address;

  private readonly blocks: MinedBlock[] = [];
  private readonly txIndex = new Map<Hex, { readonly blockNumber: bigint; readonly position: number }>();
  private pending: { readonly hash: Hex; readonly raw: Hex; readonly tx: TypedTransaction }[] = [];
  private nextTimestampS: bigint | null = null;
  private reorgCount = 0;
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly vm: VM,
    private readonly common: Common,
    private readonly blockTimeS: bigint,
    genesis: MinedBlock,
    deployerKey: Uint8Array,
  ) {
    this.chainId = common.chainId();
    this.blocks.push(genesis);
    this.deployerKey = deployerKey;
    this.deployer = addressOfPrivateKey(deployerKey);
    this.weth = contractAddress(this.deployer, 0n);
    this.factory = contractAddress(this.deployer, 1n);
    this.router = contractAddress(this.deployer, 2n);
  }

  /** A chain at genesis plus one block that deploys WETH9, the factory and Router02 (head = 1). */
  static async create(options: EvmDevnetOptions): Promise<EvmDevnet> {
    const common = createCustomCommon({ chainId: Number(options.chainId), name: 'qenex-devnet' }, Mainnet, { hardfork: Hardfork.Shanghai });
    const vm = await createVM({ common });
    const deployerKey = devKey('deployer');
    const balances = [{ address: addressOfPrivateKey(deployerKey), balanceWei: deployerBalanceWei }, ...(options.genesisBalances ?? [])];
    for (const { address, balanceWei } of balances) {
      await vm.stateManager.putAccount(ethAddress(address), new Account(0n, balanceWei));
    }
    const genesisBlock = createBlock(
      {
        header: {
          number: 0n,
          timestamp: options.genesisTimestampS,
          gasLimit: blockGasLimit,
          baseFeePerGas: genesisBaseFeePerGasWei,
          stateRoot: await vm.stateManager.getStateRoot(),
        },
      },
      { common },
    );
    const devnet = new EvmDevnet(vm, common, options.blockTimeS ?? 12n, { ref: refOf(genesisBlock), block: genesisBlock, txs: [] }, deployerKey);
    await devnet.deployCoreContracts();
    return devnet;
  }

  private async deployCoreContracts(): Promise<void> {
    const factoryArgs = encodeAbiParameters([{ type: 'address' }], [this.deployer]).slice(2);
    const routerArgs = encodeAbiParameters([{ type: 'address' }, { type: 'address' }], [this.factory, this.weth]).slice(2);
    await this.sendAs(this.deployerKey, { to: null, data: bytecode.weth9, gasLimit: 2_000_000n });
    await this.sendAs(this.deployerKey, { to: null, data: `${bytecode.factory}${factoryArgs}`, gasLimit: 6_000_000n });
    await this.sendAs(this.deployerKey, { to: null, data: `${bytecode.router02}${routerArgs}`, gasLimit: 8_000_000n });
    const [block] = await this.mine();
    for (const tx of block?.txs ?? []) assert(tx.status === 'success', `core contract deployment ${tx.hash} reverted`);
  }

  // ---------------------------------------------------------------- ChainPort

  async head(): Promise<BlockRef> {
    return this.headBlock().ref;
  }

  async block(number: bigint): Promise<BlockRef | null> {
    if (number < 0n || number >= BigInt(this.blocks.length)) return null;
    return this.blockAt(number).ref;
  }

  async erc20Transfers(query: { readonly token: Address; readonly fromBlock: bigint; readonly toBlock: bigint; readonly to?: readonly Address[] }): Promise<TransferLog[]> {
    const token = lower(query.token);
    const wanted = query.to === undefined ? null : new Set(query.to.map(lower));
    const out: TransferLog[] = [];
    for (const { block, tx, log } of this.logsIn(query.fromBlock, query.toBlock)) {
      if (log.address !== token) continue;
      const transfer = decodeTransferLog(log);
      if (transfer === null || (wanted !== null && !wanted.has(transfer.to))) continue;
      out.push({ ...transfer, blockNumber: block.ref.number, blockHash: block.ref.hash, txHash: tx.hash, logIndex: log.logIndex });
    }
    return out;
  }

  async erc20Balance(token: Address, owner: Address): Promise<bigint> {
    return decodeUint256Result(await this.read(token, erc20BalanceOfData(owner)));
  }

  async erc20Decimals(token: Address): Promise<number> {
    return decodeUint8Result(await this.read(token, erc20DecimalsData()));
  }

  async pairOf(factory: Address, tokenA: Address, tokenB: Address): Promise<Address | null> {
    const pair = decodeAddressResult(await this.read(factory, factoryGetPairData(tokenA, tokenB)));
    return pair === zeroAddress ? null : pair;
  }

  async reserves(pair: Address): Promise<PairReserves> {
    const { reserve0, reserve1, blockTimestampLast } = decodeReservesResult(await this.read(pair, pairGetReservesData()));
    const token0 = decodeAddressResult(await this.read(pair, pairToken0Data()));
    const token1 = decodeAddressResult(await this.read(pair, pairToken1Data()));
    return { pair: lower(pair), token0, token1, reserve0, reserve1, blockTimestampLast };
  }

  /** The nonce of the head's state (mined transactions only), as eth_getTransactionCount(…, 'latest'). */
  async nonce(address: Address): Promise<bigint> {
    return (await this.vm.stateManager.getAccount(ethAddress(address)))?.nonce ?? 0n;
  }

  /** The nonce counting the pending pool too, as eth_getTransactionCount(…, 'pending'). */
  async pendingNonce(address: Address): Promise<bigint> {
    const sender = lower(address);
    let nonce = await this.nonce(address);
    for (const entry of this.pending) if (senderOf(entry.tx) === sender && entry.tx.nonce === nonce) nonce += 1n;
    return nonce;
  }

  async signTransaction(request: TxRequest, sign: DigestSigner): Promise<SignedTx> {
    const maxFeePerGas = this.nextBaseFeePerGas() * 2n + priorityFeePerGasWei;
    const gasLimit = request.gasLimit ?? (await this.estimateGas({ from: request.from, to: request.to, data: request.data, value: request.value }));
    const unsigned = createFeeMarket1559Tx(
      { chainId: this.chainId, nonce: request.nonce, to: request.to, data: request.data, value: request.value, gasLimit, maxFeePerGas, maxPriorityFeePerGas: priorityFeePerGasWei },
      { common: this.common },
    );
    const signed = await signWith(unsigned, sign);
    const sender = senderOf(signed);
    assert(sender === lower(request.from), `the signer's key is ${sender}, not the request's sender ${lower(request.from)}`);
    return { raw: toHex(signed.serialize()), hash: toHex(signed.hash()) };
  }

  async broadcast(raw: Hex): Promise<Hex> {
    return this.exclusive(() => this.admit(raw));
  }

  async receipt(txHash: Hex): Promise<Receipt | null> {
    const found = this.minedTx(lower(txHash) as Hex);
    if (found === null) return null;
    const { block, tx } = found;
    const at = { blockNumber: block.ref.number, blockHash: block.ref.hash, txHash: tx.hash };
    const transfers: TransferLog[] = [];
    const swaps: SwapLog[] = [];
    for (const log of tx.logs) {
      const transfer = decodeTransferLog(log);
      if (transfer !== null) transfers.push({ ...transfer, ...at, logIndex: log.logIndex });
      const swap = decodeSwapLog(log);
      if (swap !== null) swaps.push({ ...swap, ...at, logIndex: log.logIndex });
    }
    return { txHash: tx.hash, status: tx.status, blockNumber: block.ref.number, blockHash: block.ref.hash, gasUsed: tx.gasUsed, transfers, swaps };
  }

  // ---------------------------------------------------------------- what the JSON-RPC server needs beyond the port

  /** The full logs of a mined transaction (any event, not only Transfer/Swap), for eth_getTransactionReceipt. */
  minedTransaction(txHash: Hex): (MinedTx & { readonly block: BlockRef; readonly index: number; readonly cumulativeGasUsed: bigint }) | null {
    const found = this.minedTx(lower(txHash) as Hex);
    if (found === null) return null;
    const index = this.txIndex.get(found.tx.hash)?.position ?? 0;
    const cumulativeGasUsed = found.block.txs.slice(0, index + 1).reduce((sum, tx) => sum + tx.gasUsed, 0n);
    return { ...found.tx, block: found.block.ref, index, cumulativeGasUsed };
  }

  /** Logs in a block range, optionally of some contracts and with a first topic, for eth_getLogs. */
  logs(query: { readonly fromBlock: bigint; readonly toBlock: bigint; readonly addresses?: readonly Address[]; readonly topic0?: readonly Hex[] }): {
    readonly block: BlockRef;
    readonly txHash: Hex;
    readonly txIndex: number;
    readonly log: RawLog & { readonly logIndex: number };
  }[] {
    const addresses = query.addresses === undefined ? null : new Set(query.addresses.map(lower));
    const topics = query.topic0 === undefined ? null : new Set(query.topic0.map((topic) => topic.toLowerCase()));
    const out = [];
    for (const { block, tx, txIndex, log } of this.logsIn(query.fromBlock, query.toBlock)) {
      if (addresses !== null && !addresses.has(log.address)) continue;
      if (topics !== null && !topics.has(log.topics[0] ?? '')) continue;
      out.push({ block: block.ref, txHash: tx.hash, txIndex, log });
    }
    return out;
  }

  /** The mined block's transaction hashes (eth_getBlockByNumber without full transactions). */
  blockTransactions(number: bigint): readonly Hex[] {
    if (number < 0n || number >= BigInt(this.blocks.length)) return [];
    return this.blockAt(number).txs.map((tx) => tx.hash);
  }

  blockDetails(number: bigint): { readonly gasLimit: bigint; readonly gasUsed: bigint; readonly baseFeePerGas: bigint; readonly stateRoot: Hex; readonly miner: Address } | null {
    if (number < 0n || number >= BigInt(this.blocks.length)) return null;
    const header = this.blockAt(number).block.header;
    return { gasLimit: header.gasLimit, gasUsed: header.gasUsed, baseFeePerGas: header.baseFeePerGas ?? 0n, stateRoot: toHex(header.stateRoot), miner: lower(header.coinbase.toString()) };
  }

  nextBaseFeePerGas(): bigint {
    return this.headBlock().block.header.calcNextBaseFee();
  }

  /** eth_call against the head's state: nothing it does persists. */
  async call(request: { readonly from?: Address; readonly to: Address; readonly data: Hex; readonly value?: bigint }): Promise<CallOutcome> {
    return this.exclusive(() => this.sandboxed((sandbox) => sandbox.call({ from: request.from ?? zeroAddress, to: request.to, data: request.data, ...(request.value === undefined ? {} : { value: request.value }) })));
  }

  /**
   * Gas for a call at the head's state with headroom: what it used plus half again (the 63/64 rule
   * and refunds make the bare figure too tight), capped at the block's limit.
   */
  async estimateGas(request: { readonly from: Address; readonly to: Address; readonly data: Hex; readonly value?: bigint }): Promise<bigint> {
    const outcome = await this.call(request);
    if (!outcome.ok) throw new Error(`execution reverted: ${outcome.reason ?? outcome.error}`);
    const intrinsic = 21_000n + calldataGas(fromHex(request.data));
    const estimate = intrinsic + (outcome.gasUsed * 3n) / 2n + 10_000n;
    return estimate > blockGasLimit ? blockGasLimit : estimate;
  }

  // ---------------------------------------------------------------- controls (tests and demos; not the port)

  /** The address the pending pool will hand out next: its own nonce after the chain's and the pool's. */
  async sendAs(privateKey: Uint8Array, request: { readonly to: Address | null; readonly data: Hex; readonly value?: bigint; readonly gasLimit?: bigint }): Promise<SignedTx> {
    const from = addressOfPrivateKey(privateKey);
    const nonce = await this.pendingNonce(from);
    const maxFeePerGas = this.nextBaseFeePerGas() * 2n + priorityFeePerGasWei;
    const unsigned = createFeeMarket1559Tx(
      {
        chainId: this.chainId,
        nonce,
        ...(request.to === null ? {} : { to: request.to }),
        data: request.data,
        value: request.value ?? 0n,
        gasLimit: request.gasLimit ?? 1_000_000n,
        maxFeePerGas,
        maxPriorityFeePerGas: priorityFeePerGasWei,
      },
      { common: this.common },
    );
    const signed = await signWith(unsigned, privateKeySigner(privateKey));
    const raw = toHex(signed.serialize());
    return { raw, hash: await this.broadcast(raw) };
  }

  /** Sends and mines at once; throws if the transaction reverted. */
  async executeAs(privateKey: Uint8Array, request: { readonly to: Address | null; readonly data: Hex; readonly value?: bigint; readonly gasLimit?: bigint }): Promise<Receipt> {
    const { hash } = await this.sendAs(privateKey, request);
    await this.mine();
    const receipt = await this.receipt(hash);
    assert(receipt !== null, `transaction ${hash} was not mined`);
    assert(receipt.status === 'success', `transaction ${hash} reverted`);
    return receipt;
  }

  /**
   * Deploys v2-core's test ERC20 with `supply` minted to the deployer, in its own block. That contract
   * is fixed at name "Uniswap V2", symbol "UNI-V2" and 18 decimals; `label` is only for the caller's logs.
   */
  async deployToken(supply: bigint, label = 'token'): Promise<Address> {
    const data: Hex = `${bytecode.erc20}${encodeAbiParameters([{ type: 'uint256' }], [supply]).slice(2)}`;
    const address = contractAddress(this.deployer, await this.pendingNonce(this.deployer));
    await this.executeAs(this.deployerKey, { to: null, data, gasLimit: 1_500_000n });
    this.tokenLabels.set(address, label);
    return address;
  }

  readonly tokenLabels = new Map<Address, string>();

  /** Sends `amount` of a token from the deployer (who holds every supply) to `to`, mined. */
  async fund(token: Address, to: Address, amount: bigint): Promise<Receipt> {
    return this.executeAs(this.deployerKey, { to: token, data: erc20TransferData(to, amount), gasLimit: 100_000n });
  }

  /** Sends ether from the deployer (gas money), mined. */
  async fundEther(to: Address, amountWei: bigint): Promise<Receipt> {
    return this.executeAs(this.deployerKey, { to, data: '0x', value: amountWei, gasLimit: 21_000n });
  }

  /** An ERC-20 transfer signed with `privateKey`, put in the pool (not mined). */
  async transferAs(privateKey: Uint8Array, token: Address, to: Address, amount: bigint): Promise<SignedTx> {
    return this.sendAs(privateKey, { to: token, data: erc20TransferData(to, amount), gasLimit: 100_000n });
  }

  /** factory.createPair (an empty pool), mined; answers the existing pair if there is one. */
  async createPair(tokenA: Address, tokenB: Address): Promise<Address> {
    const existing = await this.pairOf(this.factory, tokenA, tokenB);
    if (existing === null) await this.executeAs(this.deployerKey, { to: this.factory, data: factoryCreatePairData(tokenA, tokenB), gasLimit: 5_000_000n });
    const pair = pairAddress(this.factory, tokenA, tokenB);
    assert((await this.pairOf(this.factory, tokenA, tokenB)) === pair, 'the factory deployed the pair somewhere other than its CREATE2 address');
    return pair;
  }

  /** factory.createPair, then the deployer's amounts sent to the pair and `mint`ed to the deployer; three mined blocks. */
  async createPairWithLiquidity(tokenA: Address, tokenB: Address, amountA: bigint, amountB: bigint): Promise<Address> {
    const pair = await this.createPair(tokenA, tokenB);
    await this.sendAs(this.deployerKey, { to: tokenA, data: erc20TransferData(pair, amountA), gasLimit: 100_000n });
    await this.sendAs(this.deployerKey, { to: tokenB, data: erc20TransferData(pair, amountB), gasLimit: 100_000n });
    await this.mine();
    await this.executeAs(this.deployerKey, { to: pair, data: pairMintData(this.deployer), gasLimit: 300_000n });
    return pair;
  }

  /** The next mined block's timestamp (once); must be after the head's. */
  setNextBlockTimestamp(timestampS: bigint): void {
    assert(timestampS > this.headBlock().ref.timestampS, `next timestamp ${timestampS} is not after the head's`);
    this.nextTimestampS = timestampS;
  }

  pendingTransactions(): readonly Hex[] {
    return this.pending.map((entry) => entry.hash);
  }

  /** Mines `count` blocks (default 1), each with what the pool holds (up to blockTransactionsMax). */
  async mine(count = 1): Promise<readonly MinedBlock[]> {
    assert(Number.isInteger(count) && count >= 1 && count <= 10_000, `mine(${count})`);
    return this.exclusive(async () => {
      const mined: MinedBlock[] = [];
      for (let i = 0; i < count; i++) mined.push(await this.mineOne());
      return mined;
    });
  }

  /**
   * Drops the last `depth` blocks (state back to the fork point, their transactions and receipts
   * gone) and mines the replacement branch: `options.blocks` blocks (default `depth`), the first with
   * `options.transactions`. Replacement blocks carry a marker in extraData, so even an empty branch
   * has new hashes. The pending pool is kept for the blocks after.
   */
  async reorg(depth: number, options: ReorgOptions = {}): Promise<readonly MinedBlock[]> {
    const replacementBlocks = options.blocks ?? depth;
    assert(Number.isInteger(depth) && depth >= 1 && depth <= reorgDepthMax, `reorg depth ${depth} (1..${reorgDepthMax})`);
    assert(depth < this.blocks.length, `reorg depth ${depth} reaches the genesis block`);
    assert(Number.isInteger(replacementBlocks) && replacementBlocks >= 0 && replacementBlocks <= reorgDepthMax, `replacement blocks ${replacementBlocks}`);
    return this.exclusive(async () => {
      const dropped = this.blocks.splice(this.blocks.length - depth, depth);
      for (const block of dropped) for (const tx of block.txs) this.txIndex.delete(tx.hash);
      await this.vm.stateManager.setStateRoot(this.headBlock().block.header.stateRoot);
      this.reorgCount += 1;
      const kept = this.pending;
      this.pending = [];
      for (const raw of options.transactions ?? []) await this.admit(raw);
      const mined: MinedBlock[] = [];
      for (let i = 0; i < replacementBlocks; i++) mined.push(await this.mineOne(`qenex reorg ${this.reorgCount}`));
      const leftover = this.pending;
      this.pending = [];
      for (const entry of [...leftover, ...kept]) if (!this.txIndex.has(entry.hash)) this.pending.push(entry);
      return mined;
    });
  }

  /**
   * Runs `work` against a throw-away copy of the head's state: calls as any sender, without
   * signatures, nonces or blocks; everything is undone afterwards. Much faster than mining when a
   * test needs thousands of swaps.
   */
  async sandbox<T>(work: (sandbox: Sandbox) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.sandboxed(work));
  }

  // ---------------------------------------------------------------- internals

  private async sandboxed<T>(work: (sandbox: Sandbox) => Promise<T>): Promise<T> {
    const stateManager = this.vm.stateManager;
    await stateManager.checkpoint();
    const blockContext = createBlock(
      { header: { number: this.headBlock().ref.number + 1n, timestamp: this.nextBlockTimestamp(), gasLimit: blockGasLimit, baseFeePerGas: this.nextBaseFeePerGas() } },
      { common: this.common },
    );
    try {
      return await work({
        call: async ({ from, to, data, value }) => {
          const result = await this.vm.evm.runCall({
            caller: ethAddress(from),
            origin: ethAddress(from),
            to: ethAddress(to),
            data: fromHex(data),
            value: value ?? 0n,
            gasLimit: blockGasLimit,
            block: blockContext,
          });
          const returnData = toHex(result.execResult.returnValue);
          const error = result.execResult.exceptionError;
          if (error !== undefined) return { ok: false, error: error.error, reason: revertReason(result.execResult.returnValue), returnData };
          const logs = (result.execResult.logs ?? []).map(([address, topics, logData]) => ({ address: lower(toHex(address)), topics: topics.map(toHex), data: toHex(logData) }));
          return { ok: true, returnData, gasUsed: result.execResult.executionGasUsed, logs };
        },
      });
    } finally {
      await stateManager.revert();
    }
  }

  private async read(to: Address, data: Hex): Promise<Hex> {
    const outcome = await this.call({ to, data });
    if (!outcome.ok) throw new Error(`call to ${to} failed: ${outcome.reason ?? outcome.error}`);
    return outcome.returnData;
  }

  private async admit(raw: Hex): Promise<Hex> {
    let tx: TypedTransaction;
    try {
      tx = createTxFromRLP(fromHex(raw), { common: this.common });
    } catch (error) {
      throw new BroadcastRejected('malformed', error instanceof Error ? error.message : String(error));
    }
    const hash = toHex(tx.hash());
    if (this.txIndex.has(hash) || this.pending.some((entry) => entry.hash === hash)) return hash;
    if (!tx.isSigned() || !tx.verifySignature()) throw new BroadcastRejected('unsigned', 'no valid signature');
    if ('chainId' in tx && tx.chainId !== this.chainId) throw new BroadcastRejected('wrong_chain', `chain ${tx.chainId}, this is ${this.chainId}`);
    if (this.pending.length >= pendingPoolMax) throw new BroadcastRejected('pool_full', `${pendingPoolMax} pending`);
    const sender = senderOf(tx);
    const account = await this.vm.stateManager.getAccount(ethAddress(sender));
    const chainNonce = account?.nonce ?? 0n;
    if (tx.nonce < chainNonce) throw new BroadcastRejected('nonce_too_low', `nonce ${tx.nonce}, the account is at ${chainNonce}`);
    const expected = await this.pendingNonce(sender);
    if (tx.nonce !== expected) throw new BroadcastRejected(tx.nonce < expected ? 'nonce_too_low' : 'nonce_gap', `nonce ${tx.nonce}, next expected ${expected}`);
    if (tx.gasLimit > blockGasLimit) throw new BroadcastRejected('gas_limit_above_block', `${tx.gasLimit}`);
    const maxFee = 'maxFeePerGas' in tx ? tx.maxFeePerGas : 'gasPrice' in tx ? tx.gasPrice : 0n;
    if (maxFee < this.nextBaseFeePerGas()) throw new BroadcastRejected('fee_below_base_fee', `max fee ${maxFee} < base fee ${this.nextBaseFeePerGas()}`);
    const cost = tx.gasLimit * maxFee + tx.value;
    if ((account?.balance ?? 0n) < cost) throw new BroadcastRejected('insufficient_funds', `needs ${cost} wei`);
    this.pending.push({ hash, raw: lower(raw) as Hex, tx });
    return hash;
  }

  private async mineOne(extraData?: string): Promise<MinedBlock> {
    const parent = this.headBlock();
    const timestampS = this.nextBlockTimestamp();
    this.nextTimestampS = null;
    const builder = await buildBlock(this.vm, {
      parentBlock: parent.block,
      headerData: {
        number: parent.ref.number + 1n,
        timestamp: timestampS,
        gasLimit: blockGasLimit,
        coinbase: createAddressFromString(zeroAddress),
        ...(extraData === undefined ? {} : { extraData: new TextEncoder().encode(extraData) }),
      },
      withdrawals: [],
      blockOpts: { putBlockIntoBlockchain: false },
    });
    const taken = this.pending.slice(0, blockTransactionsMax);
    this.pending = this.pending.slice(taken.length);
    const included: { readonly hash: Hex; readonly raw: Hex; readonly tx: TypedTransaction }[] = [];
    const results: RunTxResult[] = [];
    for (const entry of taken) {
      try {
        results.push(await builder.addTransaction(entry.tx));
        included.push(entry);
      } catch {
        // No longer valid against this block's state (a reorganisation moved its nonce, or the block is
        // full): dropped, as a node drops it; the sender may send it again.
      }
    }
    const { block } = await builder.build();
    let logIndex = 0;
    const txs: MinedTx[] = included.map((entry, position) => {
      const result = results[position];
      assert(result !== undefined, 'a result for every included transaction');
      const status = 'status' in result.receipt && result.receipt.status === 1 ? 'success' : 'reverted';
      const logs = result.receipt.logs.map(([address, topics, data]) => ({ address: lower(toHex(address)), topics: topics.map(toHex), data: toHex(data), logIndex: logIndex++ }));
      const to = entry.tx.to === undefined ? null : lower(entry.tx.to.toString());
      const effectiveGasPrice = result.totalGasSpent === 0n ? 0n : result.amountSpent / result.totalGasSpent;
      return { hash: entry.hash, raw: entry.raw, from: senderOf(entry.tx), to, effectiveGasPrice, status, gasUsed: result.totalGasSpent, logs };
    });
    const mined: MinedBlock = { ref: refOf(block), block, txs };
    this.blocks.push(mined);
    txs.forEach((tx, position) => this.txIndex.set(tx.hash, { blockNumber: mined.ref.number, position }));
    return mined;
  }

  private nextBlockTimestamp(): bigint {
    return this.nextTimestampS ?? this.headBlock().ref.timestampS + this.blockTimeS;
  }

  private *logsIn(fromBlock: bigint, toBlock: bigint): Generator<{ readonly block: MinedBlock; readonly tx: MinedTx; readonly txIndex: number; readonly log: MinedTx['logs'][number] }> {
    const last = toBlock < BigInt(this.blocks.length - 1) ? toBlock : BigInt(this.blocks.length - 1);
    const first = fromBlock < 0n ? 0n : fromBlock;
    if (last - first + 1n > logRangeBlocksMax) throw new RangeError(`log range of ${last - first + 1n} blocks (at most ${logRangeBlocksMax})`);
    for (let number = first; number <= last; number++) {
      const block = this.blockAt(number);
      for (const [txIndex, tx] of block.txs.entries()) for (const log of tx.logs) yield { block, tx, txIndex, log };
    }
  }

  private minedTx(hash: Hex): { readonly block: MinedBlock; readonly tx: MinedTx } | null {
    const at = this.txIndex.get(hash);
    if (at === undefined) return null;
    const block = this.blockAt(at.blockNumber);
    const tx = block.txs[at.position];
    assert(tx !== undefined && tx.hash === hash, 'the index points at the transaction');
    return { block, tx };
  }

  private headBlock(): MinedBlock {
    return this.blockAt(BigInt(this.blocks.length - 1));
  }

  private blockAt(number: bigint): MinedBlock {
    const block = this.blocks[Number(number)];
    assert(block !== undefined, `no block ${number}`);
    return block;
  }

  /** One thing at a time touches the VM's state: a read between a checkpoint and its revert would see a sandbox's writes. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.busy.then(work, work);
    this.busy = run.catch(() => undefined);
    return run;
  }
}

/** The devnet is a ChainPort (checked here, where a drift in either breaks the build). */
export const evmDevnetAsChainPort = (devnet: EvmDevnet): ChainPort => devnet satisfies ChainPort;

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

function lower<T extends string>(value: T): Address {
  return value.toLowerCase() as Address;
}

function ethAddress(address: Address): EthAddress {
  return createAddressFromString(address);
}

function contractAddress(from: Address, nonce: bigint): Address {
  return lower(createContractAddress(ethAddress(from), nonce).toString());
}

function senderOf(tx: TypedTransaction): Address {
  return lower(tx.getSenderAddress().toString());
}

function refOf(block: Block): BlockRef {
  return { number: block.header.number, hash: toHex(block.hash()), parentHash: toHex(block.header.parentHash), timestampS: block.header.timestamp };
}

async function signWith<T extends TypedTransaction>(unsigned: T, sign: DigestSigner): Promise<T> {
  const signature = await sign(unsigned.getHashedMessageToSign());
  if (signature.length !== 65) throw new RangeError(`signature of ${signature.length} bytes, 65 expected`);
  const recovery = signature[64] ?? 0;
  const v = BigInt(recovery >= 27 ? recovery - 27 : recovery);
  return unsigned.addSignature(v, signature.subarray(0, 32), signature.subarray(32, 64)) as T;
}

function calldataGas(data: Uint8Array): bigint {
  let gas = 0n;
  for (const byte of data) gas += byte === 0 ? 4n : 16n;
  return gas;
}

/** Solidity's `Error(string)` revert payload, decoded; null for anything else. */
export function revertReason(returnValue: Uint8Array): string | null {
  if (returnValue.length < 68 || toHex(returnValue.subarray(0, 4)) !== '0x08c379a0') return null;
  const length = Number(BigInt(toHex(returnValue.subarray(36, 68))));
  if (68 + length > returnValue.length) return null;
  return new TextDecoder().decode(returnValue.subarray(68, 68 + length));
}

