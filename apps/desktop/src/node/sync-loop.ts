import type { Clock, OutboxEntry, WorkstationSync } from '@qenex/engine';
import type { SqliteStorage } from '@qenex/engine/sqlite';
import type { OutboxItem, SyncStatus } from '@qenex/ui/bridge';

/** Outbox entries the status carries at most, newest first (the day's work and what the server did not accept). */
export const statusRecentMax = 50;
export const statusUnsettledMax = 50;
/** Outbox entries scanned for unsettled ones (the newest). */
const outboxScanMax = 2_000;

interface Deps {
  readonly sync: WorkstationSync;
  readonly storage: SqliteStorage;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly emit: (status: SyncStatus) => void;
}

/**
 * Keeps the workstation in step with the server: a sync (push everything waiting, then pull) after
 * each command made offline and every `intervalMs`, one at a time. It also keeps what the screens
 * show of it: the link, what waits, and what the server did not accept as it was made.
 */
export class SyncLoop {
  private link: SyncStatus['link'] = 'connecting';
  private lastContactMs: number | null = null;
  private lastError: string | null = null;
  private syncing = false;
  private outbox: { waiting: number; unsettled: OutboxItem[]; recent: OutboxItem[] } = { waiting: 0, unsettled: [], recent: [] };
  private running: Promise<SyncStatus> | null = null;
  private queued: Promise<SyncStatus> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(private readonly deps: Deps) {}

  start(): void {
    void this.now();
    this.timer = setInterval(() => void this.now(), this.deps.intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.queued?.catch(() => undefined);
  }

  status(): SyncStatus {
    return { link: this.link, lastContactMs: this.lastContactMs, lastError: this.lastError, syncing: this.syncing, ...this.outbox };
  }

  /** A sync soon (after a command made here): the caller does not wait. */
  kick(): void {
    void this.now();
  }

  /** A sync now; one already running is followed by one more, which every caller meanwhile shares. */
  now(): Promise<SyncStatus> {
    if (this.running === null) {
      this.running = this.once().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // One follow-up, shared by every caller meanwhile; a failed run (its error is the caller's) never leaves it stuck.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.now();
      });
    return this.queued;
  }

  sawServer(): void {
    if (this.link !== 'online') {
      this.link = 'online';
      this.kick();
    }
    this.lastContactMs = this.deps.clock.nowMs();
    this.deps.emit(this.status());
  }

  lostServer(message: string): void {
    this.link = 'offline';
    this.lastError = `The bank's server cannot be reached (${message}). Work continues on this workstation within its offline limits.`;
    this.deps.emit(this.status());
  }

  private async once(): Promise<SyncStatus> {
    if (this.stopped) return this.status();
    this.syncing = true;
    this.deps.emit(this.status());
    try {
      const result = await this.deps.sync.sync();
      if (result === 'synced') {
        this.link = 'online';
        this.lastContactMs = this.deps.clock.nowMs();
        this.lastError = null;
      } else if (result.ok) {
        this.link = 'online';
        this.lastContactMs = this.deps.clock.nowMs();
      } else if (result.code === 'unreachable') {
        this.link = 'offline';
        this.lastError = `The bank's server cannot be reached (${result.message}). Work continues on this workstation within its offline limits.`;
      } else {
        this.link = 'online';
        this.lastContactMs = this.deps.clock.nowMs();
        this.lastError = `${result.message} (${result.code})`;
      }
    } catch (error) {
      this.lastError = `Sync failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.syncing = false;
    }
    if (!this.stopped) this.outbox = await this.readOutbox();
    const status = this.status();
    this.deps.emit(status);
    return status;
  }

  private async readOutbox(): Promise<{ waiting: number; unsettled: OutboxItem[]; recent: OutboxItem[] }> {
    return this.deps.storage.read(async (tx) => {
      const state = await tx.banking.get('workstation', 'local');
      const last = state?.lastCommandSeq ?? 0;
      const from = String(Math.max(0, last - outboxScanMax)).padStart(12, '0');
      const entries = (await tx.banking.list('outboxEntry', from, outboxScanMax + 1)).map(itemOf).reverse();
      return {
        waiting: entries.filter((entry) => entry.status === 'pending').length,
        unsettled: entries.filter((entry) => entry.status !== 'pending' && entry.status !== 'accepted').slice(0, statusUnsettledMax),
        recent: entries.slice(0, statusRecentMax),
      };
    });
  }
}

function itemOf(entry: OutboxEntry): OutboxItem {
  const money = (entry.input as { money?: { amount?: unknown; currency?: unknown } }).money;
  return {
    seq: entry.seq,
    name: entry.name,
    actor: entry.actor,
    atMs: entry.atMs,
    transferId: entry.transferId,
    amount: typeof money?.amount === 'string' ? money.amount : null,
    currency: typeof money?.currency === 'string' ? money.currency : null,
    status: entry.status,
    code: entry.code,
    message: entry.message,
  };
}
