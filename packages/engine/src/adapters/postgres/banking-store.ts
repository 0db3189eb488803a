import { assert } from '../../core/assert';
import { entityKeys, type Entities, type EntityKind } from '../../core/banking/types';
import { decodeJson, encodeJson } from '../../core/json-codec';
import type { BankingStore } from '../../ports/banking-store';
import { textArray, type Session } from './session';

const sql = {
  get: `SELECT data FROM entities WHERE kind = $1 AND id = $2`,
  /** Several gets in one statement: each found row with its request's position (1-based). */
  getMany: `SELECT r.ord, e.data FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r (kind, id, ord)
            JOIN entities e ON e.kind = r.kind AND e.id = r.id`,
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
  /** Several plain upserts in one statement (each (kind, id) once: one statement may not change a row twice). */
  putPlainMany: `INSERT INTO entities (kind, id, data) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
                 ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`,
  findBy: `SELECT e.data FROM entity_keys k JOIN entities e ON e.kind = k.kind AND e.id = k.id
           WHERE k.kind = $1 AND k.key = $2 AND k.value = $3 ORDER BY k.id LIMIT $4`,
  list: `SELECT data FROM entities WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3`,
  listRange: `SELECT data FROM entities WHERE kind = $1 AND id > $2 AND id < $3 ORDER BY id LIMIT $4`,
  nextSequence: `INSERT INTO sequences (name, value) VALUES ($1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value`,
} as const;

interface HeldGet {
  readonly kind: string;
  readonly id: string;
  readonly resolve: (data: string | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Statements are gathered: PostgreSQL answers each statement separately, and on this path the
 * cost of a statement is mostly its messages and wake-ups, not its work.
 * - Gets issued together (within one burst of JavaScript: the reads a command starts with
 *   Promise.all, each in its own async function) go out as one statement when the burst ends.
 * - Plain upserts (kinds without keys) are held back and sent as one statement just before the
 *   session's next statement of any kind: a command that writes its history, its account's last
 *   use and a payee sends one write, not three.
 * Order is kept: a put while gets are held sends the gets first, a get while puts are held sends
 * the puts first, and the session sends whatever is held before any other statement.
 */
export class PostgresBankingStore implements BankingStore {
  /** The plain upserts held back, by `${kind}\u0000${id}`: a later put of the same entity replaces an earlier one. */
  private readonly heldPlain = new Map<string, [kind: string, id: string, data: string]>();
  private heldGets: HeldGet[] = [];
  private getsScheduled = false;

  constructor(private readonly session: Session) {
    session.beforeSend(() => {
      this.sendHeldGets();
      this.sendHeld();
    });
  }

  private sendHeldGets(): void {
    const held = this.heldGets;
    if (held.length === 0) return;
    this.heldGets = [];
    if (!this.session.open) {
      for (const get of held) get.reject(new Error('storage transaction used after it ended'));
      return;
    }
    if (held.length === 1) {
      const [get] = held as [HeldGet];
      this.session.rows<[string]>('entity_get', sql.get, [get.kind, get.id]).then(([row]) => get.resolve(row?.[0]), get.reject);
      return;
    }
    const asked = this.session.rows<[string, string]>('entity_get_many', sql.getMany, [textArray(held.map((get) => get.kind)), textArray(held.map((get) => get.id))]);
    asked.then(
      (rows) => {
        const found = new Map<number, string>();
        for (const [ord, data] of rows) found.set(Number(ord), data);
        held.forEach((get, index) => get.resolve(found.get(index + 1)));
      },
      (error: unknown) => {
        for (const get of held) get.reject(error);
      },
    );
  }

  private sendHeld(): void {
    if (this.heldPlain.size === 0) return;
    const rows = [...this.heldPlain.values()];
    this.heldPlain.clear();
    if (rows.length === 1) {
      this.session.defer('entity_put_plain', sql.putPlain, rows[0]!);
      return;
    }
    const column = (index: number) => textArray(rows.map((row) => row[index]!));
    this.session.defer('entity_put_plain_many', sql.putPlainMany, [column(0), column(1), column(2)]);
  }

  async get<K extends EntityKind>(kind: K, id: string): Promise<Entities[K] | undefined> {
    this.sendHeld(); // a get sees every put issued before it
    const data = await new Promise<string | undefined>((resolve, reject) => {
      this.heldGets.push({ kind, id, resolve, reject });
      if (this.getsScheduled) return;
      this.getsScheduled = true;
      process.nextTick(() => {
        this.getsScheduled = false;
        this.sendHeldGets();
      });
    });
    return data === undefined ? undefined : decodeJson<Entities[K]>(data);
  }

  async put<K extends EntityKind>(kind: K, entity: Entities[K]): Promise<void> {
    const keys = entityKeys[kind] as Record<string, (entity: Entities[K]) => string | null>;
    const extractors = Object.entries(keys);
    this.sendHeldGets(); // a get issued before this put must not see it
    if (extractors.length === 0) {
      // Re-inserted, so a replaced entity takes its new place in the order the held rows go out.
      const heldKey = `${kind}\u0000${entity.id}`;
      this.heldPlain.delete(heldKey);
      this.heldPlain.set(heldKey, [kind, entity.id, encodeJson(entity)]);
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
