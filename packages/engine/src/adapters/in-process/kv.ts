import { AssertionError, assert } from '../../core/assert';
import { encodeBase64url } from '../../core/crypto/encoding';
import type { Clock } from '../../ports/clock';
import {
  KvLimitError,
  kvCheck,
  kvLimits,
  kvNamespace,
  type Cache,
  type IdempotencyBegin,
  type IdempotencyStore,
  type KvErrorReporter,
  type KvPorts,
  type MessageBus,
  type MessageHandler,
  type RateLimitDecision,
  type RateLimiter,
  type Unsubscribe,
} from '../../ports/kv';
import { systemClock } from './clock';

/** Entries one in-process store holds, live or awaiting the sweep. */
export const inProcessEntriesMax = 1_000_000;
/** Messages waiting for delivery on one connection; beyond it a message is dropped and reported (as Redis drops a slow subscriber). */
export const inProcessBusQueueMax = 100_000;
/** How often a write sweeps out expired entries that nobody read again. */
const sweepIntervalMs = 1_000;
/** Random bytes in an idempotency owner token: 128 bits, so no other request can guess a claim it does not hold. */
const idempotencyOwnerBytes = 16;

/** A new idempotency owner token (22 base64url characters) from the platform's cryptographic generator; both adapters use it. */
export function newIdempotencyOwner(): string {
  const bytes = new Uint8Array(idempotencyOwnerBytes);
  globalThis.crypto.getRandomValues(bytes);
  return encodeBase64url(bytes);
}

/** Connection trouble and handler throws go to the console unless the wiring passes its own reporter. */
export const consoleKvErrorReporter: KvErrorReporter = (error, context) => {
  console.error(`kv: ${context}:`, error);
};

type Entry =
  | { readonly kind: 'value'; readonly value: string; readonly expiresAtMs: number }
  | {
      readonly kind: 'idempotency';
      state: 'in_progress' | 'completed';
      readonly fingerprint: string;
      /** The token `begin` handed to the claim that may complete or abandon this record. */
      readonly owner: string;
      response: string;
      expiresAtMs: number;
    }
  | { readonly kind: 'hits'; readonly hitsMs: number[]; expiresAtMs: number };

export interface InProcessKvOptions {
  /** The clock that TTLs and rate windows run on (the system clock unless a test passes another). */
  readonly clock?: Clock;
}

export interface InProcessConnectOptions {
  readonly keyPrefix: string;
  readonly onError?: KvErrorReporter;
}

/**
 * The store behind in-process connections: what a Redis server is to its clients. Every
 * operation runs to its end without an await, so each is atomic as a Lua script is on Redis.
 * Connections made from one store share its keys and its pub/sub, as processes share one Redis.
 */
export class InProcessKvStore {
  readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  private readonly subscribers = new Map<string, Set<InProcessBus>>();
  private nextSweepMs = 0;

  constructor(options: InProcessKvOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  connect(options: InProcessConnectOptions): InProcessKvPorts {
    kvCheck.keyPrefix(options.keyPrefix);
    return new InProcessKvPorts(this, options.keyPrefix, options.onError ?? consoleKvErrorReporter);
  }

  /** The live entry under a full key, removing it if expired. */
  read(fullKey: string): Entry | undefined {
    const entry = this.entries.get(fullKey);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs > this.clock.nowMs()) return entry;
    this.entries.delete(fullKey);
    return undefined;
  }

  write(fullKey: string, entry: Entry): void {
    this.sweepWhenDue();
    if (!this.entries.has(fullKey) && this.entries.size >= inProcessEntriesMax) {
      this.sweep();
      if (this.entries.size >= inProcessEntriesMax) {
        throw new KvLimitError('entries', `the in-process store holds ${inProcessEntriesMax} entries (inProcessEntriesMax); use Redis (REDIS_URL)`);
      }
    }
    this.entries.set(fullKey, entry);
  }

  remove(fullKey: string): boolean {
    const live = this.read(fullKey) !== undefined;
    this.entries.delete(fullKey);
    return live;
  }

  /** Deletes every entry under a prefix; the count of those deleted. */
  purge(prefix: string): number {
    let count = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        count += 1;
      }
    }
    return count;
  }

  subscribe(fullChannel: string, bus: InProcessBus): void {
    let buses = this.subscribers.get(fullChannel);
    if (buses === undefined) this.subscribers.set(fullChannel, (buses = new Set()));
    buses.add(bus);
  }

  unsubscribe(fullChannel: string, bus: InProcessBus): void {
    const buses = this.subscribers.get(fullChannel);
    if (buses === undefined) return;
    buses.delete(bus);
    if (buses.size === 0) this.subscribers.delete(fullChannel);
  }

  publish(fullChannel: string, message: string): number {
    const buses = this.subscribers.get(fullChannel) ?? new Set();
    for (const bus of buses) bus.enqueue(fullChannel, message);
    return buses.size;
  }

  private sweepWhenDue(): void {
    const nowMs = this.clock.nowMs();
    if (nowMs < this.nextSweepMs) return;
    this.nextSweepMs = nowMs + sweepIntervalMs;
    this.sweep();
  }

  private sweep(): void {
    const nowMs = this.clock.nowMs();
    for (const [key, entry] of this.entries) if (entry.expiresAtMs <= nowMs) this.entries.delete(key);
  }
}

/** One connection to an in-process store. */
export class InProcessKvPorts implements KvPorts {
  readonly cache: Cache;
  readonly idempotency: IdempotencyStore;
  readonly rateLimiter: RateLimiter;
  readonly bus: InProcessBus;
  private readonly open = { closed: false };

  constructor(
    private readonly store: InProcessKvStore,
    readonly keyPrefix: string,
    onError: KvErrorReporter,
  ) {
    this.cache = new InProcessCache(store, keyPrefix, this.open);
    this.idempotency = new InProcessIdempotency(store, keyPrefix, this.open);
    this.rateLimiter = new InProcessRateLimiter(store, keyPrefix, this.open);
    this.bus = new InProcessBus(store, keyPrefix, onError);
  }

  /** Deletes every key under this connection's prefix (tests' clean-up). */
  async purge(): Promise<number> {
    return this.store.purge(this.keyPrefix);
  }

  async close(): Promise<void> {
    this.open.closed = true;
    await this.bus.close();
  }
}

function assertOpen(open: { readonly closed: boolean }): void {
  assert(!open.closed, 'kv: connection used after close()');
}

class InProcessCache implements Cache {
  constructor(
    private readonly store: InProcessKvStore,
    private readonly prefix: string,
    private readonly open: { readonly closed: boolean },
  ) {}

  async get(key: string): Promise<string | undefined> {
    assertOpen(this.open);
    kvCheck.key(key);
    const entry = this.store.read(kvNamespace.cache(this.prefix, key));
    if (entry === undefined) return undefined;
    assert(entry.kind === 'value', 'kv: a cache key holds another kind of entry');
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    assertOpen(this.open);
    kvCheck.key(key);
    kvCheck.value(value);
    kvCheck.ttlMs(ttlMs);
    this.store.write(kvNamespace.cache(this.prefix, key), { kind: 'value', value, expiresAtMs: this.store.clock.nowMs() + ttlMs });
  }

  async delete(key: string): Promise<boolean> {
    assertOpen(this.open);
    kvCheck.key(key);
    return this.store.remove(kvNamespace.cache(this.prefix, key));
  }
}

class InProcessIdempotency implements IdempotencyStore {
  constructor(
    private readonly store: InProcessKvStore,
    private readonly prefix: string,
    private readonly open: { readonly closed: boolean },
  ) {}

  async begin(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyBegin> {
    assertOpen(this.open);
    kvCheck.key(key);
    kvCheck.fingerprint(fingerprint);
    kvCheck.ttlMs(ttlMs);
    const fullKey = kvNamespace.idempotency(this.prefix, key);
    const entry = this.record(fullKey);
    if (entry === undefined) {
      const owner = newIdempotencyOwner();
      const expiresAtMs = this.store.clock.nowMs() + ttlMs;
      this.store.write(fullKey, { kind: 'idempotency', state: 'in_progress', fingerprint, owner, response: '', expiresAtMs });
      return { outcome: 'started', owner };
    }
    if (entry.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    if (entry.state === 'in_progress') return { outcome: 'in_progress' };
    return { outcome: 'replay', response: entry.response };
  }

  async complete(key: string, owner: string, fingerprint: string, response: string, ttlMs?: number): Promise<boolean> {
    assertOpen(this.open);
    kvCheck.key(key);
    kvCheck.owner(owner);
    kvCheck.fingerprint(fingerprint);
    kvCheck.value(response);
    if (ttlMs !== undefined) kvCheck.ttlMs(ttlMs);
    const entry = this.claimedBy(kvNamespace.idempotency(this.prefix, key), owner);
    if (entry === undefined || entry.fingerprint !== fingerprint) return false;
    entry.state = 'completed';
    entry.response = response;
    if (ttlMs !== undefined) entry.expiresAtMs = this.store.clock.nowMs() + ttlMs;
    return true;
  }

  async abandon(key: string, owner: string): Promise<boolean> {
    assertOpen(this.open);
    kvCheck.key(key);
    kvCheck.owner(owner);
    const fullKey = kvNamespace.idempotency(this.prefix, key);
    if (this.claimedBy(fullKey, owner) === undefined) return false;
    return this.store.remove(fullKey);
  }

  /** The record while it is in progress under this owner's claim; undefined otherwise. */
  private claimedBy(fullKey: string, owner: string): Extract<Entry, { kind: 'idempotency' }> | undefined {
    const entry = this.record(fullKey);
    return entry?.state === 'in_progress' && entry.owner === owner ? entry : undefined;
  }

  private record(fullKey: string): Extract<Entry, { kind: 'idempotency' }> | undefined {
    const entry = this.store.read(fullKey);
    if (entry === undefined) return undefined;
    assert(entry.kind === 'idempotency', 'kv: an idempotency key holds another kind of entry');
    return entry;
  }
}

/** The sliding log of `RateLimiter`, the same steps as the Redis adapter's Lua script. */
class InProcessRateLimiter implements RateLimiter {
  constructor(
    private readonly store: InProcessKvStore,
    private readonly prefix: string,
    private readonly open: { readonly closed: boolean },
  ) {}

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    assertOpen(this.open);
    kvCheck.key(key);
    kvCheck.rate(limit, windowMs);
    const fullKey = kvNamespace.rate(this.prefix, key);
    const nowMs = this.store.clock.nowMs();
    const entry = this.log(fullKey);
    const hitsMs = entry?.hitsMs ?? [];
    let expired = 0;
    while (expired < hitsMs.length && (hitsMs[expired] ?? 0) <= nowMs - windowMs) expired += 1;
    hitsMs.splice(0, expired);
    if (hitsMs.length < limit) {
      hitsMs.push(nowMs);
      if (entry === undefined) this.store.write(fullKey, { kind: 'hits', hitsMs, expiresAtMs: nowMs + windowMs });
      else entry.expiresAtMs = nowMs + windowMs;
      return { allowed: true, remaining: limit - hitsMs.length, retryAfterMs: 0 };
    }
    const oldestMs = hitsMs[0] ?? nowMs;
    return { allowed: false, remaining: 0, retryAfterMs: Math.min(windowMs, Math.max(1, oldestMs + windowMs - nowMs)) };
  }

  async reset(key: string): Promise<void> {
    assertOpen(this.open);
    kvCheck.key(key);
    this.store.remove(kvNamespace.rate(this.prefix, key));
  }

  private log(fullKey: string): Extract<Entry, { kind: 'hits' }> | undefined {
    const entry = this.store.read(fullKey);
    if (entry === undefined) return undefined;
    assert(entry.kind === 'hits', 'kv: a rate-limit key holds another kind of entry');
    return entry;
  }
}

interface Subscription {
  readonly handler: MessageHandler;
}

/**
 * The handlers of one connection, by full channel name, with the subscription limit. Shared by
 * both adapters' buses: a handler's throw is reported and never stops the others.
 */
export class SubscriptionRegistry {
  private readonly byChannel = new Map<string, Set<Subscription>>();
  private count = 0;

  constructor(private readonly report: KvErrorReporter) {}

  /** True when this is the channel's first handler: the connection must subscribe to it. */
  add(fullChannel: string, subscription: Subscription): boolean {
    if (this.count >= kvLimits.subscriptionsMax) {
      throw new KvLimitError('subscriptionsMax', `this connection already has ${this.count} subscriptions; kvLimits.subscriptionsMax is ${kvLimits.subscriptionsMax}`);
    }
    let subscriptions = this.byChannel.get(fullChannel);
    const first = subscriptions === undefined;
    if (subscriptions === undefined) this.byChannel.set(fullChannel, (subscriptions = new Set()));
    subscriptions.add(subscription);
    this.count += 1;
    return first;
  }

  /** True when this was the channel's last handler: the connection must unsubscribe from it. */
  remove(fullChannel: string, subscription: Subscription): boolean {
    const subscriptions = this.byChannel.get(fullChannel);
    if (subscriptions === undefined || !subscriptions.delete(subscription)) return false;
    this.count -= 1;
    if (subscriptions.size > 0) return false;
    this.byChannel.delete(fullChannel);
    return true;
  }

  channels(): string[] {
    return [...this.byChannel.keys()];
  }

  clear(): void {
    this.byChannel.clear();
    this.count = 0;
  }

  dispatch(fullChannel: string, message: string): void {
    const subscriptions = this.byChannel.get(fullChannel);
    if (subscriptions === undefined) return;
    for (const subscription of [...subscriptions]) {
      try {
        subscription.handler(message);
      } catch (error) {
        this.report(error, `a handler on channel ${fullChannel} threw`);
      }
    }
  }
}

/** Makes a function that runs once; later calls return the first call's promise. */
export function once(work: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= work());
}

/**
 * The bus of one in-process connection. Delivery is asynchronous, in publish order, on a later
 * macrotask, as a message from Redis arrives: a publisher never runs a subscriber's code inside
 * its own call.
 */
export class InProcessBus implements MessageBus {
  private readonly registry: SubscriptionRegistry;
  private queue: Array<{ readonly fullChannel: string; readonly message: string }> = [];
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly store: InProcessKvStore,
    private readonly prefix: string,
    private readonly report: KvErrorReporter,
  ) {
    this.registry = new SubscriptionRegistry(report);
  }

  async publish(channel: string, message: string): Promise<number> {
    this.assertOpen();
    kvCheck.channel(channel);
    kvCheck.message(message);
    return this.store.publish(kvNamespace.channel(this.prefix, channel), message);
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    this.assertOpen();
    kvCheck.channel(channel);
    const fullChannel = kvNamespace.channel(this.prefix, channel);
    const subscription: Subscription = { handler };
    if (this.registry.add(fullChannel, subscription)) this.store.subscribe(fullChannel, this);
    return once(async () => {
      if (this.registry.remove(fullChannel, subscription)) this.store.unsubscribe(fullChannel, this);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const fullChannel of this.registry.channels()) this.store.unsubscribe(fullChannel, this);
    this.registry.clear();
    this.queue = [];
  }

  /** Called by the store for each message on a channel this connection subscribes to. */
  enqueue(fullChannel: string, message: string): void {
    if (this.queue.length >= inProcessBusQueueMax) {
      this.report(new Error(`${inProcessBusQueueMax} messages (inProcessBusQueueMax) already wait; one was dropped`), `slow subscriber on ${fullChannel}`);
      return;
    }
    this.queue.push({ fullChannel, message });
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => this.drain(), 0);
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const { fullChannel, message } of batch) this.registry.dispatch(fullChannel, message);
  }

  private assertOpen(): void {
    if (this.closed) throw new AssertionError('kv: bus used after close()');
  }
}
