import { ScryptPasswordHasher } from '@qenex/engine/node';
import {
  Engine,
  ManualClock,
  SequentialIds,
  WorkstationSync,
  encodeBase64url,
  hybridKeyPair,
  hybridPublicKeysToJson,
  sealedBoxKeyPair,
  limitRuleId,
  mustWithApproval,
  seedDemoBank,
  type Context,
  type Id128,
  type DemoBank,
  type ServerKeys,
  type SignedEnvelope,
  type SyncTransport,
  type TransportResult,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { seededFraction } from '@qenex/engine/testing';

/**
 * A deterministic simulation of branches and the central server: a seeded random schedule of
 * teller commands, pushes, pulls, crashes and a hostile network (drops, duplicates, delays,
 * reorders). After healing, every workstation must see what the server sees.
 */
export interface SimulationOptions {
  readonly seed: number;
  readonly workstations?: number;
  readonly steps?: number;
}

export interface SimulationReport {
  readonly seed: number;
  readonly commands: number;
  readonly accepted: number;
  readonly compensated: number;
  readonly rejected: number;
  readonly refusedLocally: number;
  readonly dropped: number;
  readonly duplicated: number;
  readonly replayedStale: number;
  readonly crashes: number;
}

function seedBytes(label: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) bytes[index] = (label * 31 + index * 7) & 0xff;
  return bytes;
}

export const cheapPasswords = new ScryptPasswordHasher({ N: 16, r: 8, p: 1 });
let serverKeysCache: ServerKeys | undefined;
export function serverKeys(): ServerKeys {
  serverKeysCache ??= { keyVersion: 1, signing: hybridKeyPair(seedBytes(1, 64)), kem: sealedBoxKeyPair(seedBytes(2, 32)) };
  return serverKeysCache;
}

const deviceKeyCache = new Map<number, { signingSeed: Uint8Array; kem: ReturnType<typeof sealedBoxKeyPair>; publicKeys: ReturnType<typeof hybridKeyPair>['publicKeys'] }>();
export function deviceKeys(index: number) {
  let keys = deviceKeyCache.get(index);
  if (keys === undefined) {
    const signingSeed = seedBytes(100 + index, 64);
    keys = { signingSeed, kem: sealedBoxKeyPair(seedBytes(200 + index, 32)), publicKeys: hybridKeyPair(signingSeed).publicKeys };
    deviceKeyCache.set(index, keys);
  }
  return keys;
}

interface Server {
  storage: SqliteStorage;
  engine: Engine;
}

interface Station {
  readonly index: number;
  readonly deviceId: string;
  readonly teller: Context;
  readonly sessionId: string;
  readonly storage: SqliteStorage;
  engine: Engine;
  sync: WorkstationSync;
}

const admin = { actor: 'adam', roles: ['admin'], deviceId: 'server' };
const secondAdmin = { actor: 'ada', roles: ['admin'], deviceId: 'server' };
const operations = { actor: 'olivia', roles: ['operations'], deviceId: 'server' };
const headTeller = { actor: 'bob', roles: ['head_teller'], deviceId: 'server' };
export const deviceCtx = { actor: 'device', roles: ['device'], deviceId: 'network' };

async function must(engine: Engine, name: string, input: unknown, ctx: Context): Promise<any> {
  const result = await engine.executeAny(name, input, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.code} ${result.message}`);
  return result.value;
}

export interface World {
  readonly serverImage: Buffer;
  readonly stationImages: readonly Buffer[];
  readonly bank: DemoBank;
  readonly sessionIds: readonly string[];
}

const worlds = new Map<number, Promise<World>>();
const tellers = ['alice', 'tom', 'tina', 'theo'];

/**
 * The branch, its server and its enrolled workstations, built once per process and copied for
 * every seed (an in-memory database image): the setup is the same for all seeds, only the run differs.
 */
export function world(stationCount: number): Promise<World> {
  let built = worlds.get(stationCount);
  if (built === undefined) {
    built = buildWorld(stationCount);
    worlds.set(stationCount, built);
  }
  return built;
}

async function buildWorld(stationCount: number): Promise<World> {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 8));
  const ids = new SequentialIds(clock, 0);
  const keys = serverKeys();
  const storage = new SqliteStorage({ path: ':memory:' });
  const engine = new Engine({ storage, clock, ids, serverKeys: keys, passwords: cheapPasswords });
  const bank = await seedDemoBank(engine, ids, { clock });
  const policy = { branchId: bank.branchId, currency: 'USD', perTransaction: '300000', perCustomerPerDay: '400000', perTellerPerDay: '1500000', validForMs: 30 * 24 * 3600 * 1000 };
  await mustWithApproval(engine, 'standin.set_policy', policy, operations, admin);
  // Users the server replays commands as (their roles come from the server, never the device).
  await storage.transaction(async (tx) => {
    for (const name of tellers) {
      const existing = await tx.banking.get('user', name);
      await tx.banking.put('user', { id: name, displayName: name, roles: ['teller'], passwordHash: 'x', status: 'active', createdAtMs: 0, ...existing, branchId: bank.branchId });
      const limit = { holder: { user: name }, kind: 'cash' as const, currency: 'USD', perTransactionMinor: 1_000_000n, perDayMinor: 100_000_000n };
      await tx.banking.put('limitRule', { id: limitRuleId(limit.holder, 'cash', 'USD'), ...limit });
      await tx.banking.put('limitRule', { ...limit, id: limitRuleId(limit.holder, 'transfer', 'USD'), kind: 'transfer' });
    }
  });
  const sessionIds: string[] = [];
  const stationStorages: SqliteStorage[] = [];
  for (let index = 0; index < stationCount; index += 1) {
    const teller = { actor: tellers[index]!, roles: ['teller'], deviceId: `ws-${index}` };
    let sessionId = bank.sessionId as string;
    if (index > 0) {
      const tillId = ids.next();
      await must(engine, 'till.create', { tillId, branchId: bank.branchId, code: `T${index + 1}`, currency: 'USD' }, operations);
      await mustWithApproval(engine, 'vault.to_till', { transferId: ids.next(), tillId, money: { amount: '1000000', currency: 'USD' } }, headTeller, teller);
      sessionId = ids.next();
      await must(engine, 'till.open_session', { sessionId, tillId, count: { '10000': 100 } }, teller);
    }
    sessionIds.push(sessionId);
    const device = deviceKeys(index);
    const deviceId = `ws-${index}`;
    await must(engine, 'device.enrol', { deviceId, branchId: bank.branchId, publicKeys: hybridPublicKeysToJson(device.publicKeys), kemPublicKey: encodeBase64url(device.kem.publicKey) }, admin);
    await must(engine, 'device.approve', { deviceId }, secondAdmin);
    // Every teller may work at every workstation of the branch; the head teller approves at any.
    for (const name of [...tellers, 'bob']) await must(engine, 'device.register_user', { deviceId, username: name }, admin);
    const stationStorage = new SqliteStorage({ path: ':memory:' });
    await WorkstationSync.initialise(stationStorage, {
      deviceId,
      branchId: bank.branchId,
      keyVersion: 1,
      signingSeed: encodeBase64url(device.signingSeed),
      kemSecretKey: encodeBase64url(device.kem.secretKey),
      serverPublicKeys: hybridPublicKeysToJson(keys.signing.publicKeys),
      serverKeyVersion: 1,
      serverKemPublicKey: encodeBase64url(keys.kem.publicKey),
    });
    stationStorages.push(stationStorage);
  }
  const direct = directTransport(engine);
  for (const stationStorage of stationStorages) {
    const stationEngine = new Engine({ storage: stationStorage, clock, ids, ...WorkstationSync.engineOptions() });
    const sync = new WorkstationSync({ engine: stationEngine, storage: stationStorage, mirror: stationStorage.mirror, clock, transport: direct });
    const pulled = await sync.pull();
    if (pulled !== 'pulled') throw new Error(`first pull failed: ${JSON.stringify(pulled)}`);
  }
  const world: World = { serverImage: storage.db.serialize(), stationImages: stationStorages.map((s) => s.db.serialize()), bank, sessionIds };
  for (const stationStorage of stationStorages) await stationStorage.close();
  await storage.close();
  return world;
}

/** A workstation's sync straight into the server's engine, as the HTTP routes would call it. */
export function directTransport(server: Engine): SyncTransport {
  return {
    push: async (message) => toTransport(await server.executeAny('sync.push', { message }, deviceCtx)),
    pull: async (message) => toTransport(await server.executeAny('sync.pull', { message }, deviceCtx)),
  };
}

function toTransport(result: { ok: boolean; value?: unknown; code?: string; message?: string }): TransportResult {
  return result.ok ? { ok: true, body: result.value } : { ok: false, code: result.code ?? 'refused', message: result.message ?? '' };
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const rand = seededFraction(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const stationCount = options.workstations ?? 3;
  const { serverImage, stationImages, bank, sessionIds } = await world(stationCount);
  // Every seed starts a day later than the setup, with ids of its own (time and salt differ).
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 8) + (options.seed % 100_000) * 1000);
  const ids = new SequentialIds(clock, 1 + (options.seed % 100_000));
  const keys = serverKeys();
  const server: Server = { storage: new SqliteStorage({ path: ':memory:', image: serverImage }), engine: undefined as unknown as Engine };
  const buildServer = () => {
    server.engine = new Engine({ storage: server.storage, clock, ids, serverKeys: keys, passwords: cheapPasswords });
  };
  buildServer();
  const report = { seed: options.seed, commands: 0, accepted: 0, compensated: 0, rejected: 0, refusedLocally: 0, dropped: 0, duplicated: 0, replayedStale: 0, crashes: 0 };
  const stations: Station[] = stationImages.map((image, index) => ({
    index,
    deviceId: `ws-${index}`,
    teller: { actor: tellers[index]!, roles: ['teller'], deviceId: `ws-${index}` },
    sessionId: sessionIds[index]!,
    storage: new SqliteStorage({ path: ':memory:', image }),
    engine: undefined as unknown as Engine,
    sync: undefined as unknown as WorkstationSync,
  }));

  // The network: a message may be dropped going out or coming back, delivered twice, or held and
  // delivered again much later (a stale replay). `healthy` turns all of that off for the heal.
  let healthy = false;
  const stale: Array<{ kind: 'push' | 'pull'; message: SignedEnvelope }> = [];
  const deliver = async (kind: 'push' | 'pull', message: SignedEnvelope): Promise<TransportResult> => {
    const name = kind === 'push' ? 'sync.push' : 'sync.pull';
    if (!healthy && rand() < 0.15) {
      report.dropped += 1;
      return { ok: false, code: 'unreachable', message: 'request lost' };
    }
    if (!healthy && rand() < 0.2) stale.push({ kind, message });
    const result = await server.engine.executeAny(name, { message }, deviceCtx);
    if (!healthy && rand() < 0.1) {
      report.duplicated += 1;
      await server.engine.executeAny(name, { message }, deviceCtx);
    }
    if (!healthy && rand() < 0.15) {
      report.dropped += 1;
      return { ok: false, code: 'unreachable', message: 'answer lost' };
    }
    return result.ok ? { ok: true, body: result.value } : { ok: false, code: result.code, message: result.message };
  };
  const transport: SyncTransport = { push: (message) => deliver('push', message), pull: (message) => deliver('pull', message) };
  const boot = (station: Station) => {
    station.engine = new Engine({ storage: station.storage, clock, ids, ...WorkstationSync.engineOptions() });
    station.sync = new WorkstationSync({ engine: station.engine, storage: station.storage, mirror: station.storage.mirror, clock, transport });
  };
  for (const station of stations) boot(station);

  const accounts = bank.customers.flatMap((customer) => customer.accountIds);
  const steps = options.steps ?? 40;
  for (let step = 0; step < steps; step += 1) {
    clock.advance(Math.floor(rand() * 60_000));
    const station = pick(stations);
    const roll = rand();
    if (roll < 0.55) {
      report.commands += 1;
      const kind = pick(['cash.deposit', 'cash.withdraw', 'cash.withdraw', 'transfer.internal'] as const);
      const amount = String(1 + Math.floor(rand() * (rand() < 0.2 ? 500_000 : 60_000)));
      const money = { amount, currency: 'USD' };
      const input =
        kind === 'transfer.internal'
          ? { transferId: ids.next(), fromAccountId: pick(accounts), toAccountId: pick(accounts), money }
          : { transferId: ids.next(), sessionId: station.sessionId, accountId: pick(accounts), money };
      const result = await station.engine.executeAny(kind, input, station.teller);
      if (!result.ok) report.refusedLocally += 1;
    } else if (roll < 0.75) {
      await station.sync.push();
    } else if (roll < 0.88) {
      await station.sync.pull();
    } else if (roll < 0.93 && stale.length > 0) {
      report.replayedStale += 1;
      const old = stale.splice(Math.floor(rand() * stale.length), 1)[0]!;
      await server.engine.executeAny(old.kind === 'push' ? 'sync.push' : 'sync.pull', { message: old.message }, deviceCtx);
    } else if (roll < 0.97) {
      report.crashes += 1;
      boot(station); // the process dies: every object is rebuilt from what its database committed
    } else {
      report.crashes += 1;
      buildServer();
    }
  }

  // Heal: a perfect network; everyone drains their queue and pulls, twice so each sees the others.
  healthy = true;
  for (let round = 0; round < 2; round += 1) {
    for (const station of stations) {
      const synced = await station.sync.sync();
      if (synced !== 'synced') throw new Error(`seed ${options.seed}: ${station.deviceId} did not heal: ${JSON.stringify(synced)}`);
    }
  }
  await checkInvariants(options.seed, server, stations, report);
  for (const station of stations) await station.storage.close();
  await server.storage.close();
  return report;
}

async function checkInvariants(seed: number, server: Server, stations: readonly Station[], report: { accepted: number; compensated: number; rejected: number }): Promise<void> {
  const fail = (message: string): never => {
    throw new Error(`seed ${seed}: ${message}`);
  };
  const serverTotals = await server.storage.read((tx) => tx.ledger.ledgerTotals());
  for (const total of serverTotals) {
    if (total.debitsPosted !== total.creditsPosted || total.debitsPending !== total.creditsPending) fail(`server ledger ${total.ledger} does not sum to zero`);
  }
  // Each account's balance is exactly the sum of the transfers stored for it: nothing applied twice.
  const rows = server.storage.db.prepare('SELECT id, debits_posted, credits_posted FROM accounts').all() as Array<{ id: string; debits_posted: bigint; credits_posted: bigint }>;
  for (const row of rows) {
    const debits = server.storage.db.prepare('SELECT coalesce(sum(amount), 0) FROM transfers WHERE debit_account_id = ? AND pending_status = 0 AND pending_id IS NULL').pluck().get(row.id) as bigint;
    const credits = server.storage.db.prepare('SELECT coalesce(sum(amount), 0) FROM transfers WHERE credit_account_id = ? AND pending_status = 0 AND pending_id IS NULL').pluck().get(row.id) as bigint;
    if (debits !== row.debits_posted || credits !== row.credits_posted) fail(`account ${row.id} balance does not equal its transfers`);
  }
  for (const station of stations) {
    const entries = await station.storage.read((tx) => tx.banking.list('outboxEntry', '', 100_000));
    const transfers = await server.storage.read((tx) => tx.ledger.transfers(entries.map((entry) => entry.transferId as Id128)));
    const onServer = new Set<string>(transfers.map((transfer) => transfer.id));
    for (const entry of entries) {
      if (entry.status === 'pending') fail(`${station.deviceId} command ${entry.seq} still pending after healing`);
      if (entry.status === 'accepted') {
        report.accepted += 1;
        if (!onServer.has(entry.transferId)) fail(`${station.deviceId} command ${entry.seq} was accepted but is not on the server`);
      }
      if (entry.status === 'compensated') report.compensated += 1;
      if (entry.status === 'rejected') report.rejected += 1;
      if (entry.status !== 'accepted' && onServer.has(entry.transferId)) fail(`${station.deviceId} command ${entry.seq} is ${entry.status} but its transfer is on the server`);
    }
    const local = await station.storage.read((tx) => tx.ledger.ledgerTotals());
    for (const total of local) {
      if (total.debitsPosted !== total.creditsPosted || total.debitsPending !== total.creditsPending) fail(`${station.deviceId} ledger ${total.ledger} does not sum to zero`);
    }
    const localAccounts = station.storage.db.prepare('SELECT id, debits_posted, credits_posted, debits_pending, credits_pending FROM accounts ORDER BY id').all() as Array<Record<string, bigint | string>>;
    const serverAccounts = await server.storage.read((tx) => tx.ledger.accounts(localAccounts.map((account) => String(account.id) as Id128)));
    const byId = new Map(serverAccounts.map((account) => [account.id as string, account]));
    if (localAccounts.length === 0) fail(`${station.deviceId} has no accounts`);
    for (const account of localAccounts) {
      const truth = byId.get(String(account.id));
      if (truth === undefined) fail(`${station.deviceId} has account ${String(account.id)} the server does not`);
      if (truth!.debitsPosted !== account.debits_posted || truth!.creditsPosted !== account.credits_posted) {
        fail(`${station.deviceId} sees account ${String(account.id)} differently from the server`);
      }
    }
  }
}

/** The world's server and its workstations, each opened from the world's images, syncing straight into the server's engine. */
export interface OpenedBranch {
  readonly server: SqliteStorage;
  readonly serverEngine: Engine;
  readonly stations: ReadonlyArray<{ readonly storage: SqliteStorage; readonly engine: Engine; readonly sync: WorkstationSync }>;
  close(): Promise<void>;
}

export function openBranch(w: World, clock: ManualClock, ids: SequentialIds): OpenedBranch {
  const server = new SqliteStorage({ path: ':memory:', image: w.serverImage });
  const serverEngine = new Engine({ storage: server, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords });
  const transport = directTransport(serverEngine);
  const stations = w.stationImages.map((image) => {
    const storage = new SqliteStorage({ path: ':memory:', image });
    const engine = new Engine({ storage, clock, ids, ...WorkstationSync.engineOptions() });
    return { storage, engine, sync: new WorkstationSync({ engine, storage, mirror: storage.mirror, clock, transport }) };
  });
  return {
    server,
    serverEngine,
    stations,
    async close() {
      for (const station of stations) await station.storage.close();
      await server.close();
    },
  };
}
