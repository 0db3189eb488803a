import { composeTimeOrderedId, type Id128 } from '../../core/ids';
import type { Clock } from '../../ports/clock';
import type { IdSource } from '../../ports/ids';

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** Time-ordered ids: 48 bits of the clock's milliseconds, then 80 random bits (Web Crypto). */
export class RandomIds implements IdSource {
  constructor(private readonly clock: Clock) {}
  next(): Id128 {
    const random = new Uint8Array(10);
    globalThis.crypto.getRandomValues(random);
    return composeTimeOrderedId(this.clock.nowMs(), hex(random));
  }
}

/** Repeatable ids from a counter, still time-ordered by the clock: for tests and simulations. */
export class SequentialIds implements IdSource {
  private counter = 0n;
  constructor(
    private readonly clock: Clock,
    private readonly salt = 0,
  ) {}
  next(): Id128 {
    this.counter += 1n;
    const tail = ((BigInt(this.salt) << 64n) | this.counter).toString(16).padStart(20, '0');
    return composeTimeOrderedId(this.clock.nowMs(), tail);
  }
}
