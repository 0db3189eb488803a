import { deviceKeyId, deviceSigningKeys, encodeBase64url, signRequest } from '@qenex/engine';
import WebSocket from 'ws';

/** At most one pull per this interval from notifications: every write at the bank notifies every branch. */
export const notifiedPullIntervalMs = 2_000;

/** Longest wait between reconnection attempts, and the first. */
export const reconnectDelayMaxMs = 30_000;
const reconnectDelayFirstMs = 500;

interface Deps {
  readonly serverUrl: string;
  readonly deviceId: string;
  readonly keyVersion: number;
  /** The device's signing seed (base64url), from its secret store. */
  readonly signingSeed: string;
  /** Called when the server says something changed, and when the connection is lost or made again. */
  readonly onChange: () => void;
}

/**
 * Prompt sync: the workstation keeps a WebSocket to the server's change notifications, opened with a
 * signed subscription (fresh time and nonce, the device's own key); each "changed" makes it pull at
 * once instead of at the next interval. The message carries nothing of the change itself: the pull
 * is signed, sealed and authoritative. The connection comes back by itself, waiting longer each time.
 */
export class ChangeListener {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delayMs = reconnectDelayFirstMs;
  private lastNotifiedMs = 0;
  private trailing: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly secretKeys;

  constructor(private readonly deps: Deps) {
    this.secretKeys = deviceSigningKeys(deps.signingSeed).secretKeys;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.trailing !== null) clearTimeout(this.trailing);
    this.socket?.terminate();
  }

  /** A change: a pull now, or one at the end of the interval if one just ran (a burst costs two pulls at most). */
  private notified(): void {
    const nowMs = Date.now();
    if (nowMs - this.lastNotifiedMs >= notifiedPullIntervalMs) {
      this.lastNotifiedMs = nowMs;
      this.deps.onChange();
      return;
    }
    this.trailing ??= setTimeout(() => {
      this.trailing = null;
      this.lastNotifiedMs = Date.now();
      if (!this.stopped) this.deps.onChange();
    }, notifiedPullIntervalMs - (nowMs - this.lastNotifiedMs));
    this.trailing.unref?.();
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(`${this.deps.serverUrl.replace(/^http/, 'ws')}/api/v1/sync/notifications`, { handshakeTimeout: 10_000, maxPayload: 64 * 1024 });
    this.socket = socket;
    socket.on('open', () => {
      const nonce = encodeBase64url(globalThis.crypto.getRandomValues(new Uint8Array(24)));
      const request = signRequest('subscribe', { deviceId: this.deps.deviceId, atMs: Date.now(), nonce }, { keyId: deviceKeyId(this.deps.deviceId, this.deps.keyVersion), secretKeys: this.secretKeys });
      socket.send(JSON.stringify(request));
    });
    socket.on('message', (data) => {
      let message: { kind?: unknown };
      try {
        message = JSON.parse(String(data)) as { kind?: unknown };
      } catch {
        return;
      }
      if (message.kind === 'subscribed') {
        this.delayMs = reconnectDelayFirstMs;
        this.deps.onChange();
      } else if (message.kind === 'changed') this.notified();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      this.deps.onChange();
      this.timer = setTimeout(() => this.connect(), this.delayMs);
      this.timer.unref?.();
      this.delayMs = Math.min(this.delayMs * 2, reconnectDelayMaxMs);
    });
  }
}
