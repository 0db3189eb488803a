/**
 * What a hostile review of the admission path found, each closed: a copied key file that names a
 * head teller, counter times moved into the past, compensation for cash an honest workstation
 * could not have moved, key rotation by the key holder alone, a rate walked away in small steps,
 * a customer of another branch read through registration, personal data in the audit log, users
 * named like the callers that are no user.
 */
import {
  Engine,
  ManualClock,
  SequentialIds,
  deviceKeyId,
  hybridKeyPair,
  sealPush,
  signRequest,
  type Context,
  type PushBatch,
  type Verdict,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cheapPasswords, deviceCtx, deviceKeys, serverKeys, world, type World } from '../sync/simulation';

describe('review: a workstation key file in the wrong hands', () => {
  let w: World;
  let server: SqliteStorage;
  let engine: Engine;
  let clock: ManualClock;
  let ids: SequentialIds;
  let batchSeq = 0;
  let commandSeq = 0;
  let lastDigest = '';

  beforeEach(async () => {
    w = await world(1);
    clock = new ManualClock(Date.UTC(2026, 10, 25, 9));
    ids = new SequentialIds(clock, 71);
    server = new SqliteStorage({ path: ':memory:', image: w.serverImage });
    engine = new Engine({ storage: server, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords });
    batchSeq = 0;
    commandSeq = 0;
    lastDigest = '';
    // The thief's copy holds a current chain: start it where the real workstation's stands.
    const device = (await server.read((tx) => tx.banking.get('device', 'ws-0')))!;
    batchSeq = device.lastBatchSeq;
    commandSeq = device.lastCommandSeq;
    lastDigest = device.lastBatchDigest;
  });
  afterEach(async () => server.close());

  const signer = () => ({ keyId: deviceKeyId('ws-0', 1), secretKeys: hybridKeyPair(deviceKeys(0).signingSeed).secretKeys });
  const accountOf = (n: number) => w.bank.customers[n]!.accountIds[0]!;
  const balance = async (accountId: string) => {
    const [account] = await server.read((tx) => tx.ledger.accounts([accountId as never]));
    return account!.creditsPosted - account!.debitsPosted;
  };
  async function push(commands: Array<{ name: string; input: Record<string, unknown>; actor?: string; approvedBy?: string; atMs?: number }>): Promise<Verdict[]> {
    batchSeq += 1;
    const batch: PushBatch = {
      deviceId: 'ws-0',
      batchSeq,
      prevDigest: lastDigest,
      commands: commands.map((command) => ({
        seq: (commandSeq += 1),
        name: command.name,
        input: command.input as never,
        actor: command.actor ?? 'alice',
        roles: [],
        atMs: command.atMs ?? clock.nowMs(),
        ...(command.approvedBy === undefined ? {} : { approvedBy: command.approvedBy }),
      })),
    };
    const pushed = await engine.executeAny('sync.push', { message: sealPush(batch, signer(), serverKeys().kem.publicKey) }, deviceCtx);
    if (!pushed.ok) throw new Error(`${pushed.code}: ${pushed.message}`);
    const payload = (pushed.value as { answer: { payload: { verdicts: Verdict[]; batchDigest: string } } }).answer.payload;
    lastDigest = payload.batchDigest;
    return payload.verdicts;
  }
  const usd = (amount: string) => ({ amount, currency: 'USD' });

  it('a head teller named in the batch is not a second person: over the limit, the deposit waits at the server and nothing moves', async () => {
    const before = await balance(accountOf(2));
    const [verdict] = await push([{ name: 'cash.deposit', input: { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId: accountOf(2), money: usd('100000000') }, approvedBy: 'bob' }]);
    expect(verdict).toMatchObject({ status: 'held', code: 'approval_required' });
    expect((verdict as { message: string }).message).toMatch(/bob approved it at the counter; the server cannot verify/);
    expect(await balance(accountOf(2))).toBe(before);
  });

  it('counter times before the workstation last declared its queue are not believed, so the day limits cannot be spread over the past', async () => {
    // The real workstation pulls (declaring its queue's head); then forged commands claim earlier days.
    const request = signRequest('pull', { deviceId: 'ws-0', cursor: '0', atMs: clock.nowMs(), nonce: 'review-pull-nonce-000001', outboxSeq: commandSeq }, signer());
    expect((await engine.executeAny('sync.pull', { message: request }, deviceCtx)).ok).toBe(true);
    const day = 24 * 3600 * 1000;
    const verdicts = await push(
      [3, 2, 1].map((daysBack) => ({ name: 'transfer.internal', input: { transferId: ids.next(), fromAccountId: accountOf(2), toAccountId: accountOf(0), money: usd('1000') }, atMs: clock.nowMs() - daysBack * day })),
    );
    expect(verdicts.map((verdict) => (verdict.status === 'accepted' ? 'accepted' : verdict.code))).toEqual(['occurred_before_last_sync', 'occurred_before_last_sync', 'occurred_before_last_sync']);
  });

  it('a payout refused for who made it is not compensated: nothing is booked against the till, and an exception says what was claimed', async () => {
    const tillAccount = (await server.read(async (tx) => tx.banking.get('till', (await tx.banking.get('tillSession', w.sessionIds[0]!))!.tillId)))!.accountId;
    const [till] = await server.read((tx) => tx.ledger.accounts([tillAccount]));
    const [verdict] = await push([{ name: 'cash.withdraw', input: { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId: accountOf(0), money: usd('100') }, actor: 'nobody' }]);
    expect(verdict).toMatchObject({ status: 'rejected', code: 'user_unknown', exceptionId: expect.any(String) });
    const [after] = await server.read((tx) => tx.ledger.accounts([tillAccount]));
    expect(after!.creditsPosted).toBe(till!.creditsPosted);
    const exceptions = await server.read((tx) => tx.banking.findBy('syncException', 'open', w.bank.branchId, 10));
    expect(exceptions).toContainEqual(expect.objectContaining({ actor: 'nobody', compensationTransferId: null }));
  });

  it('new keys signed with the current ones wait for an administrator: the key holder alone cannot lock the workstation out', async () => {
    const next = hybridKeyPair(new Uint8Array(64).fill(9));
    const request = signRequest('rotate_keys', { deviceId: 'ws-0', atMs: clock.nowMs(), nonce: 'review-rotation-000000001', publicKeys: { mlDsa65: Buffer.from(next.publicKeys.mlDsa65).toString('base64url'), ed25519: Buffer.from(next.publicKeys.ed25519).toString('base64url') }, kemPublicKey: Buffer.from(deviceKeys(0).kem.publicKey).toString('base64url') }, signer());
    expect(await engine.executeAny('device.rotate_keys', { message: request }, deviceCtx)).toMatchObject({ ok: true, value: { status: 'pending' } });
    // The real workstation still pushes with its keys.
    expect(await push([{ name: 'cash.deposit', input: { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId: accountOf(0), money: usd('100') } }])).toMatchObject([{ status: 'accepted' }]);
  });
});

describe('review: the bank-side controls', () => {
  let storage: SqliteStorage;
  let engine: Engine;
  let clock: ManualClock;
  let ids: SequentialIds;
  let w: World;
  const tess: Context = { actor: 'tess', roles: ['treasury'], deviceId: 'x' };
  const trent: Context = { actor: 'trent', roles: ['treasury'], deviceId: 'x' };

  beforeEach(async () => {
    w = await world(1);
    clock = new ManualClock(Date.UTC(2026, 10, 25, 9));
    ids = new SequentialIds(clock, 81);
    storage = new SqliteStorage({ path: ':memory:', image: w.serverImage });
    engine = new Engine({ storage, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords });
  });
  afterEach(async () => storage.close());

  const sheet = (mid: string, margins = 150) => ({ base: 'EUR', quote: 'USD', mid, buyMarginBasisPoints: margins, sellMarginBasisPoints: margins, validFromMs: clock.nowMs() - 1000, validUntilMs: clock.nowMs() + 86_400_000 });

  it('one treasurer cannot walk a rate away in steps that each look small, nor cut the margins alone', async () => {
    // The demo's agreed sheet: mid 1.0850, margins 150 bp. 4.9% steps from it: the first is within tolerance…
    expect(await engine.executeAny('fx.publish_rates', sheet('1.1380'), tess)).toMatchObject({ ok: true });
    // …the next is 9.9% from what was agreed, though 4.9% from the last sheet: held for a second treasurer.
    const held = await engine.executeAny('fx.publish_rates', sheet('1.1940'), tess);
    expect(held).toMatchObject({ ok: false, code: 'approval_required' });
    expect(await engine.executeAny('fx.publish_rates', sheet('1.1380', 0), tess)).toMatchObject({ ok: false, code: 'approval_required' });
    // Once trent agrees, the agreed terms move with it.
    const approvalId = held.ok ? '' : String(held.details?.approvalId);
    expect(await engine.executeAny('approval.decide', { approvalId, decision: 'approve' }, trent)).toMatchObject({ ok: true });
    expect(await engine.executeAny('fx.publish_rates', sheet('1.2000'), tess)).toMatchObject({ ok: true });
  });

  it("registering a customer at a teller's own branch does not show another branch's customer", async () => {
    const olivia = { actor: 'olivia', roles: ['operations'], deviceId: 'x' };
    const other = ids.next();
    expect((await engine.executeAny('branch.create', { branchId: other, code: '0888', name: 'Far', currencies: ['USD'] }, olivia)).ok).toBe(true);
    await storage.transaction((tx) => tx.banking.put('user', { id: 'far', displayName: 'Far', roles: ['teller'], passwordHash: 'x', status: 'active', branchId: other, createdAtMs: 0 }));
    const amara = (await storage.read((tx) => tx.banking.get('customer', w.bank.customers[0]!.id)))!;
    const far = { actor: 'far', roles: ['teller'], deviceId: 'x' };
    const again = await engine.executeAny('customer.create', { customerId: ids.next(), branchId: other, fullName: amara.fullName, dateOfBirth: amara.dateOfBirth, nationalId: amara.nationalId, address: 'x street', phone: '+1 415 555 0100' }, far);
    expect(again).toMatchObject({ ok: false, code: 'customer_already_registered' });
    expect(JSON.stringify(again)).not.toContain(amara.id);
    const sameId = await engine.executeAny('customer.create', { customerId: amara.id, branchId: other, fullName: amara.fullName, dateOfBirth: amara.dateOfBirth, nationalId: amara.nationalId, address: 'x street', phone: '+1 415 555 0100' }, far);
    expect(sameId).toMatchObject({ ok: false, code: 'customer_id_reused' });
    expect(JSON.stringify(sameId)).not.toContain(amara.address);
  });

  it("keeps who a customer is out of the audit log, and keeps the names of callers that are no user from users", async () => {
    const rows = storage.db.prepare(`SELECT detail FROM audit_log WHERE command = 'customer.create'`).pluck().all() as string[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.join('\n')).not.toMatch(/Amara|1984-03-12|P-4471-0934|Market Street|555 0134/);
    const admin = { actor: 'adam', roles: ['admin'], deviceId: 'x' };
    for (const username of ['device', 'anonymous', 'bootstrap-9']) {
      expect(await engine.executeAny('user.create', { username, displayName: username, password: 'Reserved-Name-2026!' }, admin)).toMatchObject({ ok: false, code: 'username_reserved' });
    }
  });
});
