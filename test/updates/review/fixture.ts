/**
 * Review fixture (not a test file): a real update repository on disk with admins' hybrid keys, a
 * real SQLite engine seeded with the demo bank, and helpers to sign, publish and check, so each
 * review test starts from "a branch installed a stand-in policy and a sanctions list".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeContentDocument,
  encodeSanctionsList,
  hybridKeyPair,
  repositoryNames,
  sanctionsPath,
  standInPath,
  tufKey,
  UpdateClient,
  type ContentKind,
  type FetchResult,
  type HybridKeyPair,
  type SanctionsList,
  type StandInDocument,
  type UpdateFetcher,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { signDraftFile, UpdateRepository } from '../../../apps/server/src/update/repository';
import { DirectoryFetcher } from '../../../apps/server/src/update/service';
import { drillServerKeys, seedBooks, type DrillBooks } from '../../dr/books';

export const dayMs = 24 * 60 * 60 * 1000;

export interface Fixture {
  readonly dir: string;
  readonly repository: UpdateRepository;
  readonly books: DrillBooks;
  readonly storage: SqliteStorage;
  readonly admins: Record<'ada' | 'ben' | 'cy' | 'dee', HybridKeyPair>;
  pinned: Uint8Array;
  sign(role: string, ...names: ('ada' | 'ben' | 'cy' | 'dee')[]): Promise<void>;
  client(options?: { fetcher?: UpdateFetcher; wants?: (path: string, kind: ContentKind) => boolean; stageApp?: (path: string, bytes: Uint8Array) => Promise<string> }): UpdateClient;
  standIn(version: number, perTransactionMinor: string, branchId?: string): StandInDocument;
  sanctions(listId: string, publishedAt: string, names: readonly string[]): SanctionsList;
  close(): Promise<void>;
}

export function keyPairOf(fill: number): HybridKeyPair {
  return hybridKeyPair(new Uint8Array(64).fill(fill));
}

/** Root 2-of-3 (ada, ben, cy), targets 1-of-2 (ada, ben), compliance 1-of-1 (dee) on content/sanctions/* and content/rules/*. Root 1 is published. */
export async function makeFixture(prefix: string): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), `qenex-review-${prefix}-`));
  const admins = { ada: keyPairOf(11), ben: keyPairOf(12), cy: keyPairOf(13), dee: keyPairOf(14) };
  const storage = new SqliteStorage({ path: join(dir, 'branch.sqlite') });
  const books = await seedBooks(storage, drillServerKeys());
  const repository = new UpdateRepository(join(dir, 'repo'));
  const pub = (name: keyof typeof admins) => tufKey(admins[name].publicKeys);
  await repository.init(
    {
      root: { keys: [pub('ada'), pub('ben'), pub('cy')], threshold: 2 },
      targets: { keys: [pub('ada'), pub('ben')], threshold: 1 },
      compliance: { keys: [pub('dee')], threshold: 1 },
      compliancePaths: ['content/sanctions/*', 'content/rules/*'],
    },
    books.clock.nowMs(),
  );
  const fixture: Fixture = {
    dir,
    repository,
    books,
    storage,
    admins,
    pinned: new Uint8Array(),
    async sign(role, ...names) {
      for (const name of names) await signDraftFile(repository.draftFile(role), role, admins[name]);
    },
    client(options = {}) {
      return new UpdateClient({
        engine: books.engine,
        storage,
        clock: books.clock,
        fetcher: options.fetcher ?? new DirectoryFetcher(repository),
        pinnedRoot: fixture.pinned,
        wants: options.wants ?? ((path, kind) => kind === 'sanctions_list' || path === standInPath(books.bank.branchId)),
        ...(options.stageApp === undefined ? {} : { stageApp: options.stageApp }),
        appVersion: '0.1.0',
      });
    },
    standIn(version, perTransactionMinor, branchId = books.bank.branchId) {
      const issued = Math.floor((books.clock.nowMs() - 60_000) / 1000) * 1000;
      return {
        kind: 'qenex.stand-in-policy',
        schema: 1,
        branchId,
        version,
        issuedAt: new Date(issued).toISOString(),
        expiresAt: new Date(issued + 30 * dayMs).toISOString(),
        limits: [{ currency: 'USD', perTransactionMinor, perCustomerPerDayMinor: '5000000', perTellerPerDayMinor: '9000000' }],
      };
    },
    sanctions(listId, publishedAt, names) {
      return {
        kind: 'qenex.sanctions-list',
        schema: 1,
        listId,
        source: 'a list made for this review',
        publishedAt,
        entries: names.map((name, index) => ({ id: `R-${index + 1}`, type: 'individual' as const, names: [name], programs: ['TEST'] })),
      };
    },
    async close() {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await fixture.sign('root', 'ada', 'ben');
  await fixture.sign('targets', 'ada');
  await fixture.sign('compliance', 'dee');
  await repository.publish(books.clock.nowMs());
  fixture.pinned = (await repository.readFile(repositoryNames.root(1)))!;
  return fixture;
}

/** Publishes the branch's stand-in policy (targets) and a sanctions list naming Amara Okafor (compliance). */
export async function publishPolicyAndList(f: Fixture, listNames: readonly string[] = ['Amara Okafor']): Promise<void> {
  const now = f.books.clock.nowMs();
  await f.repository.addTarget('targets', standInPath(f.books.bank.branchId), encodeContentDocument(f.standIn(1, '20000')), now);
  await f.sign('targets', 'ada');
  await f.repository.addTarget('compliance', sanctionsPath('review-list'), new TextEncoder().encode(encodeSanctionsList(f.sanctions('review-list', '2026-11-30', listNames))), now);
  await f.sign('compliance', 'dee');
  await f.repository.publish(now);
}

/** A mirror in front of the real repository: `rewrite` may answer a name differently (it is a file the server does not control). */
export class MirrorFetcher implements UpdateFetcher {
  readonly asked: string[] = [];
  constructor(
    private readonly inner: UpdateFetcher,
    private readonly rewrite: (name: string, maxBytes: number) => FetchResult | undefined,
  ) {}

  async fetch(name: string, maxBytes: number): Promise<FetchResult> {
    this.asked.push(name);
    return this.rewrite(name, maxBytes) ?? this.inner.fetch(name, maxBytes);
  }
}

export async function amaraDeposit(f: Fixture) {
  const { demoUsers } = await import('@qenex/engine');
  const amara = f.books.bank.customers.find((customer) => customer.name === 'Amara Okafor')!;
  return f.books.engine.execute('cash.deposit', { transferId: f.books.ids.next(), sessionId: f.books.bank.sessionId, accountId: amara.accountIds[0]!, money: { amount: '1000', currency: 'USD' } }, demoUsers.alice);
}
