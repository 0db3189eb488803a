import { createHash } from 'node:crypto';
import { signInDelayMs, signInFailureMemoryMs, type KvPorts } from '@qenex/engine';

/** Sign-in attempts per source and typed name per minute, whatever their outcome (a flood guard). */
export const signInAttemptsPerWindowMax = 20;
export const signInWindowMs = 60_000;


interface Failures {
  readonly count: number;
  readonly lastAtMs: number;
}

/**
 * The failures of one typed username from one source, under a digest so neither appears in the
 * cache's keys. Kept for whatever was typed, existing user or not: the delay must not tell.
 */
function failuresKey(username: string, source: string): string {
  return `sign-in-failures:${createHash('sha256').update(`${source}\n${username}`).digest('hex')}`;
}

async function failuresOf(kv: KvPorts, key: string): Promise<Failures> {
  const stored = await kv.cache.get(key);
  if (stored === undefined) return { count: 0, lastAtMs: 0 };
  const parsed = JSON.parse(stored) as Partial<Failures>;
  return { count: Number(parsed.count) || 0, lastAtMs: Number(parsed.lastAtMs) || 0 };
}

export type SignInGate = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number; readonly code: 'rate_limited' | 'sign_in_delayed' };

/**
 * Whether a sign-in may be tried now: at most `signInAttemptsPerWindowMax` a minute per source and
 * name, and after repeated failures of that name from that source, a doubling delay since the last
 * (core/identity's signInDelayMs). Another source — the user at their own desk — is not slowed:
 * guessing cannot be turned into keeping someone out.
 */
export async function signInGate(kv: KvPorts, username: string, source: string, nowMs: number, perSourceMax: number): Promise<SignInGate> {
  // Guessing many names from one address is no cheaper than guessing one (QENEX_SIGN_INS_PER_SOURCE_PER_MINUTE).
  const fromSource = await kv.rateLimiter.hit(`sign-in-source:${source}`, perSourceMax, signInWindowMs);
  if (!fromSource.allowed) return { allowed: false, retryAfterMs: fromSource.retryAfterMs, code: 'rate_limited' };
  const flood = await kv.rateLimiter.hit(`sign-in:${source}:${username.slice(0, 64)}`, signInAttemptsPerWindowMax, signInWindowMs);
  if (!flood.allowed) return { allowed: false, retryAfterMs: flood.retryAfterMs, code: 'rate_limited' };
  const failures = await failuresOf(kv, failuresKey(username, source));
  const waitMs = failures.lastAtMs + signInDelayMs(failures.count) - nowMs;
  return waitMs > 0 ? { allowed: false, retryAfterMs: waitMs, code: 'sign_in_delayed' } : { allowed: true };
}

/** Counts a failed sign-in toward the delay, or forgets the failures after a success. */
export async function recordSignIn(kv: KvPorts, username: string, source: string, succeeded: boolean, nowMs: number): Promise<void> {
  const key = failuresKey(username, source);
  if (succeeded) {
    await kv.cache.delete(key);
    return;
  }
  const failures = await failuresOf(kv, key);
  await kv.cache.set(key, JSON.stringify({ count: failures.count + 1, lastAtMs: nowMs }), signInFailureMemoryMs);
}

/** Sign-ins waiting for a slot, beyond which a sign-in is told to retry (the server is flooded). */
export const signInsWaitingMax = 256;

/**
 * At most `limit` sign-ins do their password work (scrypt: 32 MiB and tens of milliseconds each)
 * at once; the rest wait their turn in order, so a flood of guesses cannot take every core from
 * everyone else, and a morning's burst of tellers signing in is served, only queued. Tries of one
 * name from one source go one after another: each is gated after the one before it was counted,
 * so a burst of concurrent guesses cannot all slip through one delay (within this process).
 */
export class SignInSlots {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly byName = new Map<string, Promise<unknown>>();

  constructor(private readonly limit: number) {}

  /** Runs `work` after the earlier tries of `key` (name and source), in a slot; undefined, without running it, when the queue is full. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    if (this.waiting.length >= signInsWaitingMax) return undefined;
    const before = this.byName.get(key) ?? Promise.resolve();
    const turn = before.then(() => this.inSlot(work));
    const settled = turn.catch(() => undefined);
    this.byName.set(key, settled);
    try {
      return await turn;
    } finally {
      if (this.byName.get(key) === settled) this.byName.delete(key);
    }
  }

  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.inFlight -= 1;
      else next(); // the slot passes straight to the next in line
    }
  }
}
