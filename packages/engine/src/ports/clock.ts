/** Time as the engine sees it. A port, so tests and simulations run on a clock they control. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

/** Nanoseconds for ledger timestamps: the clock's milliseconds, scaled. */
export function clockNs(clock: Clock): bigint {
  return BigInt(Math.floor(clock.nowMs())) * 1_000_000n;
}
