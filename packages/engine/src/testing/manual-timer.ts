import type { ScheduleTimer } from '../adapters/node/backup-schedule';

const setImmediateSettle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Time that moves only when a test says, firing what falls due in order. After each timer fires,
 * `settled` is awaited (by default one turn of the event loop; a test whose timers start real I/O
 * waits for that I/O instead).
 */
export class ManualTimer implements ScheduleTimer {
  nowMs = Date.UTC(2026, 11, 1, 9, 0, 0);
  private readonly timers: Array<{ atMs: number; fire: () => void; live: boolean }> = [];

  after(delayMs: number, fire: () => void) {
    const timer = { atMs: this.nowMs + delayMs, fire, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  get pending(): number {
    return this.timers.filter((timer) => timer.live).length;
  }

  async advance(ms: number, settled: () => Promise<void> = setImmediateSettle): Promise<void> {
    const untilMs = this.nowMs + ms;
    for (;;) {
      const [next] = this.timers.filter((timer) => timer.live && timer.atMs <= untilMs).sort((left, right) => left.atMs - right.atMs);
      if (next === undefined) break;
      this.nowMs = next.atMs;
      next.live = false;
      next.fire();
      await settled();
    }
    this.nowMs = untilMs;
    await settled();
  }
}
