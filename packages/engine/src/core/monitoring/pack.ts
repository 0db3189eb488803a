import { dayMs } from './limits';
import type { JurisdictionList, RuleDefinition, Scenario, UsdRateTable } from './types';

/**
 * The bank's first rule pack as configuration: what a new bank publishes as its live scenario and
 * then tunes. Figures follow the US rules they come from (the 10,000 USD currency-transaction-report
 * threshold, aggregated per customer and business day, 31 CFR 1010.311/313) and common industry
 * starting points for the others; each is a parameter, not code.
 */

export const ctrThresholdUsdMinor = 1_000_000n;

/**
 * FATF's "black and grey" lists as dated configuration: the call for action (DPRK, Iran, Myanmar)
 * and jurisdictions under increased monitoring, as published in FATF's June 2025 plenary outcome.
 * A bank replaces this with its own risk assessment's list, version by version.
 */
export const fatfJune2025: JurisdictionList = {
  version: 'fatf-2025-06',
  effectiveFromMs: Date.UTC(2025, 5, 13),
  countries: ['KP', 'IR', 'MM', 'DZ', 'AO', 'BO', 'BG', 'CM', 'CI', 'CD', 'HT', 'KE', 'LA', 'LB', 'MC', 'MZ', 'NA', 'NP', 'NG', 'ZA', 'SS', 'SY', 'VE', 'VN', 'VG', 'YE'],
};

/** The pack's rules, in force from `effectiveFromMs`. */
export function defaultRules(effectiveFromMs: number): RuleDefinition[] {
  const dated = (id: string, parameters: RuleDefinition['parameters']): RuleDefinition => ({ id, effectiveFromMs, parameters });
  return [
    dated('cash_over_ctr', { kind: 'cash_over_ctr', thresholdUsdMinor: ctrThresholdUsdMinor }),
    // Three or more cash deposits of 8,000–10,000 USD within three days, none reportable on its own.
    dated('structuring', { kind: 'structuring', thresholdUsdMinor: ctrThresholdUsdMinor, bandFloorBasisPoints: 8_000, depositsMin: 3, windowMs: 3 * dayMs }),
    dated('velocity', { kind: 'velocity', windowMs: dayMs, countMax: 20, amountMaxUsdMinor: 5_000_000n }),
    dated('rapid_in_out', { kind: 'rapid_in_out', windowMs: 2 * dayMs, outShareBasisPoints: 9_000, inflowMinUsdMinor: 500_000n }),
    dated('dormant_wakes', { kind: 'dormant_wakes', dormantMs: 180 * dayMs, amountMinUsdMinor: 100_000n }),
    dated('high_risk_jurisdiction', { kind: 'high_risk_jurisdiction', lists: [fatfJune2025] }),
    dated('new_payee_large', { kind: 'new_payee_large', amountMinUsdMinor: 500_000n }),
  ];
}

/**
 * The live scenario: a CTR-sized day alerts on its own (a report is due); structuring and
 * high-risk jurisdictions hold the transaction for compliance before it posts; several patterns
 * at once (a score of 60) block it.
 */
export function defaultScenario(version = 1, status: Scenario['status'] = 'live'): Scenario {
  return {
    id: 'retail',
    version,
    status,
    rules: [
      { ruleId: 'cash_over_ctr', weight: 20 },
      { ruleId: 'structuring', weight: 40, holdForReview: true },
      { ruleId: 'velocity', weight: 20 },
      { ruleId: 'rapid_in_out', weight: 20 },
      { ruleId: 'dormant_wakes', weight: 20 },
      { ruleId: 'high_risk_jurisdiction', weight: 30, holdForReview: true },
      { ruleId: 'new_payee_large', weight: 20 },
    ],
    alertThreshold: 20,
    blockThreshold: 60,
  };
}

/**
 * USD values for currencies no rate sheet prices, so a transaction is valued rather than held.
 * Monitoring values money only to compare it with thresholds; nothing is booked at these rates.
 */
export const defaultUsdRates: UsdRateTable = { EUR: '1.08', GBP: '1.27', CHF: '1.12', JPY: '0.0067', CAD: '0.73', AUD: '0.66' };
