import { idProblem, type Id128 } from '../ids';
import { amountMax } from '../money';

const u32Max = 2 ** 32 - 1;
const u16Max = 2 ** 16 - 1;
const i32Max = 2 ** 31 - 1;

export function isU32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= u32Max;
}

export function isU16(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= u16Max;
}

/** Optional user data: an absent or all-zero 128-bit value is stored as null. */
export function userDataProblem(event: {
  readonly userData128?: string;
  readonly userData64?: bigint;
  readonly userData32?: number;
}): boolean {
  const u128 = event.userData128;
  if (u128 !== undefined && idProblem(u128) === 'malformed') return true;
  const u64 = event.userData64;
  if (u64 !== undefined && (typeof u64 !== 'bigint' || u64 < 0n || u64 > amountMax)) return true;
  const u32 = event.userData32;
  return u32 !== undefined && !(typeof u32 === 'number' && Number.isInteger(u32) && u32 >= 0 && u32 <= i32Max);
}

export function userData128Of(value: string | undefined): Id128 | null {
  return value === undefined || idProblem(value) !== undefined ? null : (value as Id128);
}

/** An optional id field: absent or all zeros means "not given". */
export function optionalId(value: string | undefined): Id128 | null {
  return value === undefined || /^0{32}$/.test(value) ? null : (value as Id128);
}

export type LedgerCodeProblem = 'zero' | 'malformed' | undefined;

export function ledgerProblem(ledger: unknown): LedgerCodeProblem {
  if (ledger === 0) return 'zero';
  return isU32(ledger) ? undefined : 'malformed';
}

export function codeProblem(code: unknown): LedgerCodeProblem {
  if (code === 0) return 'zero';
  return isU16(code) ? undefined : 'malformed';
}
