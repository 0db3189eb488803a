import { currencyByCode } from '../currencies';
import { parseRate, roundHalfEven, type Rational } from '../banking/fx';
import { usdRatesMax } from './limits';
import type { MonitoredTransaction, UsdRateTable } from './types';

/** Exact rates into USD, by currency code; USD is always present at 1. */
export type UsdRates = ReadonlyMap<string, Rational>;

export type UsdRatesError = 'rates_too_many' | 'currency_unknown' | 'rate_malformed' | 'rate_must_be_positive';

const usdExponent = 2n;

export function parseUsdRates(table: UsdRateTable): { ok: true; value: UsdRates } | { ok: false; error: UsdRatesError; currency?: string } {
  const entries = Object.entries(table);
  if (entries.length > usdRatesMax) return { ok: false, error: 'rates_too_many' };
  const rates = new Map<string, Rational>([['USD', { numerator: 1n, denominator: 1n }]]);
  for (const [currency, text] of entries) {
    if (currencyByCode(currency) === undefined) return { ok: false, error: 'currency_unknown', currency };
    const rate = parseRate(text);
    if (!rate.ok) return { ok: false, error: rate.error, currency };
    if (currency !== 'USD') rates.set(currency, rate.value);
  }
  return { ok: true, value: rates };
}

/**
 * The transaction's value in USD minor units, rounded half to even once per transaction (aggregates
 * are sums of these rounded values); undefined when the table has no rate for its currency.
 */
export function usdMinorOf(transaction: MonitoredTransaction, rates: UsdRates): bigint | undefined {
  const rate = rates.get(transaction.currency);
  const currency = currencyByCode(transaction.currency);
  if (rate === undefined || currency === undefined) return undefined;
  if (transaction.currency === 'USD') return transaction.amountMinor;
  return roundHalfEven(
    transaction.amountMinor * rate.numerator * 10n ** usdExponent,
    rate.denominator * 10n ** BigInt(currency.exponent),
  );
}
