import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../adapters/sqlite/storage';
import { ManualClock } from '../../adapters/in-process/clock';
import { SequentialIds } from '../../adapters/in-process/ids';
import { ScryptPasswordHasher } from '../../adapters/node/password';
import { Engine } from '../engine';
import type { Context } from '../command';
import { demoUsers, seedDemoBank, type DemoBank } from '../demo';

const { alice, olivia } = demoUsers;

/** The branch's customer list, a page at a time: only the caller's branch for branch staff; logged as a read. */
describe('customer.directory', () => {
  let storage: SqliteStorage;
  let engine: Engine;
  let bank: DemoBank;

  beforeEach(async () => {
    storage = new SqliteStorage({ path: ':memory:' });
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 9));
    const ids = new SequentialIds(clock);
    engine = new Engine({ storage, clock, ids, passwords: new ScryptPasswordHasher({ N: 16, r: 8, p: 1 }) });
    bank = await seedDemoBank(engine, ids, { clock });
    // Another branch with two customers of its own.
    const branchId = ids.next();
    expect((await engine.execute('branch.create', { branchId, code: '0002', name: 'Harbour', currencies: ['USD'] }, olivia)).ok).toBe(true);
    // Its customers put straight into the books (the test needs only that they exist there).
    const template = (await storage.read((tx) => tx.banking.get('customer', bank.customers[0]!.id)))!;
    await storage.transaction(async (tx) => {
      for (const fullName of ['Noor Haddad', 'Pavel Novak']) await tx.banking.put('customer', { ...template, id: ids.next(), branchId, fullName, nationalId: `X-${fullName}` });
    });
  });
  afterEach(async () => storage.close());

  async function all(ctx: Context, limit: number): Promise<{ names: string[]; pages: number }> {
    const names: string[] = [];
    let after = '';
    let pages = 0;
    for (;;) {
      const page = await engine.execute('customer.directory', { after, limit }, ctx);
      if (!page.ok) throw new Error(page.code);
      pages += 1;
      names.push(...page.value.customers.map((customer) => customer.fullName));
      if (page.value.next === null) return { names, pages };
      after = page.value.next;
    }
  }

  it('pages through every customer of the caller’s branch, and only those', async () => {
    const branch = await all(alice, 2);
    expect(branch.names.sort()).toEqual(bank.customers.map((customer) => customer.name).sort());
    expect(branch.pages).toBeGreaterThanOrEqual(2);
    const everyone = await all(olivia, 1000);
    expect(everyone.names).toHaveLength(5);
    expect(everyone.pages).toBe(1);
  });

  it('refuses a page larger than its bound and a malformed cursor', async () => {
    expect(await engine.executeAny('customer.directory', { limit: 1001 }, alice)).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await engine.executeAny('customer.directory', { after: '../x' }, alice)).toMatchObject({ ok: false, code: 'invalid_input' });
  });

  it('leaves a trace in the access log: who listed whose records', async () => {
    await engine.execute('customer.directory', {}, alice);
    const log = await engine.execute('access.log', { limit: 10 }, demoUsers.carol);
    expect(log.ok).toBe(true);
    const entry = (log as unknown as { value: Array<{ command: string; actor: string; subjects: string[] }> }).value.find((record) => record.command === 'customer.directory');
    expect(entry?.actor).toBe('alice');
    expect(entry?.subjects).toEqual(expect.arrayContaining(bank.customers.map((customer) => customer.id)));
  });
});
