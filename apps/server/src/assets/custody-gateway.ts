/**
 * The custody gateway: the server's own process between the books and a chain, through the one
 * chain port (the in-process EVM in tests and demos, a JSON-RPC node through viem in production).
 * Each cycle it reports transfers into custody wallets, the canonical hashes of the heights the
 * books wait on, signs what the books admitted (the key opened only to sign), sends what is signed
 * and reports receipts. It decides nothing and keeps nothing that matters: the books credit, post
 * or void; a restart scans the chain's recent blocks again and every report is a duplicate.
 */
import { systemRole, type Context, type CustodyKeys, type Engine } from '@qenex/engine';
import {
  erc20ApproveData,
  erc20TransferData,
  getAmountOut,
  swapExactTokensForTokensData,
  type Address,
  type ChainPort,
  type Hex,
  type Receipt,
} from '@qenex/protocols/defi';

const gatewayCtx: Context = { actor: 'custody-gateway', roles: [systemRole], deviceId: 'server' };

/** Blocks behind the head scanned again every cycle: a reorganisation shallower than this is always seen. */
export const custodyRescanBlocks = 64n;
/** Blocks one log query spans at most (nodes cap eth_getLogs ranges). */
export const custodyLogRangeMax = 2_000n;
/** Gas a token transfer, an allowance and a two-hop-free swap get: above what each uses, below a block. */
const gasLimits = { transfer: 100_000n, approve: 80_000n, swap: 250_000n } as const;

export interface CustodyLog {
  warn(detail: object, message: string): void;
}

export interface CustodyCycle {
  readonly observed: number;
  readonly decided: { readonly credited: number; readonly dropped: number; readonly refused: number; readonly confirmed: number; readonly failed: number; readonly reorganised: number };
  readonly signed: number;
  readonly sent: number;
  readonly receipts: number;
}

export class CustodyGateway {
  /** The first height not yet scanned (scanning starts again `custodyRescanBlocks` below it). */
  private scannedTo = 0n;

  constructor(private readonly deps: { readonly engine: Engine; readonly chain: ChainPort; readonly keys: CustodyKeys; readonly log: CustodyLog }) {}

  private get chainId(): string {
    return this.deps.chain.chainId.toString();
  }

  private async run<T = Record<string, unknown>>(name: string, input: unknown): Promise<T> {
    const result = await this.deps.engine.execute(name as never, input as never, gatewayCtx);
    if (!result.ok) throw new Error(`${name} refused: ${result.code}: ${result.message}`);
    return result.value as T;
  }

  /** One round: what arrived, what is decided, what to sign and send, what got mined. */
  async cycle(): Promise<CustodyCycle> {
    const observed = await this.observe();
    const signed = await this.signAdmitted();
    const { sent, receipts } = await this.sendAndCollect();
    const decided = await this.confirm();
    return { observed, decided, signed, sent, receipts };
  }

  private async observe(): Promise<number> {
    const watch = await this.run<{ tokens: { contract: Address }[]; addresses: Address[] }>('asset.watch', { chainId: this.chainId });
    const head = (await this.deps.chain.head()).number;
    if (watch.addresses.length === 0 || watch.tokens.length === 0) {
      this.scannedTo = head + 1n;
      return 0;
    }
    const from = this.scannedTo > custodyRescanBlocks ? this.scannedTo - custodyRescanBlocks : 0n;
    let observed = 0;
    for (let start = from; start <= head; start += custodyLogRangeMax) {
      const end = start + custodyLogRangeMax - 1n < head ? start + custodyLogRangeMax - 1n : head;
      for (const token of watch.tokens) {
        const logs = await this.deps.chain.erc20Transfers({ token: token.contract, fromBlock: start, toBlock: end, to: watch.addresses });
        for (let index = 0; index < logs.length; index += 500) {
          const batch = logs.slice(index, index + 500).map((log) => ({ ...log, value: log.value.toString(), blockNumber: log.blockNumber.toString() }));
          const answer = await this.run<{ recorded: number }>('asset.observe_deposits', { chainId: this.chainId, logs: batch });
          observed += answer.recorded;
        }
      }
    }
    this.scannedTo = head + 1n;
    return observed;
  }

  private async confirm(): Promise<CustodyCycle['decided']> {
    const watch = await this.run<{ heights: string[] }>('asset.watch', { chainId: this.chainId });
    const head = (await this.deps.chain.head()).number;
    const blocks = [];
    for (const height of watch.heights.slice(0, 1_000)) {
      const block = await this.deps.chain.block(BigInt(height));
      if (block !== null) blocks.push({ number: height, hash: block.hash });
    }
    return this.run('asset.confirm', { chainId: this.chainId, head: head.toString(), blocks });
  }

  private async signAdmitted(): Promise<number> {
    const outbox = await this.run<{ toSign: ToSign[] }>('asset.outbox', { chainId: this.chainId });
    let signed = 0;
    for (const item of outbox.toSign) {
      try {
        const txs = await this.signOp(item);
        await this.run('asset.record_signed', { opId: item.op.id, txs });
        signed += 1;
      } catch (error) {
        // The operation stays admitted and is signed again next cycle, with the same nonce.
        this.deps.log.warn({ opId: item.op.id, err: String(error) }, 'signing a custody transaction failed; it is tried again next cycle');
      }
    }
    return signed;
  }

  private async signOp(item: ToSign): Promise<{ nonce: number; rawTx: Hex; txHash: Hex }[]> {
    const from = item.wallet.address;
    const sign = (digest: Uint8Array) => this.deps.keys.sign(item.wallet.sealedKey, from, digest);
    const nonce = BigInt(item.wallet.nextNonce);
    const amount = BigInt(item.chainAmount);
    const requests =
      item.op.kind === 'withdrawal'
        ? [{ from, to: item.token, data: erc20TransferData(item.op.to! as Address, amount), value: 0n, nonce, gasLimit: gasLimits.transfer }]
        : [
            { from, to: item.token, data: erc20ApproveData(item.router!, amount), value: 0n, nonce, gasLimit: gasLimits.approve },
            {
              from,
              to: item.router!,
              data: swapExactTokensForTokensData({ amountIn: amount, amountOutMin: BigInt(item.op.minOut!), path: [item.token, item.tokenOut!], to: from, deadline: BigInt(item.op.deadlineS!) }),
              value: 0n,
              nonce: nonce + 1n,
              gasLimit: gasLimits.swap,
            },
          ];
    const txs = [];
    for (const request of requests) {
      const signed = await this.deps.chain.signTransaction(request, sign);
      txs.push({ nonce: Number(request.nonce), rawTx: signed.raw, txHash: signed.hash });
    }
    return txs;
  }

  private async sendAndCollect(): Promise<{ sent: number; receipts: number }> {
    const outbox = await this.run<{ toSend: { opId: string; rawTxs: Hex[]; txHash: Hex }[] }>('asset.outbox', { chainId: this.chainId });
    let sent = 0;
    let receipts = 0;
    for (const item of outbox.toSend) {
      const receipt = await this.deps.chain.receipt(item.txHash);
      if (receipt !== null) {
        try {
          await this.run('asset.record_receipt', { opId: item.opId, receipt: receiptInput(receipt) });
          receipts += 1;
        } catch (error) {
          // One operation the books cannot take the receipt of holds back no other.
          this.deps.log.warn({ opId: item.opId, err: String(error) }, 'the books refused a custody receipt; operations should look at this operation');
        }
        continue;
      }
      try {
        for (const raw of item.rawTxs) await this.deps.chain.broadcast(raw);
        sent += 1;
      } catch (error) {
        this.deps.log.warn({ opId: item.opId, err: String(error) }, 'the node refused a custody transaction; it is sent again next cycle');
      }
    }
    return { sent, receipts };
  }

  /** Each token account's holding on the books against its custody address on chain. */
  async reconcile(): Promise<{ accountId: string; assetId: string; books: bigint; chain: bigint }[]> {
    const { positions } = await this.run<{ positions: { accountId: string; assetId: string; chainId: string; contract: Address; address: Address; chainAmount: string }[] }>('asset.positions', {});
    const byWallet = new Map<string, { accountId: string; assetId: string; books: bigint; chain: bigint }>();
    for (const position of positions.filter((found) => found.chainId === this.chainId)) {
      const chain = await this.deps.chain.erc20Balance(position.contract, position.address);
      byWallet.set(position.accountId, { accountId: position.accountId, assetId: position.assetId, books: BigInt(position.chainAmount), chain });
    }
    return [...byWallet.values()];
  }

  /** What a swap of `amountIn` chain units pays now, exactly as the pair computes it (the quote a customer is shown). */
  async quote(pair: Address, tokenIn: Address, amountIn: bigint): Promise<bigint> {
    const reserves = await this.deps.chain.reserves(pair);
    const [reserveIn, reserveOut] = reserves.token0 === tokenIn ? [reserves.reserve0, reserves.reserve1] : [reserves.reserve1, reserves.reserve0];
    return getAmountOut(amountIn, reserveIn, reserveOut);
  }
}

/**
 * Runs the gateway's cycles on a timer, one at a time: a cycle that fails (the node down, say) is
 * logged and the next one starts over from the chain, as a restart would.
 */
export class CustodySchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private verified = false;

  constructor(
    private readonly gateway: CustodyGateway,
    private readonly options: {
      readonly intervalMs: number;
      /** Run before the first cycle and again until it succeeds (the node is on the chain the books expect). */
      readonly verify?: () => Promise<void>;
      readonly onError: (error: unknown) => void;
      readonly onCycle?: (cycle: CustodyCycle) => void;
    },
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** One cycle now, after any running one. */
  runNow(): Promise<void> {
    const run = this.running.then(async () => {
      if (!this.verified && this.options.verify !== undefined) await this.options.verify();
      this.verified = true;
      const cycle = await this.gateway.cycle();
      this.options.onCycle?.(cycle);
    });
    this.running = run.catch(this.options.onError);
    return this.running;
  }

  /** Stops the timer and waits for a cycle in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runNow().finally(() => this.schedule(this.options.intervalMs)), delayMs);
    this.timer.unref();
  }
}

interface ToSign {
  readonly op: { readonly id: string; readonly kind: 'withdrawal' | 'swap'; readonly to?: string; readonly minOut?: string; readonly deadlineS?: string };
  readonly wallet: { readonly address: Address; readonly sealedKey: string; readonly nextNonce: number };
  readonly token: Address;
  readonly chainAmount: string;
  readonly router?: Address;
  readonly tokenOut?: Address;
}

function receiptInput(receipt: Receipt) {
  return {
    txHash: receipt.txHash,
    status: receipt.status,
    blockNumber: receipt.blockNumber.toString(),
    blockHash: receipt.blockHash,
    transfers: receipt.transfers.slice(0, 64).map((log) => ({ token: log.token, from: log.from, to: log.to, value: log.value.toString(), logIndex: log.logIndex })),
  };
}
