import type { Clock } from '../../ports/clock';

export const systemClock = { nowMs: () => Date.now() } satisfies Clock;

/** A clock that moves only when told: for tests and deterministic simulations. */
export class ManualClock implements Clock {
  constructor(private currentMs: number) {}
  nowMs(): number {
    return this.currentMs;
  }
  advance(milliseconds: number): void {
    this.currentMs += milliseconds;
  }
  set(milliseconds: number): void {
    this.currentMs = milliseconds;
  }
}
