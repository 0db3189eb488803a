/**
 * Findings about what a workstation is sent and what it accepts, on the engine over SQLite (and,
 * for the two stores' agreement, PostgreSQL too): each failed before its fix.
 */
import {
  Engine,
  ManualClock,
  SequentialIds,
  WorkstationSync,
  deviceKeyId,
  hybridKeyPair,
  limitRuleId,
  sealPush,
  signRequest,
  type Context,
  type PushBatch,
  type SignedEnvelope,
  type SyncTransport,
} from '@qenex/engine';
import { PostgresStorage, PostgresTestDatabase } from '@qenex/engine/postgres';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cheapPasswords, deviceCtx, deviceKeys, serverKeys, world, type World } from '../sync/simulation';

describe('findings: a workstation and its server', () => {
  let w: World;
  let server: SqliteStorage;
  let station: SqliteStorage;
  let engine: Engine;
  let clock: ManualClock;
  let ids: SequentialIds;
  /** Every pull answer the network carried, so a test can play an old one back. */
  let answers: unknown[];

  beforeEach(async () => {
    w = await world(1);
    clock = new ManualClock(Date.UTC(2026, 10, 25, 9));
    ids = new SequentialIds(clock, 61);
    server = new SqliteStorage({ path: ':memory:', image: w.serverImage });
    station = new SqliteStorage({ path: ':memory:', image: w.stationImages[0]! });
    engine = new Engine({ storage: server, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords });
    answers = [];
  });
  afterEach(async () => {
    await station.close();
    await server.close();
  });

  function workstation(replayOldAnswer = false) {
    const transport: SyncTransport = {
      push: async (message) => relay('sync.push', message),
      pull: async (message) => {
        const result = await relay('sync.pull', message);
        if (result.ok) answers.push(result.body);
        return replayOldAnswer && answers.length > 0 ? { ok: true, body: answers[0] } : result;
      },
    };
    const counter = new Engine({ storage: station, clock, ids, ...WorkstationSync.engineOptions() });
    return { counter, sync: new WorkstationSync({ engine: counter, storage: station, mirror: station.mirror, clock, transport }) };
  }

  async function relay(name: string, message: unknown) {
    const result = await engine.executeAny(name, { message }, deviceCtx);
    return result.ok ? ({ ok: true, body: result.value } as const) : ({ ok: false, code: result.code, message: result.message } as const);
  }

  const signer = () => ({ keyId: deviceKeyId('ws-0', 1), secretKeys: hybridKeyPair(deviceKeys(0).signingSeed).secretKeys });
  const tina: Context = { actor: 'alice', roles: ['teller'], deviceId: 'ws-0' };
  const amara = () => w.bank.customers[0]!.accountIds[0]!;
  const localBalance = async () => {
    const [account] = await station.read((tx) => tx.ledger.accounts([amara()]));
    return account!.creditsPosted - account!.debitsPosted;
  };

  it('5a. an old pull answer played back is refused: it is not for this request, and would move the cursor back', async () => {
    const { counter, sync } = workstation();
    expect(await sync.pull()).toBe('pulled');
    const deposit = await counter.executeAny('cash.deposit', { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId: amara(), money: { amount: '12345', currency: 'USD' } }, tina);
    expect(deposit.ok).toBe(true);
    expect(await sync.sync()).toBe('synced');
    const after = await localBalance();
    const replaying = workstation(true);
    expect(await replaying.sync.pull()).toMatchObject({ ok: false, code: 'reply_not_for_request' });
    expect(await localBalance()).toBe(after);
  });

  it('5b. a signed request outside the freshness window, or with a nonce seen before, is refused', async () => {
    const stale = signRequest('pull', { deviceId: 'ws-0', cursor: '0', atMs: clock.nowMs() - 10 * 60 * 1000, nonce: 'stale-request-nonce-0001' }, signer());
    expect(await engine.executeAny('sync.pull', { message: stale }, deviceCtx)).toMatchObject({ ok: false, code: 'request_stale' });
    const fresh = signRequest('pull', { deviceId: 'ws-0', cursor: '0', atMs: clock.nowMs(), nonce: 'fresh-request-nonce-0001' }, signer());
    expect(await engine.executeAny('sync.pull', { message: fresh }, deviceCtx)).toMatchObject({ ok: true });
    expect(await engine.executeAny('sync.pull', { message: fresh }, deviceCtx)).toMatchObject({ ok: false, code: 'nonce_reused' });
  });

  it("11e. a compensation never books against a till of another branch that the device names", async () => {
    // Another branch with a till in session: a device of branch 0001 names that session.
    const olivia = { actor: 'olivia', roles: ['operations'], deviceId: 'server' };
    const otherBranch = ids.next();
    const otherTill = ids.next();
    const otherSession = ids.next();
    expect((await engine.executeAny('branch.create', { branchId: otherBranch, code: '0777', name: 'Elsewhere', currencies: ['USD'] }, olivia)).ok).toBe(true);
    expect((await engine.executeAny('till.create', { tillId: otherTill, branchId: otherBranch, code: 'X1', currency: 'USD' }, olivia)).ok).toBe(true);
    await server.transaction(async (tx) => {
      await tx.banking.put('user', { id: 'otto', displayName: 'Otto', roles: ['teller'], passwordHash: 'x', status: 'active', branchId: otherBranch, createdAtMs: 0 });
    });
    expect((await engine.executeAny('till.open_session', { sessionId: otherSession, tillId: otherTill, count: {} }, { actor: 'otto', roles: ['teller'], deviceId: 'x' })).ok).toBe(true);
    const tillAccount = (await server.read((tx) => tx.banking.get('till', otherTill)))!.accountId;
    const tillBefore = (await server.read((tx) => tx.ledger.accounts([tillAccount])))[0]!;
    const batch: PushBatch = {
      deviceId: 'ws-0',
      batchSeq: 1,
      prevDigest: '',
      commands: [{ seq: 1, name: 'cash.deposit', input: { transferId: ids.next(), sessionId: otherSession, accountId: amara(), money: { amount: '5000', currency: 'USD' } }, actor: 'alice', roles: [], atMs: clock.nowMs() }],
    };
    const pushed = await engine.executeAny('sync.push', { message: sealPush(batch, signer(), serverKeys().kem.publicKey) }, deviceCtx);
    expect(pushed.ok).toBe(true);
    const verdicts = (pushed as { value: { answer: SignedEnvelope } }).value.answer.payload as { verdicts: Array<{ status: string }> };
    // The session is not one of this device's branch: nothing is booked anywhere; an exception says what the device claimed.
    expect(verdicts.verdicts[0]!.status).toBe('rejected');
    const exceptions = await server.read((tx) => tx.banking.findBy('syncException', 'open', w.bank.branchId, 10));
    expect(exceptions).toContainEqual(expect.objectContaining({ command: 'cash.deposit', compensationTransferId: null }));
    const tillAfter = (await server.read((tx) => tx.ledger.accounts([tillAccount])))[0]!;
    expect({ debits: tillAfter.debitsPosted, credits: tillAfter.creditsPosted }).toEqual({ debits: tillBefore.debitsPosted, credits: tillBefore.creditsPosted });
  });

  it("11f. a workstation is sent its own users and their limits, never every teller's of the bank", async () => {
    await server.transaction(async (tx) => {
      await tx.banking.put('user', { id: 'zed', displayName: 'Zed', roles: ['teller'], passwordHash: 'x', status: 'active', branchId: null, createdAtMs: 0 });
      const holder = { user: 'zed' };
      await tx.banking.put('limitRule', { id: limitRuleId(holder, 'cash', 'USD'), holder, kind: 'cash', currency: 'USD', perTransactionMinor: 1n, perDayMinor: 1n });
    });
    const { sync } = workstation();
    expect(await sync.pull()).toBe('pulled');
    const users = await station.read((tx) => tx.banking.list('user', '', 1000));
    const limits = await station.read((tx) => tx.banking.list('limitRule', '', 1000));
    expect(users.map((user) => user.id)).not.toContain('zed');
    expect(users.every((user) => user.passwordHash === '')).toBe(true);
    expect(limits.map((limit) => limit.id)).not.toContain(limitRuleId({ user: 'zed' }, 'cash', 'USD'));
  });
});

describe('finding 10: SQLite and PostgreSQL answer bad input alike', () => {
  const database = new PostgresTestDatabase();
  afterAll(async () => database.drop());

  it('a NUL byte in a search, a sign-in and an id gets the same refusal from both stores, and neither changes', async () => {
    const answersOf = async (storage: SqliteStorage | PostgresStorage) => {
      const clock = new ManualClock(Date.UTC(2026, 10, 25, 9));
      const engine = new Engine({ storage, clock, ids: new SequentialIds(clock, 3), passwords: cheapPasswords });
      const alice = { actor: 'alice', roles: ['teller'], deviceId: 'x' };
      const answers = [
        await engine.executeAny('customer.search', { fullName: 'Am\u0000ara', limit: 5 }, alice),
        await engine.executeAny('session.create', { username: 'al\u0000ice', password: 'Qenex-Demo-2026!', deviceId: 'x' }, { actor: 'anonymous', roles: [], deviceId: 'x' }),
        await engine.executeAny('account.get', { accountId: '\u0000' }, alice),
      ];
      await storage.close();
      return answers.map((answer) => (answer.ok ? 'ok' : answer.code));
    };
    const sqlite = await answersOf(new SqliteStorage({ path: ':memory:' }));
    const postgres = await answersOf(await PostgresStorage.open({ connectionString: await database.url(), schema: `nul_${process.pid}` }));
    expect(sqlite).toEqual(postgres);
    expect(sqlite).toEqual(['control_character', 'control_character', 'control_character']);
  });
});
