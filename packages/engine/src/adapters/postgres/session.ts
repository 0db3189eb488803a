import type pg from 'pg';
import { assert } from '../../core/assert';

/**
 * One transaction's hold on a pooled connection. The stores run every statement through it, as a
 * named (prepared once per connection) statement returning rows as arrays. Once the transaction
 * has ended the connection belongs to someone else, so a late call is a programmer error.
 */
export class Session {
  private active = true;

  constructor(private readonly client: pg.PoolClient) {}

  async rows<R extends unknown[]>(name: string, text: string, values: unknown[]): Promise<R[]> {
    assert(this.active, 'storage transaction used after it ended');
    const result = await this.client.query<R>({ name: `qenex_${name}`, text, values, rowMode: 'array' });
    return result.rows;
  }

  end(): void {
    this.active = false;
  }
}

const needsEscape = /["\\]/;

/**
 * A text[] literal, for an `unnest($n::text[])` or `= ANY($n::text[])` parameter. Built by hand
 * rather than by pg's array serialiser, which runs two regular expressions on every element: the
 * set-based writes pass tens of thousands of elements per batch.
 */
export function textArray(values: ReadonlyArray<string | null>): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) literal += ',';
    const value = values[index];
    if (value === null || value === undefined) literal += 'NULL';
    else literal += `"${needsEscape.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
  }
  return `${literal}}`;
}

/** A bigint[] (or smallint[]) literal: integers need no quoting. */
export function integerArray(values: ReadonlyArray<bigint | number>): string {
  return `{${values.join(',')}}`;
}
