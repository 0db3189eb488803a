import type { Id128 } from '../core/ids';

/** Makes time-ordered 128-bit ids. A port, so tests get repeatable ids. */
export interface IdSource {
  next(): Id128;
}
