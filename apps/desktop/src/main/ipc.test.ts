import { bridgeChannels, bridgeRequestBytesMax, type BridgeChannel } from '@qenex/ui/bridge';
import { describe, expect, it, vi } from 'vitest';
import type { FromUtility, ToUtility } from '../utility/relay';
import { connectEngine, invokeChannel, registerBridge, type EngineProcessLike, type InvokeEventLike, type IpcMainLike } from './ipc';
import { appOrigin } from './security';

type Handler = Parameters<IpcMainLike['handle']>[1];

/** ipcMain as Electron's: one handler per channel name (a second registration would throw there too). */
function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const invoke = async (channel: string, event: InvokeEventLike, request: unknown) => {
    const handler = handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, request);
  };
  return { ipcMain, handlers, invoke };
}

function appPage(url = `${appOrigin}/index.html`): InvokeEventLike {
  const mainFrame = { url };
  return { senderFrame: mainFrame, sender: { mainFrame } };
}

describe('the bridge in the main process', () => {
  it('handles exactly the bridge channels, each under qenex:<channel>, and can be removed', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const unregister = registerBridge(ipcMain, vi.fn(), appOrigin);
    expect([...handlers.keys()].sort()).toEqual(bridgeChannels.map((channel) => `qenex:${channel}`).sort());
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('forwards a valid call from the main frame of the app page, and returns the answer', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const forward = vi.fn(async (channel: BridgeChannel) => ({ ok: true, channel }));
    registerBridge(ipcMain, forward, appOrigin);
    const answer = await invoke(invokeChannel('session.signIn'), appPage(), { username: 'alice', password: 'secret' });
    expect(answer).toEqual({ ok: true, channel: 'session.signIn' });
    expect(forward).toHaveBeenCalledExactlyOnceWith('session.signIn', { username: 'alice', password: 'secret' });
  });

  it('refuses a call from a subframe, from a page of another origin, or from a frame that is gone, and forwards nothing', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const forward = vi.fn();
    registerBridge(ipcMain, forward, appOrigin);
    const mainFrame = { url: `${appOrigin}/index.html` };
    const subframe: InvokeEventLike = { senderFrame: { url: `${appOrigin}/index.html` }, sender: { mainFrame } };
    const otherOrigin = appPage('https://evil.example/');
    const fileOrigin = appPage('file:///app/index.html');
    const otherApp = appPage('app://qenex.evil/index.html');
    const gone: InvokeEventLike = { senderFrame: null, sender: { mainFrame } };
    for (const event of [subframe, otherOrigin, fileOrigin, otherApp, gone]) {
      const answer = await invoke(invokeChannel('session.current'), event, {});
      expect(answer).toMatchObject({ ok: false, code: 'bridge_sender_refused' });
      expect((answer as { message: string }).message).toMatch(/refused/);
    }
    expect(await invoke(invokeChannel('session.current'), gone, {})).toMatchObject({ message: expect.stringMatching(/frame is gone/) });
    expect(await invoke(invokeChannel('session.current'), subframe, {})).toMatchObject({ message: expect.stringMatching(/main frame/) });
    expect(forward).not.toHaveBeenCalled();
  });

  it('refuses a request of the wrong shape with its code, and forwards nothing', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const forward = vi.fn();
    registerBridge(ipcMain, forward, appOrigin);
    const cases: Array<[BridgeChannel, unknown]> = [
      ['session.signIn', { username: 'alice' }],
      ['session.signIn', { username: 'alice', password: 'x', admin: true }],
      ['session.signIn', { username: 'al\u0000ice', password: 'x' }],
      ['engine.run', { command: 'ledger.rewrite', input: {} }],
      ['session.current', { extra: 1 }],
      ['session.current', 'not an object'],
      ['session.current', undefined],
      ['draft.save', { key: 'k', value: 'x'.repeat(bridgeRequestBytesMax) }],
      ['engine.run', { command: 'cash.deposit', input: { amount: 10n } }],
    ];
    for (const [channel, request] of cases) {
      expect(await invoke(invokeChannel(channel), appPage(), request), `${channel} ${String(request)}`).toMatchObject({ ok: false, code: 'invalid_bridge_request' });
    }
    expect(forward).not.toHaveBeenCalled();
  });

  it('passes on JSON data only: what structured clone carries beyond JSON does not reach the engine', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const forward = vi.fn(async () => ({ ok: true }));
    registerBridge(ipcMain, forward, appOrigin);
    await invoke(invokeChannel('engine.run'), appPage(), { command: 'customer.search', input: { query: 'x', at: new Date(0), tags: new Map([[1, 2]]) } });
    expect(forward).toHaveBeenCalledExactlyOnceWith('engine.run', { command: 'customer.search', input: { query: 'x', at: '1970-01-01T00:00:00.000Z', tags: {} } });
  });
});

/** A utility process as main sees it: messages posted to it, messages and exit from it. */
function fakeChild() {
  const sent: ToUtility[] = [];
  const messageListeners: Array<(message: unknown) => void> = [];
  const exitListeners: Array<(code: number) => void> = [];
  const child: EngineProcessLike = {
    postMessage: (message) => void sent.push(message),
    on: (event: 'message' | 'exit', listener: (value: never) => void) => {
      if (event === 'message') messageListeners.push(listener as (message: unknown) => void);
      else exitListeners.push(listener as (code: number) => void);
    },
  };
  return {
    child,
    sent,
    emit: (message: FromUtility | unknown) => messageListeners.forEach((listener) => listener(message)),
    exit: (code: number) => exitListeners.forEach((listener) => listener(code)),
  };
}

describe("main's end of the engine line", () => {
  const noSecrets = { load: async () => null, save: async () => {} };

  it('sends a call and resolves it with the answer of the same id', async () => {
    const { child, sent, emit } = fakeChild();
    const engine = connectEngine(child, noSecrets);
    const first = engine.forward('sync.status', {});
    const second = engine.forward('session.current', {});
    expect(sent).toEqual([
      { kind: 'call', id: 1, channel: 'sync.status', request: {} },
      { kind: 'call', id: 2, channel: 'session.current', request: {} },
    ]);
    emit({ kind: 'answer', id: 2, response: { session: null } });
    emit({ kind: 'answer', id: 1, response: { link: 'online' } });
    expect(await first).toEqual({ link: 'online' });
    expect(await second).toEqual({ session: null });
  });

  it('answers engine_unavailable to waiting and later calls when the engine exits, and engine_timeout when it is silent', async () => {
    const { child, exit } = fakeChild();
    const engine = connectEngine(child, noSecrets, { callTimeoutMs: 20 });
    const silent = engine.forward('sync.status', {});
    expect(await silent).toMatchObject({ ok: false, code: 'engine_timeout' });
    const waiting = engine.forward('sync.status', {});
    exit(3);
    expect(await waiting).toMatchObject({ ok: false, code: 'engine_unavailable' });
    expect(await engine.forward('sync.status', {})).toMatchObject({ ok: false, code: 'engine_unavailable' });
    await expect(engine.ready).rejects.toThrow(/exit code 3/);
  });

  it('relays only known events, and serves the engine its secrets from the key store', async () => {
    const { child, sent, emit } = fakeChild();
    const saved: Uint8Array[] = [];
    const engine = connectEngine(child, { load: async () => new Uint8Array([1, 2, 3]), save: async (secret) => void saved.push(secret) });
    const events: unknown[] = [];
    engine.onEvent((event, payload) => events.push([event, payload]));
    emit({ kind: 'event', event: 'session.ended', payload: { reason: 'timeout' } });
    emit({ kind: 'event', event: 'ipc.hijack', payload: {} });
    expect(events).toEqual([['session.ended', { reason: 'timeout' }]]);

    emit({ kind: 'secrets.load', id: 7 });
    emit({ kind: 'secrets.save', id: 8, secret: new Uint8Array([9]) });
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent).toEqual([
      { kind: 'secrets', id: 7, ok: true, secret: new Uint8Array([1, 2, 3]) },
      { kind: 'secrets', id: 8, ok: true, secret: null },
    ]);
    expect(saved).toEqual([new Uint8Array([9])]);
  });
});
