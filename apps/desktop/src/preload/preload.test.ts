import { EventEmitter } from 'node:events';
import { bridgeChannels, type QenexApi } from '@qenex/ui/bridge';
import { describe, expect, it, vi } from 'vitest';
import { eventChannel, registerBridge, type InvokeEventLike, type IpcMainLike } from '../main/ipc';
import { appOrigin } from '../main/security';

// The `electron` package has no binary here and its index throws when loaded outside Electron; the
// preload's two Electron objects are replaced at that edge, and everything else is the real code.
const exposed = vi.hoisted(() => ({ worlds: [] as Array<[string, unknown]> }));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.worlds.push([key, api]) },
  ipcRenderer: { invoke: async () => undefined, on: () => undefined, removeListener: () => undefined },
}));
const { buildApi, eventListenersMax } = await import('./preload');

/**
 * ipcRenderer and ipcMain joined as Electron joins them: `invoke` reaches the handler main
 * registered for the channel (from the app's main frame), `send` from main reaches `on` listeners.
 */
function wiredIpc(forward: (channel: string, request: unknown) => Promise<unknown>) {
  const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
  const ipcMain: IpcMainLike = { handle: (channel, listener) => void handlers.set(channel, listener), removeHandler: (channel) => void handlers.delete(channel) };
  registerBridge(ipcMain, forward, appOrigin);
  const mainFrame = { url: `${appOrigin}/index.html` };
  const event: InvokeEventLike = { senderFrame: mainFrame, sender: { mainFrame } };
  const emitter = new EventEmitter();
  const ipcEvent = { sender: 'ipcRenderer itself', senderId: 0 };
  const ipcRenderer = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => {
      const handler = handlers.get(channel);
      if (handler === undefined) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
      return handler(event, ...args);
    }),
    on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => emitter.on(channel, listener)),
    removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) => emitter.removeListener(channel, listener)),
  };
  const send = (channel: string, payload: unknown) => emitter.emit(channel, ipcEvent, payload);
  return { ipcRenderer, send, emitter };
}

describe('the preload', () => {
  it('exposes window.qenex, and only it', () => {
    expect(exposed.worlds.map(([key]) => key)).toEqual(['qenex']);
  });

  it('has one method per bridge channel and on(), and no IPC object on it', () => {
    const { ipcRenderer } = wiredIpc(async () => null);
    const api = buildApi(ipcRenderer as never);
    expect(Object.keys(api).sort()).toEqual([...bridgeChannels, 'on'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.values(api)).not.toContain(ipcRenderer);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it("reaches main's handler for every channel under the same name, and returns its answer", async () => {
    const forward = vi.fn(async (channel: string) => ({ answered: channel }));
    const { ipcRenderer } = wiredIpc(forward);
    const api = buildApi(ipcRenderer as never);
    expect(await api['session.signIn']({ username: 'alice', password: 'pw' })).toEqual({ answered: 'session.signIn' });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('qenex:session.signIn', { username: 'alice', password: 'pw' });
    const calls = api as unknown as Record<string, (request: unknown) => Promise<unknown>>;
    for (const channel of bridgeChannels) {
      // Main's schema may refuse `{}`; either way the call found a handler (the fake throws when none is registered).
      await expect(calls[channel]?.({}), channel).resolves.toBeTypeOf('object');
      expect(ipcRenderer.invoke).toHaveBeenLastCalledWith(`qenex:${channel}`, {});
    }
    expect(forward.mock.calls.map(([channel]) => channel)).toContain('sync.status');
  });

  it('gives an event listener the payload only, never the IPC event (whose sender is ipcRenderer), and unsubscribes', () => {
    const { ipcRenderer, send, emitter } = wiredIpc(async () => null);
    const api: QenexApi = buildApi(ipcRenderer as never);
    const seen: unknown[][] = [];
    const twice: unknown[] = [];
    const record = (payload: unknown) => twice.push(payload);
    const off = api.on('session.ended', (...args: unknown[]) => seen.push(args));
    const offFirst = api.on('session.ended', record);
    const offSecond = api.on('session.ended', record);
    send(eventChannel('session.ended'), { reason: 'signed out elsewhere' });
    expect(seen).toEqual([[{ reason: 'signed out elsewhere' }]]);
    expect(twice).toHaveLength(2);
    off();
    off();
    offFirst();
    offSecond();
    send(eventChannel('session.ended'), { reason: 'again' });
    expect(seen).toHaveLength(1);
    expect(emitter.listenerCount(eventChannel('session.ended'))).toBe(0);
  });

  it('refuses to subscribe to anything but a bridge event, or with no function, or past the listener bound', () => {
    const { ipcRenderer } = wiredIpc(async () => null);
    const api = buildApi(ipcRenderer as never);
    const on = api.on as unknown as (event: string, listener: unknown) => () => void;
    expect(() => on('../qenex:session.signIn', () => {})).toThrow(TypeError);
    expect(() => on('sync.changed', 'not a function')).toThrow(TypeError);
    expect(ipcRenderer.on).not.toHaveBeenCalled();
    const offs = Array.from({ length: eventListenersMax }, () => api.on('sync.changed', () => {}));
    expect(ipcRenderer.on).toHaveBeenCalledOnce();
    expect(() => api.on('sync.changed', () => {})).toThrow(RangeError);
    offs[0]?.();
    expect(() => api.on('sync.changed', () => {})).not.toThrow();
  });
});
