/**
 * Review: the update commands called directly, as a hostile caller would.
 *
 * update.install: only the system context may call it; an item whose body is not the sha256 and
 * length it names, or one invalid document among valid ones, changes nothing (not the trust record,
 * not the other items).
 * update.report: signed by the device it is about, fresh, nonce used once, of the right kind.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoUsers,
  deviceKeyId,
  encodeBase64url,
  encodeContentDocument,
  encodeHex,
  hybridKeyPair,
  hybridPublicKeysToJson,
  sanctionsPath,
  sealedBoxKeyPair,
  signRequest,
  standInPath,
  systemRole,
  type Context,
} from '@qenex/engine';
import { sha256 } from '@noble/hashes/sha2.js';
import { makeFixture, type Fixture } from './fixture';

let f: Fixture;
const system: Context = { actor: 'update-client', roles: [systemRole], deviceId: 'update-client' };
const deviceCtx: Context = { actor: 'device', roles: ['device'], deviceId: 'unknown' };
const signing = hybridKeyPair(new Uint8Array(64).fill(41));
const otherSigning = hybridKeyPair(new Uint8Array(64).fill(42));

beforeAll(async () => {
  f = await makeFixture('commands');
  for (const [deviceId, keys] of [['ws-rev-a', signing], ['ws-rev-b', otherSigning]] as const) {
    const enrolled = await f.books.engine.execute('device.enrol', { deviceId, branchId: f.books.bank.branchId, publicKeys: hybridPublicKeysToJson(keys.publicKeys), kemPublicKey: encodeBase64url(sealedBoxKeyPair().publicKey) } as never, demoUsers.adam);
    expect(enrolled.ok).toBe(true);
    const approved = await f.books.engine.executeAny('device.approve', { deviceId }, { actor: 'ada', roles: ['admin'], deviceId: 'test' });
    expect(approved.ok).toBe(true);
  }
}, 120_000);

afterAll(async () => f?.close());

const emptyTrust = { roots: [], timestamp: null, snapshot: null, targets: null, delegated: {}, verifiedAtMs: 0 };

function item(path: string, body: string, overrides: Partial<{ sha256: string; length: number }> = {}) {
  const bytes = new TextEncoder().encode(body);
  return { path, role: 'targets', sha256: encodeHex(sha256(bytes)), length: bytes.length, body, ...overrides };
}

function install(items: unknown[], ctx: Context = system) {
  return f.books.engine.executeAny('update.install', { trust: emptyTrust, install: items, remove: [], checkedAtMs: 0, refusal: null, appStaged: null }, ctx);
}

const policyBody = () => new TextDecoder().decode(encodeContentDocument(f.standIn(1, '20000')));

describe('update.install', () => {
  it.each([
    ['teller', demoUsers.alice],
    ['admin', demoUsers.adam],
    ['compliance officer', demoUsers.carol],
    ['operations', demoUsers.olivia],
    ['a device signature', deviceCtx],
  ] as const)('(holds) is refused to %s', async (_who, ctx) => {
    const result = await install([item(standInPath(f.books.bank.branchId), policyBody())], ctx);
    expect(result.ok).toBe(false);
    expect(await f.storage.read((tx) => tx.banking.get('installedContent', standInPath(f.books.bank.branchId)))).toBeUndefined();
  });

  it('(holds) a user cannot be given the system role', async () => {
    const result = await f.books.engine.execute('user.set_roles', { username: 'alice', roles: ['system'] } as never, demoUsers.adam);
    expect(result.ok).toBe(false);
  });

  it('(holds) refuses a body that is not the sha256 or length it names, and keeps no trust record', async () => {
    const body = policyBody();
    for (const wrong of [item(standInPath(f.books.bank.branchId), body, { sha256: '0'.repeat(64) }), item(standInPath(f.books.bank.branchId), body, { length: body.length + 1 })]) {
      expect(await install([wrong])).toMatchObject({ ok: false, code: 'content_invalid' });
    }
    expect(await f.storage.read((tx) => tx.banking.get('updateTrust', 'local'))).toBeUndefined();
  });

  it('(holds) one invalid document among valid ones installs none of them', async () => {
    const good = item(standInPath(f.books.bank.branchId), policyBody());
    const bad = item(sanctionsPath('broken'), '{"kind":"qenex.sanctions-list"}');
    expect(await install([good, bad])).toMatchObject({ ok: false, code: 'content_invalid' });
    expect(await f.storage.read((tx) => tx.banking.get('installedContent', standInPath(f.books.bank.branchId)))).toBeUndefined();
  });

  it('(holds) another branch\'s policy under this branch\'s path is refused', async () => {
    const other = new TextDecoder().decode(encodeContentDocument(f.standIn(1, '20000', 'another-branch')));
    expect(await install([item(standInPath(f.books.bank.branchId), other)])).toMatchObject({ ok: false, code: 'content_invalid' });
  });
});

describe('update.status', () => {
  it.each([['teller', demoUsers.alice], ['compliance officer', demoUsers.carol], ['a device signature', deviceCtx]] as const)('(holds) is refused to %s', async (_who, ctx) => {
    expect((await f.books.engine.executeAny('update.status', {}, ctx)).ok).toBe(false);
  });
});

describe('update.report', () => {
  function report(deviceId: string, overrides: Record<string, unknown> = {}) {
    return {
      deviceId,
      atMs: f.books.clock.nowMs(),
      metadata: { root: 1, timestamp: null, snapshot: null, targets: null, delegated: {} },
      content: [],
      app: { running: '0.1.0', staged: null },
      lastCheckedAtMs: null,
      lastInstalledAtMs: null,
      refusal: null,
      ...overrides,
    };
  }
  function message(kind: string, deviceId: string, keys: typeof signing, body: Record<string, unknown> = {}) {
    return signRequest(kind, { deviceId, atMs: f.books.clock.nowMs(), nonce: encodeBase64url(randomBytes(24)), report: report(deviceId) as never, ...(body as Record<string, never>) }, { keyId: deviceKeyId(deviceId, 1), secretKeys: keys.secretKeys });
  }
  const send = (signed: unknown) => f.books.engine.executeAny('update.report', { message: signed }, deviceCtx);

  it('(holds) is accepted once, and the same message again is refused', async () => {
    const signed = message('update_report', 'ws-rev-a', signing);
    expect((await send(signed)).ok).toBe(true);
    expect(await send(signed)).toMatchObject({ ok: false, code: 'nonce_reused' });
  });

  it('(holds) a report about another device, signed by this one, is refused', async () => {
    const signed = signRequest('update_report', { deviceId: 'ws-rev-a', atMs: f.books.clock.nowMs(), nonce: encodeBase64url(randomBytes(24)), report: report('ws-rev-b') as never }, { keyId: deviceKeyId('ws-rev-a', 1), secretKeys: signing.secretKeys });
    expect(await send(signed)).toMatchObject({ ok: false, code: 'report_malformed' });
  });

  it('(holds) a report signed with another device\'s key under this one\'s key id is refused', async () => {
    expect((await send(message('update_report', 'ws-rev-a', otherSigning))).ok).toBe(false);
  });

  it('(holds) a stale report, and a message of another kind, are refused', async () => {
    const stale = signRequest('update_report', { deviceId: 'ws-rev-a', atMs: f.books.clock.nowMs() - 10 * 60_000, nonce: encodeBase64url(randomBytes(24)), report: report('ws-rev-a') as never }, { keyId: deviceKeyId('ws-rev-a', 1), secretKeys: signing.secretKeys });
    expect(await send(stale)).toMatchObject({ ok: false, code: 'request_stale' });
    expect(await send(message('sync_pull', 'ws-rev-a', signing))).toMatchObject({ ok: false, code: 'wrong_kind' });
  });

  it('(holds) a revoked device cannot report', async () => {
    expect((await f.books.engine.execute('device.revoke', { deviceId: 'ws-rev-b' }, demoUsers.adam)).ok).toBe(true);
    expect(await send(message('update_report', 'ws-rev-b', otherSigning))).toMatchObject({ ok: false, code: 'device_not_active' });
  });
});
