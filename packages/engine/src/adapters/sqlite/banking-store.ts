import type Database from 'better-sqlite3';
import { entityKeys, type Entities, type EntityKind } from '../../core/banking/types';
import { decodeJson, encodeJson } from '../../core/json-codec';
import type { BankingStore } from '../../ports/banking-store';
import type { MirrorStore } from '../../ports/mirror';
import type { Account } from '../../core/ledger';
import { accountColumns } from './ledger-store';

type Row = Record<string, unknown>;

export class SqliteBankingStore implements BankingStore {
  private readonly statements;

  constructor(db: Database.Database) {
    const prepare = (sql: string): Database.Statement<unknown[], Row> => db.prepare(sql);
    this.statements = {
      get: prepare(`SELECT data FROM entities WHERE kind = ? AND id = ?`).pluck(),
      put: prepare(`INSERT INTO entities (kind, id, data) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`),
      dropKeys: prepare(`DELETE FROM entity_keys WHERE kind = ? AND id = ?`),
      addKey: prepare(`INSERT INTO entity_keys (kind, key, value, id) VALUES (?, ?, ?, ?)`),
      findBy: prepare(
        `SELECT e.data FROM entity_keys k JOIN entities e ON e.kind = k.kind AND e.id = k.id
         WHERE k.kind = ? AND k.key = ? AND k.value = ? ORDER BY k.id LIMIT ?`,
      ).pluck(),
      list: prepare(`SELECT data FROM entities WHERE kind = ? AND id > ? ORDER BY id LIMIT ?`).pluck(),
      listRange: prepare(`SELECT data FROM entities WHERE kind = ? AND id > ? AND id < ? ORDER BY id LIMIT ?`).pluck(),
      nextSequence: prepare(
        `INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
      ).pluck(),
    };
  }

  async get<K extends EntityKind>(kind: K, id: string): Promise<Entities[K] | undefined> {
    const data = this.statements.get.get(kind, id) as string | undefined;
    return data === undefined ? undefined : decodeJson<Entities[K]>(data);
  }

  async put<K extends EntityKind>(kind: K, entity: Entities[K]): Promise<void> {
    const s = this.statements;
    s.put.run(kind, entity.id, encodeJson(entity));
    const keys = entityKeys[kind] as Record<string, (entity: Entities[K]) => string | null>;
    const extractors = Object.entries(keys);
    // A kind without keys never had any to drop (the keys of a kind are fixed in code).
    if (extractors.length === 0) return;
    s.dropKeys.run(kind, entity.id);
    for (const [key, extract] of extractors) {
      const value = extract(entity);
      if (value !== null) s.addKey.run(kind, key, value, entity.id);
    }
  }

  async findBy<K extends EntityKind>(kind: K, key: string, value: string, limit: number): Promise<Array<Entities[K]>> {
    return (this.statements.findBy.all(kind, key, value, limit) as unknown as string[]).map((data) => decodeJson<Entities[K]>(data));
  }

  async list<K extends EntityKind>(kind: K, afterId: string, limit: number): Promise<Array<Entities[K]>> {
    return (this.statements.list.all(kind, afterId, limit) as unknown as string[]).map((data) => decodeJson<Entities[K]>(data));
  }

  async listRange<K extends EntityKind>(kind: K, afterId: string, beforeId: string, limit: number): Promise<Array<Entities[K]>> {
    return (this.statements.listRange.all(kind, afterId, beforeId, limit) as unknown as string[]).map((data) => decodeJson<Entities[K]>(data));
  }

  async nextSequence(name: string): Promise<number> {
    return Number(this.statements.nextSequence.get(name) as unknown as bigint);
  }
}

/** Replaces the workstation's copy of its branch inside the current transaction (see MirrorStore). */
export class SqliteMirrorStore implements MirrorStore {
  constructor(
    private readonly db: Database.Database,
    private readonly banking: SqliteBankingStore,
  ) {}

  async replaceBranch(accounts: readonly Account[], entities: { readonly [K in EntityKind]?: ReadonlyArray<Entities[K]> }): Promise<void> {
    const db = this.db;
    db.exec(`DELETE FROM accounts; DELETE FROM transfers; DELETE FROM transfer_failures; DELETE FROM account_balances;
             UPDATE ledger_meta SET value = 0 WHERE key = 'last_timestamp';`);
    const insert = db.prepare(`INSERT INTO accounts (${accountColumns}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`);
    for (const a of accounts) {
      insert.run(a.id, a.ledger, a.code, a.flags, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.overdraftLimit, a.userData128, a.userData64, a.userData32, a.timestamp);
    }
    for (const [kind, list] of Object.entries(entities) as Array<[EntityKind, ReadonlyArray<Entities[EntityKind]>]>) {
      db.prepare('DELETE FROM entities WHERE kind = ?').run(kind);
      db.prepare('DELETE FROM entity_keys WHERE kind = ?').run(kind);
      for (const entity of list) await this.banking.put(kind, entity as never);
    }
  }
}
