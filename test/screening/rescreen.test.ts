/**
 * Compliance re-screens the whole customer base against the lists in force: a customer a new list
 * names comes back with the entry, the score and its parts, page by page; only compliance may ask;
 * with no list in force it says so rather than report everyone clean.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers, type Context, type SanctionsList } from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { drillServerKeys, seedBooks, type DrillBooks } from '../dr/books';
import { installSanctionsList } from '../support/sanctions';

const compliance: Context = { actor: 'lena', roles: ['compliance_officer'], deviceId: 'hq' };
let dir: string;
let storage: SqliteStorage;
let books: DrillBooks;

function list(names: readonly string[]): SanctionsList {
  return { kind: 'qenex.sanctions-list', schema: 1, listId: 'test-list', source: 'made for this test', publishedAt: '2026-12-01', entries: names.map((name, index) => ({ id: `T-${index + 1}`, type: 'individual' as const, names: [name], programs: ['TEST'] })) };
}

async function install(document: SanctionsList): Promise<void> {
  await installSanctionsList(books.engine, books.clock, document);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qenex-rescreen-'));
  storage = new SqliteStorage({ path: join(dir, 'books.sqlite') });
  books = await seedBooks(storage, drillServerKeys());
}, 60_000);

afterAll(async () => {
  await storage?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('re-screening the customer base', () => {
  it('says when no list is in force instead of reporting everyone clean', async () => {
    const page = await books.engine.execute('screening.rescreen', { limit: 50 }, compliance);
    expect(page).toMatchObject({ ok: true, value: { listsInForce: false, customers: [] } });
  });

  it('finds the customer a new list names (spelled the list\u2019s way), with the score explained, page by page', async () => {
    await install(list(['BRANDT, Lukas', 'Someone Else Entirely']));
    const seen: string[] = [];
    const hits: { name: string; matches: { entryId: string; score: number; explanation: unknown[] }[] }[] = [];
    let after = '';
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await books.engine.execute('screening.rescreen', { after, limit: 1 }, compliance);
      if (!page.ok) throw new Error(page.message);
      expect(page.value.screened).toBeLessThanOrEqual(1);
      hits.push(...page.value.customers);
      seen.push(...Array.from({ length: page.value.screened }, () => 'x'));
      if (page.value.next === null) break;
      after = page.value.next;
    }
    expect(seen.length).toBe(books.bank.customers.length);
    expect(hits.map((hit) => hit.name)).toEqual(['Lukas Brandt']);
    expect(hits[0]!.matches[0]).toMatchObject({ entryId: 'T-1', score: expect.any(Number) });
    expect(hits[0]!.matches[0]!.explanation.length).toBeGreaterThan(0);
    // A page past the last customer is empty, and the lists are still in force (the walk ends, not "no list").
    const last = [...books.bank.customers].map((customer) => customer.id).sort().at(-1)!;
    expect(await books.engine.execute('screening.rescreen', { after: last, limit: 5 }, compliance)).toMatchObject({ ok: true, value: { screened: 0, listsInForce: true, next: null } });
  });

  it('is compliance work: a teller or an administrator is refused', async () => {
    for (const ctx of [demoUsers.alice, demoUsers.adam]) {
      expect(await books.engine.execute('screening.rescreen', { limit: 5 }, ctx)).toMatchObject({ ok: false, code: 'permission_denied' });
    }
  });
});
