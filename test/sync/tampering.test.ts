import {
  Engine,
  ManualClock,
  SequentialIds,
  WorkstationSync,
  batchDigest,
  deviceKeyId,
  openPush,
  hybridKeyPair,
  sealPush,
  signEnvelope,
  type PushBatch,
  type SignedEnvelope,
} from '@qenex/engine';
import { SqliteStorage } from '@qenex/engine/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cheapPasswords, deviceCtx, deviceKeys, serverKeys, world, type World } from './simulation';

/** Every way a push can be forged or replayed is refused, applies nothing, and is audited. */
describe('sync tampering', () => {
  let w: World;
  let storage: SqliteStorage;
  let engine: Engine;
  let clock: ManualClock;
  let ids: SequentialIds;

  beforeEach(async () => {
    w = await world(1);
    storage = new SqliteStorage({ path: ':memory:', image: w.serverImage });
    clock = new ManualClock(Date.UTC(2026, 10, 25, 9));
    ids = new SequentialIds(clock, 77);
    engine = new Engine({ storage, clock, ids, serverKeys: serverKeys(), passwords: cheapPasswords });
  });
  afterEach(async () => storage.close());

  const device = () => deviceKeys(0);
  const signer = () => ({ keyId: deviceKeyId('ws-0', 1), secretKeys: hybridKeyPair(device().signingSeed).secretKeys });
  let commandSeq = 0;
  const batch = (batchSeq: number, prevDigest: string, firstSeq = 1): PushBatch => ({
    deviceId: 'ws-0',
    batchSeq,
    prevDigest,
    commands: [
      {
        seq: firstSeq,
        name: 'cash.deposit',
        input: { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId: w.bank.customers[0]!.accountIds[0]!, money: { amount: String(100 + (commandSeq += 1)), currency: 'USD' } },
        actor: 'alice',
        roles: ['teller'],
        atMs: clock.nowMs(),
      },
    ],
  });
  const push = (message: unknown) => engine.executeAny('sync.push', { message }, deviceCtx);
  const books = () =>
    JSON.stringify(storage.db.prepare('SELECT (SELECT count(*) FROM transfers) t, (SELECT sum(credits_posted) FROM accounts) c').get(), (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
  const lastAudit = () => storage.db.prepare('SELECT command, outcome FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { command: string; outcome: string };

  async function refusedAndAudited(message: unknown, code: string) {
    const before = books();
    const result = await push(message);
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok ? '' : result.message.length).toBeGreaterThan(10);
    expect(books()).toBe(before);
    expect(lastAudit()).toEqual({ command: 'sync.push', outcome: code });
  }

  function flip(text: string, at = 10): string {
    const bytes = Buffer.from(text, 'base64url');
    bytes[at % bytes.length]! ^= 0x01;
    return bytes.toString('base64url');
  }

  const valid = () => sealPush(batch(1, ''), signer(), serverKeys().kem.publicKey);

  it('accepts the untampered batch (the baseline the other cases break)', async () => {
    const result = await push(valid());
    expect(result).toMatchObject({ ok: true, value: { duplicate: false } });
  });

  it('refuses a flipped bit in the sealed payload, the digest, or either signature', async () => {
    const envelope = valid();
    const payload = envelope.payload as { sealed: { ciphertext: string } };
    await refusedAndAudited({ ...envelope, payload: { ...payload, sealed: { ...payload.sealed, ciphertext: flip(payload.sealed.ciphertext) } } }, 'digest_mismatch');
    await refusedAndAudited({ ...envelope, digest: envelope.digest.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, 'digest_mismatch');
    await refusedAndAudited({ ...envelope, signatures: { ...envelope.signatures, mlDsa65: flip(envelope.signatures.mlDsa65, 99) } }, 'ml_dsa_signature_invalid');
    await refusedAndAudited({ ...envelope, signatures: { ...envelope.signatures, ed25519: flip(envelope.signatures.ed25519, 5) } }, 'ed25519_signature_invalid');
  });

  it('refuses an envelope where only one of the two signatures is the device\'s', async () => {
    const envelope = valid();
    const stranger = hybridKeyPair(new Uint8Array(64).fill(9));
    const forged = signEnvelope(envelope.payload, { keyId: envelope.keyId, secretKeys: { mlDsa65: hybridKeyPair(device().signingSeed).secretKeys.mlDsa65, ed25519: stranger.secretKeys.ed25519 } });
    await refusedAndAudited(forged, 'ed25519_signature_invalid');
    const forged2 = signEnvelope(envelope.payload, { keyId: envelope.keyId, secretKeys: { mlDsa65: stranger.secretKeys.mlDsa65, ed25519: hybridKeyPair(device().signingSeed).secretKeys.ed25519 } });
    await refusedAndAudited(forged2, 'ml_dsa_signature_invalid');
  });

  it('refuses a batch sealed to another key (the server cannot open it)', async () => {
    const other = sealPush(batch(1, ''), signer(), new Uint8Array(serverKeys().kem.publicKey.length).fill(3));
    await refusedAndAudited(other, 'decryption_failed');
  });

  it('refuses an unknown device and a revoked one', async () => {
    const unknown = sealPush({ ...batch(1, ''), deviceId: 'ws-9' }, { keyId: deviceKeyId('ws-9', 1), secretKeys: signer().secretKeys }, serverKeys().kem.publicKey);
    await refusedAndAudited(unknown, 'unknown_key');
    const revoked = await engine.executeAny('device.revoke', { deviceId: 'ws-0' }, { actor: 'adam', roles: ['admin'], deviceId: 'server' });
    expect(revoked.ok).toBe(true);
    await refusedAndAudited(valid(), 'device_revoked');
  });

  it('answers a resent latest batch again without applying it, and refuses an old one replayed later', async () => {
    const first = valid();
    const answered = await push(first);
    expect(answered.ok).toBe(true);
    const before = books();
    const again = await push(first);
    expect(again).toMatchObject({ ok: true, value: { duplicate: true } });
    expect((again as { value: { answer: SignedEnvelope } }).value.answer).toEqual((answered as { value: { answer: SignedEnvelope } }).value.answer);
    expect(books()).toBe(before);
    const opened = openPush(first, () => hybridKeyPair(device().signingSeed).publicKeys, serverKeys().kem.secretKey);
    if (!opened.ok) throw new Error(opened.code);
    expect(opened.value.digest).toBe(batchDigest(opened.value.batch));
    const second = sealPush(batch(2, opened.value.digest, 2), signer(), serverKeys().kem.publicKey);
    expect(await push(second)).toMatchObject({ ok: true });
    await refusedAndAudited(first, 'batch_replayed');
  });

  it('refuses a sequence gap and a batch that does not extend the chain', async () => {
    await refusedAndAudited(sealPush(batch(3, ''), signer(), serverKeys().kem.publicKey), 'sequence_gap');
    await refusedAndAudited(sealPush(batch(1, 'f'.repeat(64)), signer(), serverKeys().kem.publicKey), 'chain_broken');
  });

  it('holds an offline payout on the workstation for a head teller once the stand-in policy has expired, queueing nothing', async () => {
    const station = new SqliteStorage({ path: ':memory:', image: w.stationImages[0]! });
    const late = new ManualClock(Date.UTC(2027, 0, 30));
    const stationEngine = new Engine({ storage: station, clock: late, ids, ...WorkstationSync.engineOptions() });
    const result = await stationEngine.executeAny(
      'cash.withdraw',
      { transferId: ids.next(), sessionId: w.sessionIds[0]!, accountId: w.bank.customers[0]!.accountIds[0]!, money: { amount: '100', currency: 'USD' } },
      { actor: 'alice', roles: ['teller'], deviceId: 'ws-0' },
    );
    expect(result).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'stand_in', limit: 'policy_expired' } });
    expect(await station.read((tx) => tx.banking.list('outboxEntry', '', 10))).toEqual([]);
    expect(station.db.prepare('SELECT command, outcome FROM audit_log ORDER BY seq DESC LIMIT 1').get()).toEqual({ command: 'cash.withdraw', outcome: 'approval_required' });
    await station.close();
  });
});

