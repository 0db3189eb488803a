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
  /** Longest a request waits for company before its batch is written, when no batch is being written. */
  readonly waitMs: number;
  /** Most transfers in one shared transaction. */
  readonly transfersMax: number;
  /**
   * Most batches handed to the engine at once. The storage serialises writers, so a second batch
   * waits for the first one's commit inside the database (its BEGIN, lock and reads already sent)
   * and starts the moment that commit lands, instead of a round trip later.
   */
  readonly inFlightMax: number;
}

/** The part of the engine the batcher drives (the whole engine in the server, a recorder in its unit tests). */
export type GroupWriter = Pick<Engine, 'createTransfersGrouped'>;

/**
 * Group commit: transfer requests that arrive close together share one database transaction, so
 * the rate is set by batches, not by one fsync per request.
 *
 * A batch closes when it is full, when its first request has waited `waitMs`, or when a write
 * finishes (the requests that arrived during it have had their wait). Up to `inFlightMax` batches
 * are with the engine at once. Each request still gets its own results and audit record.
 */
export class TransferBatcher {
  private queue: Waiting[] = [];
  private queuedTransfers = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly writing = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly engine: GroupWriter,
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
      this.schedule();
    });
  }

  /** Batches being written now (for tests and metrics). */
  get inFlight(): number {
    return this.writing.size;
  }

  /** Stops taking requests and writes what is queued. */
  async drain(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    while (this.queue.length > 0 || this.writing.size > 0) {
      while (this.queue.length > 0 && this.writing.size < this.options.inFlightMax) this.start();
      await Promise.race(this.writing);
    }
  }

  /**
   * Decides, after every arrival, every finished write and the timer, whether a batch starts now or
   * after `waitMs`: now when it is full, when the server is draining, or when its requests have had
   * their wait (the timer ran out, or they queued while a write ran).
   */
  private schedule(waited = false): void {
    if (this.queue.length === 0 || this.writing.size >= this.options.inFlightMax) return;
    if (waited || this.closed || this.queuedTransfers >= this.options.transfersMax) {
      this.clearTimer();
      this.start();
      this.schedule(); // what is left is a batch of its own, with its own wait
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.schedule(true);
    }, this.options.waitMs);
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }

  private start(): void {
    const batch = this.take();
    const write: Promise<void> = this.write(batch).finally(() => {
      this.writing.delete(write);
      this.schedule(true);
    });
    this.writing.add(write);
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
