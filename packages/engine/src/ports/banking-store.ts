import type { Entities, EntityKind } from '../core/banking/types';

/**
 * Reference data of the bank (customers, branches, tills, sessions, approvals…), stored by kind
 * and id and found by the secondary keys `entityKeys` declares. The ledger has its own tables.
 */
export interface BankingStore {
  get<K extends EntityKind>(kind: K, id: string): Promise<Entities[K] | undefined>;
  /** Inserts or replaces the entity and re-indexes its keys. */
  put<K extends EntityKind>(kind: K, entity: Entities[K]): Promise<void>;
  findBy<K extends EntityKind>(kind: K, key: string, value: string, limit: number): Promise<Array<Entities[K]>>;
  list<K extends EntityKind>(kind: K, afterId: string, limit: number): Promise<Array<Entities[K]>>;
  /** Entities with afterId < id < beforeId, in id order (byte order on every store): one key prefix's rows. */
  listRange<K extends EntityKind>(kind: K, afterId: string, beforeId: string, limit: number): Promise<Array<Entities[K]>>;
  /** The next number of a named gap-free sequence (account numbers per branch…), starting at 1. */
  nextSequence(name: string): Promise<number>;
}
