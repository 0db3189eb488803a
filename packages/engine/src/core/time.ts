/** The largest signed 64-bit value: what both stores hold in a bigint column. */
export const int64Max = 9_223_372_036_854_775_807n;

/**
 * The latest moment, in milliseconds since 1970, the ledger's nanosecond clock holds in 64 bits
 * (the year 2262): a time past it would overflow the stores' bigint.
 */
export const timestampMsMax = Number(int64Max / 1_000_000n) - 1;
