import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentOf, formatMoney, minorToInput, parseAmount, setCurrencyExponents } from './money';

// The exponents the host hands over at sign-in (the engine's ISO 4217 table, here a few of its entries,
// among them two where the platform's own currency data disagrees with ISO 4217: HUF 2 and IQD 3).
setCurrencyExponents({ USD: 2, EUR: 2, JPY: 0, KWD: 3, HUF: 2, IQD: 3 });

describe('money on screen', () => {
  it('formats minor units exactly in the currency’s own exponent', () => {
    expect(formatMoney('123456', 'USD')).toBe('$1,234.56');
    expect(formatMoney('5', 'USD')).toBe('$0.05');
    expect(formatMoney('-5', 'USD')).toBe('-$0.05');
    expect(formatMoney('-123456', 'USD')).toBe('-$1,234.56');
    expect(formatMoney('1234', 'JPY')).toBe('¥1,234');
    expect(formatMoney('1234', 'KWD')).toMatch(/^KWD\s1\.234$/);
    expect(formatMoney('123456789012345678901', 'USD')).toBe('$1,234,567,890,123,456,789.01');
    expect(formatMoney(10n ** 30n, 'EUR')).toBe('€10,000,000,000,000,000,000,000,000,000.00');
  });

  it('takes the exponent from ISO 4217 as the platform knows it', () => {
    expect([exponentOf('USD'), exponentOf('JPY'), exponentOf('KWD'), exponentOf('EUR'), exponentOf('HUF'), exponentOf('IQD')]).toEqual([2, 0, 3, 2, 2, 3]);
    expect(formatMoney('123456', 'HUF')).toMatch(/1,234\.56$/);
    expect(parseAmount('1000', 'IQD')).toEqual({ ok: true, minor: '1000000' });
    expect(() => exponentOf('XXX')).toThrow(RangeError);
  });

  it('parses typed decimals by string arithmetic, refusing what is not an amount of that currency', () => {
    expect(parseAmount('1,234.50', 'USD')).toEqual({ ok: true, minor: '123450' });
    expect(parseAmount('1,234,567', 'USD')).toEqual({ ok: true, minor: '123456700' });
    for (const misread of ['12,50', '1,0,0', ',5', '1,23.4']) expect(parseAmount(misread, 'EUR').ok, misread).toBe(false);
    expect(parseAmount(' 7 ', 'USD')).toEqual({ ok: true, minor: '700' });
    expect(parseAmount('0.1', 'USD')).toEqual({ ok: true, minor: '10' });
    expect(parseAmount('999999999999999.99', 'USD')).toEqual({ ok: true, minor: '99999999999999999' });
    expect(parseAmount('12', 'JPY')).toEqual({ ok: true, minor: '12' });
    expect(parseAmount('1.5', 'JPY').ok).toBe(false);
    expect(parseAmount('1.2345', 'KWD').ok).toBe(false);
    expect(parseAmount('92233720368547758.08', 'USD').ok).toBe(false);
    expect(parseAmount('92233720368547758.07', 'USD')).toEqual({ ok: true, minor: '9223372036854775807' });
    for (const bad of ['', '-5', '1e3', '0', '0.00', 'abc', '1.2.3', '+5', 'NaN', 'Infinity', '0x10', '1 000.5.']) expect(parseAmount(bad, 'USD').ok, bad).toBe(false);
  });

  it('round-trips: what is shown for an amount parses back to the same minor units, for any amount and exponent', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 17n - 1n }), fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'), (minor, currency) => {
        const typed = minorToInput(minor.toString(), currency);
        expect(parseAmount(typed, currency)).toEqual({ ok: true, minor: minor.toString() });
        const shown = formatMoney(minor, currency).replace(/[^\d.]/g, '');
        expect(parseAmount(shown, currency)).toEqual({ ok: true, minor: minor.toString() });
      }),
    );
  });
});
