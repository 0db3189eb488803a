import { describe, expect, it } from 'vitest';
import type { Context } from '@qenex/engine';
import { SessionCache, sessionCacheTtlMs } from './session-cache';

const ctx = { actor: 'u1', roles: ['teller'], deviceId: 'api' } as Context;

describe('SessionCache', () => {
  it('trusts a session for at most a second, and never past its expiry', () => {
    const cache = new SessionCache();
    cache.set('token-a', ctx, 1_000, 10_000);
    expect(cache.get('token-a', 1_000 + sessionCacheTtlMs - 1)).toBe(ctx);
    expect(cache.get('token-a', 1_000 + sessionCacheTtlMs)).toBeUndefined();
    cache.set('token-b', ctx, 1_000, 1_500);
    expect(cache.get('token-b', 1_500)).toBeUndefined();
  });

  it('asks the database once for requests that arrive together with the same token, and again after', async () => {
    const cache = new SessionCache();
    let loads = 0;
    let answer = (_value: string): void => undefined;
    const load = () => {
      loads += 1;
      return new Promise<string>((resolve) => (answer = resolve));
    };
    const together = [cache.loadOnce('token-a', load), cache.loadOnce('token-a', load), cache.loadOnce('token-a', load)];
    const other = cache.loadOnce('token-b', async () => 'b');
    expect(loads).toBe(1);
    answer('a');
    expect(await Promise.all(together)).toEqual(['a', 'a', 'a']);
    expect(await other).toBe('b');
    const failing = cache.loadOnce('token-a', () => Promise.reject(new Error('database gone')));
    await expect(failing).rejects.toThrow('database gone');
    expect(await cache.loadOnce('token-a', async () => 'again')).toBe('again');
  });
});
