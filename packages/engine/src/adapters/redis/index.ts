/**
 * @qenex/engine/redis: the kv ports (cache, idempotency, rate limits, pub/sub) on Redis via ioredis.
 * The server wires `await RedisPorts.connect(REDIS_URL, { keyPrefix })` when REDIS_URL is set and
 * `new InProcessKvStore().connect({ keyPrefix })` (from `@qenex/engine`) when it is not.
 */
export { RedisPorts, RedisBus, redactRedisUrl, purgeBatchMax, type RedisConnectOptions } from './ports';
