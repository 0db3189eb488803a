import websocket from '@fastify/websocket';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Engine, KvPorts, Unsubscribe } from '@qenex/engine';
import type { WebSocket } from 'ws';

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
  app.get('/api/v1/sync/notifications', { websocket: true }, (socket, request) => {
    if (connections >= notificationConnectionsMax) {
      socket.close(1013, 'too many connections; retry later');
      return;
    }
    connections += 1;
    // The socket can close at any moment, also while its subscription is still being set up: then
    // the close finds nothing to remove, and the subscription, once made, must remove itself.
    let closed = false;
    let unsubscribe: Unsubscribe | null = null;
    const release = (held: Unsubscribe): void => {
      held().catch((error: unknown) => request.log.error({ err: error }, 'removing a workstation subscription failed'));
    };
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
      subscribeWorkstation(engine, kv, socket, message).then(
        (held) => {
          if (held === null) return;
          if (closed) release(held);
          else unsubscribe = held;
        },
        (error: unknown) => reportSubscribeFailure(request.log, socket, error),
      );
    });
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      connections -= 1;
      if (unsubscribe !== null) release(unsubscribe);
      unsubscribe = null;
    });
  });
}

/**
 * Checks the signed subscription and subscribes the socket to the changes channel. Null when the
 * subscription is refused (the socket is told and closed) or the socket closed while it was checked.
 */
async function subscribeWorkstation(engine: Engine, kv: KvPorts, socket: WebSocket, message: unknown): Promise<Unsubscribe | null> {
  const result = await engine.executeAny('sync.subscribe', { message }, { actor: 'device', roles: ['device'], deviceId: 'websocket' });
  if (!result.ok) {
    socket.send(JSON.stringify({ kind: 'refused', code: result.code, message: result.message }));
    socket.close(1008, result.code);
    return null;
  }
  if (socket.readyState !== socket.OPEN) return null;
  const unsubscribe = await kv.bus.subscribe(changesChannel, (notice) => {
    if (socket.readyState === socket.OPEN) socket.send(notice);
  });
  socket.send(JSON.stringify({ kind: 'subscribed', ...(result.value as object) }));
  return unsubscribe;
}

/**
 * The engine or the bus failed (the database or Redis is unreachable): the server's trouble, not the
 * workstation's. It is logged, and the socket closed with 1011 so the workstation reconnects later
 * and pulls meanwhile; an unhandled rejection here could end the process.
 */
function reportSubscribeFailure(log: FastifyBaseLogger, socket: WebSocket, error: unknown): void {
  log.error({ err: error }, 'a workstation subscription failed');
  if (socket.readyState === socket.OPEN) socket.close(1011, 'the subscription failed; reconnect later');
}
