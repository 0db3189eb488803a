/**
 * The server's shared, short-lived state: a cache, idempotency records for `Idempotency-Key`,
 * rate limits and a pub/sub bus. Redis in production (`@qenex/engine/redis`); an in-process
 * adapter of the same ports when REDIS_URL is not set. One contract suite
 * (`@qenex/engine/testing`, `kvContract`) holds both to the same answers.
 *
 * Nothing here is the book of record: losing it all (a Redis restart) costs cache misses, a
 * rate-limit window and idempotency replays; the ledger's client-generated ids still make a
 * retried transfer idempotent.
 *
 * Every method is asynchronous and reports a broken limit as a rejected promise (`KvLimitError`),
 * never as a synchronous throw, on every adapter.
 */

/** The bounds on everything the ports accept. Sizes are UTF-8 bytes. */
export const kvLimits = {
  /** A caller's key (cache, idempotency, rate limit), not counting the namespace prefix. */
  keyBytesMax: 512,
  /** The namespace prefix of a connection: `[A-Za-z0-9:_.-]`, no glob characters, so a SCAN by prefix is exact. */
  keyPrefixBytesMax: 64,
  /** A cached value or a stored idempotent response. */
  valueBytesMax: 1_048_576,
  /** A request fingerprint (a SHA-256 hex digest is 64 bytes). */
  fingerprintBytesMax: 256,
  /** An idempotency owner token as `begin` hands it out (22 characters) and `complete`/`abandon` take it back. */
  ownerBytesMax: 64,
  /** The longest time to live of a cached value or an idempotency record: 30 days. */
  ttlMsMax: 30 * 24 * 60 * 60 * 1000,
  /** The most hits a rate-limit window can allow (the sliding log keeps one entry per allowed hit). */
  rateLimitMax: 10_000,
  /** The longest rate-limit window: 7 days. */
  rateWindowMsMax: 7 * 24 * 60 * 60 * 1000,
  /** A pub/sub channel name, not counting the namespace prefix. */
  channelBytesMax: 256,
  /** A pub/sub message: change notifications are small; send ids, not documents. */
  messageBytesMax: 65_536,
  /** Handlers subscribed on one connection, over all channels. */
  subscriptionsMax: 10_000,
} as const;

export type KvLimitName = keyof typeof kvLimits;

/** An argument outside `kvLimits`: a programmer error at the caller, who must validate input first. */
export class KvLimitError extends RangeError {
  override readonly name = 'KvLimitError';
  constructor(
    readonly limit: KvLimitName | 'ttlMs' | 'windowMs' | 'limit' | 'keyPrefix' | 'entries',
    message: string,
  ) {
    super(`kv: ${message}`);
  }
}

// ---------------------------------------------------------------- cache

export interface Cache {
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores the value for `ttlMs` milliseconds, replacing any previous value and its TTL. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** True when a live value was there. */
  delete(key: string): Promise<boolean>;
}

// ---------------------------------------------------------------- idempotency

/**
 * The answer to `begin`, decided atomically against every other `begin` on the same store:
 * - `started`: the caller owns the key and runs the request, then calls `complete` or `abandon`
 *   with `owner`, a token of 128 random bits that only this claim holds;
 * - `in_progress`: another request with this key and fingerprint is running (HTTP 409);
 * - `replay`: the request was completed with this fingerprint; send `response` again;
 * - `mismatch`: the key was used with a different fingerprint (HTTP 422). A mismatch wins over
 *   in-progress: a key reused for a different request is the client's bug whatever the state.
 */
export type IdempotencyBegin =
  | { readonly outcome: 'started'; readonly owner: string }
  | { readonly outcome: 'in_progress' }
  | { readonly outcome: 'replay'; readonly response: string }
  | { readonly outcome: 'mismatch' };

/**
 * Why `complete` and `abandon` take the owner: a claim is a lease. A request slower than its lease
 * loses the key, a retry claims it again, and without the owner the slow request's late `complete`
 * would overwrite the retry's answer, or its `abandon` free the key under the retry's feet, so that
 * a third request would run the operation once more. With it, only the claim that holds the record
 * now can finish or release it.
 */
export interface IdempotencyStore {
  /**
   * Claims `key` for a request with this fingerprint, or says why not. The record (in progress,
   * then completed) expires `ttlMs` after this `begin`, and then the key is free again. A process
   * that dies without `abandon` leaves the key in progress until then.
   */
  begin(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyBegin>;
  /**
   * Stores the response of a started request, keeping the record's expiry — or, given `ttlMs`,
   * keeping it that long from now (a short in-progress lease, then a long memory of the answer).
   * False, and nothing stored, unless the key is in progress under this `owner` (from `begin`) with
   * this fingerprint: not when it expired, was abandoned, was claimed again after its lease, or was
   * completed already. The caller's response still stands; it just will not be replayed.
   */
  complete(key: string, owner: string, fingerprint: string, response: string, ttlMs?: number): Promise<boolean>;
  /**
   * Releases a started key whose request failed before completing, so a retry runs it again.
   * Only a record in progress under this `owner` is released; a completed one, or another claim's,
   * is never erased. True when released.
   */
  abandon(key: string, owner: string): Promise<boolean>;
}

// ---------------------------------------------------------------- rate limits

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Hits still allowed in the current window after this one. */
  readonly remaining: number;
  /** When denied: milliseconds until the oldest counted hit leaves the window (≥ 1). 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * A sliding-log limiter: a hit is allowed when fewer than `limit` allowed hits happened in the
 * last `windowMs` milliseconds. Denied hits are not counted, so hammering a locked key does not
 * extend its lock; the lock ends when the oldest counted hit is `windowMs` old.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
  /** Forgets every hit on the key (after a successful login, say). */
  reset(key: string): Promise<void>;
}

// ---------------------------------------------------------------- pub/sub

export type MessageHandler = (message: string) => void;
export type Unsubscribe = () => Promise<void>;

/**
 * Fan-out between server processes. At most once, in publish order per connection: a message
 * published while a subscriber is disconnected is lost, so a notification says "something
 * changed" and the receiver re-reads the book of record.
 */
export interface MessageBus {
  /** Resolves with the number of connections subscribed to the channel that the message reached (0: nobody listens). */
  publish(channel: string, message: string): Promise<number>;
  /** Resolves once the subscription is active: a message published after that is delivered. */
  subscribe(channel: string, handler: MessageHandler): Promise<Unsubscribe>;
  /** Drops every subscription of this connection; subscribing again is an error. */
  close(): Promise<void>;
}

/** One connection to the store: every key and channel lives under its namespace prefix. */
export interface KvPorts {
  readonly keyPrefix: string;
  readonly cache: Cache;
  readonly idempotency: IdempotencyStore;
  readonly rateLimiter: RateLimiter;
  readonly bus: MessageBus;
  /** Closes the connection(s); idempotent. */
  close(): Promise<void>;
}

/** Where a handler's throw, or a connection's trouble, is reported (a handler never breaks the others). */
export type KvErrorReporter = (error: unknown, context: string) => void;

// ---------------------------------------------------------------- checks shared by every adapter

/** UTF-8 length without allocating; a lone surrogate counts as the 3-byte replacement character. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function checkText(limit: 'keyBytesMax' | 'valueBytesMax' | 'fingerprintBytesMax' | 'ownerBytesMax' | 'channelBytesMax' | 'messageBytesMax', what: string, text: string, allowEmpty: boolean): void {
  if (typeof text !== 'string') throw new KvLimitError(limit, `${what} must be a string, got ${typeof text}`);
  if (!allowEmpty && text.length === 0) throw new KvLimitError(limit, `${what} must not be empty`);
  const max = kvLimits[limit];
  // Each UTF-16 unit is 1 to 3 bytes: only texts between those bounds need counting.
  if (text.length * 3 <= max) return;
  if (text.length > max || utf8ByteLength(text) > max) {
    throw new KvLimitError(limit, `${what} is over kvLimits.${limit} (${max} UTF-8 bytes)`);
  }
}

function checkInteger(limit: 'ttlMs' | 'windowMs' | 'limit', value: number, max: number, maxName: KvLimitName): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new KvLimitError(limit, `${limit} must be an integer from 1 to kvLimits.${maxName} (${max}), got ${String(value)}`);
  }
}

export const kvCheck = {
  key: (key: string): void => checkText('keyBytesMax', 'key', key, false),
  value: (value: string): void => checkText('valueBytesMax', 'value', value, true),
  fingerprint: (fingerprint: string): void => checkText('fingerprintBytesMax', 'fingerprint', fingerprint, false),
  owner: (owner: string): void => checkText('ownerBytesMax', 'owner', owner, false),
  channel: (channel: string): void => checkText('channelBytesMax', 'channel', channel, false),
  message: (message: string): void => checkText('messageBytesMax', 'message', message, true),
  ttlMs: (ttlMs: number): void => checkInteger('ttlMs', ttlMs, kvLimits.ttlMsMax, 'ttlMsMax'),
  rate: (limit: number, windowMs: number): void => {
    checkInteger('limit', limit, kvLimits.rateLimitMax, 'rateLimitMax');
    checkInteger('windowMs', windowMs, kvLimits.rateWindowMsMax, 'rateWindowMsMax');
  },
  keyPrefix: (keyPrefix: string): void => {
    if (typeof keyPrefix !== 'string' || !/^[A-Za-z0-9:_.-]+$/.test(keyPrefix) || keyPrefix.length > kvLimits.keyPrefixBytesMax) {
      throw new KvLimitError(
        'keyPrefix',
        `keyPrefix must be 1 to ${kvLimits.keyPrefixBytesMax} characters of [A-Za-z0-9:_.-], got ${JSON.stringify(keyPrefix)}`,
      );
    }
  },
} as const;

/**
 * Where each kind of entry lives under a connection's prefix. Both adapters use these names, so a
 * SCAN by prefix finds everything a connection wrote.
 */
export const kvNamespace = {
  cache: (prefix: string, key: string): string => `${prefix}cache:${key}`,
  idempotency: (prefix: string, key: string): string => `${prefix}idem:${key}`,
  rate: (prefix: string, key: string): string => `${prefix}rate:${key}`,
  channel: (prefix: string, channel: string): string => `${prefix}bus:${channel}`,
} as const;
