import { bridgeChannels, bridgeEvents, type BridgeChannel, type BridgeEvent, type BridgeEvents, type QenexApi } from '@qenex/ui/bridge';
import { contextBridge, ipcRenderer, type IpcRenderer, type IpcRendererEvent } from 'electron';

/**
 * The preload of the workstation's window (sandboxed, context-isolated): it gives the page
 * `window.qenex` and nothing else. Each method is one `ipcRenderer.invoke`; events come through
 * `on`. The page never sees ipcRenderer, nor the IPC event object (whose `sender` is ipcRenderer).
 *
 * The channel names are those of `../main/ipc.ts` (`invokePrefix`, `eventPrefix`); they are written
 * out here so this bundle does not carry the main process's request schemas. preload.test.ts drives
 * this API through the main side's handlers, so a mismatch fails there.
 */
const invokePrefix = 'qenex:';
const eventPrefix = 'qenex-event:';

/** Listeners one page may hold on one event; a page that keeps adding them has a leak. */
export const eventListenersMax = 64;

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

interface EventRelay {
  readonly relay: (event: IpcRendererEvent, payload: unknown) => void;
  readonly subscriptions: Set<{ readonly listener: (payload: unknown) => void }>;
}

export function buildApi(ipc: IpcRendererLike): QenexApi {
  // One IPC listener per event, however many the page adds; the page's listeners are kept here.
  const relays = new Map<BridgeEvent, EventRelay>();

  const on = <E extends BridgeEvent>(event: E, listener: (payload: BridgeEvents[E]) => void): (() => void) => {
    // The page's script is not type-checked against us: check what it passes.
    if (!(bridgeEvents as readonly unknown[]).includes(event)) throw new TypeError(`There is no bridge event ${String(event)}.`);
    if (typeof listener !== 'function') throw new TypeError('A bridge event listener is a function.');
    let entry = relays.get(event);
    if (entry === undefined) {
      const subscriptions: EventRelay['subscriptions'] = new Set();
      // The IPC event is dropped here: its `sender` is ipcRenderer, which the page must never hold.
      const relay: EventRelay['relay'] = (_event, payload) => {
        for (const subscription of [...subscriptions]) subscription.listener(payload);
      };
      entry = { relay, subscriptions };
      relays.set(event, entry);
      ipc.on(`${eventPrefix}${event}`, relay);
    }
    if (entry.subscriptions.size >= eventListenersMax) throw new RangeError(`At most ${eventListenersMax} listeners may wait on ${event}.`);
    const subscription = { listener: listener as (payload: unknown) => void };
    entry.subscriptions.add(subscription);
    const { relay, subscriptions } = entry;
    return () => {
      if (!subscriptions.delete(subscription) || subscriptions.size > 0) return;
      relays.delete(event);
      ipc.removeListener(`${eventPrefix}${event}`, relay);
    };
  };

  // One method per channel of bridgeChannels, so a channel added there is on window.qenex at once. The
  // cast is the one place the mapped type is asserted; preload.test.ts checks every channel is present.
  const methods = Object.fromEntries(bridgeChannels.map((channel: BridgeChannel) => [channel, (request: unknown) => ipc.invoke(`${invokePrefix}${channel}`, request)]));
  return Object.freeze({ ...methods, on }) as unknown as QenexApi;
}

contextBridge.exposeInMainWorld('qenex', buildApi(ipcRenderer));
