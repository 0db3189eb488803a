import { describe, expect, it } from 'vitest';
import { allCurrencies, currencyByCode } from '@qenex/engine';
import { formatMoney, parseAmount, setCurrencyExponents } from '@qenex/ui/money';
import { formatMinor } from '../../apps/desktop/src/node/receipt';

/**
 * The screens, the receipts and the books agree on every ISO 4217 currency: the screens take their
 * exponents from the engine's table (handed over at sign-in), never from the browser's own data,
 * which differs for HUF, IDR, IQD and others.
 */
describe('money: screen, receipt and books agree', () => {
  setCurrencyExponents(Object.fromEntries(allCurrencies().map((currency) => [currency.code, currency.exponent])));

  it('types an amount into the minor units the engine books, for every currency', () => {
    expect(parseAmount('1000', 'HUF')).toEqual({ ok: true, minor: '100000' });
    expect(parseAmount('1000', 'IQD')).toEqual({ ok: true, minor: '1000000' });
    expect(parseAmount('1000.50', 'PKR')).toEqual({ ok: true, minor: '100050' });
    for (const currency of allCurrencies()) {
      const typed = currency.exponent === 0 ? '7' : `7.${'1'.repeat(currency.exponent)}`;
      expect(parseAmount(typed, currency.code), currency.code).toEqual({ ok: true, minor: `7${'1'.repeat(currency.exponent)}` });
      expect(currencyByCode(currency.code)!.exponent).toBe(currency.exponent);
    }
  });

  it('shows on screen exactly what the receipt prints for the same minor units, for every currency', () => {
    for (const currency of allCurrencies()) {
      for (const minor of ['123456', '-5', '123456789012345678901']) {
        expect(formatMoney(minor, currency.code).replace(/\s/g, ' '), `${currency.code} ${minor}`).toBe(formatMinor(minor, currency.code).replace(/\s/g, ' '));
      }
    }
  });
});
