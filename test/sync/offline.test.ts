import {
  Engine,
  ManualClock,
  SequentialIds,
  deviceKeyId,
  encodeBase64url,
  hybridKeyPair,
  hybridPublicKeysToJson,
  sealedBoxKeyPair,
  signRequest,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceCtx, openBranch, world, type OpenedBranch, type World } from './simulation';

describe('offline branch work against the central server', () => {
  let w: World;
  let server: SqliteStorage;
  let serverEngine: Engine;
  let clock: ManualClock;
  let ids: SequentialIds;
  let branch: OpenedBranch;
  let stations: OpenedBranch['stations'];

  beforeEach(async () => {
    w = await world(2);
    clock = new ManualClock(Date.UTC(2026, 10, 25, 9));
    ids = new SequentialIds(clock, 91);
    branch = openBranch(w, clock, ids);
    ({ server, serverEngine, stations } = branch);
  });
  afterEach(() => branch.close());

  const amara = () => w.bank.customers[0]!.accountIds[0]!;
  const withdraw = (index: number, amount: string) =>
    stations[index]!.engine.executeAny(
      'cash.withdraw',
      { transferId: ids.next(), sessionId: w.sessionIds[index]!, accountId: amara(), money: { amount, currency: 'USD' } },
      { actor: index === 0 ? 'alice' : 'tom', roles: ['teller'], deviceId: `ws-${index}` },
    );

  it('compensates a payout the server refuses: booked to offline exceptions, seen by the branch and compliance, books balanced', async () => {
    // Amara has 1,500.00 and a 500.00 overdraft. Two tellers, each offline, pay her 1,500.00.
    const auditBefore = Number(server.db.prepare('SELECT max(seq) FROM audit_log').pluck().get());
    expect(await withdraw(0, '150000')).toMatchObject({ ok: true });
    expect(await withdraw(1, '150000')).toMatchObject({ ok: true });
    expect(await stations[0]!.sync.push()).toBe('answered');
    expect(await stations[1]!.sync.push()).toBe('answered');
    const outbox = await stations[1]!.storage.read((tx) => tx.banking.list('outboxEntry', '', 10));
    expect(outbox).toMatchObject([{ status: 'compensated', code: 'insufficient_funds' }]);

    const [account] = await server.read((tx) => tx.ledger.accounts([amara()]));
    expect(account!.creditsPosted - account!.debitsPosted).toBe(0n); // only the first payout reached her account
    const exceptions = await serverEngine.executeAny('sync.exceptions', { branchId: w.bank.branchId }, { actor: 'carol', roles: ['compliance_officer'], deviceId: 'x' });
    expect(exceptions).toMatchObject({ ok: true, value: [{ command: 'cash.withdraw', actor: 'tom', code: 'insufficient_funds', amountMinor: 150000n, status: 'open' }] });
    const totals = await server.read((tx) => tx.ledger.ledgerTotals());
    expect(totals.every((total) => total.debitsPosted === total.creditsPosted)).toBe(true);
    const audit = server.db.prepare(`SELECT actor, command, outcome FROM audit_log WHERE command = 'cash.withdraw' AND seq > ? ORDER BY seq`).all(auditBefore);
    expect(audit).toEqual([
      { actor: 'alice', command: 'cash.withdraw', outcome: 'ok' },
      { actor: 'tom', command: 'cash.withdraw', outcome: 'insufficient_funds' },
    ]);

    // After a pull, the second branch's teller and head teller see the exception and the true balance.
    expect(await stations[1]!.sync.pull()).toBe('pulled');
    const local = await stations[1]!.storage.read((tx) => tx.banking.list('syncException', '', 10));
    expect(local).toHaveLength(1);
    const [mirrored] = await stations[1]!.storage.read((tx) => tx.ledger.accounts([amara()]));
    expect(mirrored!.creditsPosted - mirrored!.debitsPosted).toBe(0n);
  });

  it('holds offline payouts to the stand-in limit per customer and day', async () => {
    // The branch's policy: 3,000.00 per payout, 4,000.00 per customer per day (deposits are not limited).
    const deposit = await stations[0]!.engine.executeAny(
      'cash.deposit',
      { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId: amara(), money: { amount: '600000', currency: 'USD' } },
      { actor: 'alice', roles: ['teller'], deviceId: 'ws-0' },
    );
    expect(deposit).toMatchObject({ ok: true });
    expect(await withdraw(0, '250000')).toMatchObject({ ok: true });
    const held = await withdraw(0, '300001');
    expect(held).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'stand_in', limit: 'per_transaction', checker: 'till.supervise' } });
    expect(await withdraw(0, '150001')).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'stand_in', limit: 'per_customer_per_day' } });
    expect(await withdraw(0, '150000')).toMatchObject({ ok: true });
    const queued = await stations[0]!.storage.read((tx) => tx.banking.list('outboxEntry', '', 10));
    expect(queued.map((entry) => entry.name)).toEqual(['cash.deposit', 'cash.withdraw', 'cash.withdraw']);
    // The head teller at the counter approves the first held payout: it is paid and queued with his name.
    const approvalId = held.ok ? '' : String(held.details?.approvalId);
    const bob = { actor: 'bob', roles: ['head_teller'], deviceId: 'ws-0' };
    const decided = await stations[0]!.engine.executeAny('approval.decide', { approvalId, decision: 'approve' }, bob);
    expect(decided, JSON.stringify(decided)).toMatchObject({ ok: true });
    const after = await stations[0]!.storage.read((tx) => tx.banking.list('outboxEntry', '', 10));
    expect(after.at(-1)).toMatchObject({ name: 'cash.withdraw', actor: 'alice', approvedBy: 'bob', status: 'pending' });
    // The server cannot verify an approval given at the counter (the batch is the workstation's signature,
    // not bob's): it decides the payout as if nobody had agreed. Beyond offline authority, nothing is
    // booked; an exception naming bob goes to the branch and compliance, and the till count will show it.
    expect(await stations[0]!.sync.push()).toBe('answered');
    const settled = await stations[0]!.storage.read((tx) => tx.banking.list('outboxEntry', '', 10));
    expect(settled.map((entry) => entry.status)).toEqual(['accepted', 'accepted', 'accepted', 'rejected']);
    expect(settled.at(-1)!.message).toMatch(/bob approved it at the counter; the server cannot verify/);
    const exceptions = await server.read((tx) => tx.banking.findBy('syncException', 'open', w.bank.branchId, 10));
    expect(exceptions).toContainEqual(expect.objectContaining({ actor: 'alice', amountMinor: 300001n, compensationTransferId: null }));
  });

  it('rotates a device key: the new key works, the old one is refused from then on', async () => {
    const state = await stations[0]!.storage.read((tx) => tx.banking.get('workstation', 'local'));
    const oldKeys = hybridKeyPair(Buffer.from(state!.signingSeed, 'base64url'));
    const nextSeed = new Uint8Array(64).fill(42);
    const next = hybridKeyPair(nextSeed);
    const kem = sealedBoxKeyPair(new Uint8Array(32).fill(43));
    const request = signRequest(
      'rotate_keys',
      { deviceId: 'ws-0', publicKeys: { ...hybridPublicKeysToJson(next.publicKeys) }, kemPublicKey: encodeBase64url(kem.publicKey), atMs: clock.nowMs(), nonce: 'rotation-nonce-0000000001' },
      { keyId: deviceKeyId('ws-0', 1), secretKeys: oldKeys.secretKeys },
    );
    // Asked with the old keys; nothing changes until an administrator approves (a copied key file cannot lock the workstation out).
    expect(await serverEngine.executeAny('device.rotate_keys', { message: request }, deviceCtx)).toMatchObject({ ok: true, value: { status: 'pending', device: { keyVersion: 1 } } });
    const rotated = await serverEngine.executeAny('device.approve_rotation', { deviceId: 'ws-0' }, { actor: 'adam', roles: ['admin'], deviceId: 'server' });
    expect(rotated).toMatchObject({ ok: true, value: { device: { keyVersion: 2 } } });
    // The workstation still signs with version 1: refused, and nothing applied.
    await withdraw(0, '1000');
    expect(await stations[0]!.sync.push()).toMatchObject({ ok: false, code: 'unknown_key' });
    await stations[0]!.storage.transaction(async (tx) => {
      const current = (await tx.banking.get('workstation', 'local'))!;
      await tx.banking.put('workstation', { ...current, keyVersion: 2, signingSeed: encodeBase64url(nextSeed), kemSecretKey: encodeBase64url(kem.secretKey), inflight: null });
    });
    expect(await stations[0]!.sync.push()).toBe('answered');
    expect(await stations[0]!.sync.pull()).toBe('pulled');
  });
});
