/**
 * `sync.push`: a branch workstation that worked offline pushes its outbox to the central server,
 * which verifies each batch (ML-DSA-65 + Ed25519), opens it (X-Wing + AES-256-GCM), re-executes
 * every command against the real books as the teller who did it, and signs the answer.
 *
 * Setup: a server (the demo bank, a stand-in policy wide enough for the day's payouts, one
 * enrolled and approved workstation) and that workstation, which pulls the branch and then runs
 * 10,000 valid offline teller commands (cash deposits and withdrawals at its till, internal
 * transfers between the demo customers' accounts). The server's database file is copied twice.
 *
 * Measured: `WorkstationSync.push()` until 'nothing_to_send' against one copy (in-process
 * transport, no HTTP), against the baseline of the same commands executed one by one on the
 * other copy with `engine.executeAny` as the teller. The two sides alternate batch by batch
 * (500 commands each), so drift on a shared machine falls on both. All databases are files
 * (WAL, synchronous=FULL), as in the product.
 *
 * Invariants before reporting: every outbox entry accepted; every transfer of the outbox on the
 * pushed server; both servers' books equal account by account; every ledger sums to zero; every
 * account's balance equals the transfers stored against it.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import {
  batchCommandsMax,
  encodeBase64url,
  Engine,
  hybridKeyPair,
  hybridPublicKeysToJson,
  ManualClock,
  sealedBoxKeyPair,
  mustWithApproval,
  seedDemoBank,
  SequentialIds,
  WorkstationSync,
  type Context,
  type Id128,
  type ServerKeys,
  type SyncTransport,
  type TransportResult,
} from '@qenex/engine';
import { ScryptPasswordHasher } from '@qenex/engine/node';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { check, log, seededRandom, temporaryDirectory, throughput, type Benchmark, type Figure } from './support';

const commandCount = 10_000;
const baselineName = 'the same commands executed directly on the server';
const deviceId = 'ws-0';
const teller: Context = { actor: 'alice', roles: ['teller'], deviceId };
const admin: Context = { actor: 'adam', roles: ['admin'], deviceId: 'server' };
const secondAdmin: Context = { actor: 'ada', roles: ['admin'], deviceId: 'server' };
const operations: Context = { actor: 'olivia', roles: ['operations'], deviceId: 'server' };
const headTeller: Context = { actor: 'bob', roles: ['head_teller'], deviceId: 'server' };
const serverTeller: Context = { actor: 'alice', roles: ['teller'], deviceId: 'server' };
const deviceCtx: Context = { actor: 'device', roles: ['device'], deviceId: 'network' };
/** The setup's day; the offline commands follow one to three seconds apart, all within it. */
const startMs = Date.UTC(2026, 10, 24, 8);
/** At most $500.00 a command: under the teller's own cash limit (alice: $5,000.00) and the stand-in's per transaction. */
const amountMaxMinor = 50_000;
/**
 * The first commands of the day, when the payouts come (kept as the workload measured before: the
 * stand-in check once decoded every unconfirmed outbox entry per payout; it now reads the day's
 * tallies, so payouts could spread over the whole day at no cost).
 */
const rushCommands = 3_000;
/** What head office moves to the branch before the day: $1,000,000 to the vault, half of it to the till, $100,000 to each customer account. */
const vaultFundingMinor = 100_000_000n;
const tillFundingMinor = 50_000_000n;
const accountFundingMinor = 10_000_000n;
/** A teller's day total for the benchmark's day: well above its 10,000 commands of at most $500.00. */
const busyDayMinor = '1000000000000';
/** Scrypt at its cheapest: the demo users' passwords are hashed in setup and never checked. */
const cheapPasswords = new ScryptPasswordHasher({ N: 16, r: 8, p: 1 });

function seedBytes(label: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) bytes[index] = (label * 31 + index * 7) & 0xff;
  return bytes;
}

function usd(amount: bigint): { amount: string; currency: string } {
  return { amount: amount.toString(), currency: 'USD' };
}

async function must(engine: Engine, name: string, input: unknown, ctx: Context): Promise<unknown> {
  const result = await engine.executeAny(name, input, ctx);
  if (!result.ok) throw new Error(`setup: ${name} refused: ${result.code}: ${result.message}`);
  return result.value;
}

function directTransport(engine: () => Engine, serverMs?: { total: number }): SyncTransport {
  const toTransport = (result: { ok: boolean; value?: unknown; code?: string; message?: string }): TransportResult =>
    result.ok ? { ok: true, body: result.value } : { ok: false, code: result.code ?? 'refused', message: result.message ?? '' };
  return {
    async push(message) {
      const start = performance.now();
      const result = await engine().executeAny('sync.push', { message }, deviceCtx);
      if (serverMs !== undefined) serverMs.total += performance.now() - start;
      return toTransport(result);
    },
    pull: async (message) => toTransport(await engine().executeAny('sync.pull', { message }, deviceCtx)),
  };
}

/** One offline command as the workstation ran it, to run again directly on the server. */
interface Queued {
  readonly name: 'cash.deposit' | 'cash.withdraw' | 'transfer.internal';
  readonly input: Record<string, unknown>;
  readonly atMs: number;
}

interface Setup {
  readonly keys: ServerKeys;
  readonly clock: ManualClock;
  readonly ids: SequentialIds;
  readonly station: SqliteStorage;
  readonly stationEngine: Engine;
  readonly queued: readonly Queued[];
  /** Server database files, identical: one to push to, one for the baseline. */
  readonly pushPath: string;
  readonly directPath: string;
}

/**
 * The server and its workstation as after a morning offline: the server's file closed (so it is
 * whole without its WAL) and copied for both sides; the workstation open with its outbox full.
 */
async function setUp(directory: string): Promise<Setup> {
  const clock = new ManualClock(startMs);
  const ids = new SequentialIds(clock, 0);
  const keys: ServerKeys = { keyVersion: 1, signing: hybridKeyPair(seedBytes(1, 64)), kem: sealedBoxKeyPair(seedBytes(2, 32)) };
  const worldPath = join(directory, 'world.db');
  const server = new SqliteStorage({ path: worldPath });
  const serverEngine = new Engine({ storage: server, clock, ids, serverKeys: keys, passwords: cheapPasswords });
  const bank = await seedDemoBank(serverEngine, ids, { clock });
  // Money for a busy day, then alice's limit back to the demo's $5,000.00 for the day itself.
  await mustWithApproval(serverEngine, 'vault.fund', { transferId: ids.next(), branchId: bank.branchId, money: usd(vaultFundingMinor) }, headTeller, operations);
  await mustWithApproval(serverEngine, 'vault.to_till', { transferId: ids.next(), tillId: bank.tillId, money: usd(tillFundingMinor) }, headTeller, serverTeller);
  const aliceLimit = (kind: 'cash' | 'transfer', perTransaction: bigint) =>
    mustWithApproval(serverEngine, 'limit.set', { holder: { user: 'alice' }, kind, currency: 'USD', perTransaction: perTransaction.toString(), perDay: busyDayMinor }, operations, admin);
  await aliceLimit('cash', accountFundingMinor);
  for (const accountId of bank.customers.flatMap((customer) => customer.accountIds)) {
    await must(serverEngine, 'cash.deposit', { transferId: ids.next(), sessionId: bank.sessionId, accountId, money: usd(accountFundingMinor) }, serverTeller);
  }
  // For the day itself: the demo's $5,000.00 a transaction, with a day's total far above a busy day's.
  await aliceLimit('cash', 500_000n);
  await aliceLimit('transfer', 500_000n);
  // Offline payouts of a whole busy day: the per-customer and per-teller day limits far above them.
  await mustWithApproval(
    serverEngine,
    'standin.set_policy',
    { branchId: bank.branchId, currency: 'USD', perTransaction: String(amountMaxMinor), perCustomerPerDay: '100000000000', perTellerPerDay: '100000000000', validForMs: 7 * 24 * 3600 * 1000 },
    operations,
    admin,
  );
  const signingSeed = seedBytes(100, 64);
  const kem = sealedBoxKeyPair(seedBytes(200, 32));
  await must(serverEngine, 'device.enrol', { deviceId, branchId: bank.branchId, publicKeys: hybridPublicKeysToJson(hybridKeyPair(signingSeed).publicKeys), kemPublicKey: encodeBase64url(kem.publicKey) }, admin);
  await must(serverEngine, 'device.approve', { deviceId }, secondAdmin);
  await must(serverEngine, 'device.register_user', { deviceId, username: 'alice' }, admin);

  const station = new SqliteStorage({ path: join(directory, 'station.db') });
  await WorkstationSync.initialise(station, {
    deviceId,
    branchId: bank.branchId,
    keyVersion: 1,
    signingSeed: encodeBase64url(signingSeed),
    kemSecretKey: encodeBase64url(kem.secretKey),
    serverPublicKeys: hybridPublicKeysToJson(keys.signing.publicKeys),
    serverKeyVersion: 1,
    serverKemPublicKey: encodeBase64url(keys.kem.publicKey),
  });
  const stationEngine = new Engine({ storage: station, clock, ids, ...WorkstationSync.engineOptions() });
  const pulled = await new WorkstationSync({ engine: stationEngine, storage: station, mirror: station.mirror, clock, transport: directTransport(() => serverEngine) }).pull();
  check(pulled === 'pulled', `the workstation's first pull: ${JSON.stringify(pulled)}`);
  await server.close();
  const pushPath = join(directory, 'push.db');
  const directPath = join(directory, 'direct.db');
  copyFileSync(worldPath, pushPath);
  copyFileSync(worldPath, directPath);

  const accounts = bank.customers.flatMap((customer) => customer.accountIds);
  const started = performance.now();
  const queued = await workOffline(stationEngine, station, clock, ids, bank.tillId, bank.sessionId, accounts);
  const mix = ['cash.deposit', 'cash.withdraw', 'transfer.internal'].map((name) => `${queued.filter((command) => command.name === name).length} ${name}`);
  log(`sync.push: setup ran ${queued.length} offline commands (${mix.join(', ')}) on the workstation in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { keys, clock, ids, station, stationEngine, queued, pushPath, directPath };
}

/**
 * The morning's counter work, every command valid: the generator keeps the customers' and the
 * till's balances as the books do and turns a payout or transfer the money does not cover into a
 * deposit, so nothing is refused on the workstation or on the server.
 */
async function workOffline(
  engine: Engine,
  station: SqliteStorage,
  clock: ManualClock,
  ids: SequentialIds,
  tillId: Id128,
  sessionId: Id128,
  accounts: readonly Id128[],
): Promise<Queued[]> {
  const random = seededRandom(7);
  const tillAccountId = await station.read(async (tx) => (await tx.banking.get('till', tillId))!.accountId);
  const ledger = await station.read((tx) => tx.ledger.accounts([tillAccountId, ...accounts]));
  const balance = new Map<string, bigint>();
  for (const account of ledger) {
    // A customer's account holds credits; the till's cash is its debits. No overdraft is used.
    balance.set(account.id, account.id === tillAccountId ? account.debitsPosted - account.creditsPosted : account.creditsPosted - account.debitsPosted);
  }
  const add = (id: string, delta: bigint) => balance.set(id, balance.get(id)! + delta);
  const queued: Queued[] = [];
  for (let index = 0; index < commandCount; index += 1) {
    clock.advance(1000 + random(2000));
    const amount = BigInt(1 + random(amountMaxMinor));
    const money = usd(amount);
    // In the rush: half payouts, a fifth deposits, the rest transfers; then deposits and transfers.
    const roll = random(100);
    const rush = index < rushCommands;
    const withdraw = rush && roll < 50;
    const transfer = rush ? roll >= 70 : roll >= 55;
    const account = accounts[random(accounts.length)]!;
    let command: Queued;
    if (withdraw && balance.get(account)! >= amount && balance.get(tillAccountId)! >= amount) {
      command = { name: 'cash.withdraw', input: { transferId: ids.next(), sessionId, accountId: account, money }, atMs: clock.nowMs() };
      add(account, -amount);
      add(tillAccountId, -amount);
    } else if (transfer && balance.get(account)! >= amount) {
      const other = accounts[(accounts.indexOf(account) + 1 + random(accounts.length - 1)) % accounts.length]!;
      command = { name: 'transfer.internal', input: { transferId: ids.next(), fromAccountId: account, toAccountId: other, money }, atMs: clock.nowMs() };
      add(account, -amount);
      add(other, amount);
    } else {
      command = { name: 'cash.deposit', input: { transferId: ids.next(), sessionId, accountId: account, money }, atMs: clock.nowMs() };
      add(account, amount);
      add(tillAccountId, amount);
    }
    const result = await engine.executeAny(command.name, command.input, teller);
    check(result.ok, `offline command ${index} (${command.name}) runs on the workstation: ${result.ok ? '' : `${result.code}: ${result.message}`}`);
    queued.push(command);
  }
  return queued;
}

interface Timing {
  pushMs: number;
  serverMs: number;
  directMs: number;
}

async function measure(): Promise<Figure> {
  const directory = temporaryDirectory('qenex-bench-sync-');
  const opened: SqliteStorage[] = [];
  try {
    const setup = await setUp(directory.path);
    opened.push(setup.station);
    const { clock, ids, keys, station, stationEngine, queued } = setup;
    const pushServer = new SqliteStorage({ path: setup.pushPath });
    opened.push(pushServer);
    const directServer = new SqliteStorage({ path: setup.directPath });
    opened.push(directServer);
    // The server's clock runs on after the morning; the baseline runs each command at its own time.
    const serverClock = new ManualClock(clock.nowMs() + 60_000);
    const pushEngine = new Engine({ storage: pushServer, clock: serverClock, ids, serverKeys: keys, passwords: cheapPasswords });
    const directClock = new ManualClock(startMs);
    const directEngine = new Engine({ storage: directServer, clock: directClock, ids, serverKeys: keys, passwords: cheapPasswords });
    const timing: Timing = { pushMs: 0, serverMs: 0, directMs: 0 };
    const serverMs = { total: 0 };
    const sync = new WorkstationSync({ engine: stationEngine, storage: station, mirror: station.mirror, clock, transport: directTransport(() => pushEngine, serverMs) });

    const pushOne = async (): Promise<boolean> => {
      const start = performance.now();
      const pushed = await sync.push();
      timing.pushMs += performance.now() - start;
      if (pushed === 'nothing_to_send') return false;
      check(pushed === 'answered', `a batch is answered: ${JSON.stringify(pushed)}`);
      return true;
    };
    const directSlice = async (slice: readonly Queued[]): Promise<void> => {
      for (const command of slice) {
        directClock.set(command.atMs);
        const start = performance.now();
        const result = await directEngine.executeAny(command.name, command.input, teller);
        timing.directMs += performance.now() - start;
        check(result.ok, `${command.name} runs directly on the server: ${result.ok ? '' : `${result.code}: ${result.message}`}`);
      }
    };
    let batches = 0;
    for (let offset = 0; offset < queued.length; offset += batchCommandsMax) {
      const slice = queued.slice(offset, offset + batchCommandsMax);
      if (batches % 2 === 0) {
        check(await pushOne(), 'the outbox holds the batch');
        await directSlice(slice);
      } else {
        await directSlice(slice);
        check(await pushOne(), 'the outbox holds the batch');
      }
      batches += 1;
    }
    check(!(await pushOne()), 'the outbox is empty after every command was pushed');
    timing.serverMs = serverMs.total;
    log(
      `sync.push: ${batches} batches; push ${timing.pushMs.toFixed(0)} ms (server sync.push ${timing.serverMs.toFixed(0)} ms, ` +
        `workstation ${(timing.pushMs - timing.serverMs).toFixed(0)} ms), direct ${timing.directMs.toFixed(0)} ms for ${queued.length} commands`,
    );

    await checkInvariants(station, pushServer, directServer, queued.length);
    return throughput('sync.push', 'commands/s', queued.length, timing.pushMs / 1000, queued.length, timing.directMs / 1000, baselineName);
  } finally {
    for (const storage of opened) await storage.close();
    directory.dispose();
  }
}

async function checkInvariants(station: SqliteStorage, pushServer: SqliteStorage, directServer: SqliteStorage, count: number): Promise<void> {
  const entries = await station.read((tx) => tx.banking.list('outboxEntry', '', count + 1));
  check(entries.length === count, `the outbox holds ${entries.length} entries, ${count} commands ran`);
  const notAccepted = entries.filter((entry) => entry.status !== 'accepted');
  check(notAccepted.length === 0, `${notAccepted.length} outbox entries are not accepted (first: ${JSON.stringify(notAccepted[0])})`);
  const transferIds = entries.map((entry) => entry.transferId as Id128);
  const onServer = await pushServer.read((tx) => tx.ledger.transfers(transferIds));
  check(onServer.length === count, `${onServer.length} of the ${count} accepted transfers are on the server`);

  for (const [who, storage] of [['pushed server', pushServer], ['direct server', directServer], ['workstation', station]] as const) {
    const totals = await storage.read((tx) => tx.ledger.ledgerTotals());
    check(totals.length > 0, `${who}: has ledgers`);
    for (const total of totals) {
      check(total.debitsPosted === total.creditsPosted, `${who}: Σdebits = Σcredits (posted) in ledger ${total.ledger}`);
      check(total.debitsPending === total.creditsPending, `${who}: Σdebits = Σcredits (pending) in ledger ${total.ledger}`);
    }
    // The workstation's copy of the branch holds the server's balances, not its transfers.
    if (who !== 'workstation') {
      const off = accountsOff(storage.db);
      check(off === 0, `${who}: ${off} account balances differ from their stored transfers`);
    }
  }
  const pushed = balances(pushServer.db);
  const direct = balances(directServer.db);
  check(pushed.length === direct.length, `the pushed server has ${pushed.length} accounts, the direct one ${direct.length}`);
  for (const [index, account] of pushed.entries()) {
    const other = direct[index]!;
    check(account.id === other.id, `account ${account.id} exists on both servers`);
    check(
      account.dp === other.dp && account.dP === other.dP && account.cp === other.cp && account.cP === other.cP,
      `account ${account.id} has the same balances after the push as after direct execution`,
    );
  }
  const transfers = (db: Database.Database) => Number(db.prepare('SELECT count(*) FROM transfers').pluck().get() as bigint);
  check(transfers(pushServer.db) === transfers(directServer.db), 'both servers hold as many transfers');
}

function balances(db: Database.Database): Array<{ id: string; dp: bigint; dP: bigint; cp: bigint; cP: bigint }> {
  return db
    .prepare('SELECT id, debits_pending AS dp, debits_posted AS dP, credits_pending AS cp, credits_posted AS cP FROM accounts ORDER BY id')
    .all() as Array<{ id: string; dp: bigint; dP: bigint; cp: bigint; cP: bigint }>;
}

/** Accounts whose posted balances differ from the sum of the posted transfers stored against them. */
function accountsOff(db: Database.Database): number {
  return Number(
    db
      .prepare(
        `SELECT count(*) FROM accounts a
          WHERE a.debits_posted != (SELECT coalesce(sum(amount), 0) FROM transfers t WHERE t.debit_account_id = a.id AND t.pending_status = 0 AND t.pending_id IS NULL)
             OR a.credits_posted != (SELECT coalesce(sum(amount), 0) FROM transfers t WHERE t.credit_account_id = a.id AND t.pending_status = 0 AND t.pending_id IS NULL)`,
      )
      .pluck()
      .get() as bigint,
  );
}

export const syncBenchmarks: readonly Benchmark[] = [{ name: 'sync.push', run: measure }];
