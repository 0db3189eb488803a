import { isId } from '../core/ids';
import {
  createAccounts,
  createTransfers,
  type Account,
  type AccountEvent,
  type CreateAccountResult,
  type CreateTransferResult,
  type LedgerSnapshot,
  type Transfer,
  type TransferEvent,
} from '../core/ledger';
import type { LedgerStore } from '../ports/storage';

/** Expired pending transfers voided per batch, so a backlog cannot make one batch unbounded. */
export const duePendingsPerBatchMax = 1024;

/**
 * Runs a transfer batch inside the caller's transaction: loads exactly what the batch can touch,
 * decides in the pure core, writes the outcome. The caller's transaction makes it all-or-nothing.
 */
export async function applyTransfers(
  ledger: LedgerStore,
  events: readonly TransferEvent[],
  nowNs: bigint,
): Promise<CreateTransferResult[]> {
  const snapshot = await loadTransferSnapshot(ledger, events, nowNs);
  const outcome = createTransfers(snapshot, events, nowNs);
  await ledger.apply(outcome.changes);
  return [...outcome.results];
}

export async function applyAccounts(
  ledger: LedgerStore,
  events: readonly AccountEvent[],
  nowNs: bigint,
): Promise<CreateAccountResult[]> {
  const ids = events.map((event) => event.id).filter(isId);
  const [accounts, lastTimestamp] = await Promise.all([ledger.accounts(unique(ids)), ledger.lastTimestamp()]);
  const snapshot: LedgerSnapshot = {
    accounts: byId(accounts),
    transfers: new Map(),
    failures: new Map(),
    lastTimestamp,
  };
  const outcome = createAccounts(snapshot, events, nowNs);
  await ledger.apply(outcome.changes);
  return [...outcome.results];
}

/** Voids pending transfers whose timeout has passed, up to the per-batch bound. */
export async function expirePendings(ledger: LedgerStore, nowNs: bigint): Promise<number> {
  const before = await ledger.duePendings(nowNs, duePendingsPerBatchMax);
  if (before.length === 0) return 0;
  await applyTransfers(ledger, [], nowNs);
  return before.length;
}

async function loadTransferSnapshot(
  ledger: LedgerStore,
  events: readonly TransferEvent[],
  nowNs: bigint,
): Promise<LedgerSnapshot> {
  const eventIds: string[] = [];
  const transferIds: string[] = [];
  const eventAccountIds: string[] = [];
  for (const event of events) {
    if (isId(event.id)) {
      eventIds.push(event.id);
      transferIds.push(event.id);
    }
    if (isId(event.pendingId)) transferIds.push(event.pendingId);
    if (isId(event.debitAccountId)) eventAccountIds.push(event.debitAccountId);
    if (isId(event.creditAccountId)) eventAccountIds.push(event.creditAccountId);
  }
  // One round trip on a pipelining adapter: the accounts the events name are read with the rest;
  // only accounts reached through a pending transfer (post, void, expiry) need a second read.
  const [transfers, failures, due, lastTimestamp, eventAccounts] = await Promise.all([
    ledger.transfers(unique(transferIds)),
    ledger.failures(unique(eventIds)),
    ledger.duePendings(nowNs, duePendingsPerBatchMax),
    ledger.lastTimestamp(),
    ledger.accounts(unique(eventAccountIds)),
  ]);
  const accountMap = byId<Account>(eventAccounts);
  const missing: string[] = [];
  for (const transfer of [...transfers, ...due]) {
    for (const id of [transfer.debitAccountId, transfer.creditAccountId]) if (!accountMap.has(id)) missing.push(id);
  }
  if (missing.length > 0) for (const account of await ledger.accounts(unique(missing))) accountMap.set(account.id, account);
  const transferMap = byId<Transfer>(transfers);
  for (const pending of due) transferMap.set(pending.id, pending);
  return {
    accounts: accountMap,
    transfers: transferMap,
    failures: new Map(failures.map((failure) => [failure.id, failure.result])),
    lastTimestamp,
  };
}

function unique(ids: readonly string[]): string[] {
  return ids.length < 2 ? [...ids] : [...new Set(ids)];
}

function byId<T extends { readonly id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}
