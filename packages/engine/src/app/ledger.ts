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

/** A request refused whole because it touches an account only banking commands may move. */
export interface GuardRefusal {
  readonly ok: false;
  readonly code: 'ledger_account_protected';
  readonly message: string;
}

export type GuardedOutcome = { readonly ok: true; readonly value: { results: CreateTransferResult[] } } | GuardRefusal;

/**
 * Raw ledger requests with a guard on the accounts they touch (directly, or through the pending
 * transfer they post or void): a request that touches a guarded account is refused whole, before
 * the ledger runs, and the others go ahead. Each run is one ledger batch, applied in order; the
 * requests of a run share it. The guard reads only what the batch loads anyway.
 */
export async function applyTransfersGuarded(
  ledger: LedgerStore,
  runs: ReadonlyArray<ReadonlyArray<readonly TransferEvent[]>>,
  nowNs: bigint,
  guarded: (account: Account) => boolean,
): Promise<GuardedOutcome[][]> {
  const answers: GuardedOutcome[][] = [];
  for (const requests of runs) {
    const snapshot = await loadTransferSnapshot(ledger, requests.flat(), nowNs);
    const touchesGuarded = (events: readonly TransferEvent[]) => events.some((event) => touched(snapshot, event).some(guarded));
    const allowed = requests.map((events) => !touchesGuarded(events));
    const outcome = createTransfers(snapshot, requests.filter((_, index) => allowed[index]).flat(), nowNs);
    await ledger.apply(outcome.changes);
    let offset = 0;
    answers.push(
      requests.map((events, index): GuardedOutcome => {
        if (!allowed[index]) {
          return { ok: false, code: 'ledger_account_protected', message: "A customer's or a branch's account moves only through a banking command (deposit, withdrawal, transfer…), never a raw ledger transfer." };
        }
        const results = outcome.results.slice(offset, offset + events.length);
        offset += events.length;
        return { ok: true, value: { results: [...results] } };
      }),
    );
  }
  return answers;
}

/** The accounts an event would move: the ones it names, and those of the pending transfer it posts or voids. */
function touched(snapshot: LedgerSnapshot, event: TransferEvent): Account[] {
  const ids = [event.debitAccountId, event.creditAccountId];
  if (event.pendingId !== undefined) {
    const pending = snapshot.transfers.get(event.pendingId);
    if (pending !== undefined) ids.push(pending.debitAccountId, pending.creditAccountId);
  }
  return ids.flatMap((id) => {
    const account = id === undefined ? undefined : snapshot.accounts.get(id);
    return account === undefined ? [] : [account];
  });
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
