import { describe, expect, it } from 'vitest';
import { parseUsdRates, usdMinorOf } from './value';
import type { MonitoredTransaction } from './types';

const base: MonitoredTransaction = { id: 't', atMs: 0, customerId: 'c', accountId: 'a', kind: 'cash_deposit', amountMinor: 1n, currency: 'USD' };

describe('USD valuation', () => {
  it('rounds half to even once per transaction, across exponents', () => {
    const parsed = parseUsdRates({ EUR: '1.5', KWD: '3.25', JPY: '0.0065' });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(usdMinorOf({ ...base, currency: 'EUR', amountMinor: 1n }, parsed.value)).toBe(2n); // 1.5 → 2
    expect(usdMinorOf({ ...base, currency: 'EUR', amountMinor: 3n }, parsed.value)).toBe(4n); // 4.5 → 4
    expect(usdMinorOf({ ...base, currency: 'KWD', amountMinor: 1_000n }, parsed.value)).toBe(325n);
    expect(usdMinorOf({ ...base, currency: 'JPY', amountMinor: 100n }, parsed.value)).toBe(65n);
    expect(usdMinorOf({ ...base, currency: 'GBP' }, parsed.value)).toBeUndefined();
  });
  it('refuses unknown currencies and malformed rates', () => {
    expect(parseUsdRates({ XYZ: '1' })).toMatchObject({ ok: false, error: 'currency_unknown' });
    expect(parseUsdRates({ EUR: '-1' })).toMatchObject({ ok: false, error: 'rate_malformed' });
  });
});
