import type pg from 'pg';
import { assert } from '../../core/assert';

/**
 * One transaction's hold on a pooled connection. The stores run every statement through it, as a
 * named (prepared once per connection) statement returning rows as arrays. Once the transaction
 * has ended the connection belongs to someone else, so a late call is a programmer error.
 *
 * The connection is pipelined, so statements go out in the order they are issued without waiting
 * for each other's answers. A write whose answer nobody needs is `deferred`: it is sent at once and
 * its answer is collected when the transaction commits, so a batch's writes and its COMMIT share a
 * round trip. That is safe because PostgreSQL aborts the whole transaction on any failed
 * statement: the COMMIT behind a failed write rolls back, and `settle` reports the failure. A
 * deferred statement must therefore fail (raise) whenever its result would have been refused.
 */
export class Session {
  private active = true;
  private readonly deferred: Array<Promise<unknown>> = [];
  /** The first deferred write that failed, once its answer has come back. */
  private deferredFailure: unknown;
  /** The connection's socket (absent on a client without one): corked while statements gather for one write. */
  private readonly socket: { cork(): void; uncork(): void } | undefined;
  private holdingWrites = false;
  private releaseScheduled = false;
  /** Writes a store holds back to send as one statement, sent before anything else goes out. */
  private readonly pending: Array<() => void> = [];
  private flushing = false;

  constructor(private readonly client: pg.PoolClient) {
    this.socket = (client as unknown as { connection?: { stream?: { cork(): void; uncork(): void } } }).connection?.stream;
  }

  /** Whether the transaction is still open (statements may be sent). */
  get open(): boolean {
    return this.active;
  }

  /**
   * Registers what a store sends of the writes it holds back (to send several as one statement):
   * it runs before every statement this session sends, so statements still go out in the order
   * they were issued.
   */
  beforeSend(flush: () => void): void {
    this.pending.push(flush);
  }

  private flushPending(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    try {
      for (const flush of this.pending) flush();
    } finally {
      this.flushing = false;
    }
  }

  async rows<R extends unknown[]>(name: string, text: string, values: unknown[]): Promise<R[]> {
    assert(this.active, 'storage transaction used after it ended');
    this.flushPending();
    this.holdForTick();
    const sent = this.client.query<R>({ name: `qenex_${name}`, text, values, rowMode: 'array' });
    return (await sent).rows;
  }

  /**
   * Sends a write whose answer nobody needs: it waits in the socket's buffer for the next
   * statement whose answer is awaited (a read, COMMIT, ROLLBACK) and goes out in the same system
   * call; its outcome is awaited by `settle`, at commit.
   */
  defer(name: string, text: string, values: unknown[]): void {
    assert(this.active, 'storage transaction used after it ended');
    this.flushPending();
    if (!this.holdingWrites && this.socket !== undefined) {
      this.socket.cork();
      this.holdingWrites = true;
    }
    const sent = this.client.query({ name: `qenex_${name}`, text, values, rowMode: 'array' });
    // Observed by settle; a rollback before then must not leave it unhandled.
    sent.catch((error: unknown) => (this.deferredFailure ??= error));
    this.deferred.push(sent);
  }

  /** A transaction-control statement (COMMIT, ROLLBACK), sent together with the writes held for it. */
  control(text: string): Promise<pg.QueryResult> {
    if (this.active) this.flushPending();
    const sent = this.client.query(text);
    this.releaseWrites();
    return sent;
  }

  /**
   * Runs `issue` with the socket corked: every statement it sends synchronously (a transaction's
   * BEGIN and lock, and the reads its work starts before its first await) leaves in one system
   * call. pg writes each statement with its own, and on loopback each of those also wakes the
   * database process: a fifth of the server's CPU before gathering.
   */
  gathered<T>(issue: () => T): T {
    this.socket?.cork();
    try {
      return issue();
    } finally {
      this.socket?.uncork();
    }
  }

  /**
   * What to report for a failed transaction: a statement that only failed because a deferred write
   * before it had aborted the transaction (SQLSTATE 25P02) hides the real cause, so that is the write's error.
   */
  cause(error: unknown): unknown {
    const aborted = (error as { code?: unknown } | null)?.code === '25P02';
    return aborted && this.deferredFailure !== undefined ? this.deferredFailure : error;
  }

  /** Waits for every deferred write; rejects with the first failure. */
  async settle(): Promise<void> {
    await Promise.all(this.deferred);
  }

  end(): void {
    this.active = false;
    this.releaseWrites(); // never hand a corked connection back to the pool
  }

  /**
   * Corks the socket until the current burst of JavaScript is over (process.nextTick runs once the
   * promise continuations queued now have run): the reads a command starts together, each in its own
   * async function, leave in one system call instead of one each, and wake the database once.
   */
  private holdForTick(): void {
    if (this.socket === undefined) return;
    if (!this.holdingWrites) {
      this.socket.cork();
      this.holdingWrites = true;
    }
    if (this.releaseScheduled) return;
    this.releaseScheduled = true;
    process.nextTick(() => {
      this.releaseScheduled = false;
      this.releaseWrites();
    });
  }

  private releaseWrites(): void {
    if (!this.holdingWrites) return;
    this.holdingWrites = false;
    this.socket!.uncork();
  }
}

const needsEscape = /["\\]/;

/**
 * A text[] literal, for an `unnest($n::text[])` or `= ANY($n::text[])` parameter. Built by hand
 * rather than by pg's array serialiser, which runs two regular expressions on every element: the
 * set-based writes pass tens of thousands of elements per batch.
 */
export function textArray(values: ReadonlyArray<string | null>): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) literal += ',';
    const value = values[index];
    if (value === null || value === undefined) literal += 'NULL';
    else literal += `"${needsEscape.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
  }
  return `${literal}}`;
}

/** A bigint[] (or smallint[]) literal: integers need no quoting. */
export function integerArray(values: ReadonlyArray<bigint | number>): string {
  return `{${values.join(',')}}`;
}
