import type { Entities, EntityKind } from '../core/banking/types';
import type { BankingStore } from '../ports/banking-store';
import type { Transfer } from '../core/ledger';
import type { LedgerStore, StorageTx } from '../ports/storage';

/**
 * A transaction whose entity reads are remembered: admission reads the session, the till, the
 * user and the account a command is about, and then the command reads them again. Inside one
 * transaction (one writer) nothing else changes them, and every write through this view updates
 * what it remembers, so a read after a write sees the write. Entities are immutable values.
 *
 * Transfers looked up by id are remembered the same way until the ledger next changes: screening,
 * monitoring and the command itself each ask whether a money movement is already booked, and one
 * answer serves them all until a posting (any `apply`) forgets every answer.
 */
export function memoised(tx: StorageTx): StorageTx {
  if (memos.has(tx)) return tx;
  const remembered = new Map<string, unknown>();
  const keyOf = (kind: EntityKind, id: string) => `${kind}\u0000${id}`;
  const banking: BankingStore = {
    async get<K extends EntityKind>(kind: K, id: string): Promise<Entities[K] | undefined> {
      const key = keyOf(kind, id);
      if (remembered.has(key)) return remembered.get(key) as Entities[K] | undefined;
      const found = await tx.banking.get(kind, id);
      remembered.set(key, found);
      return found;
    },
    async put<K extends EntityKind>(kind: K, entity: Entities[K]): Promise<void> {
      remembered.set(keyOf(kind, (entity as { id: string }).id), entity);
      await tx.banking.put(kind, entity);
    },
    findBy: (kind, key, value, limit) => tx.banking.findBy(kind, key, value, limit),
    list: (kind, afterId, limit) => tx.banking.list(kind, afterId, limit),
    listRange: (kind, afterId, beforeId, limit) => tx.banking.listRange(kind, afterId, beforeId, limit),
    nextSequence: (name) => tx.banking.nextSequence(name),
  };
  const transfersById = new Map<string, Promise<Transfer[]>>();
  const ledger: LedgerStore = {
    lastTimestamp: () => tx.ledger.lastTimestamp(),
    accounts: (ids) => tx.ledger.accounts(ids),
    transfers(ids) {
      const key = ids.join('\u0000');
      let asked = transfersById.get(key);
      if (asked === undefined) {
        asked = tx.ledger.transfers(ids);
        transfersById.set(key, asked);
        asked.catch(() => transfersById.delete(key));
      }
      return asked.then((found) => [...found]);
    },
    failures: (ids) => tx.ledger.failures(ids),
    duePendings: (nowNs, limit) => tx.ledger.duePendings(nowNs, limit),
    apply(changes) {
      transfersById.clear();
      return tx.ledger.apply(changes);
    },
    balanceAt: (accountId, timestampNs) => tx.ledger.balanceAt(accountId, timestampNs),
    balanceRows: (accountId, afterTimestampNs, limit) => tx.ledger.balanceRows(accountId, afterTimestampNs, limit),
    accountTransfers: (accountId, afterTimestampNs, limit) => tx.ledger.accountTransfers(accountId, afterTimestampNs, limit),
    ledgerTotals: () => tx.ledger.ledgerTotals(),
  };
  const view: StorageTx = { ...tx, banking, ledger };
  memos.add(view);
  return view;
}

const memos = new WeakSet<StorageTx>();
