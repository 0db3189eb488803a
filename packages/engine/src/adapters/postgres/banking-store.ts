import { assert } from '../../core/assert';
import { entityKeys, type Entities, type EntityKind } from '../../core/banking/types';
import { decodeJson, encodeJson } from '../../core/json-codec';
import type { BankingStore } from '../../ports/banking-store';
import { textArray, type Session } from './session';

const sql = {
  get: `SELECT data FROM entities WHERE kind = $1 AND id = $2`,
  /**
   * Upsert and re-index in one statement: keys the entity no longer has are deleted, new ones
   * inserted, unchanged ones left alone (deleting and re-inserting the same key in one statement
   * would collide, as both sub-statements see the same snapshot).
   */
  put: `WITH
    upserted AS (
      INSERT INTO entities (kind, id, data) VALUES ($1, $2, $3)
      ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data
    ),
    wanted AS (SELECT * FROM unnest($4::text[], $5::text[]) AS w (key, value)),
    dropped AS (
      DELETE FROM entity_keys AS k
      WHERE k.kind = $1 AND k.id = $2 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.key = k.key AND w.value = k.value)
    )
    INSERT INTO entity_keys (kind, key, value, id) SELECT $1, key, value, $2 FROM wanted ON CONFLICT DO NOTHING`,
  /** A kind without keys (its keys are fixed in code) has nothing to re-index: a plain upsert. */
  putPlain: `INSERT INTO entities (kind, id, data) VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`,
  findBy: `SELECT e.data FROM entity_keys k JOIN entities e ON e.kind = k.kind AND e.id = k.id
           WHERE k.kind = $1 AND k.key = $2 AND k.value = $3 ORDER BY k.id LIMIT $4`,
  list: `SELECT data FROM entities WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3`,
  listRange: `SELECT data FROM entities WHERE kind = $1 AND id > $2 AND id < $3 ORDER BY id LIMIT $4`,
  nextSequence: `INSERT INTO sequences (name, value) VALUES ($1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value`,
} as const;

export class PostgresBankingStore implements BankingStore {
  constructor(private readonly session: Session) {}

  async get<K extends EntityKind>(kind: K, id: string): Promise<Entities[K] | undefined> {
    const [row] = await this.session.rows<[string]>('entity_get', sql.get, [kind, id]);
    return row === undefined ? undefined : decodeJson<Entities[K]>(row[0]);
  }

  async put<K extends EntityKind>(kind: K, entity: Entities[K]): Promise<void> {
    const keys = entityKeys[kind] as Record<string, (entity: Entities[K]) => string | null>;
    const extractors = Object.entries(keys);
    if (extractors.length === 0) {
      this.session.defer('entity_put_plain', sql.putPlain, [kind, entity.id, encodeJson(entity)]);
      return;
    }
    const names: string[] = [];
    const values: string[] = [];
    for (const [key, extract] of extractors) {
      const value = extract(entity);
      if (value === null) continue;
      names.push(key);
      values.push(value);
    }
    this.session.defer('entity_put', sql.put, [kind, entity.id, encodeJson(entity), textArray(names), textArray(values)]);
  }

  async findBy<K extends EntityKind>(kind: K, key: string, value: string, limit: number): Promise<Array<Entities[K]>> {
    const rows = await this.session.rows<[string]>('entity_find_by', sql.findBy, [kind, key, value, limit]);
    return rows.map(([data]) => decodeJson<Entities[K]>(data));
  }

  async list<K extends EntityKind>(kind: K, afterId: string, limit: number): Promise<Array<Entities[K]>> {
    const rows = await this.session.rows<[string]>('entity_list', sql.list, [kind, afterId, limit]);
    return rows.map(([data]) => decodeJson<Entities[K]>(data));
  }

  async listRange<K extends EntityKind>(kind: K, afterId: string, beforeId: string, limit: number): Promise<Array<Entities[K]>> {
    const rows = await this.session.rows<[string]>('entity_list_range', sql.listRange, [kind, afterId, beforeId, limit]);
    return rows.map(([data]) => decodeJson<Entities[K]>(data));
  }

  async nextSequence(name: string): Promise<number> {
    const [row] = await this.session.rows<[bigint]>('next_sequence', sql.nextSequence, [name]);
    assert(row !== undefined, `sequence ${name} returned no value`);
    return Number(row[0]);
  }
}
