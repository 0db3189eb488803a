import { describe, expect, it } from 'vitest';
import { dueClock, evidenceFigure, parametersText } from './compliance-format';
import { nextStep } from '../stores/compliance';
import { setCurrencyExponents } from '../money';

// The exponents the workstation hands over at sign-in.
setCurrencyExponents({ USD: 2 });

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

describe('the filing clock', () => {
  it('counts days, then hours, then minutes left, and says soon inside three days', () => {
    expect(dueClock(15 * dayMs + 5, 0)).toEqual({ text: '15 days left', overdue: false, soon: false });
    expect(dueClock(2 * dayMs + hourMs, 0)).toEqual({ text: '2 days left', overdue: false, soon: true });
    expect(dueClock(5 * hourMs + 1, 0)).toEqual({ text: '5 h left', overdue: false, soon: true });
    expect(dueClock(90_000, 0)).toEqual({ text: '1 min left', overdue: false, soon: true });
  });

  it('says overdue, and by how much, once the due moment has passed', () => {
    expect(dueClock(0, 3 * dayMs)).toEqual({ text: 'overdue by 3 days', overdue: true, soon: false });
    expect(dueClock(0, 1)).toMatchObject({ overdue: true });
  });
});

describe('evidence figures as a reviewer reads them', () => {
  it('shows USD cents as dollars, a UTC day as such, basis points as a percentage and tokens as words', () => {
    expect(evidenceFigure('aggregateUsdMinor', '1050000')).toEqual({ label: 'Aggregate (USD)', text: '$10,500.00' });
    expect(evidenceFigure('businessDayUtc', '2026-12-01')).toEqual({ label: 'Business day (UTC)', text: '2026-12-01' });
    expect(evidenceFigure('outShareBasisPoints', '9000')).toEqual({ label: 'Out share', text: '90.00%' });
    expect(evidenceFigure('direction', 'cash_in')).toEqual({ label: 'Direction', text: 'cash in' });
    expect(evidenceFigure('windowMs', String(3 * dayMs))).toEqual({ label: 'Window', text: '3 days' });
  });

  it('writes a rule’s parameters in words, without its kind', () => {
    expect(parametersText({ kind: 'velocity', windowMs: dayMs, countMax: 20, amountMaxUsdMinor: '5000000' })).toBe('window 1 day · count max 20 · amount max (USD) $50,000.00');
  });
});

describe('what to do after a refusal', () => {
  it('tells the officer the next step for a case taken or closed meanwhile, and for a command that needs the bank', () => {
    expect(nextStep('case_reassigned')).toMatch(/Take the case again \(Alt\+T\)/);
    expect(nextStep('case_closed')).toMatch(/closed/);
    expect(nextStep('needs_server')).toMatch(/when the banner says Online/);
    expect(nextStep('no_such_code')).toBeNull();
  });
});
