import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayMs } from './limits';
import { parseUsdRates, type UsdRates } from './value';
import { cashOverCtr, ctrAggregate, dormantWakes, highRiskJurisdiction, newPayeeLarge, rapidInOut, runRule, structuring, velocity } from './rules';
import type { CustomerHistory, MonitoredTransaction, MonitoredTransactionKind, RuleParameters } from './types';

const rates: UsdRates = (() => {
  const parsed = parseUsdRates({ EUR: '1.25', JPY: '0.0064' });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
})();

const dayStart = Date.UTC(2025, 2, 10);
const hourMs = 3_600_000;
let serial = 0;
function tx(kind: MonitoredTransactionKind, amountMinor: bigint, atMs: number, extra: Partial<MonitoredTransaction> = {}): MonitoredTransaction {
  serial += 1;
  return { id: `t${String(serial).padStart(4, '0')}`, atMs, customerId: 'c1', accountId: 'a1', kind, amountMinor, currency: 'USD', ...extra };
}
function history(candidate: MonitoredTransaction, recent: MonitoredTransaction[] = [], extra: Partial<CustomerHistory> = {}): CustomerHistory {
  return { candidate, recent, paidPayeeAccountIds: [], ...extra };
}

describe('cash_over_ctr', () => {
  const parameters = { kind: 'cash_over_ctr', thresholdUsdMinor: 1_000_000n } as const;
  it('fires when the same UTC day cash in adds up to more than 10,000 USD', () => {
    const earlier = tx('cash_deposit', 600_000n, dayStart + hourMs);
    const candidate = tx('cash_deposit', 400_001n, dayStart + 20 * hourMs);
    const hit = cashOverCtr(history(candidate, [earlier]), parameters, rates);
    expect(hit?.evidence.transactionIds).toEqual([earlier.id, candidate.id]);
    expect(hit?.evidence.values).toMatchObject({ direction: 'cash_in', aggregateUsdMinor: '1000001', businessDayUtc: '2025-03-10' });
  });
  it('stays quiet at exactly the threshold (one cent under "more than")', () => {
    const candidate = tx('cash_deposit', 400_000n, dayStart + 20 * hourMs);
    expect(cashOverCtr(history(candidate, [tx('cash_deposit', 600_000n, dayStart)]), parameters, rates)).toBeNull();
  });
  it('does not add the previous UTC day, nor net or mix cash out with cash in', () => {
    const candidate = tx('cash_deposit', 600_000n, dayStart);
    const yesterday = tx('cash_deposit', 900_000n, dayStart - 1);
    const withdrawal = tx('cash_withdrawal', 900_000n, dayStart + 1);
    expect(cashOverCtr(history(candidate, [yesterday, withdrawal]), parameters, rates)).toBeNull();
  });
  it('ignores transfers, and values other currencies at the given rate', () => {
    const transfer = tx('transfer_in', 5_000_000n, dayStart);
    const euros = tx('cash_deposit', 800_001n, dayStart + 1, { currency: 'EUR' }); // 8,000.01 EUR × 1.25 = 10,000.0125 USD → 1,000,001 cents
    expect(cashOverCtr(history(euros, [transfer]), parameters, rates)?.evidence.values.aggregateUsdMinor).toBe('1000001');
    const yen = tx('cash_deposit', 1_562_500n, dayStart + 1, { currency: 'JPY' }); // 1,562,500 JPY × 0.0064 = 10,000.00 USD
    expect(cashOverCtr(history(yen), parameters, rates)).toBeNull();
  });
  it('adding a transaction never lowers the aggregate', () => {
    const arbitraryTransaction = fc.record({
      kind: fc.constantFrom<MonitoredTransactionKind>('cash_deposit', 'cash_withdrawal', 'transfer_in', 'exchange'),
      amountMinor: fc.bigInt({ min: 1n, max: 10_000_000n }),
      offsetMs: fc.integer({ min: 0, max: 3 * dayMs }),
      currency: fc.constantFrom('USD', 'EUR', 'JPY'),
    });
    fc.assert(
      fc.property(fc.array(arbitraryTransaction, { maxLength: 20 }), arbitraryTransaction, (recentSpecs, extraSpec) => {
        const candidate = tx('cash_deposit', 100n, dayStart + 3 * dayMs);
        const make = (spec: typeof extraSpec) => tx(spec.kind, spec.amountMinor, candidate.atMs - spec.offsetMs, { currency: spec.currency });
        const recent = recentSpecs.map(make);
        const before = ctrAggregate(history(candidate, recent), rates)?.totalUsdMinor ?? 0n;
        const after = ctrAggregate(history(candidate, [...recent, make(extraSpec)]), rates)?.totalUsdMinor ?? 0n;
        expect(after >= before).toBe(true);
      }),
    );
  });
});

describe('structuring', () => {
  const parameters = { kind: 'structuring', thresholdUsdMinor: 1_000_000n, bandFloorBasisPoints: 8_000, depositsMin: 3, windowMs: 5 * dayMs } as const;
  const deposits = (amounts: bigint[], spacingMs: number) => amounts.map((amount, index) => tx('cash_deposit', amount, dayStart + index * spacingMs));
  it('fires on three deposits just under 10,000 within five days', () => {
    const [first, second, third] = deposits([950_000n, 800_000n, 1_000_000n], dayMs);
    const hit = structuring(history(third!, [second!, first!]), parameters, rates);
    expect(hit?.evidence.transactionIds).toEqual([first!.id, second!.id, third!.id]);
    expect(hit?.evidence.values.deposits).toBe('3');
  });
  it('stays quiet with one deposit fewer than required', () => {
    const [first, second] = deposits([950_000n, 960_000n], dayMs);
    expect(structuring(history(second!, [first!]), parameters, rates)).toBeNull();
  });
  it('does not count a deposit one cent under the band', () => {
    const [first, second, third] = deposits([799_999n, 900_000n, 900_000n], dayMs);
    expect(structuring(history(third!, [first!, second!]), parameters, rates)).toBeNull();
  });
  it('does not count a deposit exactly the window length before the candidate', () => {
    const [first, second, third] = deposits([900_000n, 900_000n, 900_000n], 2.5 * dayMs);
    expect(structuring(history(third!, [first!, second!]), parameters, rates)).toBeNull();
  });
  it('stays quiet when a deposit in the window was over the threshold (it was reported)', () => {
    const [first, second, third, fourth] = deposits([900_000n, 1_000_001n, 900_000n, 900_000n], hourMs);
    expect(structuring(history(fourth!, [first!, second!, third!]), parameters, rates)).toBeNull();
  });
});

describe('velocity', () => {
  const parameters = { kind: 'velocity', windowMs: dayMs, countMax: 3, amountMaxUsdMinor: 5_000_000n } as const;
  it('fires on more transactions than allowed in the window', () => {
    const recent = [1, 2, 3].map((index) => tx('transfer_out', 100n, dayStart + index * hourMs));
    const candidate = tx('transfer_out', 100n, dayStart + 4 * hourMs);
    expect(velocity(history(candidate, recent), parameters, rates)?.evidence.values.count).toBe('4');
  });
  it('stays quiet at the count when the oldest falls outside the window', () => {
    const outside = tx('transfer_out', 100n, dayStart);
    const recent = [1, 2].map((index) => tx('transfer_out', 100n, dayStart + index * hourMs));
    const candidate = tx('transfer_out', 100n, dayStart + dayMs);
    expect(velocity(history(candidate, [outside, ...recent]), parameters, rates)).toBeNull();
  });
  it('fires on more value than allowed, and not at exactly the limit', () => {
    const earlier = tx('transfer_in', 2_500_000n, dayStart);
    expect(velocity(history(tx('transfer_out', 2_500_001n, dayStart + 1), [earlier]), parameters, rates)).not.toBeNull();
    expect(velocity(history(tx('transfer_out', 2_500_000n, dayStart + 1), [earlier]), parameters, rates)).toBeNull();
  });
});

describe('rapid_in_out', () => {
  const parameters = { kind: 'rapid_in_out', windowMs: 48 * hourMs, outShareBasisPoints: 9_000, inflowMinUsdMinor: 100_000n } as const;
  it('fires when 90% of what came in leaves within 48 hours', () => {
    const incoming = tx('transfer_in', 1_000_000n, dayStart);
    const out = tx('transfer_out', 900_000n, dayStart + 47 * hourMs);
    const hit = rapidInOut(history(out, [incoming]), parameters, rates);
    expect(hit?.evidence.transactionIds).toEqual([incoming.id, out.id]);
    expect(hit?.evidence.values.outShareBasisPoints).toBe('9000');
  });
  it('stays quiet one cent under the share', () => {
    const incoming = tx('transfer_in', 1_000_000n, dayStart);
    expect(rapidInOut(history(tx('transfer_out', 899_999n, dayStart + hourMs), [incoming]), parameters, rates)).toBeNull();
  });
  it('stays quiet when the money came in before the window', () => {
    const incoming = tx('transfer_in', 1_000_000n, dayStart);
    expect(rapidInOut(history(tx('transfer_out', 1_000_000n, dayStart + 48 * hourMs), [incoming]), parameters, rates)).toBeNull();
  });
  it('does not count money that left before anything came in', () => {
    const earlierOut = tx('transfer_out', 500_000n, dayStart);
    const incoming = tx('cash_deposit', 1_000_000n, dayStart + hourMs);
    expect(rapidInOut(history(tx('cash_withdrawal', 500_000n, dayStart + 2 * hourMs), [earlierOut, incoming]), parameters, rates)).toBeNull();
  });
});

describe('dormant_wakes', () => {
  const parameters = { kind: 'dormant_wakes', dormantMs: 180 * dayMs, amountMinUsdMinor: 500_000n } as const;
  it('fires on a large transaction after 180 idle days', () => {
    const candidate = tx('transfer_out', 500_000n, dayStart);
    expect(dormantWakes(history(candidate, [], { accountLastActivityMs: dayStart - 180 * dayMs }), parameters, rates)?.evidence.transactionIds).toEqual([candidate.id]);
  });
  it('stays quiet a millisecond short of dormancy, one cent under the amount, and for an account never used', () => {
    const candidate = tx('transfer_out', 500_000n, dayStart);
    expect(dormantWakes(history(candidate, [], { accountLastActivityMs: dayStart - 180 * dayMs + 1 }), parameters, rates)).toBeNull();
    const small = tx('transfer_out', 499_999n, dayStart);
    expect(dormantWakes(history(small, [], { accountLastActivityMs: 0 }), parameters, rates)).toBeNull();
    expect(dormantWakes(history(candidate), parameters, rates)).toBeNull();
  });
  it('counts activity on the account in the recent window', () => {
    const candidate = tx('transfer_out', 500_000n, dayStart);
    const recentUse = tx('transfer_in', 100n, dayStart - dayMs);
    expect(dormantWakes(history(candidate, [recentUse], { accountLastActivityMs: 0 }), parameters, rates)).toBeNull();
  });
});

describe('high_risk_jurisdiction', () => {
  const parameters = {
    kind: 'high_risk_jurisdiction',
    lists: [
      { version: '2025-02', effectiveFromMs: Date.UTC(2025, 1, 21), effectiveUntilMs: Date.UTC(2025, 5, 13), countries: ['KP', 'IR', 'MM'] },
      { version: '2025-06', effectiveFromMs: Date.UTC(2025, 5, 13), countries: ['KP', 'IR'] },
    ],
  } as const;
  it('fires on a counterparty country on the list in force', () => {
    const hit = highRiskJurisdiction(history(tx('transfer_out', 100n, dayStart, { counterpartyCountry: 'mm' })), parameters);
    expect(hit?.evidence.values).toEqual({ country: 'MM', listVersions: '2025-02' });
  });
  it('stays quiet before a list is in force, after a country leaves it, and for unlisted countries', () => {
    expect(highRiskJurisdiction(history(tx('transfer_out', 100n, Date.UTC(2025, 1, 21) - 1, { counterpartyCountry: 'KP' })), parameters)).toBeNull();
    expect(highRiskJurisdiction(history(tx('transfer_out', 100n, Date.UTC(2025, 5, 13), { counterpartyCountry: 'MM' })), parameters)).toBeNull();
    expect(highRiskJurisdiction(history(tx('transfer_out', 100n, dayStart, { counterpartyCountry: 'FR' })), parameters)).toBeNull();
    expect(highRiskJurisdiction(history(tx('transfer_out', 100n, dayStart)), parameters)).toBeNull();
  });
});

describe('new_payee_large', () => {
  const parameters = { kind: 'new_payee_large', amountMinUsdMinor: 300_000n } as const;
  it('fires when a payee never paid before receives the amount', () => {
    const candidate = tx('transfer_out', 300_000n, dayStart, { counterpartyAccountId: 'p9' });
    expect(newPayeeLarge(history(candidate, [], { paidPayeeAccountIds: ['p1'] }), parameters, rates)?.evidence.values.payeeAccountId).toBe('p9');
  });
  it('stays quiet one cent under, for a payee paid before, or paid in the recent window', () => {
    expect(newPayeeLarge(history(tx('transfer_out', 299_999n, dayStart, { counterpartyAccountId: 'p9' })), parameters, rates)).toBeNull();
    const candidate = tx('transfer_out', 300_000n, dayStart, { counterpartyAccountId: 'p1' });
    expect(newPayeeLarge(history(candidate, [], { paidPayeeAccountIds: ['p1'] }), parameters, rates)).toBeNull();
    const earlier = tx('transfer_out', 100n, dayStart - dayMs, { counterpartyAccountId: 'p1' });
    expect(newPayeeLarge(history(candidate, [earlier]), parameters, rates)).toBeNull();
  });
});

describe('every rule', () => {
  const allParameters: RuleParameters[] = [
    { kind: 'cash_over_ctr', thresholdUsdMinor: 1_000_000n },
    { kind: 'structuring', thresholdUsdMinor: 1_000_000n, bandFloorBasisPoints: 8_000, depositsMin: 2, windowMs: 5 * dayMs },
    { kind: 'velocity', windowMs: dayMs, countMax: 2, amountMaxUsdMinor: 1_000_000n },
    { kind: 'rapid_in_out', windowMs: dayMs, outShareBasisPoints: 5_000, inflowMinUsdMinor: 1n },
    { kind: 'dormant_wakes', dormantMs: 30 * dayMs, amountMinUsdMinor: 1n },
    { kind: 'high_risk_jurisdiction', lists: [{ version: 'v1', effectiveFromMs: 0, countries: ['IR'] }] },
    { kind: 'new_payee_large', amountMinUsdMinor: 1n },
  ];
  const arbitraryTransaction = fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    kind: fc.constantFrom<MonitoredTransactionKind>('cash_deposit', 'cash_withdrawal', 'transfer_in', 'transfer_out', 'exchange'),
    amountMinor: fc.bigInt({ min: 1n, max: 2_000_000n }),
    offsetMs: fc.integer({ min: 0, max: 10 * dayMs }),
    currency: fc.constantFrom('USD', 'EUR', 'JPY'),
    counterpartyAccountId: fc.constantFrom('p1', 'p2', 'p3'),
    counterpartyCountry: fc.constantFrom('IR', 'FR'),
  });
  const arbitraryHistory = fc
    .tuple(arbitraryTransaction, fc.uniqueArray(arbitraryTransaction, { selector: (spec) => spec.id, maxLength: 15 }), fc.option(fc.integer({ min: 0, max: 100 * dayMs })))
    .map(([candidateSpec, recentSpecs, idleMs]): CustomerHistory => {
      const nowMs = dayStart + 20 * dayMs;
      const make = (spec: typeof candidateSpec, id: string): MonitoredTransaction => ({
        id,
        atMs: nowMs - spec.offsetMs,
        customerId: 'c1',
        accountId: 'a1',
        kind: spec.kind,
        amountMinor: spec.amountMinor,
        currency: spec.currency,
        counterpartyAccountId: spec.counterpartyAccountId,
        counterpartyCountry: spec.counterpartyCountry,
      });
      return {
        candidate: { ...make(candidateSpec, 'candidate'), atMs: nowMs },
        recent: recentSpecs.map((spec) => make(spec, `r-${spec.id}`)),
        paidPayeeAccountIds: ['p1'],
        ...(idleMs === null ? {} : { accountLastActivityMs: nowMs - idleMs }),
      };
    });
  it('names only transactions of the history in its evidence', () => {
    fc.assert(
      fc.property(arbitraryHistory, (subject) => {
        const known = new Set([subject.candidate.id, ...subject.recent.map((transaction) => transaction.id)]);
        for (const parameters of allParameters) {
          for (const id of runRule(parameters, subject, rates)?.evidence.transactionIds ?? []) expect(known.has(id)).toBe(true);
        }
      }),
    );
  });
  it('gives the same answer whatever the order of the recent transactions', () => {
    fc.assert(
      fc.property(arbitraryHistory, fc.func(fc.integer()), (subject, key) => {
        const shuffled = { ...subject, recent: [...subject.recent].sort((a, b) => key(a.id) - key(b.id)) };
        for (const parameters of allParameters) expect(runRule(parameters, shuffled, rates)).toEqual(runRule(parameters, subject, rates));
      }),
    );
  });
});
