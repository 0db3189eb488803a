import type { Entities, EntityKind } from '../core/banking/types';
import type { BankingStore } from '../ports/banking-store';
import type { StorageTx } from '../ports/storage';

/**
 * A transaction whose entity reads are remembered: admission reads the session, the till, the
 * user and the account a command is about, and then the command reads them again. Inside one
 * transaction (one writer) nothing else changes them, and every write through this view updates
 * what it remembers, so a read after a write sees the write. Entities are immutable values.
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
  const view: StorageTx = { ...tx, banking };
  memos.add(view);
  return view;
}

const memos = new WeakSet<StorageTx>();
