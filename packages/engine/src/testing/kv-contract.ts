import { afterAll, describe, expect, it } from 'vitest';
import { KvLimitError, kvLimits, type KvErrorReporter, type KvPorts, type RateLimitDecision } from '../ports/kv';

/** A connection the suite can clean up after: every adapter can delete what lives under its prefix. */
export type PurgeableKvPorts = KvPorts & { purge(): Promise<number> };

export interface KvContractTarget {
  readonly name: string;
  /**
   * Opens a new connection to the one store this target stands for, with keys under `keyPrefix`.
   * Two calls are two connections (as two server processes would have), sharing keys and pub/sub.
   * When the store cannot be reached this must reject with a message saying how to start it: every
   * test then fails with that message; none is skipped.
   */
  connect(keyPrefix: string, options?: { readonly onError?: KvErrorReporter }): Promise<PurgeableKvPorts>;
}

/** Added to every TTL and window before checking it has passed: "expired after TTL + margin", never "expired at". */
const expiryMarginMs = 150;
const shortTtlMs = 100;
/** The longest a test waits for a message before it fails. */
const deliveryTimeoutMs = 5_000;

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

async function waitUntil(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + deliveryTimeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${deliveryTimeoutMs} ms for ${what}`);
    await sleep(5);
  }
}

/** Begins a key that must be free, and returns the owner token that completes or abandons it. */
async function claim(ports: KvPorts, key: string, fingerprint: string, ttlMs: number): Promise<string> {
  const answer = await ports.idempotency.begin(key, fingerprint, ttlMs);
  if (answer.outcome !== 'started') throw new Error(`expected ${key} to start, got ${JSON.stringify(answer)}`);
  return answer.owner;
}

/** Subscribes a handler that keeps what it receives. */
async function collect(ports: KvPorts, channel: string): Promise<{ messages: string[]; unsubscribe: () => Promise<void> }> {
  const messages: string[] = [];
  const unsubscribe = await ports.bus.subscribe(channel, (message) => messages.push(message));
  return { messages, unsubscribe };
}

/**
 * The semantics of the kv ports (`ports/kv.ts`), run against one adapter. Every run works under its
 * own random prefix and purges it at the end, so runs against one shared Redis never meet.
 */
export function kvContract(target: KvContractTarget): void {
  const runPrefix = `qenex-test:${globalThis.crypto.randomUUID()}:`;
  let connections: Promise<{ a: PurgeableKvPorts; b: PurgeableKvPorts }> | undefined;
  // Connected on first use inside a test (not in beforeAll), so an unreachable store fails every test loudly.
  const open = () =>
    (connections ??= (async () => {
      const a = await target.connect(runPrefix);
      const b = await target.connect(runPrefix);
      return { a, b };
    })());
  let keyCounter = 0;
  const fresh = (name: string) => `${name}-${(keyCounter += 1)}`;
  /** A second namespace inside the run's, so the final purge removes it too. */
  const otherPrefix = `${runPrefix}other:`;

  describe(`kv contract: ${target.name}`, () => {
    afterAll(async () => {
      if (connections === undefined) return;
      const opened = await connections.catch(() => undefined);
      if (opened === undefined) return;
      await opened.a.purge();
      await Promise.all([opened.a.close(), opened.b.close()]);
    });

    describe('cache', () => {
      it('returns what was set to every connection, and undefined for a key never set', async () => {
        const { a, b } = await open();
        const key = fresh('account');
        await a.cache.set(key, '{"balance":"1200"}', 60_000);
        expect(await a.cache.get(key)).toBe('{"balance":"1200"}');
        expect(await b.cache.get(key)).toBe('{"balance":"1200"}');
        expect(await b.cache.get(fresh('never-set'))).toBeUndefined();
      });

      it('stores the empty string and multi-byte text exactly', async () => {
        const { a, b } = await open();
        const empty = fresh('empty');
        const text = fresh('text');
        await a.cache.set(empty, '', 60_000);
        await a.cache.set(text, 'Zürich ¥ € 𝄞 الدوحة', 60_000);
        expect(await b.cache.get(empty)).toBe('');
        expect(await b.cache.get(text)).toBe('Zürich ¥ € 𝄞 الدوحة');
      });

      it('forgets a value once its TTL has passed', async () => {
        const { a } = await open();
        const key = fresh('short');
        await a.cache.set(key, 'soon gone', shortTtlMs);
        expect(await a.cache.get(key)).toBe('soon gone');
        await sleep(shortTtlMs + expiryMarginMs);
        expect(await a.cache.get(key)).toBeUndefined();
      });

      it('replaces both the value and its TTL on set', async () => {
        const { a, b } = await open();
        const key = fresh('replaced');
        await a.cache.set(key, 'first', shortTtlMs);
        await b.cache.set(key, 'second', 60_000);
        await sleep(shortTtlMs + expiryMarginMs);
        expect(await a.cache.get(key)).toBe('second');
      });

      it('deletes: true when a live value was there, false when none was', async () => {
        const { a, b } = await open();
        const key = fresh('deleted');
        await a.cache.set(key, 'x', 60_000);
        expect(await b.cache.delete(key)).toBe(true);
        expect(await a.cache.get(key)).toBeUndefined();
        expect(await a.cache.delete(key)).toBe(false);
      });

      it('keeps the same key apart under different prefixes and in different ports', async () => {
        const { a } = await open();
        const other = await target.connect(otherPrefix);
        try {
          await a.cache.set('shared-name', 'run', 60_000);
          await other.cache.set('shared-name', 'other', 60_000);
          expect(await a.cache.get('shared-name')).toBe('run');
          expect(await other.cache.get('shared-name')).toBe('other');
          // The idempotency store and the limiter do not see the cache's key of the same name.
          expect((await a.idempotency.begin('shared-name', 'f', 60_000)).outcome).toBe('started');
          expect((await a.rateLimiter.hit('shared-name', 1, 60_000)).allowed).toBe(true);
          expect(await a.cache.get('shared-name')).toBe('run');
        } finally {
          await other.close();
        }
      });
    });

    describe('idempotency', () => {
      it('starts once, answers in_progress while running, then replays the stored response', async () => {
        const { a, b } = await open();
        const key = fresh('payment');
        const owner = await claim(a, key, 'fp-1', 60_000);
        expect(await b.idempotency.begin(key, 'fp-1', 60_000)).toEqual({ outcome: 'in_progress' });
        expect(await a.idempotency.complete(key, owner, 'fp-1', '{"status":201}')).toBe(true);
        expect(await b.idempotency.begin(key, 'fp-1', 60_000)).toEqual({ outcome: 'replay', response: '{"status":201}' });
        expect(await a.idempotency.begin(key, 'fp-1', 60_000)).toEqual({ outcome: 'replay', response: '{"status":201}' });
      });

      it('gives exactly one of 50 concurrent begins on one key (over two connections) started', async () => {
        const { a, b } = await open();
        const key = fresh('race');
        const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? a : b).idempotency.begin(key, 'fp', 60_000)));
        expect(answers.filter((answer) => answer.outcome === 'started')).toHaveLength(1);
        expect(answers.filter((answer) => answer.outcome === 'in_progress')).toHaveLength(49);
      });

      it('answers mismatch to another fingerprint, while in progress and once completed', async () => {
        const { a, b } = await open();
        const key = fresh('reused');
        const owner = await claim(a, key, 'fp-original', 60_000);
        expect(await b.idempotency.begin(key, 'fp-other', 60_000)).toEqual({ outcome: 'mismatch' });
        expect(await a.idempotency.complete(key, owner, 'fp-original', 'done')).toBe(true);
        expect(await b.idempotency.begin(key, 'fp-other', 60_000)).toEqual({ outcome: 'mismatch' });
        expect(await b.idempotency.begin(key, 'fp-original', 60_000)).toEqual({ outcome: 'replay', response: 'done' });
      });

      it('abandon releases a started key, so the retry starts again (once, under concurrency)', async () => {
        const { a, b } = await open();
        const key = fresh('crashed');
        expect(await a.idempotency.abandon(key, await claim(a, key, 'fp', 60_000))).toBe(true);
        const retries = await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? a : b).idempotency.begin(key, 'fp', 60_000)));
        expect(retries.filter((answer) => answer.outcome === 'started')).toHaveLength(1);
        // After an abandon the key is free for any request, even one with another fingerprint.
        const other = fresh('crashed-other');
        await a.idempotency.abandon(other, await claim(a, other, 'fp-1', 60_000));
        expect((await b.idempotency.begin(other, 'fp-2', 60_000)).outcome).toBe('started');
      });

      it('abandon never erases a completed record, and is false for a key never begun', async () => {
        const { a, b } = await open();
        const key = fresh('kept');
        const owner = await claim(a, key, 'fp', 60_000);
        await a.idempotency.complete(key, owner, 'fp', 'answer');
        expect(await b.idempotency.abandon(key, owner)).toBe(false);
        expect(await b.idempotency.begin(key, 'fp', 60_000)).toEqual({ outcome: 'replay', response: 'answer' });
        expect(await b.idempotency.abandon(fresh('never-begun'), owner)).toBe(false);
      });

      it('complete stores only for the started fingerprint, only once, and never for a key not begun', async () => {
        const { a, b } = await open();
        const key = fresh('completed');
        const owner = await claim(a, key, 'fp', 60_000);
        expect(await b.idempotency.complete(key, owner, 'fp-other', 'wrong')).toBe(false);
        expect(await a.idempotency.begin(key, 'fp', 60_000)).toEqual({ outcome: 'in_progress' });
        expect(await a.idempotency.complete(key, owner, 'fp', 'first')).toBe(true);
        expect(await b.idempotency.complete(key, owner, 'fp', 'second')).toBe(false);
        expect(await b.idempotency.begin(key, 'fp', 60_000)).toEqual({ outcome: 'replay', response: 'first' });
        expect(await a.idempotency.complete(fresh('not-begun'), owner, 'fp', 'x')).toBe(false);
      });

      it('hands every claim its own owner token: 100 claims, 100 different tokens of 128 random bits or more', async () => {
        const { a, b } = await open();
        const key = fresh('owners');
        const owners: string[] = [];
        // Claims of one key (each released before the next) and of different keys, on both connections.
        for (let index = 0; index < 50; index += 1) {
          const owner = await claim(index % 2 === 0 ? a : b, key, 'fp', 60_000);
          owners.push(owner);
          expect(await a.idempotency.abandon(key, owner)).toBe(true);
          owners.push(await claim(index % 2 === 0 ? b : a, fresh('owners-other'), 'fp', 60_000));
        }
        expect(new Set(owners).size).toBe(100);
        // 22 base64url characters, or 32 hex digits, are the shortest texts that hold 128 bits.
        for (const owner of owners) expect(owner.length).toBeGreaterThanOrEqual(22);
      });

      it('complete and abandon with another owner token change nothing while the owner still runs', async () => {
        const { a, b } = await open();
        const key = fresh('not-yours');
        const owner = await claim(a, key, 'fp', 60_000);
        const impostor = await claim(b, fresh('impostor'), 'fp', 60_000);
        for (const wrong of [impostor, 'guessed-owner', `${owner}x`]) {
          expect(await b.idempotency.complete(key, wrong, 'fp', 'forged answer', 60_000)).toBe(false);
          expect(await b.idempotency.abandon(key, wrong)).toBe(false);
        }
        expect(await b.idempotency.begin(key, 'fp', 60_000)).toEqual({ outcome: 'in_progress' });
        expect(await a.idempotency.complete(key, owner, 'fp', 'the answer', 60_000)).toBe(true);
        expect(await b.idempotency.begin(key, 'fp', 60_000)).toEqual({ outcome: 'replay', response: 'the answer' });
      });

      it('a request whose lease expired can neither complete nor abandon the claim of the request after it', async () => {
        const { a, b } = await open();
        const completedKey = fresh('slow-complete');
        const abandonedKey = fresh('slow-abandon');
        const slowCompleting = await claim(a, completedKey, 'fp', shortTtlMs);
        const slowAbandoning = await claim(a, abandonedKey, 'fp', shortTtlMs);
        await sleep(shortTtlMs + expiryMarginMs);
        // The retries of the same requests (same fingerprint) claim the keys again.
        const nextCompleting = await claim(b, completedKey, 'fp', 60_000);
        const nextAbandoning = await claim(b, abandonedKey, 'fp', 60_000);
        expect(await a.idempotency.complete(completedKey, slowCompleting, 'fp', 'the late answer', 60_000)).toBe(false);
        expect(await a.idempotency.abandon(abandonedKey, slowAbandoning)).toBe(false);
        expect(await a.idempotency.begin(completedKey, 'fp', 60_000)).toEqual({ outcome: 'in_progress' });
        expect(await a.idempotency.begin(abandonedKey, 'fp', 60_000)).toEqual({ outcome: 'in_progress' });
        expect(await b.idempotency.complete(completedKey, nextCompleting, 'fp', 'the answer', 60_000)).toBe(true);
        expect(await a.idempotency.begin(completedKey, 'fp', 60_000)).toEqual({ outcome: 'replay', response: 'the answer' });
        expect(await b.idempotency.abandon(abandonedKey, nextAbandoning)).toBe(true);
        // And once a key is completed, the slow request cannot overwrite the answer either.
        expect(await a.idempotency.complete(completedKey, slowCompleting, 'fp', 'the late answer', 60_000)).toBe(false);
        expect(await a.idempotency.begin(completedKey, 'fp', 60_000)).toEqual({ outcome: 'replay', response: 'the answer' });
      });

      it('stores an empty response and a response of exactly kvLimits.valueBytesMax bytes', async () => {
        const { a, b } = await open();
        const empty = fresh('empty-response');
        const large = fresh('large-response');
        const big = 'r'.repeat(kvLimits.valueBytesMax);
        expect(await a.idempotency.complete(empty, await claim(a, empty, 'fp', 60_000), 'fp', '')).toBe(true);
        expect(await b.idempotency.begin(empty, 'fp', 60_000)).toEqual({ outcome: 'replay', response: '' });
        expect(await a.idempotency.complete(large, await claim(a, large, 'fp', 60_000), 'fp', big)).toBe(true);
        const replay = await b.idempotency.begin(large, 'fp', 60_000);
        expect(replay.outcome === 'replay' && replay.response === big).toBe(true);
      });

      it('frees a key once its TTL has passed, in progress or completed', async () => {
        const { a, b } = await open();
        const running = fresh('expiring-running');
        const completed = fresh('expiring-completed');
        const runningOwner = await claim(a, running, 'fp', shortTtlMs);
        await a.idempotency.complete(completed, await claim(a, completed, 'fp', shortTtlMs), 'fp', 'old answer');
        await sleep(shortTtlMs + expiryMarginMs);
        expect((await b.idempotency.begin(running, 'fp-new', 60_000)).outcome).toBe('started');
        expect((await b.idempotency.begin(completed, 'fp', 60_000)).outcome).toBe('started');
        expect(await a.idempotency.complete(running, runningOwner, 'fp', 'late')).toBe(false);
      });

      it('holds a started key for a short lease, and a completed answer as long as complete asks', async () => {
        const { a, b } = await open();
        const key = fresh('lease');
        expect(await a.idempotency.complete(key, await claim(a, key, 'fp', shortTtlMs), 'fp', 'the answer', 60_000)).toBe(true);
        await sleep(shortTtlMs + expiryMarginMs);
        expect(await b.idempotency.begin(key, 'fp', 60_000)).toEqual({ outcome: 'replay', response: 'the answer' });
      });
    });

    describe('rate limiter', () => {
      it('allows `limit` hits, counting remaining down, then denies with a retry time within the window', async () => {
        const { a, b } = await open();
        const key = fresh('sign-in');
        const decisions: RateLimitDecision[] = [];
        for (let index = 0; index < 5; index += 1) decisions.push(await (index % 2 === 0 ? a : b).rateLimiter.hit(key, 3, 60_000));
        expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false, false]);
        expect(decisions.map((decision) => decision.remaining)).toEqual([2, 1, 0, 0, 0]);
        expect(decisions.slice(0, 3).every((decision) => decision.retryAfterMs === 0)).toBe(true);
        for (const denied of decisions.slice(3)) {
          expect(denied.retryAfterMs).toBeGreaterThanOrEqual(1);
          expect(denied.retryAfterMs).toBeLessThanOrEqual(60_000);
        }
      });

      it('allows exactly `limit` of 40 concurrent hits over two connections', async () => {
        const { a, b } = await open();
        const key = fresh('burst');
        const decisions = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? a : b).rateLimiter.hit(key, 10, 60_000)));
        expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
        expect(decisions.filter((decision) => decision.allowed).map((decision) => decision.remaining).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });

      it('allows again once the oldest hit has left the window; denied hits do not extend the lock', async () => {
        const { a } = await open();
        const key = fresh('window');
        const windowMs = 1_000;
        expect((await a.rateLimiter.hit(key, 2, windowMs)).allowed).toBe(true);
        expect((await a.rateLimiter.hit(key, 2, windowMs)).allowed).toBe(true);
        // Denied late in the window: were denied hits counted, they would still be in it when the allowed ones have left.
        await sleep(windowMs * 0.4);
        const denied = await a.rateLimiter.hit(key, 2, windowMs);
        expect(denied.allowed).toBe(false);
        expect(denied.retryAfterMs).toBeGreaterThanOrEqual(1);
        expect(denied.retryAfterMs).toBeLessThanOrEqual(windowMs);
        for (let index = 0; index < 5; index += 1) expect((await a.rateLimiter.hit(key, 2, windowMs)).allowed).toBe(false);
        await sleep(denied.retryAfterMs + expiryMarginMs);
        expect(await a.rateLimiter.hit(key, 2, windowMs)).toMatchObject({ allowed: true, retryAfterMs: 0 });
      });

      it('reset forgets every hit on the key and no other key', async () => {
        const { a, b } = await open();
        const key = fresh('reset');
        const neighbour = fresh('neighbour');
        await a.rateLimiter.hit(key, 1, 60_000);
        await a.rateLimiter.hit(neighbour, 1, 60_000);
        expect((await a.rateLimiter.hit(key, 1, 60_000)).allowed).toBe(false);
        await b.rateLimiter.reset(key);
        expect(await a.rateLimiter.hit(key, 1, 60_000)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
        expect((await a.rateLimiter.hit(neighbour, 1, 60_000)).allowed).toBe(false);
        await b.rateLimiter.reset(fresh('never-hit'));
      });
    });

    describe('message bus', () => {
      it('delivers to a subscriber on another connection and on its own, in publish order', async () => {
        const { a, b } = await open();
        const channel = fresh('accounts');
        const remote = await collect(b, channel);
        const local = await collect(a, channel);
        const sent = Array.from({ length: 20 }, (_, index) => `changed:${index}`);
        for (const message of sent) expect(await a.bus.publish(channel, message)).toBe(2);
        await waitUntil(() => remote.messages.length === 20 && local.messages.length === 20, '20 messages on both connections');
        expect(remote.messages).toEqual(sent);
        expect(local.messages).toEqual(sent);
        await remote.unsubscribe();
        await local.unsubscribe();
      });

      it('unsubscribe stops delivery to that handler only', async () => {
        const { a, b } = await open();
        const channel = fresh('ledger');
        const first = await collect(b, channel);
        const second = await collect(b, channel);
        await a.bus.publish(channel, 'both');
        await waitUntil(() => first.messages.length === 1 && second.messages.length === 1, 'the message on both handlers');
        await first.unsubscribe();
        await first.unsubscribe(); // a second call changes nothing
        expect(await a.bus.publish(channel, 'second only')).toBe(1);
        await waitUntil(() => second.messages.length === 2, 'the second message');
        expect(first.messages).toEqual(['both']);
        expect(second.messages).toEqual(['both', 'second only']);
        await second.unsubscribe();
      });

      it('delivers nothing on a channel whose last handler unsubscribed (a later message on another channel proves it)', async () => {
        const { a, b } = await open();
        const channel = fresh('gone');
        const sentinelChannel = fresh('sentinel');
        const gone = await collect(b, channel);
        const sentinel = await collect(b, sentinelChannel);
        await gone.unsubscribe();
        expect(await a.bus.publish(channel, 'nobody listens')).toBe(0);
        expect(await a.bus.publish(sentinelChannel, 'after')).toBe(1);
        await waitUntil(() => sentinel.messages.length === 1, 'the sentinel');
        expect(gone.messages).toEqual([]);
        // Subscribing again to the channel works.
        const again = await collect(b, channel);
        await a.bus.publish(channel, 'back');
        await waitUntil(() => again.messages.length === 1, 'the message after resubscribing');
        await Promise.all([sentinel.unsubscribe(), again.unsubscribe()]);
      });

      it('keeps channels of different prefixes apart', async () => {
        const { a } = await open();
        const other = await target.connect(otherPrefix);
        try {
          const heard = await collect(other, 'news');
          expect(await a.bus.publish('news', 'for the run prefix')).toBe(0);
          await other.bus.publish('news', 'for the other prefix');
          await waitUntil(() => heard.messages.length >= 1, 'the other prefix message');
          expect(heard.messages).toEqual(['for the other prefix']);
        } finally {
          await other.close();
        }
      });

      it('reports a throwing handler and still delivers to the others', async () => {
        const { a } = await open();
        const reported: unknown[] = [];
        const listener = await target.connect(runPrefix, { onError: (error) => reported.push(error) });
        try {
          const channel = fresh('faulty');
          await listener.bus.subscribe(channel, () => {
            throw new Error('handler bug');
          });
          const healthy = await collect(listener, channel);
          await a.bus.publish(channel, 'event');
          await waitUntil(() => healthy.messages.length === 1, 'the healthy handler');
          expect(reported).toHaveLength(1);
          expect(String(reported[0])).toContain('handler bug');
        } finally {
          await listener.close();
        }
      });

      it('close drops subscriptions and quits; a closed connection refuses work; close twice is fine', async () => {
        const { a } = await open();
        const closing = await target.connect(runPrefix);
        const channel = fresh('closing');
        const heard = await collect(closing, channel);
        expect(await a.bus.publish(channel, 'before close')).toBe(1);
        await waitUntil(() => heard.messages.length === 1, 'the message before close');
        await closing.close();
        await closing.close();
        expect(await a.bus.publish(channel, 'after close')).toBe(0);
        await expect(closing.cache.get('x')).rejects.toThrow(/after close/);
        await expect(closing.bus.publish(channel, 'x')).rejects.toThrow(/after close/);
        await expect(closing.bus.subscribe(channel, () => undefined)).rejects.toThrow(/after close/);
        expect(heard.messages).toEqual(['before close']);
      });
    });

    describe('limits', () => {
      it('rejects keys that are empty or over kvLimits.keyBytesMax UTF-8 bytes, in every port', async () => {
        const { a } = await open();
        const atMax = 'é'.repeat(kvLimits.keyBytesMax / 2); // 2 bytes each
        const overMax = `${atMax}x`;
        await a.cache.set(atMax, 'fits', 60_000);
        expect(await a.cache.get(atMax)).toBe('fits');
        await expect(a.cache.get(overMax)).rejects.toThrow(KvLimitError);
        await expect(a.cache.set(overMax, 'v', 1_000)).rejects.toThrow(/keyBytesMax/);
        await expect(a.cache.delete('')).rejects.toThrow(KvLimitError);
        await expect(a.idempotency.begin(overMax, 'fp', 1_000)).rejects.toThrow(KvLimitError);
        await expect(a.idempotency.complete(overMax, 'owner', 'fp', 'r')).rejects.toThrow(KvLimitError);
        await expect(a.idempotency.abandon('', 'owner')).rejects.toThrow(KvLimitError);
        await expect(a.rateLimiter.hit(overMax, 1, 1_000)).rejects.toThrow(KvLimitError);
        await expect(a.rateLimiter.reset(overMax)).rejects.toThrow(KvLimitError);
      });

      it('stores a value of exactly kvLimits.valueBytesMax bytes and rejects one byte more', async () => {
        const { a, b } = await open();
        const key = fresh('big');
        const atMax = 'v'.repeat(kvLimits.valueBytesMax - 2) + 'é';
        await a.cache.set(key, atMax, 60_000);
        expect(await b.cache.get(key)).toBe(atMax);
        await expect(a.cache.set(key, `${atMax}v`, 60_000)).rejects.toThrow(/valueBytesMax/);
        await expect(a.idempotency.complete(key, 'owner', 'fp', `${atMax}v`)).rejects.toThrow(/valueBytesMax/);
        expect(await b.cache.get(key)).toBe(atMax);
      });

      it('rejects TTLs, fingerprints, rate limits and windows outside their bounds', async () => {
        const { a } = await open();
        const key = fresh('bounds');
        for (const ttlMs of [0, -1, 1.5, Number.NaN, kvLimits.ttlMsMax + 1]) {
          await expect(a.cache.set(key, 'v', ttlMs)).rejects.toThrow(KvLimitError);
          await expect(a.idempotency.begin(key, 'fp', ttlMs)).rejects.toThrow(KvLimitError);
        }
        await expect(a.idempotency.begin(key, '', 1_000)).rejects.toThrow(/fingerprint/);
        await expect(a.idempotency.begin(key, 'f'.repeat(kvLimits.fingerprintBytesMax + 1), 1_000)).rejects.toThrow(/fingerprintBytesMax/);
        for (const owner of ['', 'o'.repeat(kvLimits.ownerBytesMax + 1)]) {
          await expect(a.idempotency.complete(key, owner, 'fp', 'r')).rejects.toThrow(/owner/);
          await expect(a.idempotency.abandon(key, owner)).rejects.toThrow(/owner/);
        }
        await expect(a.rateLimiter.hit(key, 0, 1_000)).rejects.toThrow(/rateLimitMax/);
        await expect(a.rateLimiter.hit(key, kvLimits.rateLimitMax + 1, 1_000)).rejects.toThrow(/rateLimitMax/);
        await expect(a.rateLimiter.hit(key, 1, 0)).rejects.toThrow(/rateWindowMsMax/);
        await expect(a.rateLimiter.hit(key, 1, kvLimits.rateWindowMsMax + 1)).rejects.toThrow(/rateWindowMsMax/);
        // Nothing was stored by the refused calls.
        expect(await a.cache.get(key)).toBeUndefined();
        expect((await a.idempotency.begin(key, 'fp', 1_000)).outcome).toBe('started');
      });

      it('rejects channels and messages over their bounds, and subscriptions beyond kvLimits.subscriptionsMax', async () => {
        const { a } = await open();
        await expect(a.bus.publish('', 'm')).rejects.toThrow(KvLimitError);
        await expect(a.bus.publish('c'.repeat(kvLimits.channelBytesMax + 1), 'm')).rejects.toThrow(/channelBytesMax/);
        await expect(a.bus.subscribe('c'.repeat(kvLimits.channelBytesMax + 1), () => undefined)).rejects.toThrow(/channelBytesMax/);
        await expect(a.bus.publish('c', 'm'.repeat(kvLimits.messageBytesMax + 1))).rejects.toThrow(/messageBytesMax/);
        const crowded = await target.connect(runPrefix);
        try {
          const channel = fresh('crowded');
          const unsubscribes = await Promise.all(Array.from({ length: kvLimits.subscriptionsMax }, () => crowded.bus.subscribe(channel, () => undefined)));
          await expect(crowded.bus.subscribe(channel, () => undefined)).rejects.toThrow(/subscriptionsMax/);
          await unsubscribes[0]?.();
          const oneMore = await crowded.bus.subscribe(channel, () => undefined);
          await oneMore();
        } finally {
          await crowded.close();
        }
      });

      it('refuses a key prefix with glob or other characters outside [A-Za-z0-9:_.-], or too long', async () => {
        for (const keyPrefix of ['', 'run*', 'a b', 'x'.repeat(kvLimits.keyPrefixBytesMax + 1)]) {
          await expect(target.connect(keyPrefix)).rejects.toThrow(/keyPrefix/);
        }
      });
    });

    describe('clean-up', () => {
      it('purge deletes every key under the run prefix, other namespaces included', async () => {
        const { a, b } = await open();
        const other = await target.connect(otherPrefix);
        try {
          await other.cache.set('left-behind', 'x', 60_000);
          await b.idempotency.begin(fresh('left-behind'), 'fp', 60_000);
          await b.rateLimiter.hit(fresh('left-behind'), 5, 60_000);
          expect(await a.purge()).toBeGreaterThanOrEqual(3);
          expect(await a.purge()).toBe(0);
          expect(await other.cache.get('left-behind')).toBeUndefined();
        } finally {
          await other.close();
        }
      });
    });
  });
}
