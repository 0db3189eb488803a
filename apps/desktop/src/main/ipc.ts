import { bridgeChannels, bridgeEvents, bridgeRequestBytesMax, type BridgeChannel, type BridgeEvent } from '@qenex/ui/bridge';
import { parseBridgeRequest } from '../common/ipc';
import { isId, type FromUtility, type SecretStore, type ToUtility } from '../utility/relay';
import { originOf } from './security';

/**
 * The bridge in the main process: the renderer's `window.qenex` calls arrive here over IPC, are
 * checked (who sent them, what they hold) and forwarded to the engine's utility process; its answers
 * and events go back. Nothing reaches the engine that did not come from the app's own page and match
 * its schema.
 */

/** The IPC channel of a bridge call, and of an event sent to the page (the preload uses the same). */
export const invokePrefix = 'qenex:';
export const eventPrefix = 'qenex-event:';
export const invokeChannel = (channel: BridgeChannel): string => `${invokePrefix}${channel}`;
export const eventChannel = (event: BridgeEvent): string => `${eventPrefix}${event}`;

export type BridgeRefusal = { readonly ok: false; readonly code: 'bridge_sender_refused' | 'unknown_bridge_channel' | 'invalid_bridge_request'; readonly message: string };
export type Forward = (channel: BridgeChannel, request: unknown) => Promise<unknown>;

/** The parts of an IPC invoke event the sender check reads (a fake in tests, Electron's in the app). */
export interface InvokeEventLike {
  readonly senderFrame: FrameLike | null;
  readonly sender: { readonly mainFrame: FrameLike };
}
interface FrameLike {
  readonly url: string;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/**
 * One `ipcMain.handle` per bridge channel, and none for anything else. Returns the unregister.
 * `expectedOrigin` is `app://qenex` (the Vite dev server's origin only under `electron-forge start`).
 */
export function registerBridge(ipcMain: IpcMainLike, forward: Forward, expectedOrigin: string): () => void {
  for (const channel of bridgeChannels) {
    ipcMain.handle(invokeChannel(channel), async (event, request) => {
      const refused = checkSender(event, expectedOrigin);
      if (refused !== null) return refused;
      const parsed = parseJsonRequest(channel, request);
      if (!parsed.ok) return parsed;
      return forward(channel, parsed.request);
    });
  }
  return () => {
    for (const channel of bridgeChannels) ipcMain.removeHandler(invokeChannel(channel));
  };
}

/** Only the top frame of the app's page may call: not a subframe, not a frame gone or navigated elsewhere. */
export function checkSender(event: InvokeEventLike, expectedOrigin: string): BridgeRefusal | null {
  const frame = event.senderFrame;
  if (frame === null) return senderRefused('the calling frame is gone');
  if (frame !== event.sender.mainFrame) return senderRefused('only the main frame of the app may call the bridge');
  if (originOf(frame.url) !== expectedOrigin) return senderRefused('the calling page is not the app');
  return null;
}

function senderRefused(why: string): BridgeRefusal {
  return { ok: false, code: 'bridge_sender_refused', message: `The bridge call was refused: ${why}.` };
}

/**
 * The request as JSON data only (whatever structured clone let through, a Map or a Date, does not
 * reach the engine), then its schema. The size bound is checked on the encoded text before parsing.
 */
function parseJsonRequest(channel: BridgeChannel, request: unknown): BridgeRefusal | { readonly ok: true; readonly request: unknown } {
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(request);
  } catch {
    encoded = undefined;
  }
  if (encoded === undefined) return { ok: false, code: 'invalid_bridge_request', message: 'A bridge request is JSON data.' };
  const bytes = Buffer.byteLength(encoded);
  // Past the bound parseBridgeRequest refuses on the size alone, so the text is not even parsed.
  const parsed = parseBridgeRequest(channel, bytes > bridgeRequestBytesMax ? undefined : (JSON.parse(encoded) as unknown), bytes);
  return parsed.ok ? { ok: true, request: parsed.request } : parsed;
}

/** The utility process as main uses it: Electron's `UtilityProcess`, or a fake. */
export interface EngineProcessLike {
  postMessage(message: ToUtility): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

export interface EngineConnection {
  /** Resolves when the host is open; rejects with the reason it could not open, or the process's exit. */
  readonly ready: Promise<void>;
  readonly forward: Forward;
  onEvent(listener: (event: BridgeEvent, payload: unknown) => void): () => void;
  /** Asks the engine to close its books; resolves when it says it has, or after `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

/** Calls waiting for the engine at once; beyond it the renderer is answered `bridge_busy`. */
export const callsPendingMax = 512;
/** The longest a call waits for the engine (a sign-in or a sync may wait on the server). */
export const callTimeoutMs = 120_000;

/** Main's end of the engine line: bridge calls out, answers and events in, secrets served from the key store. */
export function connectEngine(child: EngineProcessLike, secrets: SecretStore, options: { readonly callTimeoutMs?: number } = {}): EngineConnection {
  const timeoutMs = options.callTimeoutMs ?? callTimeoutMs;
  const pending = new Map<number, { resolve(response: unknown): void; timer: NodeJS.Timeout }>();
  const listeners = new Set<(event: BridgeEvent, payload: unknown) => void>();
  let nextId = 1;
  let gone: string | null = null;
  let closed: (() => void) | null = null;
  let settleReady: { resolve(): void; reject(error: Error): void } | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  ready.catch(() => {
    // Whoever starts the engine awaits `ready`; an unobserved copy must not crash main.
  });

  const failAll = (reason: string): void => {
    gone = reason;
    for (const [id, call] of pending) {
      pending.delete(id);
      clearTimeout(call.timer);
      call.resolve({ ok: false, code: 'engine_unavailable', message: reason });
    }
  };

  child.on('message', (data) => {
    const message = parseFromUtility(data);
    if (message === null) return;
    switch (message.kind) {
      case 'ready':
        return settleReady?.resolve();
      case 'fatal':
        failAll(message.message);
        return settleReady?.reject(new Error(message.message));
      case 'answer': {
        const call = pending.get(message.id);
        if (call === undefined) return;
        pending.delete(message.id);
        clearTimeout(call.timer);
        return call.resolve(message.response);
      }
      case 'event':
        for (const listener of listeners) listener(message.event, message.payload);
        return;
      case 'secrets.load':
      case 'secrets.save':
        return void serveSecrets(child, secrets, message);
      case 'closed':
        return closed?.();
      default:
        return assertNever(message);
    }
  });
  child.on('exit', (code) => {
    const reason = `The workstation engine stopped (exit code ${code}).`;
    failAll(reason);
    settleReady?.reject(new Error(reason));
    closed?.();
  });

  const forward: Forward = (channel, request) => {
    if (gone !== null) return Promise.resolve({ ok: false, code: 'engine_unavailable', message: gone });
    if (pending.size >= callsPendingMax) return Promise.resolve({ ok: false, code: 'bridge_busy', message: 'The workstation is busy; try again.' });
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve({ ok: false, code: 'engine_timeout', message: 'The workstation did not answer in time.' });
      }, timeoutMs);
      pending.set(id, { resolve, timer });
      child.postMessage({ kind: 'call', id, channel, request });
    });
  };

  return {
    ready,
    forward,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    shutdown(shutdownTimeoutMs) {
      if (gone !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, shutdownTimeoutMs);
        closed = () => {
          clearTimeout(timer);
          resolve();
        };
        child.postMessage({ kind: 'shutdown' });
      });
    },
  };
}

async function serveSecrets(child: EngineProcessLike, secrets: SecretStore, message: Extract<FromUtility, { kind: 'secrets.load' | 'secrets.save' }>): Promise<void> {
  try {
    if (message.kind === 'secrets.load') {
      child.postMessage({ kind: 'secrets', id: message.id, ok: true, secret: await secrets.load() });
    } else {
      await secrets.save(message.secret);
      child.postMessage({ kind: 'secrets', id: message.id, ok: true, secret: null });
    }
  } catch (error) {
    child.postMessage({ kind: 'secrets', id: message.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
}

/** Checks a message from the engine; anything else is dropped. */
export function parseFromUtility(data: unknown): FromUtility | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  switch (message.kind) {
    case 'ready':
    case 'closed':
      return { kind: message.kind };
    case 'fatal':
      return typeof message.message === 'string' ? { kind: 'fatal', message: message.message } : null;
    case 'answer':
      return isId(message.id) ? { kind: 'answer', id: message.id, response: message.response } : null;
    case 'event':
      return (bridgeEvents as readonly unknown[]).includes(message.event) ? { kind: 'event', event: message.event as BridgeEvent, payload: message.payload } : null;
    case 'secrets.load':
      return isId(message.id) ? { kind: 'secrets.load', id: message.id } : null;
    case 'secrets.save':
      return isId(message.id) && message.secret instanceof Uint8Array ? { kind: 'secrets.save', id: message.id, secret: message.secret } : null;
    default:
      return null;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}
