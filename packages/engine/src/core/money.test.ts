import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allCurrencies } from './currencies';
import {
  addChecked,
  amountMax,
  checkPositive,
  formatDecimal,
  formatMoney,
  formatUnits,
  parseDecimal,
  parseMinor,
  parsePositiveDecimal,
} from './money';

const ok = (value: bigint) => ({ ok: true, value });
const refused = (error: string) => ({ ok: false, error });

describe('parseDecimal', () => {
  it('scales by the ISO 4217 exponent of each currency: JPY 0, USD 2, KWD 3, CLF 4', () => {
    expect(parseDecimal('1234', 'JPY')).toEqual(ok(1234n));
    expect(parseDecimal('1234.56', 'USD')).toEqual(ok(123456n));
    expect(parseDecimal('1234.567', 'KWD')).toEqual(ok(1234567n));
    expect(parseDecimal('1234.5678', 'CLF')).toEqual(ok(12345678n));
    expect(parseDecimal('1234', 'USD')).toEqual(ok(123400n));
    expect(parseDecimal('0.5', 'KWD')).toEqual(ok(500n));
    expect(parseDecimal('0.0001', 'CLF')).toEqual(ok(1n));
  });

  it('reads negative amounts and zero', () => {
    expect(parseDecimal('-0.07', 'USD')).toEqual(ok(-7n));
    expect(parseDecimal('-12', 'JPY')).toEqual(ok(-12n));
    expect(parseDecimal('0', 'USD')).toEqual(ok(0n));
    expect(parseDecimal('-0.00', 'USD')).toEqual(ok(0n));
  });

  it('refuses more fraction digits than the currency has instead of rounding', () => {
    expect(parseDecimal('1.5', 'JPY')).toEqual(refused('amount_too_precise'));
    expect(parseDecimal('0.001', 'USD')).toEqual(refused('amount_too_precise'));
    expect(parseDecimal('1.999', 'USD')).toEqual(refused('amount_too_precise'));
    expect(parseDecimal('0.0001', 'KWD')).toEqual(refused('amount_too_precise'));
    expect(parseDecimal('0.00001', 'CLF')).toEqual(refused('amount_too_precise'));
  });

  it('accepts zeros that carry no value: trailing after the point, leading before it', () => {
    expect(parseDecimal('1.0', 'JPY')).toEqual(ok(1n));
    expect(parseDecimal('1.500', 'USD')).toEqual(ok(150n));
    expect(parseDecimal('007.50', 'USD')).toEqual(ok(750n));
    expect(parseDecimal('1.' + '0'.repeat(60), 'USD')).toEqual(ok(100n));
    expect(parseDecimal('0'.repeat(60) + '1', 'USD')).toEqual(ok(100n));
  });

  it('takes 2^63-1 minor units exactly, and refuses one more, in either sign', () => {
    expect(parseDecimal('9223372036854775807', 'JPY')).toEqual(ok(amountMax));
    expect(parseDecimal('92233720368547758.07', 'USD')).toEqual(ok(amountMax));
    expect(parseDecimal('9223372036854775.807', 'KWD')).toEqual(ok(amountMax));
    expect(parseDecimal('922337203685477.5807', 'CLF')).toEqual(ok(amountMax));
    expect(parseDecimal('-92233720368547758.07', 'USD')).toEqual(ok(-amountMax));
    expect(parseDecimal('9223372036854775808', 'JPY')).toEqual(refused('amount_overflows'));
    expect(parseDecimal('92233720368547758.08', 'USD')).toEqual(refused('amount_overflows'));
    expect(parseDecimal('-92233720368547758.08', 'USD')).toEqual(refused('amount_overflows'));
    expect(parseDecimal('922337203685477.5808', 'CLF')).toEqual(refused('amount_overflows'));
    // 10^19 USD has far more digits than fit, but is still well under the input length bound.
    expect(parseDecimal('1' + '0'.repeat(19), 'USD')).toEqual(refused('amount_overflows'));
    expect(parseDecimal('9'.repeat(100), 'JPY')).toEqual(refused('amount_overflows'));
  });

  it('refuses malformed text as malformed, whatever its length', () => {
    for (const text of ['', ' ', '1.', '.5', '+1', ' 1', '1 ', '1,000.00', '1e3', '0x10', 'NaN', 'Infinity', '--1', '1.2.3', '١٢', '１']) {
      expect(parseDecimal(text, 'USD'), JSON.stringify(text)).toEqual(refused('amount_malformed'));
    }
    expect(parseDecimal('x'.repeat(41), 'USD')).toEqual(refused('amount_malformed'));
    expect(parseDecimal('1.5x' + '0'.repeat(100), 'USD')).toEqual(refused('amount_malformed'));
  });

  it('refuses text longer than any amount is written without reading it', () => {
    expect(parseDecimal('1'.repeat(10_000), 'USD')).toEqual(refused('amount_malformed'));
    expect(parseMinor('0'.repeat(10_000))).toEqual(refused('amount_malformed'));
  });

  it('refuses a currency it does not know', () => {
    expect(parseDecimal('1.00', 'XXX')).toEqual(refused('currency_unknown'));
    expect(parseDecimal('1.00', 'usd')).toEqual(refused('currency_unknown'));
  });
});

describe('parseMinor', () => {
  it('reads integer minor units as they travel on the wire', () => {
    expect(parseMinor('123456')).toEqual(ok(123456n));
    expect(parseMinor('-5')).toEqual(ok(-5n));
    expect(parseMinor('0')).toEqual(ok(0n));
    expect(parseMinor('00042')).toEqual(ok(42n));
    expect(parseMinor('9223372036854775807')).toEqual(ok(amountMax));
    expect(parseMinor('-9223372036854775807')).toEqual(ok(-amountMax));
  });

  it('refuses anything beyond ±(2^63-1)', () => {
    expect(parseMinor('9223372036854775808')).toEqual(refused('amount_overflows'));
    expect(parseMinor('-9223372036854775808')).toEqual(refused('amount_overflows'));
    expect(parseMinor('1' + '0'.repeat(30))).toEqual(refused('amount_overflows'));
  });

  it('refuses decimals, signs, spaces and other text as malformed', () => {
    for (const text of ['', '-', '+1', '1.0', '1.5', ' 1', '1e3', 'abc', '0x1f', '1_000', 'x'.repeat(41)]) {
      expect(parseMinor(text), JSON.stringify(text)).toEqual(refused('amount_malformed'));
    }
  });
});

describe('checkPositive and parsePositiveDecimal', () => {
  it('passes a strictly positive amount in range', () => {
    expect(checkPositive(1n)).toEqual(ok(1n));
    expect(checkPositive(amountMax)).toEqual(ok(amountMax));
    expect(parsePositiveDecimal('0.01', 'USD')).toEqual(ok(1n));
  });

  it('refuses zero, negative and overflowing amounts, each with its own code', () => {
    expect(checkPositive(0n)).toEqual(refused('amount_must_not_be_zero'));
    expect(checkPositive(-1n)).toEqual(refused('amount_must_not_be_negative'));
    expect(checkPositive(amountMax + 1n)).toEqual(refused('amount_overflows'));
    expect(parsePositiveDecimal('0.00', 'USD')).toEqual(refused('amount_must_not_be_zero'));
    expect(parsePositiveDecimal('-0.01', 'USD')).toEqual(refused('amount_must_not_be_negative'));
    expect(parsePositiveDecimal('0.001', 'USD')).toEqual(refused('amount_too_precise'));
  });
});

describe('formatDecimal and formatMoney', () => {
  it('writes minor units in the currency scale, padding the fraction', () => {
    expect(formatDecimal(123456n, 'USD')).toBe('1234.56');
    expect(formatDecimal(5n, 'USD')).toBe('0.05');
    expect(formatDecimal(-7n, 'USD')).toBe('-0.07');
    expect(formatDecimal(0n, 'USD')).toBe('0.00');
    expect(formatDecimal(1234n, 'JPY')).toBe('1234');
    expect(formatDecimal(-1234n, 'JPY')).toBe('-1234');
    expect(formatDecimal(1n, 'KWD')).toBe('0.001');
    expect(formatDecimal(12345678n, 'CLF')).toBe('1234.5678');
    expect(formatDecimal(amountMax, 'USD')).toBe('92233720368547758.07');
  });

  it('groups thousands and names the currency for people', () => {
    expect(formatMoney(123456789n, 'USD')).toBe('1,234,567.89 USD');
    expect(formatMoney(-123456789n, 'USD')).toBe('-1,234,567.89 USD');
    expect(formatMoney(1234567n, 'JPY')).toBe('1,234,567 JPY');
    expect(formatMoney(1000000n, 'KWD')).toBe('1,000.000 KWD');
    expect(formatMoney(999n, 'JPY')).toBe('999 JPY');
    expect(formatMoney(5n, 'CLF')).toBe('0.0005 CLF');
  });

  it('formats a unit that is no ISO currency at the scale given (a token at its book scale)', () => {
    expect(formatUnits(4_500_000_000n, 9, 'QXTA')).toBe('4.500000000 QXTA');
    expect(formatUnits(1_234_567_000_000_001n, 9, 'QXTA')).toBe('1,234,567.000000001 QXTA');
    expect(formatUnits(-12n, 0, 'PTS')).toBe('-12 PTS');
    fc.assert(fc.property(fc.bigInt({ min: -amountMax, max: amountMax }), (amount) => formatUnits(amount, 2, 'USD') === formatMoney(amount, 'USD')));
  });

  it('throws on a currency it does not know: a programmer error, not an operating one', () => {
    expect(() => formatDecimal(1n, 'XXX')).toThrow(RangeError);
  });
});

describe('round trip', () => {
  const currencies = allCurrencies();
  const amounts = fc.oneof(
    fc.bigInt({ min: -amountMax, max: amountMax }),
    fc.bigInt({ min: -100_000n, max: 100_000n }),
    fc.constantFrom(0n, 1n, -1n, amountMax, -amountMax),
  );

  it('covers the exponents 0, 2, 3 and 4', () => {
    expect(new Set(currencies.map((currency) => currency.exponent))).toEqual(new Set([0, 2, 3, 4]));
  });

  it('format then parse gives back the same amount, for every currency', () => {
    fc.assert(
      fc.property(fc.constantFrom(...currencies), amounts, (currency, amountMinor) => {
        expect(parseDecimal(formatDecimal(amountMinor, currency.code), currency.code)).toEqual(ok(amountMinor));
      }),
      { numRuns: 2000 },
    );
  });

  it('formatMoney is formatDecimal with thousands separators and the code', () => {
    fc.assert(
      fc.property(fc.constantFrom(...currencies), amounts, (currency, amountMinor) => {
        const [grouped, code] = formatMoney(amountMinor, currency.code).split(' ');
        expect(code).toBe(currency.code);
        expect(grouped?.replaceAll(',', '')).toBe(formatDecimal(amountMinor, currency.code));
        expect(grouped).toMatch(/^-?\d{1,3}(,\d{3})*(\.\d+)?$/);
      }),
      { numRuns: 500 },
    );
  });

  it('parseMinor reads back any amount in range written in base 10', () => {
    fc.assert(
      fc.property(amounts, (amountMinor) => {
        expect(parseMinor(amountMinor.toString())).toEqual(ok(amountMinor));
      }),
    );
  });
});

describe('addChecked', () => {
  it('adds within range and refuses to wrap past 64 bits', () => {
    expect(addChecked(1n, 2n)).toBe(3n);
    expect(addChecked(amountMax, 0n)).toBe(amountMax);
    expect(addChecked(amountMax, 1n)).toBeUndefined();
    expect(addChecked(-amountMax, -2n)).toBeUndefined();
  });
});
