import type { Context } from '@qenex/engine';

/** How long a verified session is trusted without asking the database again. */
export const sessionCacheTtlMs = 1000;
export const sessionCacheEntriesMax = 10_000;

/**
 * Remembers, for one second, which context a bearer token stands for: under load the session check
 * was a read transaction per request. Signing out evicts at once on this process; on another
 * process a revoked or expired session can last at most `sessionCacheTtlMs` more.
 */
export class SessionCache {
  private readonly entries = new Map<string, { readonly ctx: Context; readonly untilMs: number }>();

  get(token: string, nowMs: number): Context | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.untilMs <= nowMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.ctx;
  }

  /** Never past the session's own expiry. */
  set(token: string, ctx: Context, nowMs: number, sessionExpiresAtMs: number): void {
    if (this.entries.size >= sessionCacheEntriesMax) this.entries.clear();
    this.entries.set(token, { ctx, untilMs: Math.min(nowMs + sessionCacheTtlMs, sessionExpiresAtMs) });
  }

  delete(token: string): void {
    this.entries.delete(token);
  }
}
