import { describe, expect, it } from 'vitest';
import { isBic, isBicCountry, validateBic, type BicResult } from './bic';

function errorOf(result: BicResult): string {
  return result.ok ? 'ok' : result.error;
}

describe('validateBic (ISO 9362:2022)', () => {
  it('reads an 8-character BIC as a head office', () => {
    const result = validateBic('DEUTDEFF');
    expect(result).toEqual({
      ok: true,
      bic: {
        institution: 'DEUT',
        country: 'DE',
        location: 'FF',
        bic8: 'DEUTDEFF',
        bic11: 'DEUTDEFFXXX',
        isTest: false,
        isPassive: false,
        isHeadOffice: true,
      },
    });
  });

  it('reads an 11-character BIC with its branch', () => {
    const result = validateBic('DEUTDEFF500');
    expect(result.ok && result.bic).toMatchObject({
      branch: '500',
      bic8: 'DEUTDEFF',
      bic11: 'DEUTDEFF500',
      isHeadOffice: false,
    });
    const headOffice = validateBic('NEDSZAJJXXX');
    expect(headOffice.ok && headOffice.bic).toMatchObject({
      branch: 'XXX',
      isHeadOffice: true,
      country: 'ZA',
    });
  });

  it('flags a test BIC (location ends in 0) and a passive participant (ends in 1)', () => {
    const test = validateBic('ABNANL20');
    expect(test.ok && [test.bic.isTest, test.bic.isPassive]).toEqual([true, false]);
    const passive = validateBic('ABNANL21XXX');
    expect(passive.ok && [passive.bic.isTest, passive.bic.isPassive]).toEqual([false, true]);
  });

  it('accepts digits in the party prefix, as ISO 9362 has since 2014', () => {
    expect(isBic('1234DEFF')).toBe(true);
    expect(isBic('AB12GB2L')).toBe(true);
  });

  it('accepts XK (Kosovo), which SWIFT uses though ISO 3166 has not assigned it', () => {
    expect(isBicCountry('XK')).toBe(true);
    expect(isBic('RBKOXKPR')).toBe(true);
  });

  const refusals: readonly (readonly [string, string])[] = [
    ['', 'length_wrong'],
    ['DEUTDEF', 'length_wrong'],
    ['DEUTDEFF5', 'length_wrong'],
    ['DEUTDEFF50', 'length_wrong'],
    ['DEUTDEFF5000', 'length_wrong'],
    ['deutdeff', 'lower_case'],
    ['DEUTDEFf', 'lower_case'],
    ['DEUT DEF', 'characters'],
    ['DEUT-DEF', 'characters'],
    ['DEUTD3FF', 'bic_format'],
    ['DEUTZZFF', 'country_unknown'],
    ['DEUTEUFF', 'country_unknown'],
    ['DEUTUKFF', 'country_unknown'],
  ];
  it.each(refusals)('%j is refused: %s', (text, error) => {
    const result = validateBic(text);
    expect(errorOf(result)).toBe(error);
    expect(result.ok || result.message.length > 10).toBe(true);
    expect(isBic(text)).toBe(false);
  });
});
