import { InProcessKvStore, type KvPorts } from '@qenex/engine';
import { RedisPorts } from '@qenex/engine/redis';

/** Every key and channel of the server lives under this prefix, so other users of a Redis never collide. */
export const serverKeyPrefix = 'qenex:';

/** Redis when REDIS_URL is set (several server processes share it); the in-process adapter otherwise. */
export async function connectKv(redisUrl: string | null): Promise<KvPorts> {
  if (redisUrl !== null) return RedisPorts.connect(redisUrl, { keyPrefix: serverKeyPrefix });
  return new InProcessKvStore().connect({ keyPrefix: serverKeyPrefix });
}
