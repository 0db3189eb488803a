/**
 * The deterministic workload of the crash test, shared by the worker that writes it and the test
 * that checks what survived: batch k is a function of k alone, and every id says which batch and
 * which slot it belongs to.
 */
import { AccountFlags, TransferFlags, type AccountEvent, type CreateTransferResult, type TransferEvent } from '@qenex/engine/testing';

export const USD = 840;
export const EUR = 978;
/** Events per batch; slot numbers below are positions in the batch. */
export const eventsPerBatch = 40;

const accountKind = 1n;
const transferKind = 2n;
/** Never opened: the failing chain debits it. */
const missingAccount = 99;

/** Slots of a batch with a fixed meaning; the rest (from `firstFillerSlot`) are plain USD transfers. */
export const slot = {
  plain: 0,
  chainStart: 1,
  chainEnd: 3,
  pending: 4,
  /** Posts (even k) or voids (odd k) the pending transfer of batch k − 1; a plain transfer in batch 0. */
  resolvePrevious: 5,
  pendingInChain: 6,
  postInChain: 7,
  failingChainStart: 8,
  /** Debits an account that does not exist: the chain fails, and this id is burned. */
  failingEvent: 9,
  euro: 10,
} as const;
const firstFillerSlot = 11;
export const usdAccounts = [0, 1, 2, 3, 4, 5] as const;
export const eurAccounts = [6, 7] as const;
/** Keeps a balance row per change (the history flag), so account_balances is written in every batch. */
export const historyAccount = 0;

export function accountId(index: number): string {
  return ((accountKind << 124n) | BigInt(index)).toString(16);
}

export function transferId(batch: number, position: number): string {
  return ((transferKind << 124n) | BigInt(batch * eventsPerBatch + position)).toString(16);
}

/** The batch and slot an id was made for, or undefined when it is no transfer id of this workload. */
export function decodeTransferId(id: string): { batch: number; position: number } | undefined {
  const value = BigInt(`0x${id}`);
  if (value >> 124n !== transferKind) return undefined;
  const serial = Number(value & ((1n << 124n) - 1n));
  return { batch: Math.floor(serial / eventsPerBatch), position: serial % eventsPerBatch };
}

export const crashAccounts: readonly AccountEvent[] = [
  ...usdAccounts.map((index) => ({
    id: accountId(index),
    ledger: USD,
    code: 100 + index,
    flags: index === historyAccount ? AccountFlags.history : AccountFlags.none,
  })),
  ...eurAccounts.map((index) => ({ id: accountId(index), ledger: EUR, code: 100 + index })),
];

function plain(batch: number, position: number, debit: number, credit: number, amount: bigint, flags = 0): TransferEvent {
  const ledger = (eurAccounts as readonly number[]).includes(debit) ? EUR : USD;
  return {
    id: transferId(batch, position),
    debitAccountId: accountId(debit),
    creditAccountId: accountId(credit),
    amount,
    ledger,
    code: 1,
    flags,
  };
}

function resolvePrevious(batch: number): TransferEvent {
  if (batch === 0) return plain(batch, slot.resolvePrevious, 5, 0, 1n);
  const posting = batch % 2 === 0;
  return {
    id: transferId(batch, slot.resolvePrevious),
    pendingId: transferId(batch - 1, slot.pending),
    amount: 0n,
    flags: posting ? TransferFlags.postPendingTransfer : TransferFlags.voidPendingTransfer,
  };
}

/** Batch k: single transfers, linked chains (one of them failing), pendings posted and voided, two ledgers. */
export function crashBatch(batch: number): TransferEvent[] {
  const { linked, pending, postPendingTransfer } = TransferFlags;
  const events: TransferEvent[] = [
    plain(batch, slot.plain, 0, 1, 100n + BigInt(batch % 13)),
    plain(batch, 1, 1, 2, 10n, linked),
    plain(batch, 2, 2, 3, 20n, linked),
    plain(batch, slot.chainEnd, 3, 4, 30n),
    { ...plain(batch, slot.pending, 4, 5, 77n, pending), timeout: 3600 },
    resolvePrevious(batch),
    plain(batch, slot.pendingInChain, 0, 3, 33n, pending | linked),
    {
      id: transferId(batch, slot.postInChain),
      pendingId: transferId(batch, slot.pendingInChain),
      amount: 20n,
      flags: postPendingTransfer,
    },
    plain(batch, slot.failingChainStart, 1, 0, 5n, linked),
    { ...plain(batch, slot.failingEvent, 2, 0, 5n), debitAccountId: accountId(missingAccount) },
    plain(batch, slot.euro, 6, 7, 250n),
  ];
  for (let position = firstFillerSlot; position < eventsPerBatch; position += 1) {
    const mix = (batch * 31 + position * 17) % 30;
    const debit = mix % usdAccounts.length;
    const credit = (debit + 1 + (mix % (usdAccounts.length - 1))) % usdAccounts.length;
    events.push(plain(batch, position, debit, credit, BigInt(1 + ((batch * 7 + position) % 500))));
  }
  return events;
}

/** Slots whose transfer is stored when the batch commits (the failing chain stores none). */
export function storedSlots(): number[] {
  const slots: number[] = [];
  for (let position = 0; position < eventsPerBatch; position += 1) {
    if (position !== slot.failingChainStart && position !== slot.failingEvent) slots.push(position);
  }
  return slots;
}

/** Results of the first run of a batch. */
export function firstResults(): CreateTransferResult[] {
  return Array.from({ length: eventsPerBatch }, (_, position): CreateTransferResult => {
    if (position === slot.failingChainStart) return 'linked_event_failed';
    if (position === slot.failingEvent) return 'debit_account_not_found';
    return 'ok';
  });
}

/**
 * Results of running an already committed batch again: every stored transfer answers `exists`
 * (in a chain the first one does, and the chain fails), and the burned id stays failed.
 */
export function retryResults(): CreateTransferResult[] {
  return Array.from({ length: eventsPerBatch }, (_, position): CreateTransferResult => {
    if (position === slot.chainStart || position === slot.pendingInChain) return 'exists';
    if (position > slot.chainStart && position <= slot.chainEnd) return 'linked_event_failed';
    if (position === slot.postInChain) return 'linked_event_failed';
    if (position === slot.failingChainStart) return 'linked_event_failed';
    if (position === slot.failingEvent) return 'id_already_failed';
    return 'exists';
  });
}
