import type { Context, CreateTransferResult, Engine, Outcome } from '@qenex/engine';

type GroupOutcome = Outcome<{ results: CreateTransferResult[] }, string>;

interface Waiting {
  readonly ctx: Context;
  readonly input: unknown;
  readonly size: number;
  readonly resolve: (outcome: GroupOutcome) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /** Longest a request waits for company before its batch is written. */
  readonly waitMs: number;
  /** Most transfers in one shared transaction. */
  readonly transfersMax: number;
}

/**
 * Group commit: transfer requests that arrive close together share one database transaction, so
 * the rate is set by batches, not by one fsync per request. A batch closes when it is full or when
 * its first request has waited `waitMs`; one batch is written at a time, and the requests that
 * arrive meanwhile form the next. Each request still gets its own results and audit record.
 */
export class TransferBatcher {
  private queue: Waiting[] = [];
  private queuedTransfers = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: BatcherOptions,
  ) {}

  /** Queues one request (`{transfers: […]}`, validated by the engine) and resolves with its own outcome. */
  submit(ctx: Context, input: unknown): Promise<GroupOutcome> {
    if (this.closed) return Promise.reject(new Error('the server is shutting down'));
    const transfers = (input as { transfers?: unknown } | null)?.transfers;
    const size = Array.isArray(transfers) ? Math.max(1, transfers.length) : 1;
    return new Promise((resolve, reject) => {
      this.queue.push({ ctx, input, size, resolve, reject });
      this.queuedTransfers += size;
      if (this.queuedTransfers >= this.options.transfersMax) this.flushSoon(0);
      else this.flushSoon(this.options.waitMs);
    });
  }

  /** Stops taking requests and writes what is queued. */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.writing !== null) {
      if (this.writing === null) this.flush();
      await this.writing;
    }
  }

  private flushSoon(delayMs: number): void {
    if (this.writing !== null) return; // the running write picks the queue up when it ends
    if (delayMs === 0) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, delayMs);
  }

  private flush(): void {
    if (this.writing !== null || this.queue.length === 0) return;
    const batch = this.take();
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
      if (this.queue.length > 0) this.flushSoon(this.queuedTransfers >= this.options.transfersMax ? 0 : this.options.waitMs);
    });
  }

  /** Takes whole requests up to the transfer bound (a single request over it goes alone). */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    let transfers = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && transfers + next.size > this.options.transfersMax) break;
      batch.push(this.queue.shift()!);
      transfers += next.size;
    }
    this.queuedTransfers -= transfers;
    return batch;
  }

  private async write(batch: readonly Waiting[]): Promise<void> {
    try {
      const outcomes = await this.engine.createTransfersGrouped(batch.map(({ ctx, input }) => ({ ctx, input })));
      batch.forEach((waiting, index) => waiting.resolve(outcomes[index]!));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
