import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { BridgeChannel, BridgeEvent } from '@qenex/ui/bridge';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectEngine, type EngineProcessLike } from '../main/ipc';
import { callsInFlightMax, runUtility, type BridgeHost, type FromUtility, type HostConfig, type ToUtility, type UtilityPort } from './relay';

/**
 * A utility process and its parent joined by a real MessageChannel (structured clone, as Electron's
 * parentPort): one end is `process.parentPort` for the relay, the other is the UtilityProcess main holds.
 */
const channels: MessageChannel[] = [];
function joined() {
  const channel = new MessageChannel();
  channels.push(channel);
  const { port1: mainEnd, port2: utilityEnd } = channel;
  const parentPort: UtilityPort = {
    on: (_event, listener) => utilityEnd.on('message', (data: unknown) => listener({ data })),
    postMessage: (message) => utilityEnd.postMessage(message),
  };
  const child: EngineProcessLike = {
    postMessage: (message) => mainEnd.postMessage(message),
    on: (event: 'message' | 'exit', listener: (value: never) => void) => {
      if (event === 'message') mainEnd.on('message', listener as (data: unknown) => void);
    },
  };
  return { parentPort, child, mainEnd, utilityEnd };
}
afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

function received(port: MessagePort): FromUtility[] {
  const messages: FromUtility[] = [];
  port.on('message', (message: FromUtility) => messages.push(message));
  return messages;
}

/** A host that answers every call with its channel and request, and can be told to emit events. */
function echoHost() {
  let emit: (event: BridgeEvent, payload: unknown) => void = () => {};
  const host: BridgeHost & { close: ReturnType<typeof vi.fn> } = {
    handle: vi.fn(async (channel: BridgeChannel, request: unknown) => ({ ok: true, channel, request })),
    on: (listener) => {
      emit = listener;
      return () => {};
    },
    close: vi.fn(async () => {}),
  };
  return { host, emit: (event: BridgeEvent, payload: unknown) => emit(event, payload) };
}

const config = { dataDir: '/tmp/qenex-test', serverUrl: 'http://127.0.0.1:1' };

describe('the engine relay in the utility process', () => {
  it('answers calls made while the host opens once it is open, each under its own id', async () => {
    const { parentPort, mainEnd } = joined();
    const messages = received(mainEnd);
    const { host } = echoHost();
    let openHost: (host: BridgeHost) => void = () => {};
    void runUtility(parentPort, () => new Promise((resolve) => (openHost = resolve)), config);
    mainEnd.postMessage({ kind: 'call', id: 1, channel: 'sync.status', request: {} } satisfies ToUtility);
    mainEnd.postMessage({ kind: 'call', id: 2, channel: 'draft.load', request: { key: 'k' } } satisfies ToUtility);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(messages).toEqual([]);
    openHost(host);
    await vi.waitFor(() => expect(messages).toHaveLength(3));
    expect(messages).toContainEqual({ kind: 'ready' });
    expect(messages).toContainEqual({ kind: 'answer', id: 1, response: { ok: true, channel: 'sync.status', request: {} } });
    expect(messages).toContainEqual({ kind: 'answer', id: 2, response: { ok: true, channel: 'draft.load', request: { key: 'k' } } });
  });

  it('tells main why the host could not open, and answers every call engine_unavailable with that reason', async () => {
    const { parentPort, mainEnd } = joined();
    const messages = received(mainEnd);
    void runUtility(parentPort, async () => Promise.reject(new Error('This workstation is not enrolled.')), config);
    mainEnd.postMessage({ kind: 'call', id: 5, channel: 'session.current', request: {} } satisfies ToUtility);
    await vi.waitFor(() => expect(messages).toHaveLength(2));
    expect(messages).toEqual([
      { kind: 'fatal', message: 'This workstation is not enrolled.' },
      { kind: 'answer', id: 5, response: { ok: false, code: 'engine_unavailable', message: 'This workstation is not enrolled.' } },
    ]);
  });

  it('answers bridge_failed when the host throws, with the details in the log and not in the answer', async () => {
    const { parentPort, mainEnd } = joined();
    const messages = received(mainEnd);
    const log = vi.fn();
    const { host } = echoHost();
    host.handle = async () => {
      throw new Error('SQLITE_CORRUPT at /home/teller/.config/qenex/workstation.db');
    };
    void runUtility(parentPort, async () => host, config, { log });
    mainEnd.postMessage({ kind: 'call', id: 1, channel: 'sync.status', request: {} } satisfies ToUtility);
    await vi.waitFor(() => expect(messages).toHaveLength(2));
    expect(messages[1]).toEqual({ kind: 'answer', id: 1, response: { ok: false, code: 'bridge_failed', message: 'The workstation could not answer this request.' } });
    expect(log.mock.calls[0]?.[0]).toMatch(/SQLITE_CORRUPT/);
  });

  it('ignores messages it does not understand, and an unknown channel never reaches the host', async () => {
    const { parentPort, mainEnd } = joined();
    const messages = received(mainEnd);
    const log = vi.fn();
    const { host } = echoHost();
    void runUtility(parentPort, async () => host, config, { log });
    for (const message of [null, 'call', { kind: 'call', id: 1, channel: 'fs.readFile', request: {} }, { kind: 'call', id: -1, channel: 'sync.status' }, { kind: 'eval', code: '1' }]) mainEnd.postMessage(message);
    await vi.waitFor(() => expect(log).toHaveBeenCalledTimes(5));
    expect(host.handle).not.toHaveBeenCalled();
    expect(messages).toEqual([{ kind: 'ready' }]);
  });

  it('answers bridge_busy beyond the calls it may have in flight', async () => {
    const { parentPort, mainEnd } = joined();
    const messages = received(mainEnd);
    const { host } = echoHost();
    host.handle = () => new Promise(() => {});
    void runUtility(parentPort, async () => host, config);
    for (let id = 1; id <= callsInFlightMax + 1; id += 1) mainEnd.postMessage({ kind: 'call', id, channel: 'sync.status', request: {} } satisfies ToUtility);
    await vi.waitFor(() => expect(messages).toContainEqual({ kind: 'answer', id: callsInFlightMax + 1, response: { ok: false, code: 'bridge_busy', message: 'The workstation is busy; try again.' } }));
  });

  it('closes the host on shutdown, says so, and refuses calls after it', async () => {
    const { parentPort, mainEnd } = joined();
    const messages = received(mainEnd);
    const { host } = echoHost();
    const done = runUtility(parentPort, async () => host, config);
    mainEnd.postMessage({ kind: 'shutdown' } satisfies ToUtility);
    mainEnd.postMessage({ kind: 'call', id: 9, channel: 'sync.status', request: {} } satisfies ToUtility);
    await done;
    expect(host.close).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(messages).toContainEqual({ kind: 'closed' }));
    expect(messages).toContainEqual({ kind: 'answer', id: 9, response: { ok: false, code: 'engine_unavailable', message: 'The workstation is shutting down.' } });
  });
});

describe('main and the engine over one port', () => {
  it('carries a call out and its answer back, the host events to main, and the secrets from main to the host', async () => {
    const { parentPort, child } = joined();
    const { host, emit } = echoHost();
    let hostConfig: HostConfig | undefined;
    const stored: Uint8Array[] = [new Uint8Array([7, 7, 7])];
    void runUtility(
      parentPort,
      async (given) => {
        hostConfig = given;
        return host;
      },
      config,
    );
    const engine = connectEngine(child, { load: async () => stored.at(-1) ?? null, save: async (secret) => void stored.push(secret) });
    await engine.ready;
    expect(hostConfig).toMatchObject(config);

    expect(await engine.forward('receipt.get', { transferId: 't-1' })).toEqual({ ok: true, channel: 'receipt.get', request: { transferId: 't-1' } });

    const events: unknown[] = [];
    engine.onEvent((event, payload) => events.push([event, payload]));
    emit('sync.changed', { link: 'offline' });
    emit('not.an.event' as BridgeEvent, {});
    await vi.waitFor(() => expect(events).toEqual([['sync.changed', { link: 'offline' }]]));

    expect(await hostConfig?.secrets.load()).toEqual(new Uint8Array([7, 7, 7]));
    await hostConfig?.secrets.save(new Uint8Array([1, 2]));
    expect(stored.at(-1)).toEqual(new Uint8Array([1, 2]));
    expect(await hostConfig?.secrets.load()).toEqual(new Uint8Array([1, 2]));

    await engine.shutdown(1_000);
    expect(host.close).toHaveBeenCalledOnce();
  });

  it("fails the host's secret request when main does not answer in time", async () => {
    const { parentPort } = joined();
    let hostConfig: HostConfig | undefined;
    void runUtility(
      parentPort,
      async (given) => {
        hostConfig = given;
        return echoHost().host;
      },
      config,
      { secretsTimeoutMs: 20 },
    );
    await vi.waitFor(() => expect(hostConfig).toBeDefined());
    await expect(hostConfig?.secrets.load()).rejects.toThrow(/did not answer/);
  });
});
