/**
 * 128-bit identifiers, written as 32 lowercase hex digits. Clients make them (time-ordered, see the
 * ids port) before they send, so a retry carries the same id and is recognised.
 */
export type Id128 = string & { readonly __id128: unique symbol };

export const idZero = '0'.repeat(32) as Id128;
export const idMax = 'f'.repeat(32) as Id128;
const idPattern = /^[0-9a-f]{32}$/;

export type IdProblem = 'malformed' | 'zero' | 'int_max';

/** Why a candidate is not a usable id, or undefined when it is one. */
export function idProblem(candidate: unknown): IdProblem | undefined {
  if (typeof candidate !== 'string' || !idPattern.test(candidate)) return 'malformed';
  if (candidate === idZero) return 'zero';
  if (candidate === idMax) return 'int_max';
  return undefined;
}

export function isId(candidate: unknown): candidate is Id128 {
  return idProblem(candidate) === undefined;
}

/** Builds an id from a 48-bit millisecond time and 80 random bits (hex): ULID's layout, as hex. */
export function composeTimeOrderedId(timeMs: number, randomHex20: string): Id128 {
  return (timeMs.toString(16).padStart(12, '0').slice(-12) + randomHex20.slice(0, 20).padStart(20, '0')) as Id128;
}
