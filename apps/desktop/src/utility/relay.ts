import { bridgeEvents, type BridgeChannel, type BridgeEvent } from '@qenex/ui/bridge';
import { isBridgeChannel } from '../common/ipc';

/**
 * The engine's side of the line between the Electron main process and the utility process the engine
 * runs in. Main sends bridge calls (already checked against their schemas), this answers them through
 * the workstation host and sends the host's events back. The device's secret keys stay with main
 * (Electron's safeStorage works only there): the host reads and writes them through main, over the
 * same port.
 */

/** The workstation as the bridge sees it (the same shape `../node/host` exports). */
export interface BridgeHost {
  handle(channel: BridgeChannel, request: unknown): Promise<unknown>;
  /** `clientId`, when given, names the one client an event is for; the window is the host's default client. */
  on(listener: (event: BridgeEvent, payload: unknown, clientId?: string) => void): () => void;
  close(): Promise<void>;
}

/** The host's client id for the Electron window (its default). */
export const windowClientId = 'window';

export interface SecretStore {
  load(): Promise<Uint8Array | null>;
  save(secret: Uint8Array): Promise<void>;
}

export interface HostConfig {
  readonly dataDir: string;
  readonly serverUrl: string;
  readonly secrets: SecretStore;
}

/** What the utility process is started with; the secrets are reached through main. */
export type UtilityConfig = Omit<HostConfig, 'secrets'>;

/** Main → utility. */
export type ToUtility =
  | { readonly kind: 'call'; readonly id: number; readonly channel: BridgeChannel; readonly request: unknown }
  | { readonly kind: 'secrets'; readonly id: number; readonly ok: true; readonly secret: Uint8Array | null }
  | { readonly kind: 'secrets'; readonly id: number; readonly ok: false; readonly message: string }
  | { readonly kind: 'shutdown' };

/** Utility → main. */
export type FromUtility =
  | { readonly kind: 'ready' }
  | { readonly kind: 'fatal'; readonly message: string }
  | { readonly kind: 'answer'; readonly id: number; readonly response: unknown }
  | { readonly kind: 'event'; readonly event: BridgeEvent; readonly payload: unknown }
  | { readonly kind: 'secrets.load'; readonly id: number }
  | { readonly kind: 'secrets.save'; readonly id: number; readonly secret: Uint8Array }
  | { readonly kind: 'closed' };

/** `process.parentPort` of a utility process, as far as the relay uses it. */
export interface UtilityPort {
  on(event: 'message', listener: (message: { readonly data: unknown }) => void): unknown;
  postMessage(message: FromUtility): void;
}

/** Calls the host is answering at once; more are answered `bridge_busy` (the renderer has one user). */
export const callsInFlightMax = 256;
/** How long the host waits for main to read or write the device's secrets. */
export const secretsTimeoutMs = 15_000;
/** Secret requests waiting on main at once (the host asks for them at start and on enrolment). */
export const secretsPendingMax = 16;

export interface RelayOptions {
  readonly log?: (message: string) => void;
  readonly secretsTimeoutMs?: number;
}

/**
 * Runs the engine's side until main asks it to shut down: opens the host, answers calls (queued
 * while the host opens), relays events. When the host cannot open, main is told why (`fatal`) and
 * every call is answered `engine_unavailable` with that reason.
 */
export function runUtility(
  port: UtilityPort,
  open: (config: HostConfig) => Promise<BridgeHost>,
  config: UtilityConfig,
  options: RelayOptions = {},
): Promise<void> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const secrets = new SecretsOverPort(port, options.secretsTimeoutMs ?? secretsTimeoutMs);
  let inFlight = 0;
  let stopping = false;
  const opened = open({ ...config, secrets });
  const host: Promise<BridgeHost | Error> = opened.then(
    (value) => {
      value.on((event, payload, clientId) => {
        // An event for another client (a supervisor signing in at the teller's screen) is not the window's.
        if (clientId !== undefined && clientId !== windowClientId) return;
        if ((bridgeEvents as readonly string[]).includes(event)) port.postMessage({ kind: 'event', event, payload });
      });
      port.postMessage({ kind: 'ready' });
      return value;
    },
    (error: unknown) => {
      const reason = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ kind: 'fatal', message: reason.message });
      return reason;
    },
  );

  return new Promise<void>((resolveDone) => {
    port.on('message', ({ data }) => {
      const message = parseToUtility(data);
      if (message === null) {
        log('qenex engine: a message from main was not understood and is ignored.');
        return;
      }
      switch (message.kind) {
        case 'call':
          if (stopping) return port.postMessage({ kind: 'answer', id: message.id, response: unavailable('The workstation is shutting down.') });
          if (inFlight >= callsInFlightMax) return port.postMessage({ kind: 'answer', id: message.id, response: { ok: false, code: 'bridge_busy', message: 'The workstation is busy; try again.' } });
          inFlight += 1;
          void answer(host, message, log).then((response) => {
            inFlight -= 1;
            port.postMessage({ kind: 'answer', id: message.id, response });
          });
          return;
        case 'secrets':
          return secrets.settle(message);
        case 'shutdown':
          if (stopping) return;
          stopping = true;
          void host
            .then(async (value) => {
              if (!(value instanceof Error)) await value.close();
            })
            .catch((error: unknown) => log(`qenex engine: closing the workstation failed: ${error instanceof Error ? error.message : String(error)}`))
            .then(() => {
              secrets.failAll('The workstation is shutting down.');
              port.postMessage({ kind: 'closed' });
              resolveDone();
            });
          return;
        default:
          return assertNever(message);
      }
    });
  });
}

async function answer(host: Promise<BridgeHost | Error>, call: { readonly channel: BridgeChannel; readonly request: unknown }, log: (message: string) => void): Promise<unknown> {
  const value = await host;
  if (value instanceof Error) return unavailable(value.message);
  try {
    return await value.handle(call.channel, call.request);
  } catch (error) {
    // A host that throws has a bug: the renderer is told the call failed, the details go to the log.
    log(`qenex engine: ${call.channel} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { ok: false, code: 'bridge_failed', message: 'The workstation could not answer this request.' };
  }
}

function unavailable(reason: string): { ok: false; code: 'engine_unavailable'; message: string } {
  return { ok: false, code: 'engine_unavailable', message: reason };
}

/** The host's secrets, kept by main: each load or save is a request over the port, answered or timed out. */
class SecretsOverPort implements SecretStore {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(secret: Uint8Array | null): void; reject(error: Error): void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly port: UtilityPort,
    private readonly timeoutMs: number,
  ) {}

  load(): Promise<Uint8Array | null> {
    return this.request((id) => ({ kind: 'secrets.load', id }));
  }

  async save(secret: Uint8Array): Promise<void> {
    await this.request((id) => ({ kind: 'secrets.save', id, secret: Uint8Array.from(secret) }));
  }

  settle(message: Extract<ToUtility, { kind: 'secrets' }>): void {
    const waiting = this.pending.get(message.id);
    if (waiting === undefined) return;
    this.pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.ok) waiting.resolve(message.secret);
    else waiting.reject(new Error(message.message));
  }

  failAll(reason: string): void {
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      clearTimeout(waiting.timer);
      waiting.reject(new Error(reason));
    }
  }

  private request(make: (id: number) => FromUtility): Promise<Uint8Array | null> {
    if (this.pending.size >= secretsPendingMax) return Promise.reject(new Error('Too many requests for the device secrets are waiting.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('The main process did not answer for the device secrets in time.'));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.port.postMessage(make(id));
    });
  }
}

/** Checks a message from main; anything else is ignored (main is ours, so this is a programmer error). */
export function parseToUtility(data: unknown): ToUtility | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  switch (message.kind) {
    case 'call':
      return isId(message.id) && isBridgeChannel(message.channel) ? { kind: 'call', id: message.id, channel: message.channel, request: message.request } : null;
    case 'secrets':
      if (!isId(message.id)) return null;
      if (message.ok === true && (message.secret === null || message.secret instanceof Uint8Array)) return { kind: 'secrets', id: message.id, ok: true, secret: message.secret };
      if (message.ok === false && typeof message.message === 'string') return { kind: 'secrets', id: message.id, ok: false, message: message.message };
      return null;
    case 'shutdown':
      return { kind: 'shutdown' };
    default:
      return null;
  }
}

export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function assertNever(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}
