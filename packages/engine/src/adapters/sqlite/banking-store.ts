import type Database from 'better-sqlite3';
import { entityKeys, type Entities, type EntityKind } from '../../core/banking/types';
import { decodeJson, encodeJson } from '../../core/json-codec';
import type { BankingStore } from '../../ports/banking-store';

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
    s.dropKeys.run(kind, entity.id);
    const keys = entityKeys[kind] as Record<string, (entity: Entities[K]) => string | null>;
    for (const [key, extract] of Object.entries(keys)) {
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

  async nextSequence(name: string): Promise<number> {
    return Number(this.statements.nextSequence.get(name) as unknown as bigint);
  }
}
