import { fork, type ChildProcess } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoPassword } from '@qenex/engine';
import { bridgeChannels, type BridgeEvent, type QenexApi, type SyncStatus } from '@qenex/ui/bridge';
import { connectEngine, eventChannel, registerBridge, type EngineConnection, type EngineProcessLike, type InvokeEventLike, type IpcMainLike } from '../../apps/desktop/src/main/ipc';
import { openKeyStore, safeStorageFileName, type KeyStore, type SafeStorageLike } from '../../apps/desktop/src/main/key-store';
import { appEntryUrl, appOrigin } from '../../apps/desktop/src/main/security';
import { setUpDemoWorkstation } from '../../apps/desktop/src/node/demo-workstation';
import { dropTestDatabase, startTestServer, type TestServer } from '../server/harness';
import { branchDay, type Link } from '../e2e/support';

// The preload's two Electron objects (contextBridge, ipcRenderer) are the only thing replaced: the
// `electron` package has no binary here and its index throws outside Electron. buildApi is the real one.
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: () => undefined },
  ipcRenderer: { invoke: async () => undefined, on: () => undefined, removeListener: () => undefined },
}));
const { buildApi } = await import('../../apps/desktop/src/preload/preload');

/**
 * The offline leg of the teller's day (test/e2e/teller-day.test.ts) through the Electron path, under
 * Node: the page's `window.qenex` is the real preload's API; its IPC reaches the real main-process
 * handlers (sender check, schema) and main's real end of the engine line; the engine runs in a child
 * process started from the real utilityProcess entry (apps/desktop/src/utility/engine-process.ts),
 * which opens the real host on SQLite and syncs with the real server on PostgreSQL through a link
 * the test cuts and mends. Only Electron's objects are faked, at the edge: safeStorage, ipcMain,
 * ipcRenderer, the frame of the page, webContents.send, and the utility process's parentPort.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const engineEntry = join(root, 'apps', 'desktop', 'src', 'utility', 'engine-process.ts');

const newId = (): string => `${Date.now().toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;

/** Electron's safeStorage on a Linux desktop with a Secret Service: it really encrypts, under a key the test holds (as the OS would). */
function fakeSafeStorage(): SafeStorageLike & { readonly calls: { encrypt: number; decrypt: number } } {
  const key = randomBytes(32);
  const calls = { encrypt: 0, decrypt: 0 };
  return {
    calls,
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString(plainText: string): Buffer {
      calls.encrypt += 1;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from('v11'), iv, cipher.getAuthTag(), body]);
    },
    decryptString(encrypted: Buffer): string {
      calls.decrypt += 1;
      if (encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.subarray(3, 15));
      decipher.setAuthTag(encrypted.subarray(15, 31));
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * The real utilityProcess entry in a Node child process. Electron gives a utility process
 * `process.parentPort` (a MessagePortMain: `on('message', (e) => e.data)`, `postMessage`, structured
 * clone); the shim gives the same over the child's IPC channel with V8 ('advanced') serialization,
 * which carries the Uint8Array of the device secrets as structured clone does, then imports the
 * entry itself (TypeScript through tsx, as no bundle is built here).
 */
function startUtility(dir: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const shim = join(dir, 'utility-parent-port.mjs');
  writeFileSync(
    shim,
    [
      'process.parentPort = {',
      "  on(event, listener) { if (event === 'message') process.on('message', (data) => listener({ data })); return this; },",
      '  postMessage(message) { process.send(message); },',
      '};',
      `await import(${JSON.stringify(pathToFileURL(engineEntry).href)});`,
      '',
    ].join('\n'),
  );
  // As main.ts's childEnvironment(): the parent's environment without NODE_OPTIONS, plus the engine's two settings.
  const inherited = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'NODE_OPTIONS' && entry[0] !== 'ELECTRON_RUN_AS_NODE'));
  const child = fork(shim, [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** The child as main holds Electron's UtilityProcess: postMessage, on('message', message), on('exit', code). */
function asUtilityProcess(child: ChildProcess): EngineProcessLike {
  return {
    postMessage: (message) => {
      child.send(message);
    },
    on: (event: 'message' | 'exit', listener: (value: never) => void) => {
      if (event === 'message') child.on('message', listener as (message: unknown) => void);
      else child.on('exit', (code: number | null) => (listener as (code: number) => void)(code ?? 1));
    },
  };
}

type Handler = Parameters<IpcMainLike['handle']>[1];

/**
 * ipcMain, the window's webContents and the preload's ipcRenderer, joined as Electron joins them:
 * `invoke` reaches the handler main registered, from the app page's main frame; arguments and answers
 * are structured-cloned as they cross; `webContents.send` reaches the preload's `on` listeners.
 */
function electronIpc() {
  const handlers = new Map<string, Handler>();
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const mainFrame = { url: appEntryUrl };
  const fromPage: InvokeEventLike = { senderFrame: mainFrame, sender: { mainFrame } };
  const invokeAs = async (event: InvokeEventLike, channel: string, ...args: unknown[]): Promise<unknown> => {
    const handler = handlers.get(channel);
    if (handler === undefined) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    return structuredClone(await handler(event, ...args.map((arg) => structuredClone(arg))));
  };
  const toPage = new EventEmitter();
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => invokeAs(fromPage, channel, ...args),
    on: (channel: string, listener: (...args: unknown[]) => void) => toPage.on(channel, listener),
    removeListener: (channel: string, listener: (...args: unknown[]) => void) => toPage.removeListener(channel, listener),
  };
  const webContents = { send: (channel: string, payload: unknown) => void toPage.emit(channel, { sender: 'ipcRenderer' }, structuredClone(payload)) };
  // A subframe of the same page (an iframe the page was tricked into loading): same origin, not the main frame.
  const fromSubframe: InvokeEventLike = { senderFrame: { url: `${appOrigin}/index.html` }, sender: { mainFrame } };
  return { ipcMain, handlers, ipcRenderer, webContents, invokeAs, fromSubframe };
}

describe('the offline leg through the Electron shell: preload → ipcMain → utility process → host → SQLite, against the real server', () => {
  let t: TestServer;
  let link: Link;
  let dir: string;
  let keys: KeyStore;
  let safeStorage: ReturnType<typeof fakeSafeStorage>;
  let utility: { child: ChildProcess; output: () => string } | null = null;
  let engine: EngineConnection;
  let ipc: ReturnType<typeof electronIpc>;
  let api: QenexApi;
  const forwarded: string[] = [];
  const events: Array<{ event: BridgeEvent; payload: unknown }> = [];
  let tomTill: string;
  const accounts: Record<string, string> = {};

  async function serverAccount(accountId: string): Promise<{ balances: Record<string, string> }> {
    const olivia = await t.signIn('olivia');
    const answer = await t.request('GET', `/api/v1/accounts/${accountId}`, { token: olivia });
    expect(answer.status).toBe(200);
    return answer.body;
  }

  beforeAll(async () => {
    t = await startTestServer();
    // tom's own till, its float of 5,000.00 from the vault.
    const day = await branchDay(t, '500000');
    link = day.link;
    tomTill = day.tomTill;
    const linkUrl = day.linkUrl;
    for (const [name, account] of Object.entries(day.accounts)) accounts[name] = account.id;

    // The workstation set up the Electron way: userData with the key store in safeStorage, the books in userData/workstation (main.ts's layout).
    dir = mkdtempSync(join(tmpdir(), 'qenex-electron-'));
    const userData = join(dir, 'userData');
    const dataDir = join(userData, 'workstation');
    safeStorage = fakeSafeStorage();
    const store = await openKeyStore({ safeStorage, directory: userData, passphrase: undefined, platform: 'linux' });
    if (!store.ok) throw new Error(`${store.code}: ${store.message}`);
    expect(store.store.kind).toBe('safeStorage');
    expect(store.warning).toBeNull();
    keys = store.store;
    const enrolled = await setUpDemoWorkstation({ dataDir, serverUrl: linkUrl, secrets: keys }, async (deviceId) => {
      const approved = await t.server.engine.execute('device.approve', { deviceId }, { actor: 'bootstrap-2', roles: ['admin'], deviceId: 'bootstrap' });
      if (!approved.ok) throw new Error(`approving the workstation: ${approved.code}`);
    });
    expect(enrolled.fresh).toBe(true);
    // The device keys are on disk only as safeStorage's ciphertext.
    const onDisk = readFileSync(join(userData, safeStorageFileName));
    expect(onDisk.includes('signingSeed')).toBe(false);
    expect(safeStorage.calls.encrypt).toBe(1);

    // Main: the engine in its utility process, main's end of the line serving it the keys, the bridge on ipcMain, events to the window.
    utility = startUtility(dir, { QENEX_DATA_DIR: dataDir, QENEX_SERVER_URL: linkUrl });
    engine = connectEngine(asUtilityProcess(utility.child), keys);
    ipc = electronIpc();
    registerBridge(
      ipc.ipcMain,
      (channel, request) => {
        forwarded.push(channel);
        return engine.forward(channel, request);
      },
      appOrigin,
    );
    engine.onEvent((event, payload) => ipc.webContents.send(eventChannel(event), payload));
    const output = utility.output;
    await Promise.race([
      engine.ready,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`the engine did not open in time; its output: ${output()}`)), 30_000)),
    ]).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output()}`);
    });
    // The keys reached the engine through main, decrypted by safeStorage there.
    expect(safeStorage.calls.decrypt).toBeGreaterThanOrEqual(1);

    // The page: window.qenex from the real preload over the fake ipcRenderer.
    api = buildApi(ipc.ipcRenderer as never);
    api.on('sync.changed', (payload) => events.push({ event: 'sync.changed', payload }));
  }, 120_000);

  afterAll(async () => {
    if (utility !== null && utility.child.exitCode === null && utility.child.signalCode === null) utility.child.kill('SIGKILL');
    await link?.close();
    await t?.close();
    await dropTestDatabase();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('signs tom in online, opens his till, loses the link, signs him in offline, works within the stand-in limits, and syncs to the server’s verdict', async () => {
    // Online: the server signs tom in; the workstation caches his credential.
    const online = await api['session.signIn']({ username: 'tom', password: demoPassword });
    expect(online).toMatchObject({ ok: true, session: { username: 'tom', verifiedBy: 'server', deviceId: 'ws-main-street-1' } });
    expect((await api['sync.status']({})).link).toBe('online');

    // His till, opened at the server with a count equal to the float (50 notes of 100.00).
    const sessionId = newId();
    const opened = await api['engine.run']({ command: 'till.open_session', input: { sessionId, tillId: tomTill, count: { '10000': 50 } } });
    expect(opened).toMatchObject({ ok: true });
    const current = await api['engine.run']({ command: 'till.current_session', input: {} });
    expect(current).toMatchObject({ ok: true, value: { session: { id: sessionId } } });

    const meiBefore = (await serverAccount(accounts.Mei!)).balances.posted!;

    // The link drops; the next sync finds the server unreachable, and the window is told.
    link.cut();
    await expect.poll(async () => (await api['sync.now']({})).link, { timeout: 20_000, interval: 200 }).toBe('offline');
    expect(events.some(({ payload }) => (payload as SyncStatus).link === 'offline')).toBe(true);

    // Signed out, and in again while offline: against the credential cached at the online sign-in.
    expect(await api['session.signOut']({})).toEqual({ ok: true });
    expect(await api['session.current']({})).toEqual({ session: null });
    expect(await api['session.signIn']({ username: 'tom', password: 'not his password' })).toMatchObject({ ok: false, code: 'sign_in_failed' });
    const offline = await api['session.signIn']({ username: 'tom', password: demoPassword });
    expect(offline).toMatchObject({ ok: true, session: { username: 'tom', verifiedBy: 'cached_credential' } });

    // A deposit within the stand-in limits (3,000.00 a transaction): previewed, then booked here.
    const deposit = { transferId: newId(), sessionId, accountId: accounts.Mei!, money: { amount: '100000', currency: 'USD' } };
    const depositPreview = await api['engine.preview']({ command: 'cash.deposit', input: deposit });
    expect(depositPreview).toMatchObject({ ok: true, preview: { decision: 'allow' } });
    expect(await api['engine.run']({ command: 'cash.deposit', input: deposit })).toMatchObject({ ok: true, value: { transferId: deposit.transferId } });

    // Over the stand-in per-transaction limit: held for a supervisor, not queued.
    const big = { transferId: newId(), sessionId, accountId: accounts.Mei!, money: { amount: '350000', currency: 'USD' } };
    expect(await api['engine.preview']({ command: 'cash.withdraw', input: big })).toMatchObject({ ok: true, preview: { decision: 'hold', basis: 'stand_in' } });
    expect(await api['engine.run']({ command: 'cash.withdraw', input: big })).toMatchObject({ ok: false, code: 'approval_required', details: { basis: 'stand_in', limit: 'per_transaction' } });

    // An exchange needs the bank: refused while the link is down.
    const exchange = { sellTransferId: newId(), buyTransferId: newId(), fromAccountId: accounts.Amara!, toAccountId: accounts.AmaraEur!, money: { amount: '1000', currency: 'USD' } };
    expect(await api['engine.run']({ command: 'fx.exchange', input: exchange })).toMatchObject({ ok: false, code: 'needs_server' });
    // The status is the outbox as the last sync attempt (each command made here kicks one) left it.
    await expect.poll(async () => (await api['sync.status']({})).waiting, { timeout: 10_000, interval: 100 }).toBe(1);

    // Meanwhile, at the server, Lukas's money is spent and 400.00 of his 500.00 overdraft with it…
    const alice = await t.signIn('alice');
    const aliceTill = (await t.request('GET', '/api/v1/till-sessions/current', { token: alice })).body.session.id;
    const lukasBalance = BigInt((await serverAccount(accounts.Lukas!)).balances.posted!);
    const spent = await t.request('POST', `/api/v1/till-sessions/${aliceTill}/withdrawals`, {
      token: alice,
      body: { transferId: newId(), accountId: accounts.Lukas!, money: { amount: String(lukasBalance + 40000n), currency: 'USD' } },
    });
    expect(spent.status).toBe(201);
    // …so the payout of 300.00 tom makes here, from the workstation's older view, will not stand.
    const payout = { transferId: newId(), sessionId, accountId: accounts.Lukas!, money: { amount: '30000', currency: 'USD' } };
    expect(await api['engine.run']({ command: 'cash.withdraw', input: payout })).toMatchObject({ ok: true });
    await expect.poll(async () => (await api['sync.status']({})).waiting, { timeout: 10_000, interval: 100 }).toBe(2);

    // The link is back: everything waiting is pushed; the server books the deposit and reverses the payout, with its reason.
    link.mend();
    await expect.poll(async () => (await api['sync.now']({})).waiting, { timeout: 30_000, interval: 250 }).toBe(0);
    const synced = await api['sync.status']({});
    expect(synced.link).toBe('online');
    expect(synced.unsettled).toEqual([expect.objectContaining({ transferId: payout.transferId, name: 'cash.withdraw', status: 'compensated', code: 'insufficient_funds' })]);
    expect(synced.recent).toContainEqual(expect.objectContaining({ transferId: deposit.transferId, status: 'accepted' }));

    // The server's books moved by the deposit, and the workstation's agree with them.
    const meiAtServer = await serverAccount(accounts.Mei!);
    expect(meiAtServer.balances.posted).toBe(String(BigInt(meiBefore) + 100000n));
    for (const accountId of [accounts.Mei!, accounts.Lukas!]) {
      const here = await api['engine.run']({ command: 'account.get', input: { accountId } });
      expect(here.ok).toBe(true);
      expect((here as { value: { balances: unknown } }).value.balances).toEqual((await serverAccount(accountId)).balances);
    }

    // The deposit's receipt, as a PDF: the first print is the original, the next a copy.
    const first = await api['receipt.get']({ transferId: deposit.transferId });
    const second = await api['receipt.get']({ transferId: deposit.transferId });
    if (!first.ok || !second.ok) throw new Error(`receipt.get: ${JSON.stringify(first.ok ? second : first)}`);
    expect(Buffer.from(first.receipt.pdfBase64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(first.receipt.copy).toBe(false);
    expect(second.receipt.copy).toBe(true);
  }, 90_000);

  it('refuses at main, before the engine, a call from a subframe and a request of the wrong shape', async () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(bridgeChannels.map((channel) => `qenex:${channel}`).sort());
    const before = forwarded.length;

    // From a subframe of the page: refused, and the host never saw it (the draft it would have saved is not there).
    const fromSubframe = await ipc.invokeAs(ipc.fromSubframe, 'qenex:draft.save', { key: 'from-a-subframe', value: 'planted' });
    expect(fromSubframe).toMatchObject({ ok: false, code: 'bridge_sender_refused' });
    expect(forwarded.length).toBe(before);
    expect(await api['draft.load']({ key: 'from-a-subframe' })).toEqual({ value: null });

    // The wrong shape, through window.qenex itself: refused with invalid_bridge_request, nothing forwarded.
    const counted = forwarded.length;
    const calls = api as unknown as Record<string, (request: unknown) => Promise<unknown>>;
    expect(await calls['engine.run']!({ command: 'cash.deposit', input: {}, asTeller: 'bob' })).toMatchObject({ ok: false, code: 'invalid_bridge_request' });
    expect(await calls['session.signIn']!({ username: 'tom' })).toMatchObject({ ok: false, code: 'invalid_bridge_request' });
    expect(await calls['engine.run']!({ command: 'user.create', input: {} })).toMatchObject({ ok: false, code: 'invalid_bridge_request' });
    expect(forwarded.length).toBe(counted);

    // The same draft from the page's main frame does reach the host: the refusals above were the checks.
    expect(await api['draft.save']({ key: 'from-the-page', value: 'kept' })).toEqual({ ok: true });
    expect(await api['draft.load']({ key: 'from-the-page' })).toEqual({ value: 'kept' });
  });

  it('closes: the engine closes its books when main asks, and its process exits cleanly', async () => {
    const child = utility!.child;
    const exited = new Promise<number | null>((resolveExit) => {
      if (child.exitCode !== null) resolveExit(child.exitCode);
      else child.once('exit', (code) => resolveExit(code));
    });
    await engine.shutdown(15_000);
    expect(await exited).toBe(0);
    // The relay logs a host that threw or a message it did not understand; there was none.
    expect(utility!.output()).not.toMatch(/qenex engine:/);
    // Main's end knows: a call now is answered at once, without the engine.
    expect(await api['sync.status']({})).toMatchObject({ ok: false, code: 'engine_unavailable' });
    expect(existsSync(join(dir, 'userData', 'workstation', 'workstation.db'))).toBe(true);
  }, 30_000);
});
