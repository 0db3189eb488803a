import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Engine, KvPorts } from '@qenex/engine';

/** The channel every server process publishes its committed changes on (through Redis when shared). */
export const changesChannel = 'changes';
/** Workstations one server process keeps connected. */
export const notificationConnectionsMax = 10_000;
/** How long a new connection has to send its signed subscription. */
export const subscribeTimeoutMs = 10_000;
/** Changes within this window are told once: a workstation pulls once for a burst. */
export const notifyCoalesceMs = 50;

/**
 * Prompt sync: when a write commits on any server process, every connected workstation hears
 * "something changed" over its WebSocket and pulls. The message says nothing about the change
 * (the pull is signed, sealed and authoritative); Redis pub/sub fans it out across processes.
 */
export class ChangeNotifier {
  private pending: NodeJS.Timeout | null = null;

  constructor(private readonly kv: KvPorts) {}

  /** Called after each committed write; bursts collapse into one message. */
  committed(command: string): void {
    if (this.pending !== null) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.kv.bus.publish(changesChannel, JSON.stringify({ kind: 'changed', command, atMs: Date.now() })).catch(() => undefined);
    }, notifyCoalesceMs);
  }

  stop(): void {
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = null;
  }
}

export async function registerNotifications(app: FastifyInstance, engine: Engine, kv: KvPorts): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  let connections = 0;
  app.get('/api/v1/sync/notifications', { websocket: true }, (socket) => {
    if (connections >= notificationConnectionsMax) {
      socket.close(1013, 'too many connections; retry later');
      return;
    }
    connections += 1;
    let unsubscribe: (() => Promise<void>) | null = null;
    const timer = setTimeout(() => socket.close(1008, 'send a signed subscription first'), subscribeTimeoutMs);
    socket.once('message', (data: Buffer) => {
      clearTimeout(timer);
      let message: unknown;
      try {
        message = JSON.parse(data.toString('utf8'));
      } catch {
        socket.close(1008, 'the subscription is not JSON');
        return;
      }
      void engine.executeAny('sync.subscribe', { message }, { actor: 'device', roles: ['device'], deviceId: 'websocket' }).then(async (result) => {
        if (!result.ok) {
          socket.send(JSON.stringify({ kind: 'refused', code: result.code, message: result.message }));
          socket.close(1008, result.code);
          return;
        }
        unsubscribe = await kv.bus.subscribe(changesChannel, (notice) => {
          if (socket.readyState === socket.OPEN) socket.send(notice);
        });
        socket.send(JSON.stringify({ kind: 'subscribed', ...(result.value as object) }));
      });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      connections -= 1;
      void (unsubscribe as (() => Promise<void>) | null)?.();
    });
  });
}
