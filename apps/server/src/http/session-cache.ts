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
  private readonly loading = new Map<string, Promise<unknown>>();

  /**
   * One database check per token at a time: when an entry lapses under load, the requests that
   * arrive together share one answer instead of each opening a read transaction.
   */
  loadOnce<T>(token: string, load: () => Promise<T>): Promise<T> {
    const running = this.loading.get(token) as Promise<T> | undefined;
    if (running !== undefined) return running;
    const started = load().finally(() => this.loading.delete(token));
    this.loading.set(token, started);
    return started;
  }

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
