import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addRemainder, chainAmountOf, chooseScale, formatTokenAmount, ledgerUnitsMax, parseTokenAmount, splitChainAmount, unitFactor } from './units';

describe('token units on the books', () => {
  it('chooses the finest scale at which the largest holding fits 64 bits', () => {
    expect(chooseScale(18, 1_000_000_000n)).toEqual({ ok: true, scale: 9 });
    expect(chooseScale(6, 1_000_000_000n)).toEqual({ ok: true, scale: 6 });
    expect(chooseScale(18, 9n)).toEqual({ ok: true, scale: 18 });
    expect(chooseScale(18, 10n)).toEqual({ ok: true, scale: 17 });
    expect(chooseScale(0, ledgerUnitsMax)).toEqual({ ok: true, scale: 0 });
    expect(chooseScale(18, ledgerUnitsMax + 1n)).toEqual({ ok: false, code: 'holding_too_large' });
    expect(chooseScale(37, 1n)).toEqual({ ok: false, code: 'decimals_out_of_range' });
  });

  it('splits any chain amount into units and a remainder that add back to it exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), fc.integer({ min: 0, max: 18 }), (amount, drop) => {
        const factor = unitFactor(18, 18 - drop);
        const { units, remainder } = splitChainAmount(amount, factor);
        expect(chainAmountOf(units, factor) + remainder).toBe(amount);
        expect(remainder >= 0n && remainder < factor).toBe(true);
      }),
    );
  });

  it('carries remainders into whole units without losing any', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { maxLength: 30 }), (parts) => {
        const factor = 10n ** 9n;
        let held = 0n;
        let carried = 0n;
        for (const part of parts) {
          const next = addRemainder(held, part % factor, factor);
          carried += next.carry;
          held = next.remainder;
        }
        expect(carried * factor + held).toBe(parts.reduce((sum, part) => sum + (part % factor), 0n));
      }),
    );
  });

  it('reads and writes token amounts by string arithmetic', () => {
    expect(parseTokenAmount('1.5', 18)).toBe(1_500_000_000_000_000_000n);
    expect(parseTokenAmount('0.000000000000000001', 18)).toBe(1n);
    expect(parseTokenAmount('0.0000000000000000001', 18)).toBeNull();
    expect(parseTokenAmount('1e3', 18)).toBeNull();
    expect(formatTokenAmount(1_500_000_000_000_000_000n, 18)).toBe('1.5');
    expect(formatTokenAmount(7n, 0)).toBe('7');
  });
});
