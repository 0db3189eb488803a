/**
 * A list change re-screens the whole customer base: the server's sweep pages through every
 * customer, opens a case for each one a list now names (once per entry), keeps its progress, and
 * starts over when the lists change again.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { demoUsers, encodeSanctionsList, sanctionsPath, systemRole, type SanctionsList } from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { ScreeningSweeper } from '../../apps/server/src/screening-sweep';
import { drillServerKeys, seedBooks, type DrillBooks } from '../dr/books';

let books: DrillBooks;
const logged: { message: string; fields: unknown }[] = [];
const log = { info: (fields: unknown, message: string) => logged.push({ fields, message }), warn: (fields: unknown, message: string) => logged.push({ fields, message }) };

function list(version: string, names: readonly string[]): SanctionsList {
  return { kind: 'qenex.sanctions-list', schema: 1, listId: 'test-list', source: 'made for this test', publishedAt: version, entries: names.map((name, index) => ({ id: `T-${index + 1}`, type: 'individual' as const, names: [name], programs: ['TEST'] })) };
}

async function install(document: SanctionsList): Promise<void> {
  const body = encodeSanctionsList(document);
  const bytes = new TextEncoder().encode(body);
  const trust = { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {}, verifiedAtMs: books.clock.nowMs() };
  const installed = await books.engine.execute('update.install', { trust, install: [{ path: sanctionsPath('test-list'), role: 'compliance', sha256: createHash('sha256').update(bytes).digest('hex'), length: bytes.length, body }], remove: [], checkedAtMs: books.clock.nowMs(), refusal: null, appStaged: null }, { actor: 'update-client', roles: [systemRole], deviceId: 'update-client' });
  expect(installed.ok).toBe(true);
}

async function screeningCases() {
  const listed = await books.engine.execute('case.list', { view: 'queue', queue: 'screening' }, demoUsers.carol);
  if (!listed.ok) throw new Error(listed.message);
  return listed.value;
}

beforeEach(async () => {
  books = await seedBooks(new SqliteStorage({ path: ':memory:' }), drillServerKeys());
  logged.length = 0;
}, 60_000);

describe('the re-screen after a list change', () => {
  it('opens a case for each customer a new list names, with the hit, page by page, and keeps its progress', async () => {
    const sweeper = new ScreeningSweeper({ engine: books.engine, log: log as never });
    await sweeper.kick();
    expect(await screeningCases()).toEqual([]); // no list in force: nobody is screened, nobody reported clean
    await install(list('2026-11-30', ['BRANDT, Lukas', 'Nobody We Bank']));
    await sweeper.kick();
    const cases = await screeningCases();
    expect(cases).toMatchObject([{ customerIds: [books.bank.customers.find((customer) => customer.name === 'Lukas Brandt')!.id], alerts: [{ kind: 'screening', entryId: 'T-1', command: 'screening.sweep' }] }]);
    const status = await books.engine.execute('screening.sweep_status', {}, demoUsers.carol);
    expect(status).toMatchObject({ ok: true, value: { screened: books.bank.customers.length, hits: 1, casesOpened: 1, finishedAtMs: expect.any(Number) } });
    expect(logged.map((line) => line.message)).toContain('screening sweep finished');
    // The same lists again: the sweep is done, nothing is opened twice.
    await sweeper.kick();
    expect(await screeningCases()).toHaveLength(1);
  });

  it('starts over when the lists change, and does not give a case the same hit twice', async () => {
    const sweeper = new ScreeningSweeper({ engine: books.engine, log: log as never });
    await install(list('2026-11-30', ['BRANDT, Lukas']));
    await sweeper.kick();
    await install(list('2026-12-01', ['BRANDT, Lukas', 'OKAFOR, Amara']));
    await sweeper.kick();
    const cases = await screeningCases();
    expect(cases).toHaveLength(2);
    const lukas = cases.find((found) => found.title.includes('Lukas'))!;
    expect(lukas.alerts).toHaveLength(1);
    expect(await books.engine.execute('screening.sweep_status', {}, demoUsers.carol)).toMatchObject({ ok: true, value: { screened: books.bank.customers.length, hits: 2, casesOpened: 1 } });
  });

  it('is the server\u2019s own work or compliance\u2019s, nobody else\u2019s', async () => {
    expect(await books.engine.execute('screening.sweep', {}, demoUsers.alice)).toMatchObject({ ok: false, code: 'permission_denied' });
    expect(await books.engine.execute('screening.sweep', {}, demoUsers.adam)).toMatchObject({ ok: false, code: 'permission_denied' });
  });
});
