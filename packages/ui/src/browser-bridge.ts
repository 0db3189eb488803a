import { bridgeChannels, type BridgeEvent, type BridgeEvents, type QenexApi } from './bridge';

/**
 * `window.qenex` in browser mode: each channel is a POST to the workstation host that served the
 * page, events arrive over a WebSocket that reconnects by itself. The same interface the Electron
 * preload exposes, so the screens cannot tell the two apart.
 */
export function browserBridge(base = ''): QenexApi {
  const listeners = new Map<BridgeEvent, Set<(payload: never) => void>>();
  let socket: WebSocket | null = null;
  // The page's bridge secret (written into it by the workstation that served it); renewed at each sign-in.
  let secret = document.querySelector<HTMLMetaElement>('meta[name="qenex-bridge"]')?.content ?? '';
  const connect = () => {
    const url = new URL(`${base}/bridge/events?s=${encodeURIComponent(secret)}`, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url);
    socket.onmessage = (message) => {
      const { event, payload } = JSON.parse(String(message.data)) as { event: BridgeEvent; payload: never };
      for (const listener of listeners.get(event) ?? []) listener(payload);
    };
    socket.onclose = () => {
      socket = null;
      setTimeout(connect, 1000);
    };
  };
  const call = async (channel: string, request: unknown) => {
    try {
      const response = await fetch(`${base}/bridge/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-qenex-bridge': secret }, body: JSON.stringify(request), credentials: 'same-origin' });
      const renewed = response.headers.get('x-qenex-bridge-secret');
      if (renewed !== null) secret = renewed;
      if (response.status === 403) return { ok: false, code: 'bridge_sender_refused', message: 'This page is out of date for the workstation: reload it.' };
      return await response.json();
    } catch {
      return { ok: false, code: 'workstation_unreachable', message: 'This page lost its workstation. Check that QENEX is still running, then try again.' };
    }
  };
  const api: Record<string, unknown> = Object.fromEntries(bridgeChannels.map((channel) => [channel, (request: unknown) => call(channel, request)]));
  api.on = <E extends BridgeEvent>(event: E, listener: (payload: BridgeEvents[E]) => void) => {
    if (socket === null) connect();
    const set = listeners.get(event) ?? new Set();
    set.add(listener as (payload: never) => void);
    listeners.set(event, set);
    return () => set.delete(listener as (payload: never) => void);
  };
  return api as QenexApi;
}
