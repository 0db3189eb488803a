import type { Id128 } from '../ids';
import { assert } from '../assert';
import { isU16 } from './fields';
import type { CreateTransferResult } from './results';
import type { Account, BalanceRow, Transfer } from './types';
import { AccountFlags, hasFlag } from './types';

/** What the storage loaded for one batch: every account, transfer and failed id the batch can touch. */
export interface LedgerSnapshot {
  readonly accounts: ReadonlyMap<string, Account>;
  readonly transfers: ReadonlyMap<string, Transfer>;
  readonly failures: ReadonlyMap<string, CreateTransferResult>;
  readonly lastTimestamp: bigint;
}

/** What one batch did, for the storage to write in the same transaction. */
export interface LedgerChanges {
  readonly accountsCreated: readonly Account[];
  readonly accountsUpdated: readonly Account[];
  readonly transfersCreated: readonly Transfer[];
  readonly transfersUpdated: readonly Transfer[];
  readonly failures: ReadonlyArray<{ readonly id: Id128; readonly result: CreateTransferResult }>;
  readonly balances: readonly BalanceRow[];
  readonly lastTimestamp: bigint;
}

export function emptySnapshot(lastTimestamp = 0n): LedgerSnapshot {
  return { accounts: new Map(), transfers: new Map(), failures: new Map(), lastTimestamp };
}

/**
 * The books as a batch sees them while it runs: the snapshot plus this batch's changes so far.
 * Inside a linked chain every change is journaled so a failing event can undo the whole chain.
 */
export class WorkingLedger {
  private readonly accounts = new Map<string, Account>();
  private readonly transfers = new Map<string, Transfer>();
  private readonly createdAccountIds: Id128[] = [];
  private readonly createdTransferIds: Id128[] = [];
  /** Ids this batch burned, in order: a later event with the same id must see them as failed too. */
  private readonly failures = new Map<Id128, CreateTransferResult>();
  private readonly balances: BalanceRow[] = [];
  private journal: Array<() => void> | null = null;
  private chainMark = { accounts: 0, transfers: 0, balances: 0, timestamp: 0n };
  private timestamp: bigint;

  constructor(
    private readonly base: LedgerSnapshot,
    readonly nowNs: bigint,
  ) {
    this.timestamp = base.lastTimestamp;
  }

  account(id: string): Account | undefined {
    return this.accounts.get(id) ?? this.base.accounts.get(id);
  }

  transfer(id: string): Transfer | undefined {
    return this.transfers.get(id) ?? this.base.transfers.get(id);
  }

  failure(id: string): CreateTransferResult | undefined {
    return this.failures.get(id as Id128) ?? this.base.failures.get(id);
  }

  /** Strictly increasing nanosecond timestamps, never behind the clock. */
  nextTimestamp(): bigint {
    this.timestamp = this.peekTimestamp();
    return this.timestamp;
  }

  /** The timestamp the next change will get, without taking it: a refused event takes none. */
  peekTimestamp(): bigint {
    return this.timestamp + 1n > this.nowNs ? this.timestamp + 1n : this.nowNs;
  }

  putAccount(account: Account, created = false): void {
    this.remember(this.accounts, account.id);
    this.accounts.set(account.id, account);
    if (created) this.createdAccountIds.push(account.id);
  }

  putTransfer(transfer: Transfer, created = false): void {
    this.remember(this.transfers, transfer.id);
    this.transfers.set(transfer.id, transfer);
    if (created) this.createdTransferIds.push(transfer.id);
  }

  /**
   * Burns an id. Failures are recorded only outside a linked chain (after its rollback), so they
   * need no journal; an id is burned once, so the storage never sees it twice.
   */
  recordFailure(id: Id128, result: CreateTransferResult): void {
    assert(this.journal === null, 'a failure recorded inside an open linked chain');
    if (this.failure(id) !== undefined) return;
    this.failures.set(id, result);
  }

  recordBalance(account: Account, transferId: Id128, timestamp: bigint): void {
    if (!hasFlag(account.flags, AccountFlags.history)) return;
    this.balances.push({
      accountId: account.id,
      transferId,
      timestamp,
      debitsPending: account.debitsPending,
      debitsPosted: account.debitsPosted,
      creditsPending: account.creditsPending,
      creditsPosted: account.creditsPosted,
    });
  }

  beginChain(): void {
    assert(this.journal === null, 'a linked chain is already open');
    this.journal = [];
    this.chainMark = {
      accounts: this.createdAccountIds.length,
      transfers: this.createdTransferIds.length,
      balances: this.balances.length,
      timestamp: this.timestamp,
    };
  }

  endChain(): void {
    this.journal = null;
  }

  rollbackChain(): void {
    const journal = this.journal;
    assert(journal !== null, 'no linked chain to roll back');
    for (let index = journal.length - 1; index >= 0; index -= 1) journal[index]!();
    this.createdAccountIds.length = this.chainMark.accounts;
    this.createdTransferIds.length = this.chainMark.transfers;
    this.balances.length = this.chainMark.balances;
    this.timestamp = this.chainMark.timestamp;
    this.journal = null;
  }

  changes(): LedgerChanges {
    assert(this.journal === null, 'changes taken while a linked chain is open');
    const createdAccounts = new Set<string>(this.createdAccountIds);
    const createdTransfers = new Set<string>(this.createdTransferIds);
    return {
      accountsCreated: this.createdAccountIds.map((id) => this.accounts.get(id)!),
      accountsUpdated: [...this.accounts.values()].filter((account) => !createdAccounts.has(account.id)),
      transfersCreated: this.createdTransferIds.map((id) => this.transfers.get(id)!),
      transfersUpdated: [...this.transfers.values()].filter((transfer) => !createdTransfers.has(transfer.id)),
      failures: [...this.failures].map(([id, result]) => ({ id, result })),
      balances: this.balances,
      lastTimestamp: this.timestamp,
    };
  }

  private remember<T>(map: Map<string, T>, id: string): void {
    const journal = this.journal;
    if (journal === null) return;
    if (map.has(id)) {
      const previous = map.get(id)!;
      journal.push(() => map.set(id, previous));
    } else {
      journal.push(() => map.delete(id));
    }
  }
}

/**
 * Runs a batch with TigerBeetle's linked-chain rules: events flagged `linked` join the next one;
 * a chain succeeds or fails as one (the failing event keeps its own code, the others report
 * `linked_event_failed`); a chain left open at the end of the batch fails with `linked_event_chain_open`.
 */
export function runLinkedBatch<E extends { readonly flags?: number }, R extends string>(
  working: WorkingLedger,
  events: readonly E[],
  apply: (event: E, index: number) => R | 'ok',
  onTransientFailure: (event: E, result: R) => void,
): Array<R | 'ok' | 'linked_event_failed' | 'linked_event_chain_open'> {
  const results: Array<R | 'ok' | 'linked_event_failed' | 'linked_event_chain_open'> = new Array(events.length);
  let index = 0;
  while (index < events.length) {
    const chainEnd = findChainEnd(events, index);
    if (chainEnd === index && !isLinked(events[index]!)) {
      const result = apply(events[index]!, index);
      if (result !== 'ok') onTransientFailure(events[index]!, result);
      results[index] = result;
      index += 1;
      continue;
    }
    runChain(working, events, index, chainEnd, results, apply, onTransientFailure);
    index = chainEnd + 1;
  }
  return results;
}

/**
 * Only a 16-bit flag set has a linked bit: bitwise operators would read -1 or 2**32 + 1 as linked
 * and drag the next event into a chain. Such an event fails alone, with `reserved_flag`.
 */
function isLinked(event: { readonly flags?: number }): boolean {
  const flags = event.flags ?? 0;
  return isU16(flags) && (flags & 1) === 1;
}

/** Index of the last event in the chain starting at `start` (the first event without `linked`). */
function findChainEnd(events: ReadonlyArray<{ readonly flags?: number }>, start: number): number {
  let end = start;
  while (end < events.length - 1 && isLinked(events[end]!)) end += 1;
  return end;
}

function runChain<E extends { readonly flags?: number }, R extends string>(
  working: WorkingLedger,
  events: readonly E[],
  start: number,
  end: number,
  results: Array<R | 'ok' | 'linked_event_failed' | 'linked_event_chain_open'>,
  apply: (event: E, index: number) => R | 'ok',
  onTransientFailure: (event: E, result: R) => void,
): void {
  const open = isLinked(events[end]!);
  if (open) {
    for (let index = start; index < end; index += 1) results[index] = 'linked_event_failed';
    results[end] = 'linked_event_chain_open';
    return;
  }
  working.beginChain();
  for (let index = start; index <= end; index += 1) {
    const result = apply(events[index]!, index);
    if (result === 'ok') continue;
    working.rollbackChain();
    onTransientFailure(events[index]!, result);
    for (let other = start; other <= end; other += 1) results[other] = 'linked_event_failed';
    results[index] = result;
    return;
  }
  working.endChain();
  for (let index = start; index <= end; index += 1) results[index] = 'ok';
}
