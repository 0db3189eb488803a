import { InProcessKvStore } from '@qenex/engine';
import { RedisPorts, redactRedisUrl } from '@qenex/engine/redis';
import { kvContract } from '@qenex/engine/testing';

/**
 * One contract, two adapters: the in-process store (what the server uses without REDIS_URL) and a
 * real Redis. Redis is not optional here: when it cannot be reached every Redis test fails with
 * the way to start it, with CI set or not.
 */
const store = new InProcessKvStore();
kvContract({
  name: 'in-process',
  connect: async (keyPrefix, options) => store.connect({ keyPrefix, ...options }),
});

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const howToStartRedis = [
  'These tests need a real Redis 7 (set REDIS_URL, or run one on 127.0.0.1:6379). Start it with:',
  '  redis-cli -h 127.0.0.1 ping || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  '(see /work/shared/SERVICES.md; Debian package: redis-server)',
].join('\n');

kvContract({
  name: `redis ${redactRedisUrl(redisUrl)}`,
  connect: async (keyPrefix, options) => {
    try {
      return await RedisPorts.connect(redisUrl, { keyPrefix, connectTimeoutMs: 3_000, ...options });
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('kv: cannot reach Redis')) {
        throw new Error(`${error.message}\n${howToStartRedis}`, { cause: error });
      }
      throw error;
    }
  },
});
