import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceKeyId, encodeBase64url, hybridKeyPair, hybridPublicKeysToJson, sealedBoxKeyPair, signRequest } from '@qenex/engine';
import { RedisPorts } from '@qenex/engine/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dropTestDatabase, startTestServer, type TestServer } from './harness';

/** Waits for the next message on a socket that satisfies `accept`, or fails after `timeoutMs`. */
function nextMessage(socket: WebSocket, accept: (message: any) => boolean, timeoutMs = 10_000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no such message in time')), timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString());
      if (!accept(message)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(message);
    };
    socket.on('message', onMessage);
  });
}

describe('prompt sync: changes reach workstations connected to any server process', () => {
  const prefix = `qenex-test:${randomBytes(6).toString('hex')}:`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const schema = `n${process.pid}_${randomBytes(3).toString('hex')}`;
  const keysFile = join(tmpdir(), `qenex-notify-keys-${process.pid}.json`);
  let a: TestServer;
  let b: TestServer;
  let kvA: RedisPorts;
  let kvB: RedisPorts;

  beforeAll(async () => {
    kvA = await RedisPorts.connect(redisUrl, { keyPrefix: prefix });
    kvB = await RedisPorts.connect(redisUrl, { keyPrefix: prefix });
    // Two server processes on one database and one Redis, as a deployment behind a load balancer.
    a = await startTestServer({ schema, kv: kvA, keysFile });
    b = await startTestServer({ schema, kv: kvB, keysFile });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await kvA.purge();
    await kvA.close();
    await kvB.close();
    await dropTestDatabase();
  });

  it('a workstation subscribed on one process hears about a write committed on the other, and a forged subscription is refused', async () => {
    const signing = hybridKeyPair(new Uint8Array(64).fill(5));
    const kem = sealedBoxKeyPair(new Uint8Array(32).fill(6));
    const admin = await a.signIn('adam');
    const branches = await a.request('GET', '/api/v1/branches', { token: await a.signIn('olivia') });
    const branchId = branches.body[0].id as string;
    const enrolled = await a.request('POST', '/api/v1/devices', {
      token: admin,
      body: { deviceId: 'ws-notify', branchId, publicKeys: hybridPublicKeysToJson(signing.publicKeys), kemPublicKey: encodeBase64url(kem.publicKey) },
    });
    expect(enrolled.status).toBe(201);
    const approval = await a.server.engine.executeAny('device.approve', { deviceId: 'ws-notify' }, { actor: 'ada', roles: ['admin'], deviceId: 'test' });
    expect(approval.ok).toBe(true);

    const forged = new WebSocket(`${b.url.replace('http', 'ws')}/api/v1/sync/notifications`);
    await new Promise((resolve) => forged.once('open', resolve));
    const stranger = hybridKeyPair(new Uint8Array(64).fill(7));
    forged.send(JSON.stringify(signRequest('subscribe', { deviceId: 'ws-notify', atMs: Date.now() }, { keyId: deviceKeyId('ws-notify', 1), secretKeys: stranger.secretKeys })));
    expect(await nextMessage(forged, (m) => m.kind === 'refused')).toMatchObject({ code: 'ml_dsa_signature_invalid' });

    const socket = new WebSocket(`${b.url.replace('http', 'ws')}/api/v1/sync/notifications`);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify(signRequest('subscribe', { deviceId: 'ws-notify', atMs: Date.now() }, { keyId: deviceKeyId('ws-notify', 1), secretKeys: signing.secretKeys })));
    expect(await nextMessage(socket, (m) => m.kind === 'subscribed')).toMatchObject({ deviceId: 'ws-notify', branchId });

    const changed = nextMessage(socket, (m) => m.kind === 'changed');
    const write = await a.request('POST', '/api/v1/products', { token: await a.signIn('olivia'), body: { productId: 'NOTIFY-USD', name: 'Notify', kind: 'current', currency: 'USD' } });
    expect(write.status).toBe(201);
    expect(await changed).toMatchObject({ kind: 'changed' });
    socket.close();
    forged.close();
  });
});
