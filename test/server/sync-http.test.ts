import { Engine, ManualClock, SequentialIds, WorkstationSync, encodeBase64url, type Id128, hybridKeyPair, hybridPublicKeysToJson, sealedBoxKeyPair } from '@qenex/engine';
import { HttpSyncTransport } from '@qenex/engine/http';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestDatabase, startTestServer, type TestServer } from './harness';

/** A workstation on SQLite enrols with the real server and syncs over HTTP: the product's path end to end. */
describe('workstation sync over HTTP against the real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
    await dropTestDatabase();
  });

  it('enrols, pulls its branch, takes a deposit offline, pushes it, and sees the server agree', async () => {
    const signingSeed = new Uint8Array(64).fill(11);
    const signing = hybridKeyPair(signingSeed);
    const kem = sealedBoxKeyPair(new Uint8Array(32).fill(12));
    const admin = await t.signIn('adam');
    const olivia = await t.signIn('olivia');
    const branchId = (await t.request('GET', '/api/v1/branches', { token: olivia })).body[0].id as Id128;
    const enrol = await t.request('POST', '/api/v1/devices', {
      token: admin,
      body: { deviceId: 'ws-http', branchId, publicKeys: hybridPublicKeysToJson(signing.publicKeys), kemPublicKey: encodeBase64url(kem.publicKey) },
    });
    expect(enrol.status).toBe(201);
    expect((await t.request('POST', '/api/v1/devices/ws-http/approval', { token: admin, body: {} })).body).toMatchObject({ code: 'checker_must_differ' });
    const approved = await t.server.engine.executeAny('device.approve', { deviceId: 'ws-http' }, { actor: 'ada', roles: ['admin'], deviceId: 'test' });
    expect(approved.ok).toBe(true);
    const policy = await t.request('POST', '/api/v1/stand-in-policies', {
      token: olivia,
      body: { branchId, currency: 'USD', perTransaction: '100000', perCustomerPerDay: '200000', perTellerPerDay: '500000', validForMs: 86_400_000 },
    });
    // Offline authority is itself under maker-checker: operations asks, an administrator agrees.
    expect(policy.status).toBe(202);
    const decided = await t.request('POST', `/api/v1/approvals/${policy.body.approvalId}/decision`, { token: admin, body: { decision: 'approve' } });
    expect(decided.status).toBe(200);
    // The server replays this workstation's commands only as its registered users.
    const registered = await t.request('POST', '/api/v1/devices/ws-http/users', { token: admin, body: { username: 'alice' } });
    expect(registered.status).toBe(201);
    const serverKeys = (await t.request('GET', '/api/v1/server-keys')).body;

    const storage = new SqliteStorage({ path: ':memory:' });
    const clock = new ManualClock(Date.now());
    const ids = new SequentialIds(clock, 5);
    const engine = new Engine({ storage, clock, ids, ...WorkstationSync.engineOptions() });
    await WorkstationSync.initialise(storage, {
      deviceId: 'ws-http',
      branchId,
      keyVersion: 1,
      signingSeed: encodeBase64url(signingSeed),
      kemSecretKey: encodeBase64url(kem.secretKey),
      serverPublicKeys: serverKeys.publicKeys,
      serverKeyVersion: 1,
      serverKemPublicKey: serverKeys.kemPublicKey,
    });
    const sync = new WorkstationSync({ engine, storage, mirror: storage.mirror, clock, transport: new HttpSyncTransport(t.url) });
    expect(await sync.pull()).toBe('pulled');

    const alice = { actor: 'alice', roles: ['teller'], deviceId: 'ws-http' };
    const session = await engine.executeAny('till.current_session', {}, alice);
    expect(session.ok).toBe(true);
    const sessionId = (session as { value: { session: { id: string } } }).value.session.id;
    const customers = await engine.executeAny('customer.search', { limit: 10 }, alice);
    const customerId = (customers as { value: Array<{ id: string }> }).value[0]!.id;
    const accounts = await engine.executeAny('customer.get', { customerId }, alice);
    const accountId = (accounts as { value: { accounts: Array<{ id: string; productId: string }> } }).value.accounts.find((a) => a.productId === 'CURRENT-USD')!.id;
    const deposit = await engine.executeAny('cash.deposit', { transferId: ids.next(), sessionId, accountId, money: { amount: '4321', currency: 'USD' } }, alice);
    expect(deposit).toMatchObject({ ok: true });

    expect(await sync.sync()).toBe('synced');
    const outbox = await storage.read((tx) => tx.banking.list('outboxEntry', '', 10));
    expect(outbox).toMatchObject([{ status: 'accepted' }]);
    const server = await t.request('GET', `/api/v1/accounts/${accountId}`, { token: olivia });
    const local = await engine.executeAny('account.get', { accountId }, alice);
    expect((local as { value: { balances: unknown } }).value.balances).toEqual(server.body.balances);
    await storage.close();
  });
});
