import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA, falling back to EVAL the first time a server has not seen it
 * (after a restart or SCRIPT FLUSH). A script runs atomically: no other command interleaves.
 */
export class LuaScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Idempotency records are hashes {state, fingerprint, owner, response}. The three scripts below are
 * the in-process adapter's `InProcessIdempotency` step for step. The owner token is made by the
 * caller (Lua has no cryptographic random source) and only stored and compared here.
 *
 * begin: KEYS[1] record; ARGV[1] fingerprint, ARGV[2] ttlMs, ARGV[3] owner of a new claim.
 * Returns {'started'} | {'mismatch'} | {'in_progress'} | {'replay', response}.
 */
export const beginScript = new LuaScript(`
local record = redis.call('HMGET', KEYS[1], 'state', 'fingerprint', 'response')
if not record[1] then
  redis.call('HSET', KEYS[1], 'state', 'in_progress', 'fingerprint', ARGV[1], 'owner', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'started'}
end
if record[2] ~= ARGV[1] then return {'mismatch'} end
if record[1] == 'in_progress' then return {'in_progress'} end
return {'replay', record[3]}
`);

/**
 * complete: KEYS[1] record; ARGV[1] owner, ARGV[2] fingerprint, ARGV[3] response, ARGV[4]
 * (optional) new ttlMs. Stores only while in progress under that owner. HSET keeps the key's
 * expiry unless a new one is given. Returns 1 when stored.
 */
export const completeScript = new LuaScript(`
local record = redis.call('HMGET', KEYS[1], 'state', 'owner', 'fingerprint')
if record[1] ~= 'in_progress' or record[2] ~= ARGV[1] or record[3] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'completed', 'response', ARGV[3])
if ARGV[4] then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1
`);

/** abandon: KEYS[1] record; ARGV[1] owner. Deletes it only while in progress under that owner. Returns 1 when released. */
export const abandonScript = new LuaScript(`
local record = redis.call('HMGET', KEYS[1], 'state', 'owner')
if record[1] ~= 'in_progress' or record[2] ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`);

/**
 * The sliding log of `RateLimiter` on a list of allowed hits' times (ms, oldest first), on the
 * Redis server's clock so every server process counts on one clock. Denied hits are not recorded,
 * so the list never holds more than `limit` entries. The in-process `InProcessRateLimiter.hit`
 * takes the same steps.
 *
 * KEYS[1] log; ARGV[1] limit, ARGV[2] windowMs. Returns {allowed 1|0, remaining, retryAfterMs}.
 */
export const hitScript = new LuaScript(`
local limit = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
while true do
  local oldest = redis.call('LINDEX', KEYS[1], 0)
  if not oldest or tonumber(oldest) > nowMs - windowMs then break end
  redis.call('LPOP', KEYS[1])
end
local count = redis.call('LLEN', KEYS[1])
if count < limit then
  redis.call('RPUSH', KEYS[1], string.format('%.0f', nowMs))
  redis.call('PEXPIRE', KEYS[1], windowMs)
  return {1, limit - count - 1, 0}
end
local oldestMs = tonumber(redis.call('LINDEX', KEYS[1], 0)) or nowMs
return {0, 0, math.min(windowMs, math.max(1, oldestMs + windowMs - nowMs))}
`);
