import { Redis, type RedisOptions } from 'ioredis';
import { AssertionError, assert } from '../../core/assert';
import {
  kvCheck,
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
import { SubscriptionRegistry, consoleKvErrorReporter, newIdempotencyOwner, once } from '../in-process/kv';
import { abandonScript, beginScript, completeScript, hitScript } from './scripts';

export interface RedisConnectOptions {
  /** Every key and channel of this connection starts with it: `[A-Za-z0-9:_.-]`, up to 64 characters. */
  readonly keyPrefix: string;
  /** How long the first connection may take before `connect` gives up. */
  readonly connectTimeoutMs?: number;
  /** Where connection trouble (after start-up) and handlers' throws are reported. */
  readonly onError?: KvErrorReporter;
}

/** Keys a purge deletes per round trip, and the SCAN batch hint. */
export const purgeBatchMax = 500;
/** Times a command is retried across a reconnect before it fails (ioredis' maxRetriesPerRequest). */
const commandRetriesMax = 2;
const connectTimeoutMsDefault = 5_000;

/** The URL with any password masked, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

/**
 * The kv ports on Redis: one connection for commands and a dedicated one for SUBSCRIBE (a
 * connection in subscriber mode can run nothing else). Other processes see the same keys and
 * messages through their own connections.
 */
export class RedisPorts implements KvPorts {
  readonly cache: Cache;
  readonly idempotency: IdempotencyStore;
  readonly rateLimiter: RateLimiter;
  readonly bus: RedisBus;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly client: Redis,
    subscriber: Redis,
    readonly keyPrefix: string,
    onError: KvErrorReporter,
  ) {
    const open = (): void => assert(this.closing === undefined, 'kv: connection used after close()');
    this.cache = new RedisCache(client, keyPrefix, open);
    this.idempotency = new RedisIdempotency(client, keyPrefix, open);
    this.rateLimiter = new RedisRateLimiter(client, keyPrefix, open);
    this.bus = new RedisBus(client, subscriber, keyPrefix, onError);
  }

  /**
   * Connects both connections and checks the server answers. Fails with the (redacted) URL and the
   * cause when Redis cannot be reached, and stops retrying: nothing is left running.
   */
  static async connect(url: string, options: RedisConnectOptions): Promise<RedisPorts> {
    kvCheck.keyPrefix(options.keyPrefix);
    const onError = options.onError ?? consoleKvErrorReporter;
    const redisOptions: RedisOptions = {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? connectTimeoutMsDefault,
      maxRetriesPerRequest: commandRetriesMax,
      enableAutoPipelining: true,
      connectionName: 'qenex',
    };
    const client = new Redis(url, redisOptions);
    const subscriber = new Redis(url, { ...redisOptions, enableAutoPipelining: false, connectionName: 'qenex-subscriber' });
    const starting: { done: boolean; error?: unknown } = { done: false };
    for (const [connection, name] of [[client, 'commands'], [subscriber, 'subscriber']] as const) {
      // Before start-up succeeds, `connect` itself reports the failure (ioredis' rejection says only
      // "Connection is closed", so the socket's error is kept for the message); afterwards ioredis
      // reconnects on its own and the trouble is reported.
      connection.on('error', (error: unknown) => {
        if (starting.done) onError(error, `redis ${name} connection`);
        else starting.error ??= error;
      });
    }
    try {
      await Promise.all([client.connect(), subscriber.connect()]);
      await client.ping();
    } catch (cause) {
      client.disconnect();
      subscriber.disconnect();
      const root = starting.error ?? cause;
      const reason = root instanceof Error ? root.message : String(root);
      throw new Error(`kv: cannot reach Redis at ${redactRedisUrl(url)}: ${reason}`, { cause: root });
    }
    starting.done = true;
    return new RedisPorts(client, subscriber, options.keyPrefix, onError);
  }

  /** Deletes every key under this connection's prefix (SCAN + UNLINK); the count deleted. For tests and tools. */
  async purge(): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.keyPrefix}*`, 'COUNT', purgeBatchMax);
      cursor = next;
      if (keys.length > 0) deleted += await this.client.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.bus.close();
      await quit(this.client);
    })();
    return this.closing;
  }
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}

class RedisCache implements Cache {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly open: () => void,
  ) {}

  async get(key: string): Promise<string | undefined> {
    this.open();
    kvCheck.key(key);
    return (await this.client.get(kvNamespace.cache(this.prefix, key))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.open();
    kvCheck.key(key);
    kvCheck.value(value);
    kvCheck.ttlMs(ttlMs);
    await this.client.set(kvNamespace.cache(this.prefix, key), value, 'PX', ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    this.open();
    kvCheck.key(key);
    return (await this.client.del(kvNamespace.cache(this.prefix, key))) > 0;
  }
}

class RedisIdempotency implements IdempotencyStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly open: () => void,
  ) {}

  async begin(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyBegin> {
    this.open();
    kvCheck.key(key);
    kvCheck.fingerprint(fingerprint);
    kvCheck.ttlMs(ttlMs);
    const owner = newIdempotencyOwner();
    const reply = await beginScript.run(this.client, [kvNamespace.idempotency(this.prefix, key)], [fingerprint, ttlMs, owner]);
    assert(Array.isArray(reply), 'kv: the begin script answered something other than a list');
    const [outcome, response] = reply as unknown[];
    switch (outcome) {
      case 'started':
        return { outcome, owner };
      case 'in_progress':
      case 'mismatch':
        return { outcome };
      case 'replay':
        assert(typeof response === 'string', 'kv: a completed idempotency record has no response');
        return { outcome, response };
      default:
        throw new AssertionError(`kv: the begin script answered ${JSON.stringify(outcome)}`);
    }
  }

  async complete(key: string, owner: string, fingerprint: string, response: string, ttlMs?: number): Promise<boolean> {
    this.open();
    kvCheck.key(key);
    kvCheck.owner(owner);
    kvCheck.fingerprint(fingerprint);
    kvCheck.value(response);
    if (ttlMs !== undefined) kvCheck.ttlMs(ttlMs);
    const args = ttlMs === undefined ? [owner, fingerprint, response] : [owner, fingerprint, response, String(ttlMs)];
    return (await completeScript.run(this.client, [kvNamespace.idempotency(this.prefix, key)], args)) === 1;
  }

  async abandon(key: string, owner: string): Promise<boolean> {
    this.open();
    kvCheck.key(key);
    kvCheck.owner(owner);
    return (await abandonScript.run(this.client, [kvNamespace.idempotency(this.prefix, key)], [owner])) === 1;
  }
}

class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly open: () => void,
  ) {}

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    this.open();
    kvCheck.key(key);
    kvCheck.rate(limit, windowMs);
    const reply = await hitScript.run(this.client, [kvNamespace.rate(this.prefix, key)], [limit, windowMs]);
    assert(Array.isArray(reply) && reply.length === 3 && reply.every((item) => typeof item === 'number'), 'kv: the hit script answered something other than three integers');
    const [allowed, remaining, retryAfterMs] = reply as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }

  async reset(key: string): Promise<void> {
    this.open();
    kvCheck.key(key);
    await this.client.del(kvNamespace.rate(this.prefix, key));
  }
}

/**
 * Publishes on the command connection, subscribes on the dedicated one. Redis subscribes a
 * connection to a channel once; the registry fans each message out to this process's handlers.
 * SUBSCRIBE and UNSUBSCRIBE go out in call order on one connection, so a quick unsubscribe and
 * resubscribe of the same channel ends subscribed.
 */
export class RedisBus implements MessageBus {
  private readonly registry: SubscriptionRegistry;
  /** The SUBSCRIBE of each channel with handlers: later subscribers to the channel wait on it. */
  private readonly subscribing = new Map<string, Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    report: KvErrorReporter,
  ) {
    this.registry = new SubscriptionRegistry(report);
    subscriber.on('message', (fullChannel: string, message: string) => this.registry.dispatch(fullChannel, message));
  }

  async publish(channel: string, message: string): Promise<number> {
    this.assertOpen();
    kvCheck.channel(channel);
    kvCheck.message(message);
    return this.client.publish(kvNamespace.channel(this.prefix, channel), message);
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe> {
    this.assertOpen();
    kvCheck.channel(channel);
    const fullChannel = kvNamespace.channel(this.prefix, channel);
    const subscription = { handler };
    if (this.registry.add(fullChannel, subscription)) this.subscribing.set(fullChannel, this.subscriber.subscribe(fullChannel));
    const unsubscribe = once(async () => {
      if (!this.registry.remove(fullChannel, subscription)) return;
      this.subscribing.delete(fullChannel);
      if (this.closing === undefined) await this.subscriber.unsubscribe(fullChannel);
    });
    try {
      await this.subscribing.get(fullChannel);
    } catch (error) {
      await unsubscribe().catch(() => undefined);
      throw error;
    }
    return unsubscribe;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.registry.clear();
      this.subscribing.clear();
      await quit(this.subscriber);
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new AssertionError('kv: bus used after close()');
  }
}
