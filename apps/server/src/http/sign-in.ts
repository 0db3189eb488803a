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
export async function signInGate(kv: KvPorts, username: string, source: string, nowMs: number): Promise<SignInGate> {
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
