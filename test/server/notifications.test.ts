import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deviceKeyId,
  encodeBase64url,
  hybridKeyPair,
  hybridPublicKeysToJson,
  sealedBoxKeyPair,
  signRequest,
  type HybridSecretKeys,
  type KvPorts,
  type MessageBus,
  type Unsubscribe,
} from '@qenex/engine';
import { RedisPorts } from '@qenex/engine/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dropTestDatabase, startTestServer, type TestServer } from './harness';

/** A signed request is accepted once: each subscription carries a new nonce. */
function freshNonce(): string {
  return randomBytes(18).toString('base64url');
}

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

/** How long a test waits for the server to do what it must before it fails. */
const settleTimeoutMs = 5_000;

async function waitUntil(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + settleTimeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${settleTimeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise and the function that resolves it (Promise.withResolvers is newer than Node 20). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/**
 * A real kv connection whose bus.subscribe the test can hold back (until `release`) or make fail,
 * and that counts the bus subscriptions the server made and removed.
 */
function controlledKv(inner: KvPorts) {
  const control = {
    subscribed: 0,
    unsubscribed: 0,
    /** Resolves when the server next calls bus.subscribe. */
    called: deferred(),
    held: null as ReturnType<typeof deferred> | null,
    failure: null as Error | null,
    hold() {
      control.held = deferred();
    },
    release() {
      control.held?.resolve();
      control.held = null;
    },
  };
  const bus: MessageBus = {
    publish: (channel, message) => inner.bus.publish(channel, message),
    close: () => inner.bus.close(),
    async subscribe(channel, handler): Promise<Unsubscribe> {
      control.called.resolve();
      control.called = deferred();
      await control.held?.promise;
      if (control.failure !== null) throw control.failure;
      const unsubscribe = await inner.bus.subscribe(channel, handler);
      control.subscribed += 1;
      let done = false;
      return async () => {
        if (!done) control.unsubscribed += 1;
        done = true;
        await unsubscribe();
      };
    },
  };
  const kv: KvPorts = {
    keyPrefix: inner.keyPrefix,
    cache: inner.cache,
    idempotency: inner.idempotency,
    rateLimiter: inner.rateLimiter,
    bus,
    close: () => inner.close(),
  };
  return { kv, control };
}

/** The close code and reason of a socket, or a failure after `timeoutMs`. */
function closeOf(socket: WebSocket, timeoutMs = settleTimeoutMs): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not close the socket within ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

async function openSocket(t: TestServer): Promise<WebSocket> {
  const socket = new WebSocket(`${t.url.replace('http', 'ws')}/api/v1/sync/notifications`);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

function signedSubscription(deviceId: string, secretKeys: HybridSecretKeys): string {
  return JSON.stringify(signRequest('subscribe', { deviceId, atMs: Date.now(), nonce: freshNonce() }, { keyId: deviceKeyId(deviceId, 1), secretKeys }));
}

describe('prompt sync: changes reach workstations connected to any server process', () => {
  const prefix = `qenex-test:${randomBytes(6).toString('hex')}:`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const schema = `n${process.pid}_${randomBytes(3).toString('hex')}`;
  // One key file for the three processes, as one deployment has; it is this suite's, so it removes it.
  const keysDirectory = mkdtempSync(join(tmpdir(), 'qenex-notify-keys-'));
  const keysFile = join(keysDirectory, 'server-keys.json');
  let a: TestServer;
  let b: TestServer;
  let kvA: RedisPorts;
  let kvB: RedisPorts;
  let kvC: RedisPorts;
  /** A third process whose bus subscriptions the tests hold back or break. */
  let c: TestServer;
  let controlled: ReturnType<typeof controlledKv>;

  beforeAll(async () => {
    kvA = await RedisPorts.connect(redisUrl, { keyPrefix: prefix });
    kvB = await RedisPorts.connect(redisUrl, { keyPrefix: prefix });
    // Two server processes on one database and one Redis, as a deployment behind a load balancer.
    a = await startTestServer({ schema, kv: kvA, keysFile });
    b = await startTestServer({ schema, kv: kvB, keysFile });
    kvC = await RedisPorts.connect(redisUrl, { keyPrefix: prefix });
    controlled = controlledKv(kvC);
    c = await startTestServer({ schema, kv: controlled.kv, keysFile });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await c.close();
    await kvA.purge();
    await kvA.close();
    await kvB.close();
    await kvC.close();
    rmSync(keysDirectory, { recursive: true, force: true });
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
    forged.send(JSON.stringify(signRequest('subscribe', { deviceId: 'ws-notify', atMs: Date.now(), nonce: freshNonce() }, { keyId: deviceKeyId('ws-notify', 1), secretKeys: stranger.secretKeys })));
    expect(await nextMessage(forged, (m) => m.kind === 'refused')).toMatchObject({ code: 'ml_dsa_signature_invalid' });

    const socket = new WebSocket(`${b.url.replace('http', 'ws')}/api/v1/sync/notifications`);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify(signRequest('subscribe', { deviceId: 'ws-notify', atMs: Date.now(), nonce: freshNonce() }, { keyId: deviceKeyId('ws-notify', 1), secretKeys: signing.secretKeys })));
    expect(await nextMessage(socket, (m) => m.kind === 'subscribed')).toMatchObject({ deviceId: 'ws-notify', branchId });

    const changed = nextMessage(socket, (m) => m.kind === 'changed');
    // A product is defined under dual control: asked by operations, approved by an admin; the approval's write is the change.
    const asked = await a.request('POST', '/api/v1/products', { token: await a.signIn('olivia'), body: { productId: 'NOTIFY-USD', name: 'Notify', kind: 'current', currency: 'USD' } });
    expect(asked.status).toBe(202);
    const approvalId = (asked.body as { approvalId: string }).approvalId;
    const write = await a.request('POST', `/api/v1/approvals/${approvalId}/decision`, { token: await a.signIn('adam'), body: { decision: 'approve' } });
    expect(write.status).toBe(200);
    expect(await changed).toMatchObject({ kind: 'changed' });
    socket.close();
    forged.close();
  });

  /** An enrolled, approved workstation on the shared books (through process a), with its signing keys. */
  async function approvedDevice(deviceId: string, seed: number): Promise<HybridSecretKeys> {
    const signing = hybridKeyPair(new Uint8Array(64).fill(seed));
    const kem = sealedBoxKeyPair(new Uint8Array(32).fill(seed + 1));
    const branches = await a.request('GET', '/api/v1/branches', { token: await a.signIn('olivia') });
    const enrolled = await a.request('POST', '/api/v1/devices', {
      token: await a.signIn('adam'),
      body: { deviceId, branchId: branches.body[0].id, publicKeys: hybridPublicKeysToJson(signing.publicKeys), kemPublicKey: encodeBase64url(kem.publicKey) },
    });
    expect(enrolled.status).toBe(201);
    expect((await a.server.engine.executeAny('device.approve', { deviceId }, { actor: 'ada', roles: ['admin'], deviceId: 'test' })).ok).toBe(true);
    return signing.secretKeys;
  }

  it('removes the bus subscription of a workstation that hung up while its subscription was being set up', async () => {
    const secretKeys = await approvedDevice('ws-hung-up', 11);
    const before = { ...controlled.control };
    controlled.control.hold();
    const called = controlled.control.called.promise;
    const socket = await openSocket(c);
    socket.send(signedSubscription('ws-hung-up', secretKeys));
    await called;
    const closed = closeOf(socket);
    socket.close();
    await closed;
    // The server has seen the close (its WebSocket server forgets a client on its close event)...
    await waitUntil(() => c.server.app.websocketServer.clients.size === 0, 'the server to see the socket close');
    // ...before the subscription it was setting up is in place.
    controlled.control.release();
    await waitUntil(() => controlled.control.subscribed === before.subscribed + 1, 'the held subscription to be made');
    await waitUntil(() => controlled.control.unsubscribed === before.unsubscribed + 1, 'the subscription of the closed socket to be removed');
  });

  it('closes the socket with 1011 when the bus cannot subscribe, without an unhandled rejection, and goes on serving', async () => {
    const secretKeys = await approvedDevice('ws-bus-down', 21);
    controlled.control.failure = new Error('the bus is down');
    try {
      const socket = await openSocket(c);
      const closed = closeOf(socket);
      socket.send(signedSubscription('ws-bus-down', secretKeys));
      expect(await closed).toMatchObject({ code: 1011 });
    } finally {
      controlled.control.failure = null;
    }
    // The process is still up, and a workstation that subscribes now is answered.
    const socket = await openSocket(c);
    const subscribed = nextMessage(socket, (m) => m.kind === 'subscribed');
    socket.send(signedSubscription('ws-bus-down', secretKeys));
    expect(await subscribed).toMatchObject({ deviceId: 'ws-bus-down' });
    const closed = closeOf(socket);
    socket.close();
    await closed;
  });
});
