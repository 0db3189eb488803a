/**
 * The signed update path end to end on real files and a real SQLite engine: admins with their own
 * keys initialise and publish a repository (thresholds checked at publish), a branch's update
 * client installs a stand-in policy and a sanctions list, and the very next command uses them; a
 * tampered, replayed or frozen repository is refused with nothing of it installed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoUsers,
  encodeContentDocument,
  encodeSanctionsList,
  repositoryNames,
  sanctionsPath,
  standInPath,
  UpdateClient,
  type SanctionsList,
  type StandInDocument,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { createAdminKey, openAdminKey } from '../../apps/server/src/update/admin-key';
import { RepositoryError, signDraftFile, UpdateRepository } from '../../apps/server/src/update/repository';
import { DirectoryFetcher } from '../../apps/server/src/update/service';
import { drillServerKeys, seedBooks, type DrillBooks } from '../dr/books';

const passphrase = 'correct horse battery staple';
let dir: string;
let repository: UpdateRepository;
let books: DrillBooks;
let storage: SqliteStorage;
const admins: Record<string, Awaited<ReturnType<typeof openAdminKey>>> = {};
const dayMs = 24 * 60 * 60 * 1000;

async function sign(role: string, ...names: string[]): Promise<void> {
  for (const name of names) await signDraftFile(repository.draftFile(role), role, admins[name]!.keyPair);
}

function standIn(version: number, perTransactionMinor: string): StandInDocument {
  const issued = books.clock.nowMs() - 60_000;
  return {
    kind: 'qenex.stand-in-policy',
    schema: 1,
    branchId: books.bank.branchId,
    version,
    issuedAt: new Date(Math.floor(issued / 1000) * 1000).toISOString(),
    expiresAt: new Date(Math.floor(issued / 1000) * 1000 + 30 * dayMs).toISOString(),
    limits: [{ currency: 'USD', perTransactionMinor, perCustomerPerDayMinor: '5000000', perTellerPerDayMinor: '9000000' }],
  };
}

function sanctions(publishedAt: string, names: readonly string[]): SanctionsList {
  return {
    kind: 'qenex.sanctions-list',
    schema: 1,
    listId: 'test-list',
    source: 'a list made for this test',
    publishedAt,
    entries: names.map((name, index) => ({ id: `T-${index + 1}`, type: 'individual' as const, names: [name], programs: ['TEST'] })),
  };
}

function client(): UpdateClient {
  return new UpdateClient({
    engine: books.engine,
    storage,
    clock: books.clock,
    fetcher: new DirectoryFetcher(repository),
    pinnedRoot: pinned,
    wants: (path, kind) => kind === 'sanctions_list' || path === standInPath(books.bank.branchId),
    appVersion: '0.1.0',
  });
}

let pinned: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qenex-updates-'));
  for (const name of ['ada', 'ben', 'cy', 'dee']) {
    await createAdminKey(join(dir, `${name}.key`), name, passphrase);
    admins[name] = await openAdminKey(join(dir, `${name}.key`), passphrase);
  }
  storage = new SqliteStorage({ path: join(dir, 'branch.sqlite') });
  books = await seedBooks(storage, drillServerKeys());
  repository = new UpdateRepository(join(dir, 'repo'));
  const publicKey = async (name: string) => (JSON.parse(await readFile(join(dir, `${name}.key.pub.json`), 'utf8')) as { key: never }).key;
  await repository.init(
    {
      root: { keys: [await publicKey('ada'), await publicKey('ben'), await publicKey('cy')], threshold: 2 },
      targets: { keys: [await publicKey('ada'), await publicKey('ben')], threshold: 1 },
      compliance: { keys: [await publicKey('dee')], threshold: 1 },
      compliancePaths: ['content/sanctions/*', 'content/rules/*'],
    },
    books.clock.nowMs(),
  );
}, 120_000);

afterAll(async () => {
  await storage?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('publishing', () => {
  it('refuses root 1 signed by one admin of the 2 it needs, and publishes it with two', async () => {
    await sign('root', 'ada');
    await sign('targets', 'ada');
    await sign('compliance', 'dee');
    await expect(repository.publish(books.clock.nowMs())).rejects.toMatchObject({ code: 'threshold_not_met' });
    expect(await repository.currentRoot()).toBeNull();
    // The same admin signing twice is still one key.
    await sign('root', 'ada');
    await expect(repository.publish(books.clock.nowMs())).rejects.toMatchObject({ code: 'threshold_not_met' });
    await sign('root', 'ben');
    const published = await repository.publish(books.clock.nowMs());
    expect(published.published.sort()).toEqual(['compliance', 'root', 'targets']);
    pinned = (await repository.readFile(repositoryNames.root(1)))!;
  });

  it('lets compliance sign lists but not stand-in policies or app builds', async () => {
    await expect(repository.addTarget('compliance', 'app/linux-x64/qenex-9.9.9.zip', new Uint8Array([1]), books.clock.nowMs())).rejects.toBeInstanceOf(RepositoryError);
    await expect(repository.addTarget('compliance', standInPath(books.bank.branchId), new Uint8Array([1]), books.clock.nowMs())).rejects.toMatchObject({ code: 'path_not_delegated' });
  });

  it('a signature of a draft signed elsewhere merges back; a copy of a changed draft does not', async () => {
    await repository.addTarget('targets', standInPath(books.bank.branchId), encodeContentDocument(standIn(1, '20000')), books.clock.nowMs());
    const offline = join(dir, 'offline-targets.json');
    await writeFile(offline, await readFile(repository.draftFile('targets')));
    await signDraftFile(offline, 'targets', admins.ben!.keyPair);
    expect(await repository.mergeSignatures('targets', JSON.parse(await readFile(offline, 'utf8')))).toBe(1);
    await repository.addTarget('compliance', sanctionsPath('test-list'), new TextEncoder().encode(encodeSanctionsList(sanctions('2026-11-30', ['Amara Okafor']))), books.clock.nowMs());
    await sign('compliance', 'dee');
    const stale = JSON.parse(await readFile(offline, 'utf8'));
    await repository.addTarget('targets', standInPath(books.bank.branchId), encodeContentDocument(standIn(1, '20000')), books.clock.nowMs());
    await expect(repository.mergeSignatures('targets', { ...stale, signed: { ...stale.signed, version: 99 } })).rejects.toMatchObject({ code: 'draft_changed' });
    await sign('targets', 'ben');
    await repository.publish(books.clock.nowMs());
  });
});

describe('a branch installs and uses what was published', () => {
  it('installs the stand-in policy and the list in one step, and the next command is screened', async () => {
    const outcome = await client().check();
    expect(outcome).toEqual({ kind: 'up_to_date', installed: [sanctionsPath('test-list'), standInPath(books.bank.branchId)].sort(), removed: [] });
    const amara = books.bank.customers.find((customer) => customer.name === 'Amara Okafor')!;
    const deposit = await books.engine.execute('cash.deposit', { transferId: books.ids.next(), sessionId: books.bank.sessionId, accountId: amara.accountIds[0]!, money: { amount: '1000', currency: 'USD' } }, demoUsers.alice);
    expect(deposit).toMatchObject({ ok: false, code: 'sanctions_match', details: { listId: 'test-list', entryId: 'T-1' } });
    const other = books.bank.customers.find((customer) => customer.name !== 'Amara Okafor')!;
    const fine = await books.engine.execute('cash.deposit', { transferId: books.ids.next(), sessionId: books.bank.sessionId, accountId: other.accountIds[0]!, money: { amount: '1000', currency: 'USD' } }, demoUsers.alice);
    expect(fine.ok).toBe(true);
    // The server adopted the signed stand-in policy as the branch's next version.
    const policy = await storage.read((tx) => tx.banking.get('standInPolicy', `${books.bank.branchId}:USD`));
    expect(policy?.perTransactionMinor).toBe(20000n);
  });

  it('keeps its trusted state across a restart, and checks it again from the pinned root', async () => {
    const report = await client().report('ws-1');
    expect(report.metadata).toMatchObject({ root: 1, targets: 2, delegated: { compliance: 2 } });
    expect(report.content.map((item) => item.version).sort()).toEqual(['2026-11-30', 'v1']);
    // An edited store is not believed: the client falls back to the pinned root.
    const record = (await storage.read((tx) => tx.banking.get('updateTrust', 'local')))!;
    await storage.transaction((tx) => tx.banking.put('updateTrust', { ...record, timestamp: record.timestamp!.replace(/.{8}$/, 'AAAAAAAA') }));
    const loaded = await client().load();
    expect(loaded.state.timestamp).toBeNull();
    await storage.transaction((tx) => tx.banking.put('updateTrust', record));
    expect((await client().load()).state.timestamp?.signed.version).toBe(2);
  });

  it('refuses a tampered file from the mirror and keeps what it had', async () => {
    await repository.addTarget('compliance', sanctionsPath('test-list'), new TextEncoder().encode(encodeSanctionsList(sanctions('2026-12-01', ['Amara Okafor', 'Lukas Brandt']))), books.clock.nowMs());
    await sign('compliance', 'dee');
    await repository.publish(books.clock.nowMs());
    const info = (await repository.currentTargets('compliance'))!.signed.targets[sanctionsPath('test-list')]!;
    const file = join(repository.directory, repositoryNames.target(sanctionsPath('test-list'), info.hashes.sha256));
    const original = await readFile(file);
    await writeFile(file, original.toString('utf8').replace('Lukas Brandt', 'Lukas Brandz'));
    const outcome = await client().check();
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'hash_mismatch', role: 'target', path: sanctionsPath('test-list') } });
    const installed = await storage.read((tx) => tx.banking.get('installedContent', sanctionsPath('test-list')));
    expect(installed?.version).toBe('2026-11-30');
    expect((await client().report('ws-1')).refusal).toMatchObject({ code: 'hash_mismatch' });
    await writeFile(file, Buffer.concat([original, Buffer.from(' ')]));
    expect(await client().check()).toMatchObject({ kind: 'refused', refusal: { code: 'length_mismatch' } });
    await writeFile(file, original);
    expect(await client().check()).toMatchObject({ kind: 'up_to_date', installed: [sanctionsPath('test-list')] });
    expect((await client().report('ws-1')).refusal).toBeNull();
  });

  it('refuses an old timestamp replayed (rollback) and one past its expiry (freeze)', async () => {
    const current = await readFile(join(repository.directory, repositoryNames.timestamp));
    const history = join(dir, 'old-timestamp.json');
    await writeFile(history, current);
    await repository.signSnapshotAndTimestamp(books.clock.nowMs());
    expect((await client().check()).kind).toBe('up_to_date');
    await writeFile(join(repository.directory, repositoryNames.timestamp), await readFile(history));
    expect(await client().check()).toMatchObject({ kind: 'refused', refusal: { code: 'rollback', role: 'timestamp' } });
    await repository.signSnapshotAndTimestamp(books.clock.nowMs());
    books.clock.advance(2 * dayMs);
    expect(await client().check()).toMatchObject({ kind: 'refused', refusal: { code: 'expired', role: 'timestamp' } });
    // The server re-signs what is due; the branch goes on.
    expect(await repository.refresh(books.clock.nowMs())).not.toBeNull();
    expect((await client().check()).kind).toBe('up_to_date');
  });

  it('withdraws a list the repository stops publishing', async () => {
    await repository.removeTarget('compliance', sanctionsPath('test-list'), books.clock.nowMs());
    await sign('compliance', 'dee');
    await repository.publish(books.clock.nowMs());
    expect(await client().check()).toMatchObject({ kind: 'up_to_date', removed: [sanctionsPath('test-list')] });
    const amara = books.bank.customers.find((customer) => customer.name === 'Amara Okafor')!;
    const deposit = await books.engine.execute('cash.deposit', { transferId: books.ids.next(), sessionId: books.bank.sessionId, accountId: amara.accountIds[0]!, money: { amount: '1000', currency: 'USD' } }, demoUsers.alice);
    expect(deposit.ok).toBe(true);
  });

  it('rotates the root with both thresholds, and the branch follows', async () => {
    const publicKey = async (name: string) => (JSON.parse(await readFile(join(dir, `${name}.key.pub.json`), 'utf8')) as { key: never }).key;
    await repository.draftRootRotation({ keys: [await publicKey('ben'), await publicKey('cy'), await publicKey('dee')], threshold: 2 }, books.clock.nowMs());
    await sign('root', 'cy', 'dee');
    // Two of the new keys, but only one (cy) of the old root's: not enough.
    await expect(repository.publish(books.clock.nowMs())).rejects.toMatchObject({ code: 'threshold_not_met' });
    await sign('root', 'ada');
    await repository.publish(books.clock.nowMs());
    await repository.signSnapshotAndTimestamp(books.clock.nowMs());
    expect((await client().check()).kind).toBe('up_to_date');
    expect((await client().load()).state.root.signed.version).toBe(2);
  });
});
